/**
 * What the duty handlers share: where their messages go (the customer's chats
 * with the customer audience; the customer's staff group — the managers' group
 * when it has none — mentioning the people the contract names, with the staff
 * audience), who a duty's audience is, the
 * duty command parser's vocabularies, and a customer's contract and plans.
 */
import type { ContractEntry } from '../../core/contracts.js';
import type { Mention } from '../../core/channel.js';
import type { DutyAudience } from '../../domain/contract-duties.js';
import type { DutyParseOptions } from '../../domain/duty-commands.js';
import type { InspectionPlan, FollowUpSchedule } from '../../domain/customer-plans.js';
import type { Chat, Person } from '../../store/types.js';
import type { MessageTemplate } from '../messages/catalogue.js';
import { dutyMessages } from '../messages/duties.js';
import { mentionOf, type Ctx } from '../context.js';
import { chatById, firstWithRole, managersGroups, staffChatFor } from '../directory.js';

/** Writes a template to a chat, its audience on the outbox row; returns the row's id (null: not sent). */
export async function send<P>(ctx: Ctx, chat: Pick<Chat, 'channel' | 'platformId'>, m: MessageTemplate<P>, params: P, o: { mentions?: Mention[]; ticketId?: number | null } = {}): Promise<number | null> {
  return ctx.replyWithId(
    { kind: 'text', text: m.text(params), audience: m.audience, ...(o.mentions?.length ? { mentions: o.mentions } : {}) },
    { chat, ticketId: o.ticketId ?? null },
  );
}

/** The customer's active chats on the channels this service runs. */
export async function customerChats(ctx: Ctx, customerId: number): Promise<Chat[]> {
  const channels = ctx.deps.activeChannels?.();
  return ctx.tx.chat.findMany({
    where: { customerId, purpose: 'customer', active: true, ...(channels ? { channel: { in: channels } } : {}) },
    orderBy: { id: 'asc' },
  });
}

/** Tells the customer, in each of their chats. Returns the outbox ids. */
export async function tellCustomer<P>(ctx: Ctx, customerId: number, m: MessageTemplate<P>, params: P, ticketId: number | null = null): Promise<number[]> {
  const ids: number[] = [];
  for (const chat of await customerChats(ctx, customerId)) {
    const id = await send(ctx, chat, m, params, { ticketId });
    if (id !== null) ids.push(id);
  }
  return ids;
}

/** A staff member by name on a channel (plans and schedules name them). */
export async function staffNamed(ctx: Ctx, channel: string, name: string): Promise<Person | null> {
  const row = await ctx.tx.person.findFirst({ where: { channel, name, role: { not: 'customer' } }, orderBy: { id: 'asc' } });
  return row as Person | null;
}

/**
 * The people a duty's audience names on a channel: the duty's holder (the
 * manager while nobody holds it), or the first person of a role.
 */
export async function audiencePeople(ctx: Ctx, channel: string, audiences: readonly DutyAudience[], holder: { id?: number | null; name?: string | null }): Promise<Person[]> {
  const people: Person[] = [];
  for (const a of audiences) {
    if (a === 'assignee') {
      const byId = holder.id ? ((await ctx.tx.person.findUnique({ where: { id: holder.id } })) as Person | null) : null;
      const p = byId && byId.channel === channel ? byId : holder.name ? await staffNamed(ctx, channel, holder.name) : null;
      const who = p ?? (await firstWithRole(ctx.tx, channel, 'manager'));
      if (who) people.push(who);
    } else {
      const p = await firstWithRole(ctx.tx, channel, a);
      if (p) people.push(p);
    }
  }
  return [...new Map(people.map((p) => [p.id, p])).values()];
}

/** What a staff message is about: a customer (its duties), or a ticket (in its chat). */
export type StaffAbout = { customerId: number | null } | { ticket: { id: number; chatId: number } };

/**
 * Where the staff hear about a customer's duty or a ticket: the customer's
 * staff group on each channel it is served on (directory.ts staffChatFor),
 * the managers' group there when it has none; every managers' group when
 * the customer has no chat (or there is no customer).
 */
export async function staffChatsFor(ctx: Ctx, about: StaffAbout): Promise<Chat[]> {
  const running = ctx.deps.activeChannels?.();
  const chats = 'ticket' in about ? [await chatById(ctx.tx, about.ticket.chatId)] : about.customerId === null ? [] : await customerChats(ctx, about.customerId);
  if (!chats.length) return managersGroups(ctx.tx, running);
  const out = new Map<number, Chat>();
  for (const chat of chats) {
    const staff = await staffChatFor(ctx.tx, chat, running);
    if (staff) out.set(staff.id, staff);
  }
  return [...out.values()];
}

/** Posts a staff template to the staff chats of what it is about (staffChatsFor), mentioning the audience there. Returns those chats. */
export async function tellStaff<P>(
  ctx: Ctx,
  about: StaffAbout,
  m: MessageTemplate<P>,
  params: P,
  o: { audiences?: readonly DutyAudience[]; holder?: { id?: number | null; name?: string | null } } = {},
): Promise<Chat[]> {
  const chats = await staffChatsFor(ctx, about);
  const ticketId = 'ticket' in about ? about.ticket.id : null;
  for (const chat of chats) {
    const people = o.audiences ? await audiencePeople(ctx, chat.channel, o.audiences, o.holder ?? {}) : [];
    await send(ctx, chat, m, params, { mentions: people.map(mentionOf), ticketId });
  }
  return chats;
}

/** A job or a visit as the commands on it see it. */
export interface AssignedDuty {
  id: number;
  assigneeId: number | null;
  assigneeName: string | null;
}

/**
 * The job or visit a command means: the one named (#5), else the person's
 * only open one; otherwise a reason in the chat's words ("巡检任务", and the
 * command's example).
 */
export async function dutyMeant<T>(
  ref: { short: number } | { number: string } | undefined,
  o: { what: string; example: string; missing: string; find: (id: number) => Promise<T | null>; mine: () => Promise<T[]> },
): Promise<T | string> {
  if (ref && 'short' in ref) return (await o.find(ref.short)) ?? o.missing;
  if (ref) return o.missing;
  const mine = await o.mine();
  if (mine.length === 1) return mine[0]!;
  return dutyMessages.dutyNumberNeeded.text({ what: o.what, example: o.example, several: mine.length > 0 });
}

/** Only the one who holds a job or visit, the desk, managers and the vice-president record it; another engineer is told whose it is. */
export function mayRecordDuty(what: string, d: AssignedDuty, person: Person): string | null {
  if (person.role !== 'engineer' || d.assigneeId === null || d.assigneeId === person.id || d.assigneeName === person.name) return null;
  return dutyMessages.dutyHeldByOther.text({ what, id: d.id, who: d.assigneeName });
}

/** The organisation file's entry of a stored customer (its plans), by name. */
export function customerPlans(ctx: Pick<Ctx, 'deps'>, name: string): { inspections: InspectionPlan[]; followUps?: FollowUpSchedule | undefined } | null {
  return ctx.deps.org.customers.find((c) => c.name === name) ?? null;
}

/** The contract a customer is served under (the default one without a customer). */
export function contractOfCustomer(ctx: Ctx, customerId: number | null): Promise<ContractEntry> {
  return ctx.tickets.contractOf(customerId);
}

/** What parseDutyCommand needs: the time, the contract's time zone, customers, the lexicon's devices and sites. */
export async function dutyParseOptions(ctx: Ctx): Promise<DutyParseOptions> {
  const entry = await contractOfCustomer(ctx, ctx.chat?.customerId ?? null);
  const customers = (await ctx.tx.customer.findMany({ select: { name: true }, orderBy: { id: 'asc' }, take: 500 })).map((c) => c.name);
  const lex = ctx.deps.lexicon.source;
  return {
    now: ctx.now,
    timezone: entry.contract.timezone,
    customers,
    systems: lex.devices.map((d) => ({ name: d.name, words: d.synonyms })),
    stations: lex.sites.map((s) => ({ name: s.name, words: s.aliases })),
  };
}

/** The text of the message a command came in (the duty parser reads it whole: a notice keeps its "#"). */
export function messageText(ctx: Ctx): string | null {
  const ev = (ctx as Ctx & { event?: { type: string; text?: string } }).event;
  return ev?.type === 'message' && typeof ev.text === 'string' ? ev.text : null;
}
