/**
 * Planned maintenance windows: which reports fall inside one, which tickets one
 * touches, what may be declared, and what each rule for planned work does to
 * the SLA clocks of the default contract (through sla.ts's deadlines and timer
 * plan).
 *
 * T0 = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import { ContractSchema, type Contract } from '../../src/domain/contract.js';
import type { PlannedWorkRule } from '../../src/domain/contract-duties.js';
import {
  clockUnderPlannedWork,
  mergeIntervals,
  plannedWorkFor,
  windowCovers,
  windowProblem,
  windowsAffecting,
  windowsCovering,
  type MaintenanceWindow,
  type PlannedWork,
  type ReportAbout,
} from '../../src/domain/maintenance.js';
import { deadlines, timerPlan, type SlaTicket } from '../../src/domain/sla.js';

const contract: Contract = ContractSchema.parse(YAML.parse(readFileSync(fileURLToPath(new URL('../../config/contract.yaml', import.meta.url)), 'utf8')));
const calendar = new BusinessCalendar({ timezone: contract.timezone, ...contract.calendar });
const T0 = new Date('2026-11-24T02:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

function win(over: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return { id: 1, customerId: 3, start: at(-60), end: at(180), systems: ['服务器', '交换机'], allSystems: false, stations: [], cancelledAt: null, ...over };
}

describe('is a report inside a window', () => {
  const report: ReportAbout = { at: T0, customerId: 3, device: '服务器', site: '小寨站' };
  const cases: Array<[string, Partial<MaintenanceWindow>, Partial<ReportAbout>, 'inside' | 'outside' | 'unsure']> = [
    ['about a covered system, in time', {}, {}, 'inside'],
    ['at the very start', {}, { at: at(-60) }, 'inside'],
    ['at the very end (the end is not in it)', {}, { at: at(180) }, 'outside'],
    ['before it', {}, { at: at(-61) }, 'outside'],
    ['about another system', {}, { device: '闸机' }, 'outside'],
    ['naming no device', {}, { device: null }, 'unsure'],
    ['naming no device, the window covers all systems', { allSystems: true, systems: [] }, { device: null }, 'inside'],
    ['another customer', {}, { customerId: 4 }, 'outside'],
    ['a window for every customer', { customerId: null }, { customerId: 4 }, 'inside'],
    ['at a covered station', { stations: ['小寨站', '钟楼站'] }, {}, 'inside'],
    ['at another station', { stations: ['钟楼站'] }, {}, 'outside'],
    ['without a station: the work is about the system', { stations: ['钟楼站'] }, { site: null }, 'inside'],
    ['after the window was cancelled', { cancelledAt: at(-1) }, {}, 'outside'],
    ['before it was cancelled', { cancelledAt: at(1) }, {}, 'inside'],
  ];
  it.each(cases)('%s: %s', (_name, w, r, expected) => {
    expect(windowCovers(win(w), { ...report, ...r })).toBe(expected);
  });

  it('the windows a report falls in, certain ones first', () => {
    const all = win({ id: 2, allSystems: true, systems: [], start: at(-30) });
    const some = win({ id: 1 });
    const other = win({ id: 3, systems: ['闸机'] });
    expect(windowsCovering({ ...report, device: null }, [some, all, other]).map((x) => [x.window.id, x.certain])).toEqual([
      [2, true],
      [1, false],
      [3, false],
    ]);
  });
});

describe('which tickets a window touches', () => {
  type Touched = Parameters<typeof windowsAffecting>[0];
  const t: Touched = { customerId: 3, device: '服务器', site: '小寨站', reportedAt: at(-120), closedAt: null };
  const cases: Array<[string, Partial<Touched>, Partial<MaintenanceWindow>, boolean]> = [
    ['an open ticket about the system reported before it', {}, {}, true],
    ['closed before it began', { closedAt: at(-90) }, {}, false],
    ['reported after it ended', { reportedAt: at(200) }, {}, false],
    ['about another system', { device: '闸机' }, {}, false],
    ['without a device', { device: null }, {}, false],
    ['without a device, all systems', { device: null }, { allSystems: true }, true],
    ['cancelled before the ticket was reported', { reportedAt: at(10) }, { cancelledAt: at(0) }, false],
    ['another customer’s window', {}, { customerId: 9 }, false],
  ];
  it.each(cases)('%s: %s', (_name, over, w, expected) => {
    expect(windowsAffecting({ ...t, ...over }, [win(w)]).length === 1).toBe(expected);
  });
});

describe('what may be declared', () => {
  const terms = contract.plannedMaintenance!;
  const ok = { start: at(60), end: at(300), systems: ['服务器'], allSystems: false };
  const cases: Array<[string, Partial<typeof ok>, string | null]> = [
    ['a window ahead about a system', {}, null],
    ['one already running', { start: at(-60) }, null],
    ['an end before the start', { end: at(30) }, '检修结束时间应晚于开始时间。'],
    ['one already over', { start: at(-300), end: at(-1) }, '检修窗口已经结束，无需再通告。'],
    ['longer than 72 hours', { end: at(60 + 72 * 60 + 1) }, '检修窗口不能超过 72 小时。'],
    ['exactly 72 hours', { end: at(60 + 72 * 60) }, null],
    ['no system named', { systems: [] }, '请写明检修涉及的系统（如 服务器、闸机），或写「全部系统」。'],
    ['all systems', { systems: [], allSystems: true }, null],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    expect(windowProblem({ ...ok, ...over }, terms, calendar, T0)).toBe(expected);
  });
  it('not under a contract without planned maintenance', () => {
    expect(windowProblem(ok, undefined, calendar, T0)).toBe('本合同未约定计划检修，不能登记检修窗口。');
  });
});

describe('a clock under the rule for planned work', () => {
  // Window W = [T0, T0+3h); a 30-minute clock.
  const W = { start: T0, end: at(180) };
  const due30 = (s: Date) => new Date(s.getTime() + 30 * MIN);
  const pw = (rule: PlannedWorkRule, intervals = [W], clocks: string[] | null = null): PlannedWork => ({ rule, clocks, intervals });
  const fault = { name: 'first_response', kinds: ['fault'] };
  // rule, start (minutes after T0) → [start, due] in minutes after T0, or null (exempt)
  const cases: Array<[PlannedWorkRule, number, [number, number] | null]> = [
    ['run', 10, [10, 40]],
    ['start_at_end', 10, [180, 210]],
    ['start_at_end', -20, [-20, 10]],
    ['start_at_end', 180, [180, 210]],
    ['exempt', 10, null],
    ['exempt', -20, [-20, 10]],
    ['pause', 10, [180, 210]],
    // Started 20 minutes before the window: 20 minutes run before it, 10 after it.
    ['pause', -20, [-20, 190]],
    ['pause', -40, [-40, -10]],
    ['pause', 200, [200, 230]],
  ];
  it.each(cases)('%s, started at T0%+d min → %j', (rule, start, expected) => {
    const r = clockUnderPlannedWork(pw(rule), fault, at(start), due30);
    expect(r && [(r.startedAt.getTime() - T0.getTime()) / MIN, (r.dueAt.getTime() - T0.getTime()) / MIN]).toEqual(expected);
  });

  it('pause across two overlapping windows and a later one counts each paused minute once', () => {
    const intervals = [W, { start: at(120), end: at(240) }, { start: at(250), end: at(260) }];
    expect(mergeIntervals(intervals).map((i) => [(i.start.getTime() - T0.getTime()) / MIN, (i.end.getTime() - T0.getTime()) / MIN])).toEqual([
      [0, 240],
      [250, 260],
    ]);
    // Starts at T0-20: 20 min before, then 10 min from 240 to 250, then 0 left → due at 250 (not inside the second window).
    const r = clockUnderPlannedWork(pw('pause', intervals), fault, at(-20), due30)!;
    expect((r.dueAt.getTime() - T0.getTime()) / MIN).toBe(250);
    const longer = clockUnderPlannedWork(pw('pause', intervals), fault, at(-20), (s) => new Date(s.getTime() + 45 * MIN))!;
    expect((longer.dueAt.getTime() - T0.getTime()) / MIN).toBe(275);
  });

  it('by default only clocks of faults; a list names the clocks', () => {
    const complaint = { name: 'complaint_answer', kinds: ['complaint'] };
    expect(clockUnderPlannedWork(pw('exempt'), complaint, at(10), due30)).not.toBeNull();
    expect(clockUnderPlannedWork(pw('exempt', [W], ['on_site']), fault, at(10), due30)).not.toBeNull();
    expect(clockUnderPlannedWork(pw('exempt', [W], ['first_response']), fault, at(10), due30)).toBeNull();
  });

  it('plannedWorkFor: nothing when the rule is run, the contract has none, or no window touches the ticket; a cancelled window ends when cancelled', () => {
    expect(plannedWorkFor(undefined, [win()])).toBeUndefined();
    expect(plannedWorkFor({ sla: 'run', maxWindow: { hours: 1 } }, [win()])).toBeUndefined();
    expect(plannedWorkFor(contract.plannedMaintenance, [])).toBeUndefined();
    expect(plannedWorkFor(contract.plannedMaintenance, [win({ cancelledAt: at(30) })])).toEqual({ rule: 'pause', clocks: null, intervals: [{ start: at(-60), end: at(30) }] });
  });
});

describe('a fault reported inside a window, under the default contract', () => {
  // Level 2 hardware fault about the server, reported at T0 inside the window [T0−1h, T0+3h).
  const window = win();
  const ticket = (rule: PlannedWorkRule, steps: SlaTicket['steps'] = {}): SlaTicket => ({
    kind: 'fault',
    status: 'acknowledged',
    level: 2,
    hardware: true,
    steps: { reportedAt: T0, ...steps },
    plannedWork: plannedWorkFor({ sla: rule, maxWindow: { hours: 72 } }, [window]),
  });
  const dueByClock = (t: SlaTicket) => Object.fromEntries(deadlines(t, contract, calendar, at(1)).map((d) => [d.clock, (d.dueAt.getTime() - T0.getTime()) / MIN]));

  it('run: every clock from the report', () => {
    expect(dueByClock(ticket('run'))).toEqual({ first_response: 30, acceptance: 60, on_site: 36 * 60, resolve_or_replace: 28 * 60 });
  });

  it.each(['pause', 'start_at_end'] as const)('%s: the clocks start when the window ends (T0+3h)', (rule) => {
    expect(dueByClock(ticket(rule))).toEqual({ first_response: 210, acceptance: 240, on_site: 180 + 36 * 60, resolve_or_replace: 180 + 28 * 60 });
  });

  it('exempt: no deadlines on the fault clocks', () => {
    expect(dueByClock(ticket('exempt'))).toEqual({});
    expect(timerPlan(ticket('exempt'), contract, calendar).filter((p) => !['intake', 'confirmation', 'rating'].includes(p.clock))).toEqual([]);
  });

  it('a consultation about the system is not touched by default (only faults are)', () => {
    const t: SlaTicket = { kind: 'consultation', status: 'acknowledged', level: null, hardware: false, steps: { reportedAt: T0 }, plannedWork: plannedWorkFor({ sla: 'exempt', maxWindow: { hours: 72 } }, [window]) };
    expect(Object.fromEntries(deadlines(t, contract, calendar, at(1)).map((d) => [d.clock, (d.dueAt.getTime() - T0.getTime()) / MIN]))).toEqual({ consultation_response: 30, acceptance: 60 });
  });

  it('acknowledged inside the window: the first response is met, not ignored', () => {
    const d = deadlines(ticket('start_at_end', { acknowledgedAt: at(5) }), contract, calendar, at(300)).find((x) => x.clock === 'first_response')!;
    expect(d).toMatchObject({ stoppedAt: at(5), met: true });
    expect(timerPlan(ticket('start_at_end', { acknowledgedAt: at(5) }), contract, calendar).some((p) => p.clock === 'first_response')).toBe(false);
  });

  it('the timer plan follows: the first-response reminders at 50 % and 80 % of the moved window', () => {
    const points = timerPlan(ticket('pause'), contract, calendar).filter((p) => p.clock === 'first_response');
    expect(points.map((p) => [p.stage, (p.dueAt.getTime() - T0.getTime()) / MIN])).toEqual([
      ['remind_50', 195],
      ['remind_80', 204],
      ['escalate_1', 210],
      ['escalate_2', 270],
    ]);
  });

  it('pause: a ticket reported an hour before a window opens keeps 24 h of on-site time outside it', () => {
    const before = win({ start: at(60), end: at(60 + 8 * 60) });
    const t: SlaTicket = { kind: 'fault', status: 'acknowledged', level: 1, hardware: true, steps: { reportedAt: T0 }, plannedWork: plannedWorkFor(contract.plannedMaintenance, [before]) };
    const onSite = deadlines(t, contract, calendar, at(1)).find((d) => d.clock === 'on_site')!;
    expect((onSite.dueAt.getTime() - T0.getTime()) / H).toBe(24 + 8);
  });
});
