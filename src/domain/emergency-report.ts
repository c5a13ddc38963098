/**
 * The emergency response report (应急响应报告): when a fault is not removed
 * within its limit (a clock the contract names in emergencyReport.triggeredBy,
 * by default the 28-hour resolve-or-replace clock), a spare is provided at once
 * and the engineer owes a report by the contract's deadline. Which reports a
 * ticket owes, their reminders, and recording one. Pure.
 */
import type { BusinessCalendar } from './calendar.js';
import type { Role } from './contract.js';
import type { EmergencyReportTerms } from './contract-duties.js';
import { windowPlan, type DutyTimerPoint } from './duty-timers.js';
import type { Deadline } from './sla.js';
import { addSpan } from './span.js';

export const EMERGENCY_REPORT_STATUSES = ['requested', 'submitted', 'cancelled'] as const;
export type EmergencyReportStatus = (typeof EMERGENCY_REPORT_STATUSES)[number];
export const EMERGENCY_REPORT_STATUS_LABELS: Record<EmergencyReportStatus, string> = { requested: '待提交', submitted: '已提交', cancelled: '已撤销' };

/** One report per breach of a clock: the clock's due time names the breach. */
export const emergencyReportKey = (ticketId: number, clock: string, breachAt: Date) => `emergency:${ticketId}:${clock}:${breachAt.toISOString()}`;
/** A report written without a breach calling for it. */
export const unpromptedReportKey = (ticketId: number, at: Date) => `emergency:${ticketId}:unprompted:${at.toISOString()}`;

export interface EmergencyReportDuty {
  key: string;
  ticketId: number;
  clock: string;
  label: string;
  /** When the limit was passed (the clock's due time). */
  breachAt: Date;
  /** When the report is due. */
  dueAt: Date;
}

/**
 * The reports a ticket owes by `now`: one for each triggering clock that is
 * breached — not stopped by its due time and `now` is past it, or stopped
 * late. `deadlines` are the ticket's (sla.ts deadlines()).
 */
export function emergencyReportsOwed(
  ticketId: number,
  deadlines: readonly Deadline[],
  terms: EmergencyReportTerms | undefined,
  calendar: BusinessCalendar,
  now: Date,
): EmergencyReportDuty[] {
  if (!terms) return [];
  return deadlines
    .filter((d) => terms.triggeredBy.includes(d.clock))
    .filter((d) => (d.stoppedAt ? d.stoppedAt > d.dueAt : now > d.dueAt && d.met === false))
    .map((d) => ({
      key: emergencyReportKey(ticketId, d.clock, d.dueAt),
      ticketId,
      clock: d.clock,
      label: d.label,
      breachAt: d.dueAt,
      dueAt: addSpan(calendar, d.dueAt, terms.deadline).value,
    }));
}

/** Reminders across the window from the breach to the due time, and the overdue point, while requested. */
export function emergencyReportTimerPlan(
  report: { id: number; status: EmergencyReportStatus; breachAt: Date; dueAt: Date },
  terms: EmergencyReportTerms,
  defaultPoints: readonly number[],
  calendar: BusinessCalendar,
): DutyTimerPoint[] {
  if (report.status !== 'requested') return [];
  const working = terms.deadline.workingDays !== undefined ? calendar : undefined;
  return windowPlan('emergency_report', report.id, { startedAt: report.breachAt, dueAt: report.dueAt }, terms.reminders ?? defaultPoints, undefined, working);
}

export function emergencyReportOverdue(report: { status: EmergencyReportStatus; dueAt: Date }, now: Date): boolean {
  return report.status === 'requested' && now > report.dueAt;
}

export type EmergencySubmitDecision =
  | { ok: true; amend: boolean; late: boolean; text: string }
  | { ok: false; reason: string };

/**
 * Recording the report text on a ticket's request (or, with none, as a report
 * nobody asked for yet). A second report on the same request amends it.
 */
export function submitEmergencyReport(
  report: { status: EmergencyReportStatus; dueAt: Date | null } | null,
  actor: { role: Role | 'system' },
  text: string,
  at: Date,
): EmergencySubmitDecision {
  if (actor.role === 'customer') return { ok: false, reason: '应急响应报告由服务工程师提交。' };
  const body = text.trim();
  if (body.length < 4) return { ok: false, reason: '请写明报告内容，例如「应急报告 #12 已启用备机，原因为电源模块损坏…」。' };
  if (report?.status === 'cancelled') return { ok: false, reason: '该应急响应报告要求已撤销。' };
  return { ok: true, amend: report?.status === 'submitted', late: report !== null && report.status === 'requested' && report.dueAt !== null && at > report.dueAt, text: body };
}
