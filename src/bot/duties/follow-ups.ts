/**
 * Follow-up visits by command and after a closed fault: the notes recorded,
 * what they raise (faults, consultations, as the report reader reads each
 * piece) opened as tickets and linked to the visit, its timers cancelled.
 */
import { visitAfterFault, visitNoteSegments } from '../../domain/follow-up.js';
import { parseReport } from '../../domain/report-parser.js';
import { ticketTitle } from '../../domain/wording.js';
import { addVisitTickets, assignFollowUpVisit, findFollowUpVisit, openFollowUpVisits, planDutyTimers, recordFollowUpVisit, type FollowUpVisitRow } from '../../store/duties/index.js';
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { makeVisits } from './sweep.js';
import { dutyMeant, mayRecordDuty } from './support.js';
import { openStaffReport } from './tickets.js';

const WHAT = '回访任务';
const REASONS = { missing: dutyMessages.dutyNotFound.text({ what: WHAT }), done: dutyMessages.dutyAlreadyDone.text({ what: WHAT }), cancelled: dutyMessages.dutyCancelled.text({ what: WHAT }) } as const;

/** The visit a command means: the one named, else the person's only open visit. */
export function visitMeant(ctx: Ctx, person: Person, ref: { short: number } | { number: string } | undefined): Promise<FollowUpVisitRow | string> {
  return dutyMeant(ref, {
    what: WHAT,
    example: '回访 #7 客户满意',
    missing: REASONS.missing,
    find: (id) => findFollowUpVisit(ctx.tx, id),
    mine: () => openFollowUpVisits(ctx.tx, { assigneeId: person.id, take: 2 }),
  });
}

/** The visit's owner, the desk, managers and the vice-president record it; another engineer does not. */
export function mayRecordVisit(v: FollowUpVisitRow, person: Person): string | null {
  return mayRecordDuty(WHAT, v, person);
}

export async function recordVisit(ctx: Ctx, person: Person, visit: FollowUpVisitRow, notes: string): Promise<string> {
  const r = await recordFollowUpVisit(ctx.tx, visit.id, { visitorId: person.id, visitorName: person.name, notes, at: ctx.now, inboundEventId: ctx.inboundEventId });
  if (!r.ok) return REASONS[r.reason];
  await planDutyTimers(ctx.tx, 'follow_up', visit.id, [], ctx.now);
  const opened: Ticket[] = [];
  for (const piece of visitNoteSegments(notes)) {
    const kind = parseReport(piece, ctx.deps.lexicon).kind;
    if (kind !== 'fault' && kind !== 'consultation') continue;
    const t = await openStaffReport(ctx, { customerId: visit.customerId, reporter: person, content: piece, kind, origin: { followUpVisitId: visit.id } });
    if (t) opened.push(t);
  }
  if (opened.length) await addVisitTickets(ctx.tx, visit.id, opened.map((t) => t.id));
  return dutyMessages.visitRecorded.text({ visit: visit.id, tickets: opened.map(ticketTitle).join('、') });
}

/** A manager (or the desk) gives the visit to someone; what to say, and whether it was given. */
export async function assignVisit(ctx: Ctx, visit: FollowUpVisitRow, to: Person): Promise<{ text: string; assigned: boolean }> {
  if (!(await assignFollowUpVisit(ctx.tx, visit.id, { assigneeId: to.id, assigneeName: to.name }, ctx.now))) {
    return { text: visit.status === 'done' ? REASONS.done : REASONS.cancelled, assigned: false };
  }
  const customer = (await ctx.tx.customer.findUnique({ where: { id: visit.customerId }, select: { name: true } }))?.name ?? '';
  return { text: dutyMessages.visitAssigned.text({ visit: visit.id, customer, who: to.name }), assigned: true };
}

/** A closed fault of the levels the contract names calls for a visit (made once per ticket). */
export async function visitAfterClose(ctx: Ctx, ticket: Ticket): Promise<void> {
  const terms = ticket.contract.contract.followUps;
  if (!terms || ticket.customerId === null) return;
  const draft = visitAfterFault(ticket, terms, ticket.contract.calendar);
  if (!draft) return;
  const customer = await ctx.tx.customer.findUnique({ where: { id: ticket.customerId }, select: { id: true, name: true } });
  if (!customer) return;
  await makeVisits(ctx, { ...customer, entry: ticket.contract }, [draft]);
}
