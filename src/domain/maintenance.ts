/**
 * Planned maintenance windows (计划检修 / 停机割接) declared by a notice: which
 * systems and stations a window covers, whether a report falls inside one, and
 * what the contract's rule for planned work does to a ticket's clocks
 * (contract-duties.ts, plannedMaintenance.sla). Pure.
 */
import type { BusinessCalendar } from './calendar.js';
import type { PlannedMaintenanceTerms, PlannedWorkRule } from './contract-duties.js';
import { addSpan, describeSpan } from './span.js';

export interface MaintenanceWindow {
  id: number;
  /** null: every customer. */
  customerId: number | null;
  start: Date;
  /** Exclusive. */
  end: Date;
  /** Canonical device names (the lexicon's) the work touches. */
  systems: string[];
  /** Every system ("全部系统"): only when said so, never by leaving systems empty. */
  allSystems: boolean;
  /** Canonical site names; empty: every station. */
  stations: string[];
  /** Ended early (结束维护) or cancelled with its notice: the window's effective end. */
  cancelledAt: Date | null;
  /** Who ended or cancelled it. */
  endedByName?: string | null;
}

export interface WindowDraft {
  start: Date;
  end: Date;
  systems: string[];
  allSystems: boolean;
}

/** Why a window cannot be declared, in the chat's words; null when it can. */
export function windowProblem(w: WindowDraft, terms: Pick<PlannedMaintenanceTerms, 'maxWindow'> | undefined, calendar: BusinessCalendar, now: Date): string | null {
  if (!terms) return '本合同未约定计划检修，不能登记检修窗口。';
  if (!(w.end > w.start)) return '检修结束时间应晚于开始时间。';
  if (w.end <= now) return '检修窗口已经结束，无需再通告。';
  if (addSpan(calendar, w.start, terms.maxWindow).value < w.end) return `检修窗口不能超过 ${describeSpan(terms.maxWindow)}。`;
  if (!w.allSystems && w.systems.length === 0) return '请写明检修涉及的系统（如 服务器、闸机），或写「全部系统」。';
  return null;
}

export interface ReportAbout {
  at: Date;
  customerId: number | null;
  /** Canonical device name, null when the report did not name one. */
  device: string | null;
  site: string | null;
}

/**
 * Whether a report falls inside a window: in its time (start ≤ at < end), for its
 * customer, about a system it covers, at a station it covers (a report without a
 * station is taken as inside: the work is about the system). "unsure": the
 * report names no device while the window covers only some systems.
 */
export function windowCovers(w: MaintenanceWindow, r: ReportAbout): 'inside' | 'outside' | 'unsure' {
  if (w.cancelledAt && w.cancelledAt <= r.at) return 'outside';
  if (r.at < w.start || r.at >= w.end) return 'outside';
  if (w.customerId !== null && w.customerId !== r.customerId) return 'outside';
  if (w.stations.length && r.site !== null && !w.stations.includes(r.site)) return 'outside';
  if (w.allSystems) return 'inside';
  if (r.device === null) return 'unsure';
  return w.systems.includes(r.device) ? 'inside' : 'outside';
}

/** The windows a report falls inside (certain first), for answering it with the window's notice. */
export function windowsCovering(r: ReportAbout, windows: readonly MaintenanceWindow[]): Array<{ window: MaintenanceWindow; certain: boolean }> {
  return windows
    .map((window) => ({ window, cover: windowCovers(window, r) }))
    .filter((x) => x.cover !== 'outside')
    .map((x) => ({ window: x.window, certain: x.cover === 'inside' }))
    .sort((a, b) => Number(b.certain) - Number(a.certain) || a.window.start.getTime() - b.window.start.getTime());
}

/**
 * The windows that touch a ticket's clocks: about its device and station, for
 * its customer, overlapping the time it is open ([reportedAt, closedAt or ∞)).
 * A ticket without a device is touched only by all-systems windows.
 */
export function windowsAffecting(
  t: { customerId: number | null; device: string | null; site: string | null; reportedAt: Date; closedAt: Date | null },
  windows: readonly MaintenanceWindow[],
): MaintenanceWindow[] {
  return windows.filter((w) => {
    const end = w.cancelledAt && w.cancelledAt < w.end ? w.cancelledAt : w.end;
    if (end <= t.reportedAt || (t.closedAt && w.start >= t.closedAt)) return false;
    if (w.customerId !== null && w.customerId !== t.customerId) return false;
    if (w.stations.length && t.site !== null && !w.stations.includes(t.site)) return false;
    return w.allSystems || (t.device !== null && w.systems.includes(t.device));
  });
}

/** What sla.ts needs to apply the rule to one ticket. */
export interface PlannedWork {
  rule: PlannedWorkRule;
  /** The clocks the rule applies to; null: every clock of faults. */
  clocks: readonly string[] | null;
  /** The windows affecting the ticket (their effective ends: a cancelled window ends when cancelled). */
  intervals: ReadonlyArray<{ start: Date; end: Date }>;
}

export function plannedWorkFor(terms: PlannedMaintenanceTerms | undefined, windows: readonly MaintenanceWindow[]): PlannedWork | undefined {
  if (!terms || terms.sla === 'run' || windows.length === 0) return undefined;
  const intervals = windows.map((w) => ({ start: w.start, end: w.cancelledAt && w.cancelledAt < w.end ? w.cancelledAt : w.end })).filter((i) => i.end > i.start);
  return { rule: terms.sla, clocks: terms.clocks ?? null, intervals };
}

/** Overlapping or touching intervals joined, in order. */
export function mergeIntervals(xs: ReadonlyArray<{ start: Date; end: Date }>): Array<{ start: Date; end: Date }> {
  const sorted = [...xs].sort((a, b) => a.start.getTime() - b.start.getTime());
  const out: Array<{ start: Date; end: Date }> = [];
  for (const x of sorted) {
    const last = out.at(-1);
    if (last && x.start <= last.end) {
      if (x.end > last.end) last.end = x.end;
    } else out.push({ start: x.start, end: x.end });
  }
  return out;
}

/**
 * One clock of a ticket under the rule for planned work. `dueFrom` gives the
 * clock's due time from a start (the contract's limit). Returns the clock's
 * start and due time, or null when the rule exempts it.
 *
 * pause: the clock does not run inside a window (one that would start inside
 * starts at its end); the time before the due time that falls in windows is
 * added after them (in elapsed time: a working-day limit is moved by the same
 * elapsed time).
 */
export function clockUnderPlannedWork(
  pw: PlannedWork | undefined,
  clock: { name: string; kinds: readonly string[] },
  startedAt: Date,
  dueFrom: (start: Date) => Date,
): { startedAt: Date; dueAt: Date } | null {
  const applies = pw && (pw.clocks ? pw.clocks.includes(clock.name) : clock.kinds.includes('fault'));
  if (!pw || !applies) return { startedAt, dueAt: dueFrom(startedAt) };
  const merged = mergeIntervals(pw.intervals);
  const around = merged.find((i) => i.start <= startedAt && startedAt < i.end);
  switch (pw.rule) {
    case 'run':
      return { startedAt, dueAt: dueFrom(startedAt) };
    case 'exempt':
      return around ? null : { startedAt, dueAt: dueFrom(startedAt) };
    case 'start_at_end': {
      const start = around ? around.end : startedAt;
      return { startedAt: start, dueAt: dueFrom(start) };
    }
    case 'pause': {
      // A clock that would start inside a window first runs at its end.
      const start = around ? around.end : startedAt;
      let remaining = dueFrom(start).getTime() - start.getTime();
      let cursor = start.getTime();
      for (const i of merged) {
        if (i.end.getTime() <= cursor) continue;
        if (i.start.getTime() >= cursor + remaining) break;
        if (i.start.getTime() > cursor) remaining -= i.start.getTime() - cursor;
        cursor = i.end.getTime();
      }
      return { startedAt: start, dueAt: new Date(cursor + remaining) };
    }
  }
}
