/**
 * SLA: deadlines of each clock from the default contract and the calendar,
 * the timer plan (reminders, breach, escalations, follow-ups) and how stored
 * timers are reconciled with it.
 *
 * T0 = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z), an ordinary working day.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import { ContractSchema, type Contract, type FaultLevel } from '../../src/domain/contract.js';
import {
  deadlines,
  dueAfter,
  reconcileTimers,
  timerKey,
  timerPlan,
  type ExistingTimer,
  type SlaTicket,
  type TimerPoint,
} from '../../src/domain/sla.js';

const raw = () => YAML.parse(readFileSync(fileURLToPath(new URL('../../config/contract.yaml', import.meta.url)), 'utf8'));
const contract: Contract = ContractSchema.parse(raw());
const calendar = new BusinessCalendar({ timezone: contract.timezone, ...contract.calendar });

const T0 = new Date('2026-11-24T02:00:00Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const H = 60;
const iso = (d: Date) => d.toISOString();

function fault(over: Partial<SlaTicket> = {}, steps: SlaTicket['steps'] = {}): SlaTicket {
  return { kind: 'fault', status: 'level_known', level: 2, hardware: true, ...over, steps: { reportedAt: T0, ...steps } };
}

/** clock → due instant, for the clocks that have started. */
function dueByClock(t: SlaTicket, now = T0, c: Contract = contract): Record<string, string> {
  return Object.fromEntries(deadlines(t, c, calendar, now).map((d) => [d.clock, iso(d.dueAt)]));
}

/** [clock, stage, minutes after T0 due, minutes after T0 of the deadline] sorted, for comparing plans. */
function planRows(t: SlaTicket, c: Contract = contract): Array<[string, string, number, number]> {
  return timerPlan(t, c, calendar)
    .map((p): [string, string, number, number] => [p.clock, p.stage, (p.dueAt.getTime() - T0.getTime()) / MIN, (p.deadlineAt.getTime() - T0.getTime()) / MIN])
    .sort((a, b) => a[0].localeCompare(b[0]) || a[2] - b[2] || a[1].localeCompare(b[1]));
}

describe('deadlines of each fault level', () => {
  const levels: Array<[FaultLevel, number]> = [
    [1, 24],
    [2, 36],
    [3, 36],
    [4, 48],
  ];

  it.each(levels)('level %i: first response 30 min, acceptance 1 h, on site %i h, resolve or replace 28 h (hardware)', (level, onSiteHours) => {
    expect(dueByClock(fault({ level }))).toEqual({
      first_response: iso(at(30)),
      acceptance: iso(at(60)),
      on_site: iso(at(onSiteHours * H)),
      resolve_or_replace: iso(at(28 * H)),
    });
  });

  it.each(levels)('level %i, not hardware: no resolve-or-replace clock', (level, onSiteHours) => {
    expect(dueByClock(fault({ level, hardware: false }))).toEqual({
      first_response: iso(at(30)),
      acceptance: iso(at(60)),
      on_site: iso(at(onSiteHours * H)),
    });
  });

  it('the clocks are 7×24: a report late on the eve of National Day is due on the holiday', () => {
    // Wed 30 Sep 2026, 23:00 in Shanghai; the level 1 on-site limit ends on 1 Oct 23:00 (National Day).
    const reportedAt = new Date('2026-09-30T15:00:00Z');
    const d = dueByClock({ kind: 'fault', status: 'level_known', level: 1, hardware: true, steps: { reportedAt } }, reportedAt);
    expect(d.first_response).toBe('2026-09-30T15:30:00.000Z');
    expect(d.on_site).toBe('2026-10-01T15:00:00.000Z');
    expect(d.resolve_or_replace).toBe('2026-10-01T19:00:00.000Z');
  });

  it('while the level is unknown, the strictest level applies, marked provisional', () => {
    const list = deadlines(fault({ status: 'reported', level: null }), contract, calendar, T0);
    const byClock = Object.fromEntries(list.map((d) => [d.clock, d]));
    expect(iso(byClock.first_response!.dueAt)).toBe(iso(at(30)));
    expect(byClock.first_response!.provisional).toBe(true);
    expect(iso(byClock.on_site!.dueAt)).toBe(iso(at(24 * H)));
    expect(byClock.on_site!.provisional).toBe(true);
    expect(byClock.acceptance!.provisional).toBe(false);
    expect(byClock.resolve_or_replace!.provisional).toBe(false);
  });

  it('a level-4 deadline moves when the level becomes known', () => {
    expect(dueByClock(fault({ status: 'reported', level: null })).on_site).toBe(iso(at(24 * H)));
    expect(dueByClock(fault({ level: 4 })).on_site).toBe(iso(at(48 * H)));
  });

  it('assignment: 30 min from acceptance', () => {
    expect(dueByClock(fault({ status: 'accepted' }, { acceptedAt: at(10) })).assignment).toBe(iso(at(40)));
  });

  it('detection report: 8 h from the spare request, hardware only', () => {
    expect(dueByClock(fault({ status: 'replacing' }, { spareRequestedAt: at(5 * H) })).detection_report).toBe(iso(at(13 * H)));
    expect(dueByClock(fault({ status: 'replacing', hardware: false }, { spareRequestedAt: at(5 * H) })).detection_report).toBeUndefined();
  });

  it('consultation: answered within 30 min, accepted within 1 h', () => {
    expect(dueByClock({ kind: 'consultation', status: 'reported', level: null, hardware: false, steps: { reportedAt: T0 } })).toEqual({
      consultation_response: iso(at(30)),
      acceptance: iso(at(60)),
    });
  });

  it.each([
    ['received on the eve of National Day', '2026-09-30T02:00:00Z', '2026-10-09T10:00:00.000Z'],
    ['received on 9 Oct: the make-up Saturday counts', '2026-10-09T02:00:00Z', '2026-10-12T10:00:00.000Z'],
    ['received on an ordinary Tuesday', '2026-11-24T02:00:00Z', '2026-11-26T10:00:00.000Z'],
    ['received on a Friday evening', '2026-11-27T12:00:00Z', '2026-12-01T10:00:00.000Z'],
  ])('complaint %s: answered by the end of the 2nd working day', (_what, reportedAt, due) => {
    const t: SlaTicket = { kind: 'complaint', status: 'accepted', level: null, hardware: false, steps: { reportedAt: new Date(reportedAt) } };
    const list = deadlines(t, contract, calendar, new Date(reportedAt));
    expect(list.map((d) => [d.clock, iso(d.dueAt), d.warnings])).toEqual([['complaint_answer', due, []]]);
  });

  it('a complaint in a year without holiday data carries the calendar warning', () => {
    const reportedAt = new Date('2027-09-30T02:00:00Z');
    const [d] = deadlines({ kind: 'complaint', status: 'accepted', level: null, hardware: false, steps: { reportedAt } }, contract, calendar, reportedAt);
    expect(iso(d!.dueAt)).toBe('2027-10-04T10:00:00.000Z');
    expect(d!.warnings).toEqual([expect.stringMatching(/no public-holiday data for 2027/)]);
  });

  it('clocks that have not started are absent', () => {
    expect(deadlines({ kind: 'fault', status: 'reported', level: 1, hardware: true, steps: {} }, contract, calendar, T0)).toEqual([]);
  });

  it('dueAfter: minutes, hours, working days', () => {
    expect(dueAfter(calendar, T0, { minutes: 30 })).toEqual({ dueAt: at(30), warnings: [] });
    expect(dueAfter(calendar, T0, { hours: 28 })).toEqual({ dueAt: at(28 * H), warnings: [] });
    expect(dueAfter(calendar, T0, { workingDays: 1 })).toEqual({ dueAt: new Date('2026-11-25T10:00:00Z'), warnings: [] });
  });
});

describe('met and breached', () => {
  // steps (minutes after T0), status, now (minutes after T0) → first response met, stoppedAt
  const cases: Array<[string, Partial<Record<'acknowledgedAt' | 'resolvedAt', number>>, SlaTicket['status'], number, boolean | null, number | null]> = [
    ['acknowledged in time', { acknowledgedAt: 20 }, 'acknowledged', 600, true, 20],
    ['acknowledged exactly at the limit', { acknowledgedAt: 30 }, 'acknowledged', 600, true, 30],
    ['acknowledged late', { acknowledgedAt: 45 }, 'acknowledged', 600, false, 45],
    ['resolved remotely before acknowledging', { resolvedAt: 25 }, 'resolved', 600, true, 25],
    ['the first stop counts', { acknowledgedAt: 50, resolvedAt: 25 }, 'resolved', 600, true, 25],
    ['running, not due yet', {}, 'level_known', 10, null, null],
    ['running, exactly due', {}, 'level_known', 30, null, null],
    ['running, overdue', {}, 'level_known', 31, false, null],
    ['cancelled while running: neither', {}, 'cancelled', 600, null, null],
    ['cancelled after a late acknowledgement: still late', { acknowledgedAt: 45 }, 'cancelled', 600, false, 45],
  ];

  it.each(cases)('first response %s', (_what, steps, status, now, met, stoppedAt) => {
    const t = fault({ status }, Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, at(v!)])));
    const d = deadlines(t, contract, calendar, at(now)).find((x) => x.clock === 'first_response')!;
    expect(d.met).toBe(met);
    expect(d.stoppedAt ? (d.stoppedAt.getTime() - T0.getTime()) / MIN : null).toBe(stoppedAt);
    expect(iso(d.startedAt)).toBe(iso(T0));
  });

  it('a stop step before the clock started does not stop it', () => {
    // An old detection report, then a new spare request: the new report is still owed.
    const t = fault({ status: 'replacing' }, { detectionReportAt: at(60), spareRequestedAt: at(120) });
    const d = deadlines(t, contract, calendar, at(121)).find((x) => x.clock === 'detection_report')!;
    expect(d.stoppedAt).toBeNull();
    expect(d.met).toBeNull();
    expect(iso(d.dueAt)).toBe(iso(at(120 + 8 * H)));
  });

  it('a stopped clock is no longer provisional', () => {
    const t = fault({ status: 'reported', level: null }, { acknowledgedAt: at(5) });
    const d = deadlines(t, contract, calendar, at(6)).find((x) => x.clock === 'first_response')!;
    expect(d.provisional).toBe(false);
    expect(d.met).toBe(true);
  });

  it('breached on-site and 28-hour clocks of a level-1 hardware fault', () => {
    const t = fault({ level: 1, status: 'on_site' }, { acknowledgedAt: at(10), onSiteAt: at(25 * H) });
    const met = Object.fromEntries(deadlines(t, contract, calendar, at(29 * H)).map((d) => [d.clock, d.met]));
    expect(met).toEqual({ first_response: true, acceptance: false, on_site: false, resolve_or_replace: false });
  });
});

describe('timerPlan', () => {
  it('a level-2 hardware fault just reported: reminders at 50% and 80%, escalations at the breach and 60 min later', () => {
    expect(planRows(fault({ level: 2 }))).toEqual([
      ['acceptance', 'remind_50', 30, 60],
      ['acceptance', 'remind_80', 48, 60],
      ['acceptance', 'escalate_1', 60, 60],
      ['acceptance', 'escalate_2', 120, 60],
      ['first_response', 'remind_50', 15, 30],
      ['first_response', 'remind_80', 24, 30],
      ['first_response', 'escalate_1', 30, 30],
      ['first_response', 'escalate_2', 90, 30],
      ['on_site', 'remind_50', 18 * H, 36 * H],
      ['on_site', 'remind_80', 28 * H + 48, 36 * H],
      ['on_site', 'escalate_1', 36 * H, 36 * H],
      ['on_site', 'escalate_2', 37 * H, 36 * H],
      ['resolve_or_replace', 'remind_50', 14 * H, 28 * H],
      ['resolve_or_replace', 'remind_80', 22 * H + 24, 28 * H],
      ['resolve_or_replace', 'escalate_1', 28 * H, 28 * H],
      ['resolve_or_replace', 'escalate_2', 29 * H, 28 * H],
    ]);
  });

  it.each([
    [1, 24],
    [3, 36],
    [4, 48],
  ] as const)('level %i: on-site points at 50%%, 80%%, breach, +60 min of %i h', (level, hours) => {
    const onSite = planRows(fault({ level, hardware: false })).filter((r) => r[0] === 'on_site');
    expect(onSite).toEqual([
      ['on_site', 'remind_50', hours * 30, hours * H],
      ['on_site', 'remind_80', hours * 48, hours * H],
      ['on_site', 'escalate_1', hours * H, hours * H],
      ['on_site', 'escalate_2', hours * H + 60, hours * H],
    ]);
  });

  it('level unknown: the intake question times out after 15 min; the strictest limits apply meanwhile', () => {
    const rows = planRows(fault({ status: 'reported', level: null, hardware: false }));
    expect(rows.filter((r) => r[0] === 'intake')).toEqual([['intake', 'timeout', 15, 15]]);
    expect(rows.find((r) => r[0] === 'on_site' && r[1] === 'escalate_1')).toEqual(['on_site', 'escalate_1', 24 * H, 24 * H]);
  });

  it('no intake timeout once the level is known or for other kinds', () => {
    expect(planRows(fault({ status: 'level_known', level: null })).filter((r) => r[0] === 'intake')).toEqual([]);
    expect(planRows({ kind: 'consultation', status: 'reported', level: null, hardware: false, steps: { reportedAt: T0 } }).filter((r) => r[0] === 'intake')).toEqual([]);
  });

  it('the assignment clock: the manager is reminded, the vice-president told at the breach, nothing after', () => {
    const rows = planRows(fault({ status: 'accepted' }, { acceptedAt: at(10) }));
    expect(rows.filter((r) => r[0] === 'assignment')).toEqual([
      ['assignment', 'remind_50', 25, 40],
      ['assignment', 'remind_80', 34, 40],
      ['assignment', 'escalate_1', 40, 40],
    ]);
    // Accepted: the acceptance clock stopped.
    expect(rows.filter((r) => r[0] === 'acceptance')).toEqual([]);
  });

  it('stopped clocks have no points', () => {
    const t = fault({ status: 'on_site' }, { acceptedAt: at(5), assignedAt: at(8), acknowledgedAt: at(10), onSiteAt: at(3 * H) });
    expect([...new Set(planRows(t).map((r) => r[0]))]).toEqual(['resolve_or_replace']);
  });

  it('a resolved fault: the confirmation is reminded after 4 h and closed after 24 h; an owed detection report still runs', () => {
    const t = fault({ status: 'resolved' }, { acknowledgedAt: at(10), onSiteAt: at(3 * H), spareRequestedAt: at(4 * H), resolvedAt: at(6 * H) });
    expect(planRows(t)).toEqual([
      ['confirmation', 'remind', 10 * H, 30 * H],
      ['confirmation', 'close', 30 * H, 30 * H],
      ['detection_report', 'remind_50', 8 * H, 12 * H],
      ['detection_report', 'remind_80', 4 * H + 6.4 * H, 12 * H],
      ['detection_report', 'escalate_1', 12 * H, 12 * H],
      ['detection_report', 'escalate_2', 13 * H, 12 * H],
    ]);
  });

  it('a confirmed fault: the rating is reminded after 4 h and closed after 24 h', () => {
    const t = fault({ status: 'confirmed' }, { acknowledgedAt: at(10), resolvedAt: at(6 * H), confirmedAt: at(7 * H) });
    expect(planRows(t)).toEqual([
      ['rating', 'remind', 11 * H, 31 * H],
      ['rating', 'close', 31 * H, 31 * H],
    ]);
  });

  it('a resolved complaint waits for the rating; a resolved consultation closes after 24 h', () => {
    const complaint: SlaTicket = { kind: 'complaint', status: 'resolved', level: null, hardware: false, steps: { reportedAt: T0, resolvedAt: at(H) } };
    expect(planRows(complaint)).toEqual([
      ['rating', 'remind', 5 * H, 25 * H],
      ['rating', 'close', 25 * H, 25 * H],
    ]);
    const consultation: SlaTicket = { kind: 'consultation', status: 'resolved', level: null, hardware: false, steps: { reportedAt: T0, acceptedAt: at(5), resolvedAt: at(H) } };
    expect(planRows(consultation)).toEqual([['consultation_close', 'close', 25 * H, 25 * H]]);
  });

  it('a reopened fault has no confirmation follow-up', () => {
    const t = fault({ status: 'reopened' }, { acknowledgedAt: at(10), onSiteAt: at(H), resolvedAt: null });
    expect(planRows(t).map((r) => r[0])).not.toContain('confirmation');
  });

  it.each(['closed', 'cancelled'] as const)('a %s ticket has no points even with running clocks', (status) => {
    expect(timerPlan(fault({ status }), contract, calendar)).toEqual([]);
  });

  it('a complaint is reminded at 50% and 80% of its working time, not of the calendar time', () => {
    // 30 Sep 10:00 → 9 Oct 18:00: 480 + 540 + 540 = 1560 working minutes.
    const reportedAt = new Date('2026-09-30T02:00:00Z');
    const plan = timerPlan({ kind: 'complaint', status: 'accepted', level: null, hardware: false, steps: { reportedAt } }, contract, calendar);
    expect(plan.map((p) => [p.clock, p.stage, iso(p.dueAt), iso(p.deadlineAt)])).toEqual([
      ['complaint_answer', 'remind_50', '2026-10-08T06:00:00.000Z', '2026-10-09T10:00:00.000Z'], // 8 Oct 14:00
      ['complaint_answer', 'remind_80', '2026-10-09T04:48:00.000Z', '2026-10-09T10:00:00.000Z'], // 9 Oct 12:48
      ['complaint_answer', 'escalate_1', '2026-10-09T10:00:00.000Z', '2026-10-09T10:00:00.000Z'],
      ['complaint_answer', 'escalate_2', '2026-10-09T11:00:00.000Z', '2026-10-09T10:00:00.000Z'],
    ]);
  });

  it('a clock may have its own reminder points', () => {
    const c = raw();
    c.clocks.acceptance.reminders = [0.25];
    const own = ContractSchema.parse(c);
    expect(planRows(fault(), own).filter((r) => r[0] === 'acceptance').map((r) => [r[1], r[2]])).toEqual([
      ['remind_25', 15],
      ['escalate_1', 60],
      ['escalate_2', 120],
    ]);
  });
});

describe('reconcileTimers', () => {
  const NOW = at(60);
  const point = (clock: string, stage: string, minutes: number): TimerPoint => ({ clock, stage, dueAt: at(minutes), deadlineAt: at(minutes) });
  const stored = (id: number, p: TimerPoint, state: ExistingTimer['state']): ExistingTimer => ({ id, clock: p.clock, stage: p.stage, dueAt: p.dueAt, state });

  const futureRemind = point('on_site', 'remind_50', 70);
  const futureBreach = point('on_site', 'escalate_1', 80);
  const pastRemind = point('first_response', 'remind_80', 24);
  const pastBreach = point('first_response', 'escalate_1', 30);
  const pastFollowUpRemind = point('confirmation', 'remind', 50);
  const pastTimeout = point('intake', 'timeout', 15);
  const plan = [futureRemind, futureBreach, pastRemind, pastBreach, pastFollowUpRemind, pastTimeout];

  it('from nothing: creates the future points and the past breaches, skips past reminders', () => {
    expect(reconcileTimers(plan, [], NOW)).toEqual({ create: [futureRemind, futureBreach, pastBreach, pastTimeout], cancel: [], revive: [] });
  });

  it('a point due exactly now that is a reminder is skipped; a breach is created', () => {
    const remindNow = point('on_site', 'remind_80', 60);
    const breachNow = point('acceptance', 'escalate_1', 60);
    expect(reconcileTimers([remindNow, breachNow], [], NOW).create).toEqual([breachNow]);
  });

  it.each([
    ['pending, still planned: kept', 'pending', { create: [], cancel: [], revive: [] }],
    ['fired, still planned: never created again', 'fired', { create: [], cancel: [], revive: [] }],
    ['cancelled, planned again: revived', 'cancelled', { create: [], cancel: [], revive: [1] }],
  ] as const)('a future point stored %s', (_what, state, expected) => {
    expect(reconcileTimers([futureBreach], [stored(1, futureBreach, state)], NOW)).toEqual(expected);
  });

  it.each([
    ['pending', [7]],
    ['fired', []],
    ['cancelled', []],
  ] as const)('a stored %s point no longer planned: cancelled only if pending', (state, cancel) => {
    expect(reconcileTimers([], [stored(7, futureRemind, state)], NOW)).toEqual({ create: [], cancel, revive: [] });
  });

  it('a cancelled past breach planned again is revived (fires at once); a cancelled past reminder is not', () => {
    const r = reconcileTimers([pastBreach, pastRemind], [stored(3, pastBreach, 'cancelled'), stored(4, pastRemind, 'cancelled')], NOW);
    expect(r).toEqual({ create: [], cancel: [], revive: [3] });
  });

  it('the same point at another due time is another timer', () => {
    const moved = { ...futureBreach, dueAt: at(90) };
    expect(timerKey(moved)).not.toBe(timerKey(futureBreach));
    expect(reconcileTimers([moved], [stored(5, futureBreach, 'pending')], NOW)).toEqual({ create: [moved], cancel: [5], revive: [] });
  });

  it('a live row wins over a cancelled duplicate of the same key', () => {
    const r = reconcileTimers([futureBreach], [stored(1, futureBreach, 'cancelled'), stored(2, futureBreach, 'fired')], NOW);
    expect(r).toEqual({ create: [], cancel: [], revive: [] });
  });

  /** A stored table of timers, changed the way the store would. */
  class Timers {
    rows: Array<ExistingTimer & { deadlineAt: Date }> = [];
    private next = 1;
    sync(t: SlaTicket, now: Date) {
      const r = reconcileTimers(timerPlan(t, contract, calendar), this.rows, now);
      for (const id of r.cancel) this.rows.find((x) => x.id === id)!.state = 'cancelled';
      for (const id of r.revive) this.rows.find((x) => x.id === id)!.state = 'pending';
      for (const p of r.create) {
        expect(this.rows.some((x) => timerKey(x) === timerKey(p)), `unique key ${timerKey(p)}`).toBe(false);
        this.rows.push({ id: this.next++, ...p, state: 'pending' });
      }
      return r;
    }
    fireDue(now: Date) {
      for (const x of this.rows) if (x.state === 'pending' && x.dueAt <= now) x.state = 'fired';
    }
    pending(clock?: string) {
      return this.rows
        .filter((x) => x.state === 'pending' && (!clock || x.clock === clock))
        .map((x) => `${x.clock}|${x.stage}|${(x.dueAt.getTime() - T0.getTime()) / MIN}`)
        .sort();
    }
  }

  it('a known level replaces the provisional on-site points and leaves the rest', () => {
    const timers = new Timers();
    timers.sync(fault({ status: 'reported', level: null, hardware: false }), T0);
    expect(timers.pending('on_site')).toEqual(['on_site|escalate_1|1440', 'on_site|escalate_2|1500', 'on_site|remind_50|720', 'on_site|remind_80|1152']);
    const r = timers.sync(fault({ status: 'level_known', level: 4, hardware: false }, { levelKnownAt: at(5) }), at(5));
    expect(r.cancel).toHaveLength(5); // four provisional on-site points and the intake timeout
    expect(r.create.map((p) => p.clock)).toEqual(['on_site', 'on_site', 'on_site', 'on_site']);
    expect(timers.pending('on_site')).toEqual(['on_site|escalate_1|2880', 'on_site|escalate_2|2940', 'on_site|remind_50|1440', 'on_site|remind_80|2304']);
    expect(timers.pending('first_response')).toHaveLength(4);
  });

  it('the acknowledgement stops the first-response points; fired ones stay fired', () => {
    const timers = new Timers();
    timers.sync(fault(), T0);
    timers.fireDue(at(20)); // remind_50 at 15 fired
    timers.sync(fault({ status: 'acknowledged' }, { acknowledgedAt: at(20) }), at(20));
    expect(timers.pending('first_response')).toEqual([]);
    expect(timers.rows.filter((x) => x.clock === 'first_response').map((x) => `${x.stage}:${x.state}`).sort()).toEqual([
      'escalate_1:cancelled',
      'escalate_2:cancelled',
      'remind_50:fired',
      'remind_80:cancelled',
    ]);
  });

  it('the 28-hour clock runs again when the customer says the fix did not hold', () => {
    const timers = new Timers();
    const steps = { acceptedAt: at(5), assignedAt: at(8), acknowledgedAt: at(10), onSiteAt: at(3 * H) };
    timers.sync(fault({ status: 'on_site' }, steps), at(3 * H));
    timers.fireDue(at(5 * H));
    expect(timers.pending('resolve_or_replace')).toEqual([
      'resolve_or_replace|escalate_1|1680',
      'resolve_or_replace|escalate_2|1740',
      'resolve_or_replace|remind_50|840',
      'resolve_or_replace|remind_80|1344',
    ]);
    // Resolved at 5 h: the clock stops.
    timers.sync(fault({ status: 'resolved' }, { ...steps, resolvedAt: at(5 * H) }), at(5 * H));
    expect(timers.pending('resolve_or_replace')).toEqual([]);
    // Not fixed, at 20 h: the clock runs again, same deadline; the 50% reminder is past and stays quiet.
    const r = timers.sync(fault({ status: 'reopened' }, { ...steps, resolvedAt: null }), at(20 * H));
    expect(r.create).toEqual([]);
    expect(r.revive).toHaveLength(3);
    expect(timers.pending('resolve_or_replace')).toEqual([
      'resolve_or_replace|escalate_1|1680',
      'resolve_or_replace|escalate_2|1740',
      'resolve_or_replace|remind_80|1344',
    ]);
    expect(timers.pending('confirmation')).toEqual([]);
  });

  it('closing cancels everything still pending', () => {
    const timers = new Timers();
    timers.sync(fault({ status: 'resolved' }, { acknowledgedAt: at(10), spareRequestedAt: at(H), resolvedAt: at(2 * H) }), at(2 * H));
    expect(timers.pending().length).toBe(6);
    const r = timers.sync(fault({ status: 'closed' }, { acknowledgedAt: at(10), spareRequestedAt: at(H), resolvedAt: at(2 * H) }), at(3 * H));
    expect(r.cancel).toHaveLength(6);
    expect(timers.pending()).toEqual([]);
  });
});
