/**
 * Personal data: one person's erased on request, and everyone's dropped or
 * anonymised when its retention period ends (config/retention.yaml).
 *
 * erasePerson() is the one place that knows where a person's data lies: the
 * person row, the tickets they reported (phone, contact, the personal parts of
 * the texts), complaint records, the audit trail's details, their ratings'
 * comments, attachments (the files too), the messages they sent (InboundEvent
 * text and raw payload), the bot's replies about them (Outbox), open questions
 * to them and sandbox messages. Ticket numbers, times, levels, sites, devices
 * and SLA figures stay: they are the contract's statistics and say nothing of
 * the person. It runs in one transaction and leaves a PrivacyAudit row saying
 * what was erased (counts) and by whom, never the data itself.
 *
 * It is a store-level service: the command line calls it now; a manager's chat
 * command and a customer's "删除我的信息" request can call it the same way.
 */
import { rm } from 'node:fs/promises';
import { ERASED, maskJson, maskNullable } from '../domain/personal-data.js';
import { retentionCutoffs, type Retention } from '../domain/retention.js';
import type { Db, Tx } from './types.js';

export class PrivacyError extends Error {
  override name = 'PrivacyError';
}

/** A person: the Person id, or "<channel>:<platform id>" (feishu:ou_…, wechat:wxid_…, sandbox:c1). */
export type PersonRef = { id: number } | { channel: string; platformId: string };

export function parsePersonRef(s: string): PersonRef {
  const t = s.trim();
  if (/^\d{1,9}$/.test(t)) return { id: Number(t) };
  const i = t.indexOf(':');
  if (i > 0 && i < t.length - 1) return { channel: t.slice(0, i), platformId: t.slice(i + 1) };
  throw new PrivacyError(`--person: the person's id (a number, see --find) or <channel>:<platform id>, not "${s.slice(0, 60)}"`);
}

export interface ErasureCounts {
  people: number;
  tickets: number;
  complaints: number;
  ticketEvents: number;
  ratings: number;
  attachments: number;
  inboundEvents: number;
  outbox: number;
  pendingQuestions: number;
  sandboxMessages: number;
  /** Messages still waiting in the inbound queue, left alone (erase again once they are acted on). */
  stillQueued: number;
}

export interface ErasureResult {
  personId: number;
  counts: ErasureCounts;
  /** The PrivacyAudit row (absent on a dry run). */
  auditId?: number;
  dryRun: boolean;
}

const zero = (): ErasureCounts => ({ people: 0, tickets: 0, complaints: 0, ticketEvents: 0, ratings: 0, attachments: 0, inboundEvents: 0, outbox: 0, pendingQuestions: 0, sandboxMessages: 0, stillQueued: 0 });

/** Rolls a dry run's transaction back, carrying what it would have done. */
class DryRun<T> extends Error {
  constructor(readonly value: T) {
    super('dry run');
  }
}

const TICKET_TEXTS = ['content', 'symptom', 'startedText', 'arrivalState', 'handling', 'analysis', 'resolutionNote', 'detectionReport', 'feedback', 'summary'] as const;
const COMPLAINT_TEXTS = ['content', 'demand', 'investigation', 'firstOpinion', 'correction', 'customerOpinion'] as const;

type Names = Array<string | null | undefined>;

/** The personal fields of a ticket: phone and contact cleared, texts masked. */
async function anonymiseTicket(tx: Tx, ticketId: number, names: Names, phones: Names, now: Date, files: string[]): Promise<Omit<ErasureCounts, 'people' | 'pendingQuestions' | 'sandboxMessages' | 'stillQueued'>> {
  const c = { tickets: 0, complaints: 0, ticketEvents: 0, ratings: 0, attachments: 0, inboundEvents: 0, outbox: 0 };
  const t = await tx.ticket.findUnique({ where: { id: ticketId }, include: { complaint: true } });
  if (!t) return c;
  const allNames = [...names, t.contact, t.complaint?.complainant];
  const allPhones = [...phones, t.phone, t.complaint?.contact];
  const data: Record<string, string | null | Date> = { phone: null, contact: null, anonymisedAt: now };
  for (const f of TICKET_TEXTS) data[f] = maskNullable(t[f], allNames, allPhones);
  if (data.content === null) data.content = ERASED;
  await tx.ticket.update({ where: { id: ticketId }, data });
  c.tickets = 1;
  if (t.complaint) {
    const cd: Record<string, string | null> = { complainant: ERASED, contact: null };
    for (const f of COMPLAINT_TEXTS) cd[f] = maskNullable(t.complaint[f], allNames, allPhones);
    if (cd.content === null) cd.content = ERASED;
    await tx.complaint.update({ where: { id: t.complaint.id }, data: cd });
    c.complaints = 1;
  }
  const events = await tx.ticketEvent.findMany({ where: { ticketId }, select: { id: true, detail: true, inboundEventId: true } });
  for (const e of events) {
    const detail = maskJson(e.detail, allNames, allPhones);
    if (detail !== e.detail) {
      await tx.ticketEvent.update({ where: { id: e.id }, data: { detail } });
      c.ticketEvents++;
    }
  }
  // The messages about the ticket (whoever sent them) lose their text and raw payload.
  const inboundIds = events.map((e) => e.inboundEventId).filter((x): x is number => typeof x === 'number');
  if (inboundIds.length) {
    c.inboundEvents += (await tx.inboundEvent.updateMany({ where: { id: { in: inboundIds }, outcome: { not: 'queued' }, OR: [{ text: { not: null } }, { raw: { not: null } }] }, data: { text: null, raw: null, payload: null, textKey: null } })).count;
  }
  for (const r of await tx.rating.findMany({ where: { ticketId, comment: { not: null } }, select: { id: true, comment: true } })) {
    const comment = maskNullable(r.comment, allNames, allPhones);
    if (comment !== r.comment) {
      await tx.rating.update({ where: { id: r.id }, data: { comment } });
      c.ratings++;
    }
  }
  for (const a of await tx.attachment.findMany({ where: { ticketId, state: { not: 'erased' } }, select: { id: true, path: true } })) {
    if (a.path) files.push(a.path);
    await tx.attachment.update({ where: { id: a.id }, data: { state: 'erased', path: null, error: null } });
    c.attachments++;
  }
  for (const o of await tx.outbox.findMany({ where: { ticketId }, select: { id: true, action: true } })) {
    const action = maskJson(o.action, allNames, allPhones);
    if (action !== o.action) {
      await tx.outbox.update({ where: { id: o.id }, data: { action } });
      c.outbox++;
    }
  }
  return c;
}

/** An audit detail without the actor's free comment (a rating's words). */
function withoutComment(detail: string): string {
  try {
    const d = JSON.parse(detail) as Record<string, unknown>;
    if (d && typeof d === 'object' && typeof d.comment === 'string') return JSON.stringify({ ...d, comment: null });
  } catch {
    /* not JSON: masked as text */
  }
  return detail;
}

function add(into: ErasureCounts, c: Partial<ErasureCounts>): void {
  for (const [k, v] of Object.entries(c)) into[k as keyof ErasureCounts] += v ?? 0;
}

async function deleteFiles(files: string[]): Promise<void> {
  await Promise.all(files.map((f) => rm(f, { force: true }).catch(() => undefined)));
}

/**
 * Erases one person's personal data everywhere it is kept, in one transaction, and records a
 * PrivacyAudit row (what was erased, by `actor`: "cli:<operator>", "person:<id>"). A dry run
 * reports the same counts and changes nothing.
 */
export async function erasePerson(db: Db, ref: PersonRef, opts: { actor: string; now?: Date; dryRun?: boolean }): Promise<ErasureResult> {
  const files: string[] = [];
  try {
    const result = await db.$transaction((tx) => erasePersonIn(tx, ref, opts, files), { timeout: 120_000, maxWait: 30_000 });
    await deleteFiles(files);
    return result;
  } catch (e) {
    if (e instanceof DryRun) return e.value as ErasureResult;
    throw e;
  }
}

/**
 * erasePerson's work inside a transaction the caller holds (a manager's chat command runs in
 * the event's own). The attachment files to delete once it commits are pushed onto `files`
 * (deleteErasedFiles). A dry run throws DryRun, which rolls the caller's transaction back.
 */
export async function erasePersonIn(tx: Tx, ref: PersonRef, opts: { actor: string; now?: Date; dryRun?: boolean }, files: string[]): Promise<ErasureResult> {
  const now = opts.now ?? new Date();
  {
    const p = 'id' in ref ? await tx.person.findUnique({ where: { id: ref.id } }) : await tx.person.findUnique({ where: { channel_platformId: { channel: ref.channel, platformId: ref.platformId } } });
    if (!p) throw new PrivacyError(`no person ${'id' in ref ? `#${ref.id}` : `${ref.channel}:${ref.platformId}`} (find them with --find NAME_OR_PHONE)`);
    const counts = zero();
    const names: Names = [p.name];
    const phones: Names = [p.phone];

    // Tickets they reported: every personal field; the contact and phone given in them count as theirs.
    const reported = await tx.ticket.findMany({ where: { reporterId: p.id }, select: { id: true, contact: true, phone: true } });
    for (const t of reported) {
      names.push(t.contact);
      phones.push(t.phone);
    }
    for (const t of reported) add(counts, await anonymiseTicket(tx, t.id, names, phones, now, files));
    // Other tickets that carry their phone number.
    const ownPhones = phones.filter((x): x is string => Boolean(x));
    const others = ownPhones.length ? await tx.ticket.findMany({ where: { phone: { in: ownPhones }, reporterId: { not: p.id } }, select: { id: true, phone: true } }) : [];
    for (const t of others) {
      await tx.ticket.update({ where: { id: t.id }, data: { phone: null } });
      counts.tickets++;
    }
    // Details they wrote into audit trails: their own words (a rating's comment) go, names and phones elsewhere.
    for (const e of await tx.ticketEvent.findMany({ where: { actorId: p.id }, select: { id: true, detail: true } })) {
      const detail = maskJson(withoutComment(e.detail), names, phones);
      if (detail !== e.detail) {
        await tx.ticketEvent.update({ where: { id: e.id }, data: { detail } });
        counts.ticketEvents++;
      }
    }
    // Their ratings: the score stays (statistics), their words go.
    const rated = await tx.rating.findMany({ where: { raterId: p.id }, select: { id: true, ticketId: true, comment: true } });
    for (const r of rated) {
      if (r.comment !== null) {
        await tx.rating.update({ where: { id: r.id }, data: { comment: null } });
        counts.ratings++;
      }
    }
    if (rated.length) await tx.ticket.updateMany({ where: { id: { in: [...new Set(rated.map((r) => r.ticketId))] } }, data: { feedback: null } });

    // The messages they sent: text and raw payload, and what was attached to them.
    const mine = { channel: p.channel, senderPlatformId: p.platformId };
    counts.stillQueued = await tx.inboundEvent.count({ where: { ...mine, outcome: 'queued' } });
    const sent = await tx.inboundEvent.findMany({ where: { ...mine, messageId: { not: null } }, select: { messageId: true } });
    counts.inboundEvents += (await tx.inboundEvent.updateMany({ where: { ...mine, outcome: { not: 'queued' }, OR: [{ text: { not: null } }, { raw: { not: null } }, { payload: { not: null } }] }, data: { text: null, raw: null, payload: null, textKey: null } })).count;
    const messageIds = sent.map((m) => m.messageId!);
    for (let i = 0; i < messageIds.length; i += 500) {
      for (const a of await tx.attachment.findMany({ where: { channel: p.channel, messageId: { in: messageIds.slice(i, i + 500) }, state: { not: 'erased' } }, select: { id: true, path: true } })) {
        if (a.path) files.push(a.path);
        await tx.attachment.update({ where: { id: a.id }, data: { state: 'erased', path: null, error: null } });
        counts.attachments++;
      }
    }
    // The bot's replies that mention them or carry their phone number, in any chat.
    const replies = new Map<number, string>();
    for (const needle of [`"${p.platformId}"`, ...ownPhones]) {
      for (const o of await tx.outbox.findMany({ where: { channel: p.channel, action: { contains: needle } }, select: { id: true, action: true } })) replies.set(o.id, o.action);
    }
    for (const [id, before] of replies) {
      const action = maskJson(before, names, phones);
      if (action !== before) {
        await tx.outbox.update({ where: { id }, data: { action } });
        counts.outbox++;
      }
    }
    // Questions the bot waits on them for.
    counts.pendingQuestions = (await tx.pendingQuestion.updateMany({ where: { personId: p.id, state: 'open' }, data: { state: 'expired', data: '{}' } })).count;
    // The sandbox keeps its own copy of chats: their messages, and the bot's that mention them or their phone.
    if (p.channel === 'sandbox') {
      counts.sandboxMessages += (await tx.sandboxMessage.updateMany({ where: { senderId: p.platformId, NOT: { text: ERASED } }, data: { text: ERASED, senderName: ERASED, mentions: '[]' } })).count;
      const copies = new Map<number, { text: string; mentions: string }>();
      for (const needle of ownPhones) for (const m of await tx.sandboxMessage.findMany({ where: { text: { contains: needle } } })) copies.set(m.id, m);
      for (const m of await tx.sandboxMessage.findMany({ where: { mentions: { contains: `"${p.platformId}"` } } })) copies.set(m.id, m);
      for (const [id, m] of copies) {
        await tx.sandboxMessage.update({ where: { id }, data: { text: maskNullable(m.text, names, phones)!, mentions: maskJson(m.mentions, names, phones) } });
        counts.sandboxMessages++;
      }
    }
    await tx.person.update({ where: { id: p.id }, data: { name: ERASED, phone: null, anonymisedAt: now } });
    counts.people = 1;

    if (opts.dryRun) throw new DryRun<ErasureResult>({ personId: p.id, counts, dryRun: true });
    const audit = await tx.privacyAudit.create({ data: { at: now, action: 'erase_person', actor: opts.actor, subject: `person:${p.id}`, counts: JSON.stringify(counts) } });
    return { personId: p.id, counts, auditId: audit.id, dryRun: false };
  }
}

/** Deletes the attachment files an erasure left (after its transaction committed; a missing file is fine). */
export const deleteErasedFiles = deleteFiles;

/** Who may be meant: people whose name or phone contains the text (for `erase --find`). */
export async function findPeople(db: Db, text: string): Promise<Array<{ id: number; channel: string; platformId: string; name: string; role: string; phone: string | null; tickets: number }>> {
  const t = text.trim();
  if (!t) return [];
  const people = await db.person.findMany({ where: { OR: [{ name: { contains: t } }, { phone: { contains: t } }, { platformId: t }] }, take: 50, orderBy: { id: 'asc' } });
  const phoneTickets = await db.ticket.findMany({ where: { phone: { contains: t } }, select: { reporterId: true }, take: 200 });
  const ids = new Set([...people.map((p) => p.id), ...phoneTickets.map((x) => x.reporterId)]);
  const rows = await db.person.findMany({ where: { id: { in: [...ids] } }, orderBy: { id: 'asc' }, include: { _count: { select: { reported: true } } } });
  return rows.map((p) => ({ id: p.id, channel: p.channel, platformId: p.platformId, name: p.name, role: p.role, phone: p.phone, tickets: p._count.reported }));
}

export interface RetentionCounts {
  /** Ignored messages whose text was dropped. */
  ignoredMessages: number;
  /** Other messages past the closed-ticket period whose text was dropped. */
  oldMessages: number;
  /** Closed or cancelled tickets anonymised, and what went with them. */
  tickets: number;
  complaints: number;
  ticketEvents: number;
  ratings: number;
  attachments: number;
  ticketMessages: number;
  outbox: number;
  /** Customers with nothing left to keep (no open ticket, silent for the whole period) anonymised. */
  people: number;
  /** Sandbox messages (the demo's chats) older than the period, deleted. */
  sandboxMessages: number;
}

/**
 * The daily retention job: ignored messages lose their text after ignoredMessages.dropTextAfterDays;
 * closed and cancelled tickets are anonymised closedTickets.anonymiseAfterDays after closing, with
 * their messages and replies; other messages lose their text after that period too; customers with
 * nothing left to keep are anonymised. Tickets go in batches, one transaction each (a long job does
 * not hold the database). Writes a PrivacyAudit row when it changed anything.
 */
export async function applyRetention(db: Db, policy: Retention, opts: { now?: Date; actor?: string; dryRun?: boolean; batch?: number } = {}): Promise<RetentionCounts> {
  const now = opts.now ?? new Date();
  const cut = retentionCutoffs(policy, now);
  const counts: RetentionCounts = { ignoredMessages: 0, oldMessages: 0, tickets: 0, complaints: 0, ticketEvents: 0, ratings: 0, attachments: 0, ticketMessages: 0, outbox: 0, people: 0, sandboxMessages: 0 };
  const files: string[] = [];
  const cleared = { text: null, raw: null, payload: null, textKey: null };
  const hasText = [{ text: { not: null } }, { raw: { not: null } }, { payload: { not: null } }];

  const run = async (each: (work: (tx: Tx) => Promise<void>) => Promise<void>) => {
    await each(async (tx) => {
      counts.ignoredMessages += (await tx.inboundEvent.updateMany({ where: { outcome: 'ignored', receivedAt: { lt: cut.ignoredText }, OR: hasText }, data: cleared })).count;
    });
    // A batch of tickets per transaction, found inside it (a dry run has one connection: its transaction).
    for (let after = 0, more = true; more; ) {
      await each(async (tx) => {
        const batch = await tx.ticket.findMany({
          where: { id: { gt: after }, anonymisedAt: null, OR: [{ status: 'closed', closedAt: { lt: cut.closedTickets } }, { status: 'cancelled', cancelledAt: { lt: cut.closedTickets } }] },
          orderBy: { id: 'asc' },
          take: opts.batch ?? 50,
          select: { id: true, reporter: { select: { name: true, role: true, phone: true } } },
        });
        more = batch.length > 0;
        if (!more) return;
        after = batch.at(-1)!.id;
        for (const t of batch) {
          const customer = t.reporter.role === 'customer';
          const c = await anonymiseTicket(tx, t.id, customer ? [t.reporter.name] : [], customer ? [t.reporter.phone] : [], now, files);
          counts.tickets += c.tickets;
          counts.complaints += c.complaints;
          counts.ticketEvents += c.ticketEvents;
          counts.ratings += c.ratings;
          counts.attachments += c.attachments;
          counts.ticketMessages += c.inboundEvents;
          counts.outbox += c.outbox;
        }
      });
    }
    await each(async (tx) => {
      counts.oldMessages += (await tx.inboundEvent.updateMany({ where: { outcome: { not: 'queued' }, receivedAt: { lt: cut.closedTickets }, OR: hasText }, data: cleared })).count;
      // The sandbox's simulated chats (a demo) are not kept past the period at all.
      counts.sandboxMessages += (await tx.sandboxMessage.deleteMany({ where: { at: { lt: cut.closedTickets } } })).count;
      // Customers with no ticket left to keep and nothing said within the period.
      const candidates = await tx.person.findMany({
        where: { role: 'customer', anonymisedAt: null, createdAt: { lt: cut.closedTickets }, reported: { none: { anonymisedAt: null } } },
        select: { id: true, channel: true, platformId: true },
        take: 1000,
      });
      for (const p of candidates) {
        const recent = await tx.inboundEvent.count({ where: { channel: p.channel, senderPlatformId: p.platformId, receivedAt: { gte: cut.closedTickets } } });
        if (recent) continue;
        await tx.person.update({ where: { id: p.id }, data: { name: ERASED, phone: null, anonymisedAt: now } });
        counts.people++;
      }
      if (!opts.dryRun && Object.values(counts).some((n) => n > 0)) {
        await tx.privacyAudit.create({ data: { at: now, action: 'retention', actor: opts.actor ?? 'system', subject: null, counts: JSON.stringify(counts) } });
      }
    });
  };

  if (opts.dryRun) {
    // One transaction for the whole run, rolled back at the end.
    try {
      await db.$transaction(
        async (tx) => {
          await run((work) => work(tx));
          throw new DryRun(counts);
        },
        { timeout: 600_000, maxWait: 30_000 },
      );
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
    }
    return counts;
  }
  await run(async (work) => {
    await db.$transaction(work, { timeout: 120_000, maxWait: 30_000 });
  });
  await deleteFiles(files);
  return counts;
}

/** The daily job for the scheduler (config.retention.dailyAt, in the contract's time zone). */
export function retentionJob(deps: { db: Db; retention: Retention; clock: { now(): Date }; log: { info(obj: object, msg: string): void }; timezone: string }): { name: string; cron: string; timezone: string; run: () => Promise<RetentionCounts> } {
  return {
    name: 'retention',
    cron: deps.retention.dailyAt,
    timezone: deps.timezone,
    run: async () => {
      const counts = await applyRetention(deps.db, deps.retention, { now: deps.clock.now() });
      if (Object.values(counts).some((n) => n > 0)) deps.log.info({ retention: counts }, 'personal data past its retention period dropped or anonymised');
      return counts;
    },
  };
}
