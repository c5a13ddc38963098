/**
 * Who and where: chats and people as the store knows them, resolved from
 * inbound events and seeded from the organisation file. Roles come from
 * configuration or a manager's command, never from what a platform event says
 * (the sandbox's role picker is the one exception, for demonstrations).
 */
import type { Role } from '../domain/contract.js';
import type { Org } from '../domain/org.js';
import type { Chat, Db, Person, PersonRow, Prisma, Tx } from '../store/types.js';
import { CHANNELS, CUSTOMER_ONLY_CHANNELS, type ChannelName, type InboundEvent } from '../core/channel.js';

type Client = Tx | Db;

/** A stored person with their role as its type (roles are written only from ROLES: the organisation file, 设为…). */
function typed(row: PersonRow): Person {
  return row as Person;
}

/** Roles from the organisation file, by channel and platform user id. */
export function configuredRole(org: Org, channel: ChannelName, platformId: string): { role: Role; name: string; department?: string; phone?: string } | null {
  const s = org.staff.find((p) => p.ids[channel] === platformId);
  if (!s) return null;
  return { role: s.role, name: s.name, ...(s.department ? { department: s.department } : {}), ...(s.phone ? { phone: s.phone } : {}) };
}

function configuredPurpose(org: Org, channel: ChannelName, platformId: string): 'managers' | 'staff' | null {
  if (org.managersGroups.some((g) => g.channel === channel && g.id === platformId)) return 'managers';
  return org.customers.some((c) => c.staffChats.some((g) => g.channel === channel && g.id === platformId)) ? 'staff' : null;
}

export async function resolveChat(tx: Client, org: Org, ev: InboundEvent, now: Date): Promise<Chat> {
  const existing = await tx.chat.findUnique({ where: { channel_platformId: { channel: ev.channel, platformId: ev.chat.id } } });
  const purpose =
    configuredPurpose(org, ev.channel, ev.chat.id) ??
    (ev.channel === 'sandbox' ? ev.chat.purposeHint : undefined) ??
    // 微信客服: every conversation is a customer reporting one to one.
    (ev.channel === 'wecom-kf' ? 'customer' : undefined) ??
    (ev.chat.type === 'p2p' ? 'direct' : undefined);
  if (existing) {
    const changes: Partial<Chat> = {};
    if (ev.chat.title && ev.chat.title !== existing.title) changes.title = ev.chat.title;
    if (purpose && purpose !== existing.purpose) changes.purpose = purpose;
    if (ev.type !== 'bot_removed' && !existing.active) changes.active = true;
    if (!Object.keys(changes).length) return existing;
    return tx.chat.update({ where: { id: existing.id }, data: { ...changes, updatedAt: now } });
  }
  // A 微信客服 account (open_kfid) listed under a customer's chats stands for all its conversations ("<open_kfid>:<external_userid>").
  const kfAccount = ev.channel === 'wecom-kf' ? ev.chat.id.split(':')[0] : undefined;
  const here = (ch: { channel: string; id: string }) => ch.channel === ev.channel && (ch.id === ev.chat.id || ch.id === kfAccount);
  const customer = org.customers.find((c) => c.chats.some(here) || c.staffChats.some((ch) => ch.channel === ev.channel && ch.id === ev.chat.id));
  const customerRow = customer ? await tx.customer.findUnique({ where: { name: customer.name } }) : null;
  // A plain insert (Prisma's upsert reads, inserts and reads again): were another replica to
  // insert the same chat first, the unique index fails this transaction and the event is
  // tried again (receive, processQueued), finding the row.
  return tx.chat.create({
    data: {
      channel: ev.channel,
      platformId: ev.chat.id,
      title: ev.chat.title ?? null,
      purpose: purpose ?? 'customer',
      customerId: customerRow?.id ?? null,
    },
  });
}

export async function resolvePerson(
  tx: Client,
  org: Org,
  channel: ChannelName,
  user: { id: string; name: string; departmentIds?: string[] },
  roleHint?: Role,
  /** Called when the person was not stored yet and was created now. */
  onCreated?: (created: Person) => void,
): Promise<Person> {
  const configured = configuredRole(org, channel, user.id);
  // The sandbox's role picker, or a Feishu department mapped to a role in the organisation file.
  const hinted = channel === 'sandbox' ? roleHint : channel === 'feishu' ? departmentRole(org, user.departmentIds) : undefined;
  const name = (configured?.name ?? user.name ?? '').trim().slice(0, 64) || user.id.slice(0, 64);
  const existing = await tx.person.findUnique({ where: { channel_platformId: { channel, platformId: user.id } } });
  if (existing) {
    // A department mapping only raises a customer to staff; a manager's 设为… command stays.
    const fromHint = channel === 'feishu' && existing.role !== 'customer' ? undefined : hinted;
    const role = configured?.role ?? fromHint ?? existing.role;
    if (role === existing.role && name === existing.name) return typed(existing);
    return typed(await tx.person.update({ where: { id: existing.id }, data: { role, name } }));
  }
  // A plain insert, as for chats above: a concurrent insert of the same person fails the
  // transaction, which is tried again and finds the row.
  const created = typed(await tx.person.create({
    data: {
      channel,
      platformId: user.id,
      name,
      role: configured?.role ?? hinted ?? 'customer',
      department: configured?.department ?? null,
      phone: configured?.phone ?? null,
    },
  }));
  onCreated?.(created);
  return created;
}

/** The people a message @mentions (at most ten), as the store knows them. */
export async function mentionedPeople(tx: Client, org: Org, channel: ChannelName, mentions: Array<{ id: string; name: string }>): Promise<Person[]> {
  const out: Person[] = [];
  for (const m of mentions.slice(0, 10)) out.push(await resolvePerson(tx, org, channel, m));
  return out;
}

function departmentRole(org: Org, departmentIds: string[] | undefined): Role | undefined {
  for (const d of departmentIds ?? []) {
    const role = org.feishuDepartmentRoles[d];
    if (role) return role;
  }
  return undefined;
}

/** People of a role on a channel, oldest first (the first manager is "the" department manager). */
export async function staffWithRole(tx: Client, channel: string, role: Role): Promise<Person[]> {
  return (await tx.person.findMany({ where: { channel, role }, orderBy: { id: 'asc' }, take: 5 })).map(typed);
}

/** The first person with a role on a channel (the department manager, the vice-president, the desk). */
export async function firstWithRole(tx: Client, channel: string, role: Role): Promise<Person | null> {
  return (await staffWithRole(tx, channel, role))[0] ?? null;
}

/** Several people by id in one read. */
export async function peopleByIds(tx: Client, ids: readonly number[]): Promise<Map<number, Person>> {
  const rows = ids.length ? await tx.person.findMany({ where: { id: { in: [...new Set(ids)] } } }) : [];
  return new Map(rows.map((r) => [r.id, typed(r)]));
}

export async function personById(tx: Client, id: number | null): Promise<Person | null> {
  if (id === null) return null;
  const row = await tx.person.findUnique({ where: { id } });
  return row ? typed(row) : null;
}

/** An engineer by name on a channel (the on-duty rota names them). */
export async function engineerNamed(tx: Client, channel: string, name: string): Promise<Person | null> {
  const row = await tx.person.findFirst({ where: { channel, name, role: 'engineer' } });
  return row ? typed(row) : null;
}

/** Changes a person's phone or role (the roles come from a manager's 设为… command). */
export async function updatePerson(tx: Client, id: number, data: Pick<Prisma.PersonUncheckedUpdateInput, 'phone' | 'role'>): Promise<void> {
  await tx.person.update({ where: { id }, data, select: { id: true } });
}

/** A chat by id (the chat a ticket lives in). */
export async function chatById(tx: Client, id: number): Promise<Chat> {
  return tx.chat.findUniqueOrThrow({ where: { id } });
}

/**
 * Managers' groups on every running channel: where escalations and digests go.
 * A group on a channel this service does not run (the sandbox's, with the
 * sandbox off) is left out, or its messages would wait in the outbox for ever.
 */
export function managersGroups(tx: Client, channels?: readonly string[]): Promise<Chat[]> {
  return tx.chat.findMany({
    where: { purpose: 'managers', active: true, ...(channels ? { channel: { in: [...channels] } } : {}) },
    orderBy: { id: 'asc' },
  });
}

/**
 * Where staff-only messages about a chat's tickets go: the customer's staff
 * group on that channel, else the first managers' group there; a chat that is
 * not a customer's is its own staff chat. Null when the channel has neither
 * (the message is then not sent: it must never land in the customer's chat).
 */
export async function staffChatFor(tx: Client, chat: Chat, running?: readonly string[]): Promise<Chat | null> {
  if (chat.purpose !== 'customer') return chat;
  // 微信客服: the customer is alone with the bot and the channel has no groups; the staff's
  // chat is on another channel this service runs (WeCom, Feishu).
  const channel = (CUSTOMER_ONLY_CHANNELS as readonly string[]).includes(chat.channel)
    ? { in: (running ?? CHANNELS).filter((c) => !(CUSTOMER_ONLY_CHANNELS as readonly string[]).includes(c)) }
    : chat.channel;
  const staff = chat.customerId === null
    ? null
    : await tx.chat.findFirst({ where: { purpose: 'staff', customerId: chat.customerId, channel, active: true }, orderBy: { id: 'asc' } });
  return staff ?? tx.chat.findFirst({ where: { purpose: 'managers', channel, active: true }, orderBy: { id: 'asc' } });
}

/** Writes the organisation file's customers, staff and managers' groups into the store (idempotent). */
export async function seedOrg(db: Db, org: Org): Promise<void> {
  for (const c of org.customers) {
    const data = {
      contract: c.contract,
      warrantyStart: c.warrantyStart ? new Date(`${c.warrantyStart}T00:00:00+08:00`) : null,
      warrantyEnd: c.warrantyEnd ? new Date(`${c.warrantyEnd}T23:59:59+08:00`) : null,
      scope: JSON.stringify(c.scope),
    };
    const row = await db.customer.upsert({ where: { name: c.name }, update: data, create: { name: c.name, ...data } });
    for (const ch of c.chats) {
      await db.chat.upsert({
        where: { channel_platformId: { channel: ch.channel, platformId: ch.id } },
        update: { customerId: row.id },
        create: { channel: ch.channel, platformId: ch.id, customerId: row.id, purpose: 'customer' },
      });
    }
    for (const ch of c.staffChats) {
      await db.chat.upsert({
        where: { channel_platformId: { channel: ch.channel, platformId: ch.id } },
        update: { customerId: row.id, purpose: 'staff' },
        create: { channel: ch.channel, platformId: ch.id, customerId: row.id, purpose: 'staff' },
      });
    }
  }
  for (const s of org.staff) {
    for (const [channel, id] of Object.entries(s.ids)) {
      if (!id) continue;
      const data = { name: s.name, role: s.role, department: s.department ?? null, phone: s.phone ?? null };
      await db.person.upsert({
        where: { channel_platformId: { channel, platformId: id } },
        update: data,
        create: { channel, platformId: id, ...data },
      });
    }
  }
  for (const g of org.managersGroups) {
    await db.chat.upsert({
      where: { channel_platformId: { channel: g.channel, platformId: g.id } },
      update: { purpose: 'managers' },
      create: { channel: g.channel, platformId: g.id, purpose: 'managers' },
    });
  }
}
