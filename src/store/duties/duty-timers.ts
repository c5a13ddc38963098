/**
 * Duty timers in the store, as tickets' timers are kept: a subject's points
 * re-planned by reconciling (create, cancel, revive), due ones claimed with a
 * conditional update (pending → fired) so two replicas never fire one twice.
 */
import { DUTY_SUBJECTS, reconcileDutyTimers, type DutySubject, type DutyTimerPoint } from '../../domain/duty-timers.js';
import type { DutyTimer } from '../generated/sqlite/client.js';
import { oneOf, type Store } from './rows.js';

export interface DutyTimerRow {
  id: number;
  subject: DutySubject;
  subjectId: number;
  stage: string;
  dueAt: Date;
  deadlineAt: Date;
  state: 'pending' | 'fired' | 'cancelled';
  firedAt: Date | null;
  late: boolean;
}

export function dutyTimerRow(t: DutyTimer): DutyTimerRow {
  return {
    id: t.id,
    subject: oneOf(DUTY_SUBJECTS, t.subject, `DutyTimer ${t.id} subject`),
    subjectId: t.subjectId,
    stage: t.stage,
    dueAt: t.dueAt,
    deadlineAt: t.deadlineAt,
    state: oneOf(['pending', 'fired', 'cancelled'] as const, t.state, `DutyTimer ${t.id} state`),
    firedAt: t.firedAt,
    late: t.late,
  };
}

/**
 * Makes the stored timers of one subject match its plan (duty-timers.ts): an
 * empty plan cancels what is pending (the job done, the flow returned).
 */
export async function planDutyTimers(
  db: Store,
  subject: DutySubject,
  subjectId: number,
  plan: readonly DutyTimerPoint[],
  now: Date,
): Promise<{ created: number; cancelled: number; revived: number }> {
  if (plan.some((p) => p.subject !== subject || p.subjectId !== subjectId)) throw new Error(`planDutyTimers: a point not of ${subject} ${subjectId}`);
  const existing = (await db.dutyTimer.findMany({ where: { subject, subjectId } })).map(dutyTimerRow);
  const r = reconcileDutyTimers([...plan], existing, now);
  if (r.cancel.length) await db.dutyTimer.updateMany({ where: { id: { in: r.cancel }, state: 'pending' }, data: { state: 'cancelled' } });
  if (r.revive.length) await db.dutyTimer.updateMany({ where: { id: { in: r.revive }, state: 'cancelled' }, data: { state: 'pending' } });
  for (const p of r.create) {
    await db.dutyTimer.create({ data: { subject, subjectId, stage: p.stage, dueAt: p.dueAt, deadlineAt: p.deadlineAt, createdAt: now } });
  }
  return { created: r.create.length, cancelled: r.cancel.length, revived: r.revive.length };
}

/** Pending timers due by `now`, oldest first (read outside a transaction; claim them inside one). */
export async function dueDutyTimers(db: Store, now: Date, limit = 200): Promise<DutyTimerRow[]> {
  const rows = await db.dutyTimer.findMany({ where: { state: 'pending', dueAt: { lte: now } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: limit });
  return rows.map(dutyTimerRow);
}

/** A point fired this long after its due time is marked late (the service was down or behind), as tickets' reminders are. */
export const DUTY_LATE_AFTER_MS = 60_000;

/**
 * Claims the given timers (pending → fired) in one statement and returns those
 * this call claimed; another replica's claim or a re-plan leaves a timer out.
 */
export async function claimDutyTimers(db: Store, ids: readonly number[], now: Date): Promise<DutyTimerRow[]> {
  if (!ids.length) return [];
  const claimed = await db.dutyTimer.updateManyAndReturn({ where: { id: { in: [...ids] }, state: 'pending' }, data: { state: 'fired', firedAt: now } });
  const late = claimed.filter((t) => now.getTime() - t.dueAt.getTime() > DUTY_LATE_AFTER_MS).map((t) => t.id);
  if (late.length) await db.dutyTimer.updateMany({ where: { id: { in: late } }, data: { late: true } });
  return claimed.map((t) => dutyTimerRow({ ...t, late: late.includes(t.id) })).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
}

export async function dutyTimersOf(db: Store, subject: DutySubject, subjectId: number): Promise<DutyTimerRow[]> {
  const rows = await db.dutyTimer.findMany({ where: { subject, subjectId }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }] });
  return rows.map(dutyTimerRow);
}
