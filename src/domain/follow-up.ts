/**
 * Follow-up visits (定期客户回访): on each customer's schedule, and after every
 * closed fault of the levels the contract names, to learn the customer's needs
 * and offer free technical advice. Which visits to make by a moment (each under
 * a key that is never made twice), who makes them, their reminders, and the
 * visit's notes split into what the report reader should read. Pure.
 */
import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendar.js';
import type { FaultLevel, TicketKind } from './contract.js';
import type { FollowUpTerms } from './contract-duties.js';
import type { FollowUpSchedule } from './customer-plans.js';
import { dueJobPlan, type DutyTimerPoint } from './duty-timers.js';
import { occurrencesBetween } from './recurrence.js';
import { addSpan, leadDays, subtractLead, type Lead } from './span.js';

export const FOLLOW_UP_STATUSES = ['planned', 'assigned', 'done', 'cancelled'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];
export const FOLLOW_UP_REASONS = ['scheduled', 'after_fault'] as const;
export type FollowUpReason = (typeof FOLLOW_UP_REASONS)[number];
export const FOLLOW_UP_REASON_LABELS: Record<FollowUpReason, string> = { scheduled: '定期回访', after_fault: '故障回访' };

export const scheduledVisitKey = (customerId: number, periodKey: string) => `follow_up:${customerId}:${periodKey}`;
export const faultVisitKey = (ticketId: number) => `follow_up:fault:${ticketId}`;

/** Who makes a visit: a named staff member, or whoever holds a role. */
export type VisitOwner = { staff: string } | { role: 'desk' | 'manager' } | { engineerOfTicket: number };

export interface FollowUpVisitDraft {
  key: string;
  customerId: number;
  reason: FollowUpReason;
  /** The closed fault the visit follows (after_fault). */
  ticketId: number | null;
  periodKey: string | null;
  dueAt: Date;
  /** When the visit is due to be made. */
  makeAt: Date;
  owner: VisitOwner;
}

export interface VisitContext {
  terms: FollowUpTerms;
  calendar: BusinessCalendar;
  workdayEnd: string;
}

/**
 * Scheduled visits by `now` not made yet (see inspectionJobsToMake for `since`).
 * The schedule's owner makes them, else the contract's followUps.owner role.
 */
export function scheduledVisitsToMake(
  customer: { id: number; followUps?: FollowUpSchedule | undefined },
  ctx: VisitContext,
  now: Date,
  existingKeys: ReadonlySet<string>,
  since?: Date,
): FollowUpVisitDraft[] {
  const s = customer.followUps;
  if (!s) return [];
  const tz = ctx.calendar.timezone;
  const hi = DateTime.fromJSDate(now, { zone: tz }).plus({ days: leadDays(ctx.terms.leadTime) + 31 }).toISODate()!;
  const lo = since ? DateTime.fromJSDate(since, { zone: tz }).minus({ days: 31 }).toISODate()! : s.from;
  const owner: VisitOwner = s.owner ? { staff: s.owner } : { role: ctx.terms.owner };
  const out: FollowUpVisitDraft[] = [];
  for (const o of occurrencesBetween(s, lo, hi, { calendar: ctx.calendar, workdayEnd: ctx.workdayEnd, onNonWorkingDay: ctx.terms.onNonWorkingDay })) {
    const makeAt = subtractLead(ctx.calendar, o.dueAt, ctx.terms.leadTime);
    if (makeAt > now || (since && o.dueAt < since)) continue;
    const key = scheduledVisitKey(customer.id, o.periodKey);
    if (existingKeys.has(key)) continue;
    out.push({ key, customerId: customer.id, reason: 'scheduled', ticketId: null, periodKey: o.periodKey, dueAt: o.dueAt, makeAt, owner });
  }
  return out;
}

/**
 * The visit a closed ticket calls for: a fault of one of the levels in
 * followUps.afterFault, closed (confirmed or not; a cancelled ticket is not
 * closed), due `within` after the closure. null otherwise.
 */
export function visitAfterFault(
  ticket: { id: number; kind: TicketKind; level: FaultLevel | null; status: string; closedAt: Date | null; customerId: number | null; assigneeId: number | null },
  terms: FollowUpTerms,
  calendar: BusinessCalendar,
): FollowUpVisitDraft | null {
  const rule = terms.afterFault;
  if (!rule || ticket.kind !== 'fault' || ticket.status !== 'closed' || !ticket.closedAt || ticket.customerId === null) return null;
  if (ticket.level === null || !rule.levels.includes(ticket.level)) return null;
  const owner: VisitOwner =
    rule.owner === 'engineer' && ticket.assigneeId !== null ? { engineerOfTicket: ticket.id } : { role: rule.owner === 'manager' ? 'manager' : 'desk' };
  return {
    key: faultVisitKey(ticket.id),
    customerId: ticket.customerId,
    reason: 'after_fault',
    ticketId: ticket.id,
    periodKey: null,
    dueAt: addSpan(calendar, ticket.closedAt, rule.within).value,
    makeAt: ticket.closedAt,
    owner,
  };
}

/** Reminders before the due time and the overdue point, while the visit is open. */
export function followUpTimerPlan(
  visit: { id: number; dueAt: Date; status: FollowUpStatus },
  reminders: Lead[],
  calendar: BusinessCalendar,
): DutyTimerPoint[] {
  return dueJobPlan('follow_up', { id: visit.id, dueAt: visit.dueAt, open: visit.status === 'planned' || visit.status === 'assigned' }, reminders, calendar);
}

export function followUpOverdue(visit: { dueAt: Date; status: FollowUpStatus }, now: Date): boolean {
  return (visit.status === 'planned' || visit.status === 'assigned') && now > visit.dueAt;
}

/**
 * A visit's notes in pieces for the report reader, one sentence or numbered
 * point each: "客户反馈良好；希望增加一台备用交换机。3号闸机偶尔卡票" gives three,
 * of which the reader may take the second as a consultation and the third as a
 * fault. Empty pieces and bare acknowledgements are left out.
 */
export function visitNoteSegments(notes: string): string[] {
  return notes
    .split(/[。；;！!？?\n]+|(?:^|\s)\d+[.、)）]\s*/)
    .map((s) => s.replace(/^[\s,，、:：]+|[\s,，、]+$/g, ''))
    .filter((s) => s.length >= 2);
}
