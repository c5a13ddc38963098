/**
 * Planned work: recurrence of a plan over the working-day calendar, the
 * inspection jobs a sweep makes (never twice), who does them, their reminders,
 * and the inspection record made from the inspector's result.
 *
 * Dates are Shanghai's; 18:00 there is 10:00Z. 2026: 1 Jan is a holiday,
 * 31 Jan a Saturday, 28 Feb a make-up working Saturday (调休), 16–23 Feb the
 * Spring Festival holiday, 31 May a Sunday.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import type { InspectionTerms } from '../../src/domain/contract-duties.js';
import type { InspectionPlan } from '../../src/domain/customer-plans.js';
import { reconcileDutyTimers } from '../../src/domain/duty-timers.js';
import {
  faultsForFindings,
  inspectionAssignment,
  inspectionJobKey,
  inspectionJobsToMake,
  inspectionOverdue,
  inspectionRecord,
  inspectionTimerPlan,
} from '../../src/domain/inspection.js';
import { frequencyLabel, occurrencesBetween, shiftToWorkingDay, type Recurrence } from '../../src/domain/recurrence.js';

const calendar = new BusinessCalendar({ timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' });
const o = { calendar, workdayEnd: '18:00', onNonWorkingDay: 'next' as const };
const terms: InspectionTerms = {
  leadTime: { days: 14 },
  remindBefore: [{ days: 3 }, { days: 1 }],
  remind: ['assignee'],
  overdueNotify: ['assignee', 'manager'],
  onNonWorkingDay: 'next',
  assignment: 'rota',
  problemLevel: 4,
};
const ctx = { terms, calendar, workdayEnd: '18:00' };
/** 18:00 in Shanghai on a date. */
const due = (date: string) => new Date(`${date}T10:00:00Z`);

const servers: InspectionPlan = {
  name: '季度巡检-中心机房',
  systems: ['服务器', '交换机', '存储', 'UPS'],
  every: 'quarterly',
  from: '2026-01-15',
  checklist: ['服务器硬件告警灯', '交换机端口与风扇', '存储阵列磁盘状态', 'UPS电池电压', '机房温湿度'],
};
const afc: InspectionPlan = {
  name: '月度巡检-车站AFC',
  systems: ['闸机', '售票机'],
  every: 'monthly',
  from: '2026-01-31',
  checklist: ['闸机通行与读卡', '售票机找零与打印'],
  engineer: '李工',
  leadTime: { days: 7 },
  remindBefore: [{ days: 1 }],
};
const customer = { id: 1, inspections: [servers, afc] };

describe('recurrence over the working-day calendar', () => {
  // plan, range, rule → [nominal, due date, period key]
  const cases: Array<[string, Recurrence, [string, string], 'next' | 'previous' | 'keep', Array<[string, string, string]>]> = [
    ['quarterly from 15 Jan: all on working days', { every: 'quarterly', from: '2026-01-15' }, ['2026-01-01', '2026-12-31'], 'next', [
      ['2026-01-15', '2026-01-15', '2026-01'],
      ['2026-04-15', '2026-04-15', '2026-04'],
      ['2026-07-15', '2026-07-15', '2026-07'],
      ['2026-10-15', '2026-10-15', '2026-10'],
    ]],
    ['monthly from 31 Jan: month ends, Saturday → Monday, a make-up Saturday stays, Sunday → Monday', { every: 'monthly', from: '2026-01-31' }, ['2026-01-01', '2026-05-31'], 'next', [
      ['2026-01-31', '2026-02-02', '2026-01'],
      ['2026-02-28', '2026-02-28', '2026-02'],
      ['2026-03-31', '2026-03-31', '2026-03'],
      ['2026-04-30', '2026-04-30', '2026-04'],
      ['2026-05-31', '2026-06-01', '2026-05'],
    ]],
    ['the previous working day', { every: 'monthly', from: '2026-01-31' }, ['2026-01-01', '2026-01-31'], 'previous', [['2026-01-31', '2026-01-30', '2026-01']]],
    ['kept on the weekend', { every: 'monthly', from: '2026-01-31' }, ['2026-01-01', '2026-01-31'], 'keep', [['2026-01-31', '2026-01-31', '2026-01']]],
    ['weekly over the Spring Festival: two weeks due on the first working day after it', { every: 'weekly', from: '2026-02-09' }, ['2026-02-01', '2026-03-01'], 'next', [
      ['2026-02-09', '2026-02-09', '2026-W07'],
      ['2026-02-16', '2026-02-24', '2026-W08'],
      ['2026-02-23', '2026-02-24', '2026-W09'],
    ]],
    ['a plan ends at its until date', { every: 'monthly', from: '2026-01-10', until: '2026-03-10' }, ['2026-01-01', '2026-12-31'], 'keep', [
      ['2026-01-10', '2026-01-10', '2026-01'],
      ['2026-02-10', '2026-02-10', '2026-02'],
      ['2026-03-10', '2026-03-10', '2026-03'],
    ]],
    ['a plan begun years ago: only the range, same keys as if walked from the start', { every: 'semiannual', from: '2020-07-15' }, ['2026-01-01', '2026-12-31'], 'next', [
      ['2026-01-15', '2026-01-15', '2026-01'],
      ['2026-07-15', '2026-07-15', '2026-07'],
    ]],
    ['every two weeks', { every: { weeks: 2 }, from: '2026-03-02' }, ['2026-03-01', '2026-03-31'], 'next', [
      ['2026-03-02', '2026-03-02', '2026-W10'],
      ['2026-03-16', '2026-03-16', '2026-W12'],
      ['2026-03-30', '2026-03-30', '2026-W14'],
    ]],
    ['nothing before the plan starts', { every: 'monthly', from: '2026-06-01' }, ['2026-01-01', '2026-05-31'], 'next', []],
  ];
  it.each(cases)('%s', (_name, r, [from, to], rule, expected) => {
    const got = occurrencesBetween(r, from, to, { ...o, onNonWorkingDay: rule });
    expect(got.map((x) => [x.nominalDate, x.dueDate, x.periodKey])).toEqual(expected);
    for (const x of got) expect(x.dueAt.toISOString()).toBe(due(x.dueDate).toISOString());
  });

  it('an occurrence keeps its index and key whatever range finds it', () => {
    const r: Recurrence = { every: 'monthly', from: '2026-01-31' };
    const all = occurrencesBetween(r, '2026-01-01', '2026-12-31', o);
    const late = occurrencesBetween(r, '2026-07-01', '2026-12-31', o);
    expect(late).toEqual(all.filter((x) => x.nominalDate >= '2026-07-01'));
  });

  it('is bounded', () => {
    expect(occurrencesBetween({ every: 'weekly', from: '2000-01-03' }, '2000-01-01', '2099-12-31', o, 50)).toHaveLength(50);
  });

  it.each([
    ['weekly', '每周'],
    ['monthly', '每月'],
    ['bimonthly', '每两个月'],
    ['quarterly', '每季度'],
    ['semiannual', '每半年'],
    ['yearly', '每年'],
    [{ months: 4 }, '每 4 个月'],
    [{ weeks: 2 }, '每 2 周'],
  ] as const)('frequency %j reads %s', (f, label) => {
    expect(frequencyLabel(f)).toBe(label);
  });

  it('a calendar without a working day in reach is a configuration error, not a silent date', () => {
    const closed = new BusinessCalendar({
      timezone: 'Asia/Shanghai',
      workdayStart: '09:00',
      workdayEnd: '18:00',
      overrides: [{ year: 2031, holidays: Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2031, 0, 1 + i)).toISOString().slice(0, 10)), workdays: [] }],
    });
    expect(() => shiftToWorkingDay('2031-01-10', 'next', closed)).toThrow(/no working day within 60 days after 2031-01-10/);
  });
});

describe('inspection jobs made by a sweep', () => {
  const keys = (xs: Array<{ key: string }>) => xs.map((x) => x.key);
  const serverKey = (p: string) => inspectionJobKey(1, servers.name, p);
  const afcKey = (p: string) => inspectionJobKey(1, afc.name, p);

  it('14 days ahead: on 5 Jan the 15 Jan server job is made, the AFC job (7 days ahead of 2 Feb) is not yet', () => {
    const jobs = inspectionJobsToMake(customer, ctx, new Date('2026-01-05T00:00:00Z'), new Set());
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toEqual({
      key: 'inspection:1:季度巡检-中心机房:2026-01',
      customerId: 1,
      plan: '季度巡检-中心机房',
      periodKey: '2026-01',
      nominalDate: '2026-01-15',
      dueDate: '2026-01-15',
      dueAt: due('2026-01-15'),
      makeAt: due('2026-01-01'),
      systems: servers.systems,
      checklist: servers.checklist,
      engineer: null,
    });
  });

  // now → the keys made from nothing, in due order
  const sweeps: Array<[string, string[]]> = [
    ['2026-01-01T09:59:00Z', []],
    ['2026-01-01T10:00:00Z', [serverKey('2026-01')]],
    ['2026-01-26T10:00:00Z', [serverKey('2026-01'), afcKey('2026-01')]],
    ['2026-02-21T10:00:00Z', [serverKey('2026-01'), afcKey('2026-01'), afcKey('2026-02')]],
    ['2026-04-01T10:00:00Z', [serverKey('2026-01'), afcKey('2026-01'), afcKey('2026-02'), afcKey('2026-03'), serverKey('2026-04')]],
  ];
  it.each(sweeps)('at %s', (now, expected) => {
    expect(keys(inspectionJobsToMake(customer, ctx, new Date(now), new Set()))).toEqual(expected);
  });

  it('a job already made is never made again', () => {
    const now = new Date('2026-04-01T10:00:00Z');
    const first = inspectionJobsToMake(customer, ctx, now, new Set());
    expect(inspectionJobsToMake(customer, ctx, now, new Set(keys(first)))).toEqual([]);
    const partial = new Set([serverKey('2026-01'), afcKey('2026-02')]);
    expect(keys(inspectionJobsToMake(customer, ctx, now, partial))).toEqual([afcKey('2026-01'), afcKey('2026-03'), serverKey('2026-04')]);
  });

  it('sweeping at any moments makes each job exactly once, the same jobs as one late sweep', () => {
    const start = new Date('2026-01-01T00:00:00Z').getTime();
    const year = 366 * 86_400_000;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: year }), { minLength: 1, maxLength: 12 }), (offsets) => {
        const made = new Set<string>();
        let count = 0;
        for (const off of [...offsets].sort((a, b) => a - b)) {
          for (const j of inspectionJobsToMake(customer, ctx, new Date(start + off), made)) {
            made.add(j.key);
            count++;
          }
        }
        const last = new Date(start + Math.max(...offsets));
        expect(count).toBe(made.size);
        expect([...made].sort()).toEqual(keys(inspectionJobsToMake(customer, ctx, last, new Set())).sort());
      }),
      { numRuns: 25 },
    );
  });

  it('without `since` a plan dated in the past makes its past jobs (overdue); with it, only those due since', () => {
    const now = new Date('2026-11-24T02:00:00Z');
    const all = inspectionJobsToMake(customer, ctx, now, new Set());
    expect(all.filter((j) => j.plan === servers.name).map((j) => j.periodKey)).toEqual(['2026-01', '2026-04', '2026-07', '2026-10']);
    expect(all.filter((j) => j.plan === afc.name)).toHaveLength(11);
    const fresh = inspectionJobsToMake(customer, ctx, now, new Set(), new Date('2026-11-01T00:00:00Z'));
    // October's AFC job falls on Saturday 31 October and is due Monday 2 November: after `since`.
    expect(fresh.map((j) => [j.key, j.dueDate])).toEqual([
      [afcKey('2026-10'), '2026-11-02'],
      [afcKey('2026-11'), '2026-11-30'],
    ]);
  });

  it('keys are per customer and plan', () => {
    const other = inspectionJobsToMake({ id: 2, inspections: [servers] }, ctx, new Date('2026-01-05T00:00:00Z'), new Set([serverKey('2026-01')]));
    expect(keys(other)).toEqual(['inspection:2:季度巡检-中心机房:2026-01']);
  });
});

describe('who does a job', () => {
  const rota = [
    { weekday: 1, engineer: '张工' },
    { weekday: 4, engineer: '李工' },
  ];
  const cases: Array<[string, { engineer: string | null; dueDate: string }, 'rota' | 'manager', object]> = [
    ['the plan’s engineer', { engineer: '王工', dueDate: '2026-01-15' }, 'rota', { by: 'plan', engineer: '王工' }],
    ['on duty on the due date (a Thursday)', { engineer: null, dueDate: '2026-01-15' }, 'rota', { by: 'rota', engineer: '李工' }],
    ['nobody on duty that day (a make-up Saturday): the manager', { engineer: null, dueDate: '2026-02-28' }, 'rota', { by: 'manager' }],
    ['the contract says the manager assigns', { engineer: null, dueDate: '2026-01-15' }, 'manager', { by: 'manager' }],
  ];
  it.each(cases)('%s', (_name, job, assignment, expected) => {
    expect(inspectionAssignment(job, { assignment }, rota, 'Asia/Shanghai')).toEqual(expected);
  });
});

describe('reminders of a job', () => {
  const job = { id: 7, dueAt: due('2026-01-15'), status: 'assigned' as const };

  it('3 days and 1 day before the due time, and the overdue point at it', () => {
    expect(inspectionTimerPlan(job, terms.remindBefore, calendar).map((p) => [p.subject, p.subjectId, p.stage, p.dueAt.toISOString(), p.deadlineAt.toISOString()])).toEqual([
      ['inspection', 7, 'remind_3d', '2026-01-12T10:00:00.000Z', '2026-01-15T10:00:00.000Z'],
      ['inspection', 7, 'remind_1d', '2026-01-14T10:00:00.000Z', '2026-01-15T10:00:00.000Z'],
      ['inspection', 7, 'overdue', '2026-01-15T10:00:00.000Z', '2026-01-15T10:00:00.000Z'],
    ]);
  });

  it.each(['done', 'cancelled'] as const)('none once %s', (status) => {
    expect(inspectionTimerPlan({ ...job, status }, terms.remindBefore, calendar)).toEqual([]);
  });

  it('stored as timers: a reminder already past is not created, the overdue point is; done cancels what is pending', () => {
    const plan = inspectionTimerPlan(job, terms.remindBefore, calendar);
    const lateStart = reconcileDutyTimers(plan, [], new Date('2026-01-16T00:00:00Z'));
    expect(lateStart.create.map((p) => p.stage)).toEqual(['overdue']);
    const early = reconcileDutyTimers(plan, [], new Date('2026-01-13T00:00:00Z'));
    expect(early.create.map((p) => p.stage)).toEqual(['remind_1d', 'overdue']);
    const stored = [
      { id: 1, stage: 'remind_3d', dueAt: new Date('2026-01-12T10:00:00Z'), state: 'fired' as const },
      { id: 2, stage: 'remind_1d', dueAt: new Date('2026-01-14T10:00:00Z'), state: 'pending' as const },
      { id: 3, stage: 'overdue', dueAt: new Date('2026-01-15T10:00:00Z'), state: 'pending' as const },
    ];
    expect(reconcileDutyTimers(plan, stored, new Date('2026-01-13T00:00:00Z'))).toEqual({ create: [], cancel: [], revive: [] });
    const done = inspectionTimerPlan({ ...job, status: 'done' }, terms.remindBefore, calendar);
    expect(reconcileDutyTimers(done, stored, new Date('2026-01-13T00:00:00Z'))).toEqual({ create: [], cancel: [2, 3], revive: [] });
  });

  it.each([
    ['assigned', '2026-01-15T10:00:00Z', false],
    ['assigned', '2026-01-15T10:00:01Z', true],
    ['planned', '2026-02-01T00:00:00Z', true],
    ['done', '2026-02-01T00:00:00Z', false],
    ['cancelled', '2026-02-01T00:00:00Z', false],
  ] as const)('%s at %s: overdue %s', (status, now, expected) => {
    expect(inspectionOverdue({ dueAt: due('2026-01-15'), status }, new Date(now))).toBe(expected);
  });
});

describe('the inspection record', () => {
  const job = { id: 7, customerId: 1, plan: servers.name, systems: servers.systems, checklist: servers.checklist };

  it('normal: every item ok, no findings', () => {
    const r = inspectionRecord(job, { outcome: 'normal', problems: [], note: ' UPS 放电测试正常 ' });
    expect(r.outcome).toBe('normal');
    expect(r.checklist.every((c) => c.ok)).toBe(true);
    expect(r.findings).toEqual([]);
    expect(r.note).toBe('UPS 放电测试正常');
    expect(r.summary).toBe('巡检正常（5 项）');
  });

  // problem → checklist item, device
  const problems: Array<[string, string | null, string | null]> = [
    ['UPS电池鼓包，需更换', 'UPS电池电压', 'UPS'],
    ['3号交换机风扇告警', '交换机端口与风扇', '交换机'],
    ['存储阵列一块磁盘亮黄灯', '存储阵列磁盘状态', '存储'],
    ['机柜门锁损坏', null, null],
  ];
  it.each(problems)('a problem “%s” is on item %s, system %s', (text, item, device) => {
    const r = inspectionRecord(job, { outcome: 'problems', problems: [text] });
    expect(r.findings).toEqual([{ seq: 1, text, device, checklistItem: item }]);
    expect(r.checklist.filter((c) => !c.ok).map((c) => [c.item, c.problem])).toEqual(item ? [[item, text]] : []);
  });

  it('several problems: numbered in order, the summary lists them', () => {
    const r = inspectionRecord(job, { outcome: 'problems', problems: ['UPS电池鼓包', ' ', '3号交换机风扇告警'] });
    expect(r.outcome).toBe('problems');
    expect(r.findings.map((f) => [f.seq, f.device])).toEqual([
      [1, 'UPS'],
      [2, '交换机'],
    ]);
    expect(r.summary).toBe('发现 2 个问题：UPS电池鼓包；3号交换机风扇告警');
  });

  it('"problems" with none written is a normal record', () => {
    expect(inspectionRecord(job, { outcome: 'problems', problems: ['  '] }).outcome).toBe('normal');
  });

  it('a device reader (the lexicon) names the system when given', () => {
    const r = inspectionRecord(job, { outcome: 'problems', problems: ['核心交换风扇异响'] }, (t) => (t.includes('核心交换') ? '交换机' : null));
    expect(r.findings[0]!.device).toBe('交换机');
  });

  it('each finding opens a fault at the contract’s problem level, linked to the job and the finding', () => {
    const r = inspectionRecord(job, { outcome: 'problems', problems: ['UPS电池鼓包', '机柜门锁损坏'] });
    expect(faultsForFindings(job, r, terms)).toEqual([
      { customerId: 1, inspectionJobId: 7, findingSeq: 1, device: 'UPS', content: '巡检发现（季度巡检-中心机房）：UPS电池鼓包', level: 4 },
      { customerId: 1, inspectionJobId: 7, findingSeq: 2, device: null, content: '巡检发现（季度巡检-中心机房）：机柜门锁损坏', level: 4 },
    ]);
  });
});
