/**
 * The digest sections of the planned duties, from rows: each figure counted
 * once in one period by its definition; the chat lines; and whom a notice reaches.
 *
 * Period: Tuesday 24 Nov 2026 in Shanghai ([16:00Z on the 23rd, 16:00Z on the 24th));
 * asOf: the end of the period.
 */
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import type { RepairTerms } from '../../src/domain/contract-duties.js';
import {
  computeDutyDigest,
  dutyDigestLines,
  type DutyDigestInput,
  type EmergencyReportDigestRow,
  type InspectionDigestRow,
  type NoticeDigestRow,
  type RepairDigestRow,
  type VisitDigestRow,
} from '../../src/domain/duties-digest.js';
import type { MaintenanceWindow } from '../../src/domain/maintenance.js';
import { noticeDeliveryKey, noticeRecipients } from '../../src/domain/notice.js';

const calendar = new BusinessCalendar({ timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' });
const period = { start: new Date('2026-11-23T16:00:00Z'), end: new Date('2026-11-24T16:00:00Z') };
const asOf = period.end;
const H = 3_600_000;
const inDay = (h: number) => new Date(period.start.getTime() + h * H);
const before = (h: number) => new Date(period.start.getTime() - h * H);
const after = (h: number) => new Date(period.end.getTime() + h * H);
const repairTerms: RepairTerms = {
  limits: {
    quoted: { after: 'received', limit: { hours: 8 }, useQuotedPeriod: false },
    sent: { after: 'received', limit: { workingDays: 2 }, useQuotedPeriod: false },
    repaired: { after: 'sent', limit: { days: 30 }, useQuotedPeriod: true },
    returned: { after: 'repaired', limit: { workingDays: 2 }, useQuotedPeriod: false },
  },
  remind: ['assignee'],
  overdueNotify: ['manager'],
};

const job = (id: number, over: Partial<InspectionDigestRow>): InspectionDigestRow => ({ id, customer: '二号线', plan: '季度巡检', dueAt: inDay(10), status: 'assigned', doneAt: null, findings: 0, assignee: '张工', ...over });
const visit = (id: number, over: Partial<VisitDigestRow>): VisitDigestRow => ({ id, customer: '二号线', reason: 'scheduled', dueAt: inDay(10), status: 'planned', doneAt: null, owner: '客服小刘', ...over });
const repair = (id: number, over: Partial<RepairDigestRow>): RepairDigestRow => ({
  id,
  ticketId: id,
  ticketNumber: `GD-20261120-000${id}`,
  customerId: 1,
  part: null,
  status: 'received',
  receivedAt: before(48),
  sentAt: null,
  quotedAt: null,
  repairedAt: null,
  returnedAt: null,
  costCents: null,
  periodDays: null,
  ...over,
});
const notice = (id: number, over: Partial<NoticeDigestRow>): NoticeDigestRow => ({ id, kind: 'security', postedAt: inDay(2), cancelledAt: null, ...over });
const window = (id: number, over: Partial<MaintenanceWindow>): MaintenanceWindow => ({ id, customerId: null, start: after(2), end: after(6), systems: ['服务器'], allSystems: false, stations: [], cancelledAt: null, ...over });
const report = (id: number, over: Partial<EmergencyReportDigestRow>): EmergencyReportDigestRow => ({ id, ticketNumber: `GD-20261122-000${id}`, status: 'requested', breachAt: inDay(1), dueAt: inDay(25), submittedAt: null, ...over });

const input: DutyDigestInput = {
  period,
  asOf,
  timezone: 'Asia/Shanghai',
  repairTermsOf: () => ({ terms: repairTerms, calendar }),
  inspections: [
    job(1, { status: 'done', doneAt: inDay(9), findings: 2 }), // due and done in the period, on time, 2 problems
    job(2, { status: 'done', doneAt: inDay(12) }), // due in the period, done late
    job(3, {}), // due in the period, still open: overdue
    job(4, { dueAt: before(30), status: 'planned', assignee: null }), // due before, never done: overdue
    job(5, { dueAt: before(30), status: 'done', doneAt: inDay(1) }), // due before, done (late) in the period
    job(6, { dueAt: after(30) }), // due later: nothing
    job(7, { status: 'cancelled' }), // cancelled: nothing
  ],
  visits: [
    visit(1, { status: 'done', doneAt: inDay(8) }),
    visit(2, { reason: 'after_fault' }),
    visit(3, { reason: 'after_fault', dueAt: after(48) }),
  ],
  repairs: [
    repair(1, {}), // received two days before: quote (8 h) and sending (2 working days) overdue
    repair(2, { status: 'sent', sentAt: before(40), quotedAt: before(47), costCents: 100 }), // in time
    repair(3, { status: 'returned', sentAt: before(40), quotedAt: before(47), repairedAt: before(5), returnedAt: inDay(3) }), // returned in the period
    repair(4, { status: 'cancelled' }),
  ],
  notices: [notice(1, {}), notice(2, { kind: 'maintenance' }), notice(3, { kind: 'maintenance', postedAt: before(1) }), notice(4, { kind: 'product' })],
  windows: [window(1, {}), window(2, { start: before(1), end: after(1) }), window(3, { cancelledAt: inDay(5) })],
  emergencyReports: [report(1, {}), report(2, { status: 'submitted', submittedAt: inDay(20) }), report(3, { breachAt: before(48), dueAt: before(24) })],
};

describe('the duties’ figures', () => {
  const d = computeDutyDigest(input);

  it('inspections: due 3 (not the cancelled one), done 3 of which 2 late, 2 problems; overdue: the two still open after their due time', () => {
    expect({ ...d.inspections, overdue: d.inspections.overdue.map((x) => x.id) }).toEqual({ due: 3, done: 3, doneLate: 2, problemsFound: 2, overdue: [4, 3] });
    expect(d.inspections.overdue[0]).toEqual({ id: 4, what: '二号线「季度巡检」', dueAt: before(30), holder: null });
  });

  it('follow-ups: due 2 (1 after a fault), done 1; overdue the after-fault one', () => {
    expect({ ...d.followUps, overdue: d.followUps.overdue.map((x) => [x.id, x.what]) }).toEqual({ due: 2, dueAfterFault: 1, done: 1, doneLate: 0, overdue: [[2, '二号线（故障回访）']] });
  });

  it('repairs: two in flight, one returned; the quote and the sending of the first are overdue', () => {
    expect(d.repairs.inFlight).toBe(2);
    expect(d.repairs.returned).toBe(1);
    expect(d.repairs.overdueSteps.map((s) => [s.flowId, s.step])).toEqual([
      [1, '维修周期和费用通告'],
      [1, '送修'],
    ]);
  });

  it('repairs without step limits in the contract: no overdue steps', () => {
    expect(computeDutyDigest({ ...input, repairTermsOf: () => ({ terms: undefined, calendar }) }).repairs.overdueSteps).toEqual([]);
  });

  it('notices: three sent in the period by kind; one window running, one ahead (the cancelled one not)', () => {
    expect(d.notices).toEqual({
      sent: 3,
      byKind: [
        { kind: 'maintenance', label: '计划检修通告', count: 1 },
        { kind: 'security', label: '安全通告', count: 1 },
        { kind: 'product', label: '产品更新通告', count: 1 },
      ],
      windowsActive: 1,
      windowsUpcoming: 1,
    });
  });

  it('emergency reports: two requested in the period, one submitted, one overdue from before', () => {
    expect({ ...d.emergencyReports, overdue: d.emergencyReports.overdue.map((x) => x.id) }).toEqual({ requested: 2, submitted: 1, overdue: [3] });
  });

  it('as chat lines', () => {
    const lines = dutyDigestLines(d, 'Asia/Shanghai');
    expect(lines).toEqual([
      '【定期巡检】本期应完成 3 项，已完成 3 项（逾期完成 2 项），发现问题 2 个；逾期未完成 2 项',
      '· 巡检 #4 二号线「季度巡检」 应于 11月22日 18:00 完成，负责人：未派工',
      '· 巡检 #3 二号线「季度巡检」 应于 11月24日 10:00 完成，负责人：张工',
      '【客户回访】本期应回访 2 次（其中故障回访 1 次），已完成 1 次；逾期未回访 1 次',
      '· 回访 #2 二号线（故障回访） 应于 11月24日 10:00 完成，负责人：客服小刘',
      '【返修】在修 2 件，本期返还 1 件；超时环节 2 个',
      '· GD-20261120-0001 维修周期和费用通告 应于 11月22日 08:00 完成',
      '· GD-20261120-0001 送修 应于 11月24日 18:00 完成',
      '【信息通告】本期发出 3 条（计划检修通告 1、安全通告 1、产品更新通告 1）；检修窗口进行中 1 个，待开始 1 个',
      '【应急响应报告】本期要求 2 份，已提交 1 份；逾期未交 1 份',
      '· GD-20261122-0003 应急响应报告应于 11月23日 00:00 提交',
    ]);
  });

  it('an empty period', () => {
    const empty = computeDutyDigest({ ...input, inspections: [], visits: [], repairs: [], notices: [], windows: [], emergencyReports: [] });
    expect(dutyDigestLines(empty, 'Asia/Shanghai')).toEqual([
      '【定期巡检】本期应完成 0 项，已完成 0 项；逾期未完成 0 项',
      '【客户回访】本期应回访 0 次，已完成 0 次；逾期未回访 0 次',
      '【返修】在修 0 件，本期返还 0 件；超时环节 0 个',
      '【信息通告】本期发出 0 条；检修窗口进行中 0 个，待开始 0 个',
      '【应急响应报告】本期要求 0 份，已提交 0 份；逾期未交 0 份',
    ]);
  });
});

describe('whom a notice reaches', () => {
  const customers = [
    { id: 1, name: '西安地铁二号线运营分公司' },
    { id: 2, name: '西安地铁三号线运营分公司' },
  ];
  const cases: Array<[string, Parameters<typeof noticeRecipients>[0], number | null, object]> = [
    ['all', { all: true }, null, { ok: true, customerIds: [1, 2] }],
    ['the chat’s customer', { here: true }, 2, { ok: true, customerIds: [2] }],
    ['here, from a chat with no customer', { here: true }, null, { ok: false, reason: expect.stringContaining('请写明通告对象') }],
    ['by full name', { customer: '西安地铁三号线运营分公司' }, null, { ok: true, customerIds: [2] }],
    ['by part of one name', { customer: '二号线' }, null, { ok: true, customerIds: [1] }],
    ['by a part of two names', { customer: '西安地铁' }, null, { ok: false, reason: '「西安地铁」对应多个客户：西安地铁二号线运营分公司、西安地铁三号线运营分公司，请写全称。' }],
    ['unknown', { customer: '四号线' }, null, { ok: false, reason: '没有名为「四号线」的客户。' }],
  ];
  it.each(cases)('%s', (_name, target, here, expected) => {
    expect(noticeRecipients(target, customers, here)).toEqual(expected);
  });
  it('nobody to send to', () => {
    expect(noticeRecipients({ all: true }, [], null)).toEqual({ ok: false, reason: '还没有登记任何客户。' });
  });
  it('one delivery key per notice and chat', () => {
    expect(noticeDeliveryKey(3, 7)).toBe('notice:3:chat:7');
  });
});
