/**
 * Timer points of the planned duties (inspection jobs, follow-up visits,
 * repair steps, emergency reports), the way sla.ts plans a ticket's: a point
 * per reminder, one at the due time, kept as DutyTimer rows that fire once.
 * Reconciling reuses the tickets' rules (reconcileTimers): a reminder whose
 * moment has passed is not created; a due point that has passed is, and fires.
 */
import type { BusinessCalendar } from './calendar.js';
import { reconcileTimers, type ExistingTimer } from './sla.js';
import { leadTag, subtractLead, type Lead } from './span.js';

/** What a duty timer belongs to; the wiring adds one timer kind per subject. */
export const DUTY_SUBJECTS = ['inspection', 'follow_up', 'repair', 'emergency_report'] as const;
export type DutySubject = (typeof DUTY_SUBJECTS)[number];

export interface DutyTimerPoint {
  subject: DutySubject;
  subjectId: number;
  /**
   * remind_3d (3 days before), remind_50 (half the window), overdue (at the due time);
   * repair steps carry the step: sent:remind_50, sent:overdue.
   */
  stage: string;
  dueAt: Date;
  /** The due time the point belongs to. */
  deadlineAt: Date;
}

/** A reminder point's stage starts with "remind" (sla.ts skips past reminders by that); the due point is "overdue". */
export const OVERDUE = 'overdue';

/**
 * A job with a due time (an inspection, a visit): a reminder `lead` before it
 * for each lead, and the overdue point at it. Nothing once done or cancelled.
 */
export function dueJobPlan(
  subject: DutySubject,
  job: { id: number; dueAt: Date; open: boolean },
  reminders: Lead[],
  calendar: BusinessCalendar,
): DutyTimerPoint[] {
  if (!job.open) return [];
  const points: DutyTimerPoint[] = reminders.map((l) => ({
    subject,
    subjectId: job.id,
    stage: `remind_${leadTag(l)}`,
    dueAt: subtractLead(calendar, job.dueAt, l),
    deadlineAt: job.dueAt,
  }));
  points.push({ subject, subjectId: job.id, stage: OVERDUE, dueAt: job.dueAt, deadlineAt: job.dueAt });
  return points;
}

/**
 * A running limit (a repair step, an emergency report): reminders at fractions of
 * the window from its start, and the overdue point at its end. `prefix` names the
 * limit when a subject has several ("sent" → sent:remind_50, sent:overdue). A
 * working-day limit (`workingCalendar` given) is reminded at shares of its working
 * time, as sla.ts does for tickets.
 */
export function windowPlan(
  subject: DutySubject,
  subjectId: number,
  window: { startedAt: Date; dueAt: Date },
  fractions: readonly number[],
  prefix?: string,
  workingCalendar?: BusinessCalendar,
): DutyTimerPoint[] {
  const stage = (s: string) => (prefix ? `${prefix}:${s}` : s);
  const span = window.dueAt.getTime() - window.startedAt.getTime();
  const working = workingCalendar ? workingCalendar.workingMinutesBetween(window.startedAt, window.dueAt).value : null;
  const at = (f: number) =>
    working !== null ? workingCalendar!.addWorkingMinutes(window.startedAt, working * f).value : new Date(window.startedAt.getTime() + span * f);
  const points: DutyTimerPoint[] = fractions.map((f) => ({
    subject,
    subjectId,
    stage: stage(`remind_${Math.round(f * 100)}`),
    dueAt: at(f),
    deadlineAt: window.dueAt,
  }));
  points.push({ subject, subjectId, stage: stage(OVERDUE), dueAt: window.dueAt, deadlineAt: window.dueAt });
  return points;
}

/** A stage as sla.ts's reconcileTimers reads it: reminders are recognised by a leading "remind". */
const forReconcile = (stage: string) => {
  const i = stage.lastIndexOf(':');
  return i < 0 ? stage : `${stage.slice(i + 1)}@${stage.slice(0, i)}`;
};

export interface ExistingDutyTimer {
  id: number;
  stage: string;
  dueAt: Date;
  state: 'pending' | 'fired' | 'cancelled';
}

/**
 * What to change so one subject's stored timers match its plan (see
 * reconcileTimers in sla.ts): create, cancel, or revive a cancelled row.
 */
export function reconcileDutyTimers(
  plan: DutyTimerPoint[],
  existing: ExistingDutyTimer[],
  now: Date,
): { create: DutyTimerPoint[]; cancel: number[]; revive: number[] } {
  // One subject at a time, so the clock column is the same for every point and row.
  const key = (stage: string, dueAt: Date) => `${stage}|${dueAt.getTime()}`;
  const byKey = new Map(plan.map((p) => [key(forReconcile(p.stage), p.dueAt), p]));
  const rows: ExistingTimer[] = existing.map((e) => ({ id: e.id, clock: 'duty', stage: forReconcile(e.stage), dueAt: e.dueAt, state: e.state }));
  const r = reconcileTimers(
    plan.map((p) => ({ clock: 'duty', stage: forReconcile(p.stage), dueAt: p.dueAt, deadlineAt: p.deadlineAt })),
    rows,
    now,
  );
  return { create: r.create.map((c) => byKey.get(key(c.stage, c.dueAt))!), cancel: r.cancel, revive: r.revive };
}
