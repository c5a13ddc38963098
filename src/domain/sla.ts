/**
 * SLA: a ticket's deadlines, computed from the contract's clocks and the
 * business calendar, and the timer points (reminders, breach, escalations)
 * that follow from them. Pure: time is passed in.
 *
 * A clock runs from its start step to the first of its stop steps. Deadlines
 * are recomputed whenever a ticket changes (zammad's approach), and the
 * store keeps the resulting points as Timer rows.
 */
import type { BusinessCalendar } from './calendar.js';
import {
  type ClockConfig,
  type Contract,
  type Duration,
  type FaultLevel,
  type TicketKind,
  type TicketStep,
  durationMinutes,
} from './contract.js';
import { clockUnderPlannedWork, type PlannedWork } from './maintenance.js';
import type { TicketStatus } from './ticket.js';

export interface SlaTicket {
  kind: TicketKind;
  status: TicketStatus;
  level: FaultLevel | null;
  hardware: boolean;
  steps: Partial<Record<TicketStep, Date | null>>;
  /**
   * Out of scope or term (contract rule 1), the work waits for the customer's fee
   * consent or a manager's waiver: no clock runs meanwhile, and the clocks that
   * run from the report run from the consent instead (acceptedAt).
   */
  feeStatus?: 'none' | 'required' | 'agreed' | 'waived';
  /**
   * Declared maintenance windows about the ticket's system and the contract's rule
   * for planned work (maintenance.ts): clocks may start at a window's end, pause
   * while it lasts, or not run at all.
   */
  plannedWork?: PlannedWork | undefined;
  /**
   * The latest reopening (还没好, or a low rating) and the steps done again since it
   * (the first-time steps keep their first time for the original clocks). The
   * contract's reopening clocks run again from `at`.
   */
  reopen?: { at: Date; steps: Partial<Record<TicketStep, Date | null>> } | undefined;
}

export interface Deadline {
  clock: string;
  label: string;
  startedAt: Date;
  dueAt: Date;
  /** When the clock stopped (the step was done), null while it runs. */
  stoppedAt: Date | null;
  /** null while running and not yet due. */
  met: boolean | null;
  /** The level was not known: the strictest level's limit applies for now. */
  provisional: boolean;
  warnings: string[];
  /** A clock run again after a reopening. */
  reopened?: true;
}

/** Timer points outside the contract's clocks: follow-ups the desk does. */
export const FOLLOW_UP_CLOCKS = ['intake', 'confirmation', 'rating', 'consultation_close'] as const;

export interface TimerPoint {
  clock: string;
  /** remind_50, remind_80, escalate_1 (at the breach), escalate_2, …; follow-ups: remind, close, timeout. */
  stage: string;
  dueAt: Date;
  deadlineAt: Date;
}

function clockApplies(clock: ClockConfig, t: SlaTicket): boolean {
  if (!clock.kinds.includes(t.kind)) return false;
  if (clock.hardwareOnly && !t.hardware) return false;
  return true;
}

/** When a clock started, or null when it has not (see SlaTicket.feeStatus). */
function startOf(clock: ClockConfig, t: SlaTicket): Date | null {
  if (t.status === 'awaiting_fee') return null;
  const started = t.steps[clock.startsAt] ?? null;
  if (!started) return null;
  const consent = t.steps.acceptedAt;
  if ((t.feeStatus === 'agreed' || t.feeStatus === 'waived') && clock.startsAt === 'reportedAt' && consent && consent > started) return consent;
  return started;
}

function limitFor(
  contract: Contract,
  clock: ClockConfig,
  level: FaultLevel | null,
): { duration: Duration; provisional: boolean } {
  if (!('levelColumn' in clock.limit)) return { duration: clock.limit, provisional: false };
  const column = clock.limit.levelColumn;
  if (level !== null) {
    const row = contract.faultLevels.find((l) => l.level === level)!;
    return { duration: row[column], provisional: false };
  }
  // Level not known yet: hold the ticket to the strictest level's limit.
  const strictest = [...contract.faultLevels].sort(
    (a, b) => (durationMinutes(a[column]) ?? Infinity) - (durationMinutes(b[column]) ?? Infinity),
  )[0]!;
  return { duration: strictest[column], provisional: true };
}

export function dueAfter(calendar: BusinessCalendar, start: Date, d: Duration): { dueAt: Date; warnings: string[] } {
  if (d.workingDays !== undefined) {
    const r = calendar.endOfNthWorkingDayAfter(start, d.workingDays);
    return { dueAt: r.value, warnings: r.warnings };
  }
  return { dueAt: calendar.addMinutes(start, durationMinutes(d)!), warnings: [] };
}

/** A running clock's start and due time, with the rule for planned work applied; null when it has not started or is exempt. */
function clockWindow(
  name: string,
  clock: ClockConfig,
  t: SlaTicket,
  contract: Contract,
  calendar: BusinessCalendar,
): { startedAt: Date; dueAt: Date; reported: Date; duration: Duration; provisional: boolean; warnings: string[] } | null {
  const reported = startOf(clock, t);
  if (!reported) return null;
  const { duration, provisional } = limitFor(contract, clock, t.level);
  let warnings: string[] = [];
  const due = (start: Date) => {
    const r = dueAfter(calendar, start, duration);
    warnings = r.warnings;
    return r.dueAt;
  };
  // Planned work touches faults, unless the contract names the clocks it applies to.
  const pw = t.plannedWork && (t.plannedWork.clocks || t.kind === 'fault') ? t.plannedWork : undefined;
  const w = clockUnderPlannedWork(pw, { name, kinds: clock.kinds }, reported, due);
  // `reported`: the clock's own start; a stop step counts from it even when planned work moved the start.
  return w && { ...w, reported, duration, provisional, warnings };
}

/**
 * The times a clock's first run stopped at. A clock the contract runs again after a
 * reopening ends its first run there at the latest: the fix that stopped it was
 * erased by the reopening, and the clock's second run takes over.
 */
function firstRoundStops(name: string, clock: ClockConfig, t: SlaTicket, contract: Contract, reported: Date): Date[] {
  const stops = clock.stopsAt.map((s) => t.steps[s]).filter((d): d is Date => d instanceof Date && d >= reported);
  if (!stops.length && t.reopen && t.reopen.at >= reported && contract.reopening?.clocks.includes(name)) stops.push(t.reopen.at);
  return stops;
}

interface ReopenedWindow {
  name: string;
  clock: ClockConfig;
  startedAt: Date;
  dueAt: Date;
  duration: Duration;
  stoppedAt: Date | null;
  provisional: boolean;
  warnings: string[];
}

/**
 * The contract's reopening clocks of a reopened ticket: each runs from the
 * reopening with its own limit, and stops at the first of its stop steps done
 * since (taking the job again, arriving again, the fix). Planned maintenance and
 * the fee wait do not move them: the work was already under way.
 */
function reopenedWindows(t: SlaTicket, contract: Contract, calendar: BusinessCalendar): ReopenedWindow[] {
  const r = t.reopen;
  if (!r || !contract.reopening) return [];
  const out: ReopenedWindow[] = [];
  for (const name of contract.reopening.clocks) {
    const clock = contract.clocks[name];
    if (!clock || !clockApplies(clock, t)) continue;
    const { duration, provisional } = limitFor(contract, clock, t.level);
    const { dueAt, warnings } = dueAfter(calendar, r.at, duration);
    const stops = clock.stopsAt
      .map((s) => {
        const again = r.steps[s];
        if (again) return again;
        const d = t.steps[s];
        return d instanceof Date && d >= r.at ? d : null;
      })
      .filter((d): d is Date => d instanceof Date);
    const stoppedAt = stops.length ? new Date(Math.min(...stops.map((d) => d.getTime()))) : null;
    out.push({ name, clock, startedAt: r.at, dueAt, duration, stoppedAt, provisional, warnings });
  }
  return out;
}

/** Every deadline of the ticket whose clock has started, met or not. */
export function deadlines(t: SlaTicket, contract: Contract, calendar: BusinessCalendar, now: Date): Deadline[] {
  const out: Deadline[] = [];
  for (const [name, clock] of Object.entries(contract.clocks)) {
    if (!clockApplies(clock, t)) continue;
    const w = clockWindow(name, clock, t, contract, calendar);
    if (!w) continue;
    const { startedAt, dueAt, reported, provisional, warnings } = w;
    const stops = firstRoundStops(name, clock, t, contract, reported);
    const stoppedAt = stops.length ? new Date(Math.min(...stops.map((d) => d.getTime()))) : null;
    let met: boolean | null;
    if (stoppedAt) met = stoppedAt <= dueAt;
    else if (t.status === 'cancelled') met = null;
    else met = now > dueAt ? false : null;
    out.push({ clock: name, label: clock.label, startedAt, dueAt, stoppedAt, met, provisional: provisional && !stoppedAt, warnings });
  }
  for (const w of reopenedWindows(t, contract, calendar)) {
    let met: boolean | null;
    if (w.stoppedAt) met = w.stoppedAt <= w.dueAt;
    else if (t.status === 'cancelled') met = null;
    else met = now > w.dueAt ? false : null;
    out.push({ clock: w.name, label: `返工${w.clock.label}`, startedAt: w.startedAt, dueAt: w.dueAt, stoppedAt: w.stoppedAt, met, provisional: w.provisional && !w.stoppedAt, warnings: w.warnings, reopened: true });
  }
  return out;
}

function pct(point: number): string {
  return String(Math.round(point * 100));
}

/**
 * The timer points the ticket should have now: for each running clock its
 * reminders, its breach and escalation steps; plus the desk's follow-ups
 * (intake question timeout, confirmation and rating reminders, consultation close).
 */
export function timerPlan(t: SlaTicket, contract: Contract, calendar: BusinessCalendar): TimerPoint[] {
  if (t.status === 'closed' || t.status === 'cancelled') return [];
  const points: TimerPoint[] = [];
  for (const [name, clock] of Object.entries(contract.clocks)) {
    if (!clockApplies(clock, t)) continue;
    const w = clockWindow(name, clock, t, contract, calendar);
    if (!w) continue;
    const { startedAt, dueAt, duration, reported } = w;
    if (firstRoundStops(name, clock, t, contract, reported).length) continue;
    points.push(...clockPoints(name, clock, startedAt, dueAt, duration, contract, calendar));
  }
  // A reopened ticket's clocks: reminded and escalated as a new ticket's.
  for (const w of reopenedWindows(t, contract, calendar)) {
    if (!w.stoppedAt) points.push(...clockPoints(w.name, w.clock, w.startedAt, w.dueAt, w.duration, contract, calendar));
  }
  points.push(...followUpPoints(t, contract));
  return points;
}

/** A running clock's reminders, its breach and escalation steps. */
function clockPoints(
  name: string,
  clock: ClockConfig,
  startedAt: Date,
  dueAt: Date,
  duration: Duration,
  contract: Contract,
  calendar: BusinessCalendar,
): TimerPoint[] {
  const points: TimerPoint[] = [];
  const window = dueAt.getTime() - startedAt.getTime();
  // A working-day limit is reminded at a share of its working time: half of "two
  // working days" from the eve of National Day is not 3 a.m. on October 5th.
  const workingWindow = duration.workingDays !== undefined ? calendar.workingMinutesBetween(startedAt, dueAt).value : null;
  for (const p of clock.reminders ?? contract.reminders.points) {
    const remindAt =
      workingWindow !== null
        ? calendar.addWorkingMinutes(startedAt, workingWindow * p).value
        : new Date(startedAt.getTime() + window * p);
    points.push({ clock: name, stage: `remind_${pct(p)}`, dueAt: remindAt, deadlineAt: dueAt });
  }
  const steps = clock.escalation ?? contract.escalation.steps;
  steps.forEach((step, i) => {
    points.push({ clock: name, stage: `escalate_${i + 1}`, dueAt: new Date(dueAt.getTime() + step.after.minutes * 60_000), deadlineAt: dueAt });
  });
  return points;
}

/** The desk's follow-ups: the intake question's timeout, confirmation and rating reminders, consultation close. */
function followUpPoints(t: SlaTicket, contract: Contract): TimerPoint[] {
  const points: TimerPoint[] = [];
  const at = (start: Date, minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const s = t.steps;
  if (t.kind === 'fault' && t.status === 'reported' && t.level === null && s.reportedAt) {
    const due = at(s.reportedAt, contract.intake.questionTimeout.minutes);
    points.push({ clock: 'intake', stage: 'timeout', dueAt: due, deadlineAt: due });
  }
  const c = contract.confirmation;
  const followUp = (clock: string, from: Date) => {
    const close = at(from, c.closeAfter.hours * 60);
    points.push({ clock, stage: 'remind', dueAt: at(from, c.remindAfter.hours * 60), deadlineAt: close });
    points.push({ clock, stage: 'close', dueAt: close, deadlineAt: close });
  };
  if (t.status === 'resolved' && s.resolvedAt) {
    if (t.kind === 'fault') followUp('confirmation', s.resolvedAt);
    else if (t.kind === 'complaint') followUp('rating', s.resolvedAt);
    else {
      const due = at(s.resolvedAt, contract.consultationCloseAfter.hours * 60);
      points.push({ clock: 'consultation_close', stage: 'close', dueAt: due, deadlineAt: due });
    }
  }
  if (t.status === 'confirmed' && s.confirmedAt) followUp('rating', s.confirmedAt);
  return points;
}

export interface ExistingTimer {
  id: number;
  clock: string;
  stage: string;
  dueAt: Date;
  state: 'pending' | 'fired' | 'cancelled';
}

export const timerKey = (p: { clock: string; stage: string; dueAt: Date }) => `${p.clock}|${p.stage}|${p.dueAt.getTime()}`;

/**
 * What to change so the stored timers match the plan: pending timers no longer
 * planned are cancelled; planned points not stored yet are created. A new
 * reminder whose moment has already passed is skipped (it would only be noise);
 * a breach or escalation already passed is created and fires at once. A fired
 * point is never created again.
 *
 * A point that was cancelled and is planned again (a clock that stopped and runs
 * again with the same deadline, e.g. the 28-hour clock after the customer says the
 * fix did not hold) is in `revive`: set that row back to pending. It cannot be in
 * `create`, since a Timer row is unique on (ticket, clock, stage, dueAt).
 */
export function reconcileTimers(
  plan: TimerPoint[],
  existing: ExistingTimer[],
  now: Date,
): { create: TimerPoint[]; cancel: number[]; revive: number[] } {
  const planned = new Set(plan.map(timerKey));
  const byKey = new Map<string, ExistingTimer>();
  for (const e of existing) {
    const seen = byKey.get(timerKey(e));
    // Should a key be stored twice, a live row (pending or fired) wins over a cancelled one.
    if (!seen || seen.state === 'cancelled') byKey.set(timerKey(e), e);
  }
  const cancel = existing.filter((e) => e.state === 'pending' && !planned.has(timerKey(e))).map((e) => e.id);
  const wanted = (p: TimerPoint) => p.dueAt > now || !p.stage.startsWith('remind');
  const create: TimerPoint[] = [];
  const revive: number[] = [];
  for (const p of plan) {
    const stored = byKey.get(timerKey(p));
    if (stored?.state === 'pending' || stored?.state === 'fired') continue;
    if (!wanted(p)) continue;
    if (stored) revive.push(stored.id);
    else create.push(p);
  }
  return { create, cancel, revive };
}
