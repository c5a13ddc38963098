/**
 * Intake: a customer's report becomes a ticket — a fault, a consultation or a
 * complaint. A report split over consecutive messages is merged (only when
 * the earlier ones were incomplete); a second report of an open fault — the
 * same site, device and device number — is linked to it, until the reporter
 * says it is not the same; a missing level is asked for; a message the reader
 * cannot place gets 需要为此报修吗 (once); a fault that also asks a question
 * makes a consultation too.
 */
import { confirmedFault, mayMerge, sameFault } from '../domain/intake.js';
import { parseFragment, parseReport, type ParsedReport } from '../domain/report-parser.js';
import { clip, levelName, ticketSummary, ticketTitle } from '../domain/wording.js';
import type { Ticket } from '../store/tickets.js';
import type { Person, Prisma } from '../store/types.js';
import type { TicketState } from '../domain/ticket.js';
import type { InboundMessage } from '../core/channel.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { acceptOrAskFee, announceAccepted, limitsLine, scopeOf } from './acceptance.js';
import { personById, updatePerson } from './directory.js';
import { tellManagers } from './escalation.js';
import { answerInsideWindow } from './duties/maintenance.js';
import { TIMED_OUT, askIsFault, askLevel, awaitNotSame, type ReportSource } from './questions.js';
import { intakeMessages } from './messages/intake.js';
import { SYSTEM, applyAction, applyBeforeInsert, markCreated, recordEarly, recordEvent, type EarlyTransitions } from './transitions.js';
import { cardAnswered } from './cards.js';
import { receiptMessages as R } from './messages/replies.js';

const MAX_CONTENT = 4000;

/** A report as read, with the text and time it counts from (merged with earlier fragments). */
export interface Report {
  parsed: ParsedReport;
  content: string;
  reportedAt: Date;
  /** The inbound events it was read from, oldest first (fragments, then the message). */
  eventIds: number[];
  /** Only details (a place, a device, a phone), no problem: kept as a fragment for the next message, never asked about. */
  detailsOnly: boolean;
}

/** The merge window of the chat's customer's contract. */
async function mergeWindowMs(ctx: Ctx): Promise<number> {
  return (await ctx.tickets.contractOf(ctx.chat.customerId)).contract.intake.mergeWindow.seconds * 1000;
}

/** Earlier fragments ("小寨站") from the same person in this chat within the merge window. */
async function recentFragments(ctx: Ctx, msg: InboundMessage): Promise<Array<{ id: number; text: string; receivedAt: Date }>> {
  // Someone stored only now sent nothing before (a message is kept as a fragment after its sender is stored).
  if (ctx.person?.platformId === msg.sender.id && ctx.person.channel === msg.channel && ctx.newPeople.has(ctx.person.id)) return [];
  const windowMs = await mergeWindowMs(ctx);
  const rows = await ctx.tx.inboundEvent.findMany({
    where: {
      channel: msg.channel,
      chatPlatformId: msg.chat.id,
      senderPlatformId: msg.sender.id,
      outcome: 'fragment',
      receivedAt: { gte: new Date(ctx.now.getTime() - windowMs) },
    },
    orderBy: { id: 'asc' },
    take: 5,
    select: { id: true, text: true, receivedAt: true },
  });
  return rows.map((r) => ({ id: r.id, text: r.text ?? '', receivedAt: r.receivedAt }));
}

/** A message that carries a piece of a report (a site, a phone, a device) but is not one by itself. */
export function isFragment(r: Report): boolean {
  return r.detailsOnly;
}

/**
 * Reads a customer's message as a report: on its own, or — when it completes
 * a fault with the fragments sent just before — merged with them (the ticket
 * then counts from the first fragment, and the fragments are used up).
 */
export async function readReport(ctx: Ctx, msg: InboundMessage, read?: ParsedReport): Promise<Report> {
  const lex = ctx.deps.lexicon;
  // `read`: the reading made before the transaction (the LLM reader's, where the local one was unsure).
  const parsed = read ?? parseReport(msg.text, lex);
  const own = ctx.inboundEventId === null ? [] : [ctx.inboundEventId];
  const detailsOnly = parsed.kind === 'other' && parseFragment(msg.text, lex).detailsOnly;
  const alone = { parsed, content: msg.text, reportedAt: ctx.now, eventIds: own, detailsOnly };
  if (parsed.kind === 'consultation' || parsed.kind === 'complaint') return alone;
  // Only incomplete messages are parts of a report: two complete reports are two reports;
  // and only when they give what this message lacks (a place, a device, a phone, a name).
  const fragments = (await recentFragments(ctx, msg)).map((f) => ({ ...f, read: parseReport(f.text, lex) })).filter((f) => mayMerge(f.read));
  const lacking = (f: { read: ParsedReport }) =>
    Boolean((f.read.site && !parsed.site) || (f.read.device && !parsed.device) || (f.read.phone && !parsed.phone) || (f.read.contact && !parsed.contact));
  if (!fragments.some(lacking)) return alone;
  const merged = [...fragments.map((f) => f.text), msg.text].join('\n');
  const mp = parseReport(merged, lex);
  if (mp.kind !== 'fault') return alone;
  // The fragments are now part of this report; they must not merge again.
  await ctx.tx.inboundEvent.updateMany({ where: { id: { in: fragments.map((f) => f.id) } }, data: { outcome: 'processed' } });
  return { parsed: mp, content: merged, reportedAt: fragments[0]!.receivedAt, eventIds: [...fragments.map((f) => f.id), ...own], detailsOnly: false };
}

/**
 * Opens the ticket a report is (fault, consultation, complaint); false when it
 * is none of them. A customer's message the reader cannot place gets
 * 需要为此报修吗 instead (staff are never asked: their message is read as it is).
 */
export async function openTicket(ctx: Ctx, msg: InboundMessage, person: Person, report: Report): Promise<boolean> {
  const { parsed, content, reportedAt } = report;
  if (parsed.asks.includes('is_fault') && !report.detailsOnly && person.role === 'customer') {
    await askIsFault(ctx, person, { messageId: msg.messageId, eventIds: report.eventIds });
    return true;
  }
  switch (parsed.kind) {
    case 'fault':
      await reportFault(ctx, msg, person, parsed, content, reportedAt, { messageId: msg.messageId, eventIds: report.eventIds });
      // "…坏了，顺便问下…在不在合同里？": the question is a consultation of its own.
      if (parsed.alsoConsultation) await openConsultation(ctx, msg, person, parsed, content);
      return true;
    case 'consultation':
      await openConsultation(ctx, msg, person, parsed, content);
      return true;
    case 'complaint':
      // "小寨站3号闸机又坏了，上周刚修过": the device failed again — a fault, linked to its earlier ticket; a complaint only about the service.
      if (isRecurrence(parsed, content)) {
        await reportFault(ctx, msg, person, { ...parsed, kind: 'fault' }, content, reportedAt, { messageId: msg.messageId, eventIds: report.eventIds });
        return true;
      }
      await receiveComplaint(ctx, msg, person, parsed, content);
      return true;
    default:
      return false;
  }
}

/** Fields of a new ticket common to every kind. */
async function newTicket(
  ctx: Ctx,
  msg: Pick<InboundMessage, 'messageId'>,
  person: Person,
  parsed: ParsedReport,
  kind: 'fault' | 'consultation' | 'complaint',
  content: string,
  reportedAt: Date,
  /** Transitions already applied to the row written (applyBeforeInsert), the ticket created in the state they leave it in. */
  early: EarlyTransitions | null = null,
): Promise<Ticket> {
  const entry = await ctx.tickets.contractOf(ctx.chat.customerId);
  const number = await ctx.tickets.allocateNumber(entry, reportedAt);
  const phone = parsed.phone ?? person.phone ?? null;
  if (parsed.phone && parsed.phone !== person.phone) {
    await updatePerson(ctx.tx, person.id, { phone: parsed.phone });
  }
  const ticket = await ctx.tickets.create({
    ...(early ? (early.patch as Prisma.TicketUncheckedCreateInput) : {}),
    number,
    kind,
    status: 'reported',
    customerId: ctx.chat.customerId,
    chatId: ctx.chat.id,
    reporterId: person.id,
    grade: kind === 'consultation' ? 'B' : parsed.grade,
    site: parsed.site,
    device: parsed.device,
    symptom: parsed.symptom ? clip(parsed.symptom, 500) : null,
    contact: parsed.contact ?? person.name,
    phone,
    startedText: parsed.startedAt,
    content: content.slice(0, MAX_CONTENT),
    hardware: kind === 'fault' && parsed.hardware,
    levelEvidence: JSON.stringify(parsed.levelEvidence ?? []),
    sourceMessageId: msg.messageId,
    reportedAt,
    contractHash: entry.hash,
    ...(early ? { status: early.patch.status ?? 'reported' } : {}),
  });
  markCreated(ctx, ticket);
  await recordEvent(ctx, ticket, 'reported', { kind, text: clip(content, 500) }, { to: 'reported' });
  return ticket;
}

/** Open faults of the chat's customer (or chat) at this site and device: the candidates a report may duplicate. */
async function duplicateOf(ctx: Ctx, parsed: ParsedReport): Promise<Ticket | null> {
  if (!parsed.site || !parsed.device) return null;
  const open = await ctx.tickets.openFaults(parsed.site, parsed.device, ctx.chat.customerId ? { customerId: ctx.chat.customerId } : { chatId: ctx.chat.id });
  const lex = ctx.deps.lexicon;
  // The device's own number is read again from the ticket's text: "3号闸机" and "5号闸机" are two faults.
  return open.find((t) => sameFault(parsed, { site: t.site, device: t.device, deviceNumbers: parseReport(t.content, lex).deviceNumbers })) ?? null;
}

async function reportFault(
  ctx: Ctx,
  msg: Pick<InboundMessage, 'messageId'>,
  person: Person,
  parsed: ParsedReport,
  content: string,
  reportedAt: Date,
  source: ReportSource,
  opts: { linkDuplicates?: boolean; answeredWith?: string } = {},
): Promise<void> {
  const dup = opts.linkDuplicates === false ? null : await duplicateOf(ctx, parsed);
  if (dup) {
    await recordEvent(ctx, dup, 'duplicate_report', { text: clip(content, 500), reporter: person.name });
    const notice = intakeMessages.duplicateNotice;
    await ctx.reply(
      {
        kind: 'text',
        text: notice.text({ title: ticketTitle(dup), where: `${dup.site ?? ''}${dup.device ?? ''}` }),
        mentions: [mentionOf(person)],
        replyTo: msg.messageId,
        audience: notice.audience,
      },
      { ticketId: dup.id },
    );
    await awaitNotSame(ctx, dup, person, source);
    return;
  }
  // The level given and the unit in the contract's scope: the ticket is created level_known
  // and accepted in its INSERT (acceptOrAskFee's checks, run on the row about to be written).
  const early = parsed.level !== null ? await levelAndAcceptance(ctx, person, parsed, reportedAt) : null;
  let ticket = await newTicket(ctx, msg, person, parsed, 'fault', content, reportedAt, early);
  await ctx.text(
    R.faultReceived.text({ title: ticketTitle(ticket), summary: ticketSummary(ticket) }),
    [mentionOf(person)],
    { ticketId: ticket.id, replyTo: msg.messageId },
  );
  await linkRecurrence(ctx, ticket, content);
  // Inside a declared maintenance window: recorded as usual, and answered with the window's notice.
  await answerInsideWindow(ctx, ticket, content);
  if (early) {
    await recordEarly(ctx, ticket, early);
    await announceAccepted(ctx, ticket, person);
  } else if (parsed.level !== null) {
    const r = await applyAction(ctx, ticket, { type: 'set_level', level: parsed.level }, { actor: SYSTEM, detail: { evidence: parsed.levelEvidence } });
    if (r.ok) ticket = r.ticket;
    await acceptOrAskFee(ctx, ticket, person);
  } else {
    await askLevel(ctx, ticket, person, opts.answeredWith);
  }
}

/**
 * A new fault's level and acceptance, decided before its INSERT (applyBeforeInsert): the level
 * read from the report, then 受理 when the unit is in the contract's scope and term (scopeOf);
 * null otherwise (out of scope: the fee question, after the INSERT as usual).
 */
async function levelAndAcceptance(ctx: Ctx, person: Person, parsed: ParsedReport, reportedAt: Date): Promise<EarlyTransitions | null> {
  if (parsed.level === null) return null;
  const contract = await ctx.tickets.contractOf(ctx.chat.customerId);
  const scope = await scopeOf(ctx, { customerId: ctx.chat.customerId, reportedAt, device: parsed.device, contract });
  if (scope.status !== 'ok') return null;
  const initial: TicketState = {
    kind: 'fault',
    status: 'reported',
    level: null,
    levelProvisional: false,
    hardware: parsed.hardware,
    reporterId: person.id,
    chatId: ctx.chat.id,
    assigneeId: null,
    feeStatus: 'none',
    reopenCount: 0,
    spareRequestedAt: null,
    resolvedAt: null,
  };
  return applyBeforeInsert(ctx, initial, [
    { action: { type: 'set_level', level: parsed.level }, detail: { evidence: parsed.levelEvidence } },
    { action: { type: 'accept' } },
  ]);
}

/** The device failed again ("又坏了", "又出现", "反复"). */
const AGAIN = /又(坏|出现|出问题|出故障|不行|不好|黑屏|死机|卡|掉线|离线|故障)|反复|刚修过|修好又|修完又/;
/** Words about the service, not the device: such a text stays a complaint. */
const ABOUT_SERVICE = /投诉|服务|态度|工程师|师傅|你们|没人|太差|太慢|不专业|敷衍|说法|换个|催|多少次|好几次/;

/** A complaint reading that is really a device failing again (named device, nothing about the service). */
export function isRecurrence(parsed: ParsedReport, content: string): boolean {
  return Boolean(parsed.device) && AGAIN.test(content) && !ABOUT_SERVICE.test(content);
}

/** A new fault that says the device failed again is linked to that device's earlier ticket and marked as a recurrence. */
async function linkRecurrence(ctx: Ctx, ticket: Ticket, content: string): Promise<void> {
  if (!AGAIN.test(content) || !ticket.site || !ticket.device) return;
  const earlier = await ctx.tx.ticket.findFirst({
    where: { kind: 'fault', site: ticket.site, device: ticket.device, id: { not: ticket.id }, ...(ctx.chat.customerId ? { customerId: ctx.chat.customerId } : { chatId: ctx.chat.id }) },
    orderBy: { id: 'desc' },
    select: { id: true, number: true },
  });
  if (!earlier) return;
  await recordEvent(ctx, ticket, 'recurrence', { of: earlier.id, number: earlier.number });
  const m = intakeMessages.recurrence;
  await ctx.text(m.text({ earlier: ticketTitle(earlier) }), [], { ticketId: ticket.id, audience: m.audience });
}

async function openConsultation(ctx: Ctx, msg: Pick<InboundMessage, 'messageId'>, person: Person, parsed: ParsedReport, content: string): Promise<void> {
  const ticket = await newTicket(ctx, msg, person, parsed, 'consultation', content, ctx.now);
  const r = await applyAction(ctx, ticket, { type: 'accept' }, { actor: SYSTEM });
  const t = r.ok ? r.ticket : ticket;
  const limits = limitsLine(ctx, t);
  await ctx.text(
    R.consultationReceived.text({ title: ticketTitle(t), limits }),
    [mentionOf(person)],
    { ticketId: t.id, replyTo: msg.messageId },
  );
  await tellManagers(ctx, t, R.consultationForStaff.text({ title: ticketTitle(t), chat: ctx.chat.title ?? ctx.chat.platformId, content: clip(content, 120), id: t.id }), ['manager']);
}

async function receiveComplaint(ctx: Ctx, msg: InboundMessage, person: Person, parsed: ParsedReport, content: string): Promise<void> {
  const ticket = await newTicket(ctx, msg, person, parsed, 'complaint', content, ctx.now);
  const related = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id, { kind: 'fault', statuses: 'any' });
  const desk = await ctx.tx.person.findFirst({ where: { channel: ctx.chat.channel, role: 'desk' }, orderBy: { id: 'asc' }, select: { name: true } });
  await ctx.tx.complaint.create({
    data: {
      ticketId: ticket.id,
      receiver: desk?.name ?? R.complaintReceiver.text(),
      complainant: person.name,
      contact: parsed.phone ?? person.phone ?? null,
      content: content.slice(0, MAX_CONTENT),
      demand: extractDemand(content),
      relatedTicketId: related?.id ?? null,
      wantsOtherEngineer: /(换|更换)(个|一个)?(工程师|人)/.test(content),
    },
  });
  const r = await applyAction(ctx, ticket, { type: 'accept' }, { actor: SYSTEM });
  const t = r.ok ? r.ticket : ticket;
  const limits = limitsLine(ctx, t);
  await ctx.text(
    R.complaintReceived.text({ title: ticketTitle(t), ...(limits ? { due: limits.replace(/^[^ ]+ /, '') } : {}) }),
    [mentionOf(person)],
    { ticketId: t.id, replyTo: msg.messageId },
  );
  await tellManagers(
    ctx,
    t,
    R.complaintForStaff.text({
      title: ticketTitle(t),
      chat: ctx.chat.title ?? ctx.chat.platformId,
      complainant: person.name,
      content: clip(content, 160),
      ...(related ? { related: ticketTitle(related) } : {}),
      limits,
      id: t.id,
    }),
    ['desk', 'manager'],
  );
}

/** "要求…" / "希望…" — the complainant's demand, when stated. */
function extractDemand(text: string): string | null {
  const m = /(要求|希望|请)([^。！!？?\n]{2,80})/.exec(text);
  return m ? `${m[1]}${m[2]}` : null;
}

/**
 * The most plausible level when the text did not decide it: from the service
 * grade where the parser saw one (system down → 1, degraded → 2, hidden danger → 4),
 * else 3, the most common case (one device in one place).
 */
export function plausibleLevel(p: ParsedReport): 1 | 2 | 3 | 4 {
  if (p.level !== null) return p.level;
  return p.grade === 'A' ? 1 : p.grade === 'C' ? 2 : p.grade === 'D' ? 4 : 3;
}

/** Question timed out: record the most plausible level as provisional and tell the desk. */
export async function levelQuestionTimedOut(ctx: Ctx, ticket: Ticket): Promise<void> {
  if (ticket.level !== null || ticket.status !== 'reported') return;
  const guess = plausibleLevel(parseReport(ticket.content, ctx.deps.lexicon));
  // Timed out, not answered: a late answer is still taken (answers.ts lateLevelAnswer).
  await ctx.tx.pendingQuestion.updateMany({ where: { ticketId: ticket.id, kind: 'level', state: 'open' }, data: { state: TIMED_OUT } });
  const r = await applyAction(ctx, ticket, { type: 'set_level', level: guess, provisional: true }, { actor: SYSTEM, detail: { reason: 'question_timeout' } });
  if (!r.ok) return;
  const reporter = await personById(ctx.tx, ticket.reporterId);
  await tellManagers(
    ctx,
    r.ticket,
    R.levelProvisional.text({ title: ticketTitle(r.ticket), level: levelName(r.ticket.contract.contract, guess), id: r.ticket.id }),
    ['desk'],
  );
  await acceptOrAskFee(ctx, r.ticket, reporter!);
}

/** The texts of the inbound events a question points back to, joined, and when the first came. */
async function reportFrom(ctx: Ctx, source: ReportSource): Promise<{ content: string; reportedAt: Date } | null> {
  const rows = await ctx.tx.inboundEvent.findMany({ where: { id: { in: source.eventIds.slice(0, 10) } }, orderBy: { id: 'asc' }, select: { text: true, receivedAt: true } });
  const texts = rows.map((r) => r.text ?? '').filter((t) => t.trim());
  return rows.length && texts.length ? { content: texts.join('\n'), reportedAt: rows[0]!.receivedAt } : null;
}

/** A question's data as a ReportSource, or null when it is not one (an old or erased row). */
export function reportSourceOf(data: string): ReportSource | null {
  try {
    const d = JSON.parse(data) as Partial<ReportSource>;
    if (typeof d.messageId !== 'string' || !Array.isArray(d.eventIds)) return null;
    const eventIds = d.eventIds.filter((n): n is number => Number.isInteger(n));
    return eventIds.length ? { messageId: d.messageId, eventIds } : null;
  } catch {
    return null;
  }
}

/**
 * The answer to 需要为此报修吗: "yes" makes the fault ticket from the message
 * asked about (reported when it was sent); "no" closes the question quietly.
 * Only the first answer counts: a late or repeated one does nothing (false).
 */
export async function answerIsFault(ctx: Ctx, q: { id: number; data: string }, answer: 'yes' | 'no', person: Person, typed?: string): Promise<boolean> {
  const claim = await ctx.tx.pendingQuestion.updateMany({ where: { id: q.id, state: 'open' }, data: { state: 'answered' } });
  if (claim.count !== 1) return false;
  const asked = await ctx.tx.pendingQuestion.findUnique({ where: { id: q.id }, select: { outboxId: true } });
  if (asked?.outboxId) cardAnswered(ctx, { outboxId: asked.outboxId }, (answer === 'yes' ? intakeMessages.isFaultYes : intakeMessages.isFaultNo).text());
  if (answer === 'no') return true;
  const source = reportSourceOf(q.data);
  const report = source && (await reportFrom(ctx, source));
  if (!source || !report) return true;
  const lex = ctx.deps.lexicon;
  const parsed = confirmedFault(parseReport(report.content, lex), lex);
  await reportFault(ctx, { messageId: source.messageId }, person, parsed, report.content, report.reportedAt, source, typed ? { answeredWith: typed } : {});
  return true;
}

/** "不是同一个" after a duplicate notice: the report becomes a ticket of its own, never linked again. */
export async function notTheSameFault(ctx: Ctx, q: { id: number; data: string }, person: Person): Promise<boolean> {
  const source = reportSourceOf(q.data);
  const report = source && (await reportFrom(ctx, source));
  if (!source || !report) return false;
  const claim = await ctx.tx.pendingQuestion.updateMany({ where: { id: q.id, state: 'open' }, data: { state: 'answered' } });
  if (claim.count !== 1) return false;
  const lex = ctx.deps.lexicon;
  const parsed = confirmedFault(parseReport(report.content, lex), lex);
  await reportFault(ctx, { messageId: source.messageId }, person, parsed, report.content, report.reportedAt, source, { linkDuplicates: false });
  return true;
}
