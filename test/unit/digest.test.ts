/**
 * The digest's pure part: periods and their keys, when a digest falls due, the
 * figures from hand-made rows (breaches with who held the ticket, what falls due
 * today, response-time percentiles, satisfaction, complaints, engineers), the
 * Chinese text and the chart data.
 *
 * T0 = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import { ContractSchema, type Contract } from '../../src/domain/contract.js';
import {
  ageBucketOf,
  computeDigest,
  countNew,
  countOpen,
  digestChartData,
  digestTimeOfDay,
  latestDue,
  percentile,
  periodContaining,
  periodFromKey,
  postTimeOf,
  renderDigestText,
  timeStats,
  type DigestInput,
  type PlainTicket,
} from '../../src/domain/digest.js';

const contract: Contract = ContractSchema.parse(YAML.parse(readFileSync(fileURLToPath(new URL('../../config/contract.yaml', import.meta.url)), 'utf8')));
const calendar = new BusinessCalendar({ timezone: contract.timezone, ...contract.calendar });
const TZ = 'Asia/Shanghai';
const MIN = 60_000;
const T0 = new Date('2026-11-24T02:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const local = (s: string) => new Date(`${s}+08:00`);

describe('periods', () => {
  it('names days, ISO weeks and months in the contract time zone', () => {
    const d = periodContaining('daily', '2026-11-24', TZ);
    expect(d).toMatchObject({ key: '2026-11-24', label: '2026-11-24（周二）' });
    expect(d.start.toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(d.end.toISOString()).toBe('2026-11-24T16:00:00.000Z');
    const w = periodContaining('weekly', '2026-11-26', TZ);
    expect(w.key).toBe('2026-W48');
    expect(w.start).toEqual(local('2026-11-23T00:00:00'));
    expect(w.end).toEqual(local('2026-11-30T00:00:00'));
    expect(w.label).toBe('2026年第48周（11月23日—11月29日）');
    const m = periodContaining('monthly', '2026-11-30', TZ);
    expect(m).toMatchObject({ key: '2026-11', label: '2026年11月' });
    expect(m.end).toEqual(local('2026-12-01T00:00:00'));
    // ISO week-year: 2027-01-01 is a Friday of week 53 of 2026.
    expect(periodContaining('weekly', '2027-01-01', TZ).key).toBe('2026-W53');
    for (const key of ['2026-11-24', '2026-W48', '2026-11', '2026-W53']) expect(periodFromKey(key, TZ).key).toBe(key);
  });

  it('reads the digest time from DIGEST_CRON and refuses what it cannot post daily', () => {
    expect(digestTimeOfDay('0 9 * * *')).toEqual({ hour: 9, minute: 0 });
    expect(digestTimeOfDay('0 30 8 * * *')).toEqual({ hour: 8, minute: 30 });
    for (const bad of ['0 9 * * 1', '*/5 * * * *', '0 25 * * *', 'nonsense']) expect(() => digestTimeOfDay(bad), bad).toThrow(/DIGEST_CRON/);
  });

  it('knows which digest should have been posted by a moment', () => {
    const nine = { hour: 9, minute: 0 };
    // Tuesday 08:59: yesterday's 09:00 was the last daily (for Sunday 22nd).
    expect(latestDue('daily', local('2026-11-24T08:59:00'), TZ, nine).period.key).toBe('2026-11-22');
    expect(latestDue('daily', local('2026-11-24T09:00:00'), TZ, nine).period.key).toBe('2026-11-23');
    // Weekly on Mondays: Monday 30th 09:00 posts week 48.
    expect(latestDue('weekly', local('2026-11-30T08:59:00'), TZ, nine).period.key).toBe('2026-W47');
    const w = latestDue('weekly', local('2026-11-30T09:00:00'), TZ, nine);
    expect(w.period.key).toBe('2026-W48');
    expect(w.postAt.toJSDate()).toEqual(local('2026-11-30T09:00:00'));
    // Monthly on the 1st.
    expect(latestDue('monthly', local('2026-12-01T09:00:00'), TZ, nine).period.key).toBe('2026-11');
    expect(latestDue('monthly', local('2026-12-01T08:00:00'), TZ, nine).period.key).toBe('2026-10');
    expect(postTimeOf(periodContaining('daily', '2026-11-24', TZ), TZ, nine)).toEqual(local('2026-11-25T09:00:00'));
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    const xs = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(5);
    expect(percentile(xs, 0.9)).toBe(9);
    expect(timeStats([30, 10, 20])).toEqual({ count: 3, medianMinutes: 20, p90Minutes: 30 });
  });
});

const view = { contract, calendar };
function ticket(id: number, over: Partial<PlainTicket> = {}, steps: PlainTicket['steps'] = {}): PlainTicket {
  const reportedAt = over.reportedAt ?? T0;
  return {
    id,
    number: `GD-20261124-${String(id).padStart(4, '0')}`,
    kind: 'fault',
    status: 'acknowledged',
    level: 3,
    hardware: false,
    assignee: '张工',
    reportedAt,
    ...over,
    steps: { reportedAt, ...steps },
  };
}

function input(rows: PlainTicket[], over: Partial<DigestInput> = {}): DigestInput {
  const period = periodContaining('daily', '2026-11-24', TZ);
  const asOf = local('2026-11-25T09:00:00');
  return {
    period,
    asOf,
    timezone: TZ,
    contract,
    contractFor: () => view,
    newCounts: countNew(rows, period),
    ...countOpen(rows, asOf),
    slaTickets: rows,
    handOvers: [],
    pending: [],
    ratings: [],
    openComplaints: [],
    assigned: [],
    resolutions: [],
    ...over,
  };
}

describe('computeDigest', () => {
  it('counts new and open tickets', () => {
    const rows = [
      ticket(1, { level: 1 }),
      ticket(2, { level: 1, status: 'closed' }),
      ticket(3, { level: null, status: 'reported' }),
      ticket(4, { kind: 'consultation', level: null, status: 'resolved' }),
      ticket(5, { kind: 'complaint', level: null, status: 'accepted' }),
      // Reported the week before and still open: open, 7 days or more.
      ticket(6, { reportedAt: local('2026-11-17T10:00:00') }),
    ];
    const d = computeDigest(input(rows));
    expect(d.newTickets.total).toBe(5);
    expect(d.newTickets.byKind.map((k) => [k.label, k.count])).toEqual([['故障', 3], ['咨询', 1], ['投诉', 1]]);
    expect(d.newTickets.byLevel.map((l) => [l.label, l.count])).toEqual([['一级', 2], ['二级', 0], ['三级', 0], ['四级', 0], ['待定', 1]]);
    expect(d.open.total).toBe(5);
    expect(Object.fromEntries(d.open.byStatus.map((s) => [s.label, s.count]))).toEqual({ 待确认: 1, 待派单: 1, 处理中: 2, 待客户确认: 1 });
    expect(d.open.byAge.map((a) => a.count)).toEqual([4, 0, 0, 1]);
    expect(ageBucketOf(local('2026-11-24T09:00:00'), local('2026-11-25T09:00:00'))).toBe('d1to3');
  });

  it('counts each clock as steps done in the period (on time or late) and deadlines passed in it not done, naming who held the ticket', () => {
    const rows = [
      // First response 45 min after the report (limit 30): breached at 10:30, held by 李工 then, transferred to 张工 later.
      ticket(1, { assignee: '张工' }, { acceptedAt: at(2), assignedAt: at(5), acknowledgedAt: at(45) }),
      // Met in 10 minutes.
      ticket(2, {}, { acceptedAt: at(2), assignedAt: at(5), acknowledgedAt: at(10) }),
      // Never acknowledged and not yet assigned: breached, held by nobody; still running.
      ticket(3, { status: 'accepted', assignee: null }, { acceptedAt: at(2) }),
      // Cancelled: no breach.
      ticket(4, { status: 'cancelled', assignee: null }, { acceptedAt: at(2) }),
    ];
    const d = computeDigest(
      input(rows, {
        handOvers: [
          { ticketId: 1, at: at(5), to: '李工' },
          { ticketId: 1, at: at(60), to: '张工' },
        ],
      }),
    );
    const fr = d.breaches.filter((b) => b.clock === 'first_response');
    expect(fr.map((b) => [b.ticketId, b.holder, b.overdueMinutes, b.stoppedAt !== null])).toEqual([
      [1, '李工', 15, true],
      [3, null, Math.round((local('2026-11-25T09:00:00').getTime() - at(30).getTime()) / MIN), false],
    ]);
    expect(fr.map((b) => b.type)).toEqual(['late', 'overdue']);
    const first = d.sla.find((c) => c.clock === 'first_response')!;
    expect(first).toMatchObject({ done: 2, onTime: 1, late: 1, overdue: 1, limit: '30 分钟', limitMinutes: { min: 30, max: 30 } });
    expect(first.times).toEqual({ count: 2, medianMinutes: 10, p90Minutes: 45 });
    expect(d.sla.find((c) => c.clock === 'on_site')!.limit).toBe('按级别 24–48 小时');
    // The text and the chart say the same.
    const text = renderDigestText(d);
    expect(text).toContain('首次响应（30 分钟）：完成 2 次，按时 1、超时 1；另有 1 项到期未完成；用时中位 10分钟，90% 45分钟');
    expect(digestChartData(d).sla.find((c) => c.clock === '首次响应')).toEqual({ clock: '首次响应', onTime: 1, late: 1, overdue: 1 });
    expect(d.engineers.find((e) => e.name === '李工')?.breaches).toBe(1);
  });

  it('lists what falls due today, once per ticket and clock, and the dissatisfied ratings and open complaints', () => {
    const asOf = local('2026-11-25T09:00:00');
    const complaint = {
      ...ticket(9, { kind: 'complaint', status: 'accepted', level: null, assignee: null }, { acceptedAt: at(1) }),
      complainant: '王工',
      content: '工程师一直没来',
      demand: '换个工程师',
      receiver: '客服小刘',
    };
    const d = computeDigest(
      input([], {
        pending: [
          { ticketId: 1, number: 'A', clock: 'on_site', deadlineAt: local('2026-11-25T15:00:00'), assignee: '张工', level: 2 },
          { ticketId: 1, number: 'A', clock: 'on_site', deadlineAt: local('2026-11-25T15:00:00'), assignee: '张工', level: 2 },
          { ticketId: 2, number: 'B', clock: 'first_response', deadlineAt: local('2026-11-25T10:00:00'), assignee: null, level: null },
          { ticketId: 3, number: 'C', clock: 'on_site', deadlineAt: local('2026-11-26T10:00:00'), assignee: null, level: 3 },
          { ticketId: 4, number: 'D', clock: 'confirmation', deadlineAt: local('2026-11-25T12:00:00'), assignee: null, level: 3 },
        ],
        ratings: [
          { ticketId: 5, number: 'E', score: 5, comment: null, at: at(60), engineer: '张工' },
          { ticketId: 6, number: 'F', score: 2, comment: '太慢', at: at(120), engineer: '李工' },
          { ticketId: 7, number: 'G', score: 4, comment: null, at: local('2026-11-25T08:00:00'), engineer: '李工' },
        ],
        openComplaints: [complaint],
        assigned: [
          { engineer: '张工', status: 'acknowledged', count: 2 },
          { engineer: '张工', status: 'assigned', count: 1 },
          { engineer: '李工', status: 'on_site', count: 1 },
        ],
        // 李工 fixed ticket 11 twice (reopened in between) and ticket 12 once: two tickets.
        resolutions: [
          { ticketId: 11, engineer: '李工' },
          { ticketId: 12, engineer: '李工' },
          { ticketId: 13, engineer: null },
        ],
      }),
    );
    expect(d.asOf).toBe(asOf.toISOString());
    expect(d.dueToday.map((x) => [x.number, x.label])).toEqual([['B', '首次响应'], ['A', '到场']]);
    expect(d.satisfaction).toMatchObject({ count: 2, average: 3.5, dissatisfiedAtOrBelow: 2 });
    expect(d.satisfaction.dissatisfied.map((r) => [r.number, r.comment])).toEqual([['F', '太慢']]);
    expect(d.complaints).toHaveLength(1);
    // Received Tuesday 10:00: answered by the end of the second working day (Thursday 18:00).
    expect(d.complaints[0]).toMatchObject({ number: complaint.number, dueAt: local('2026-11-26T18:00:00').toISOString(), overdue: false });
    expect(d.engineers).toEqual([
      { name: '张工', inHand: 2, waiting: 1, resolved: 0, breaches: 0 },
      { name: '李工', inHand: 1, waiting: 0, resolved: 2, breaches: 0 },
    ]);
    expect(d.resolvedTickets).toBe(3);

    const text = renderDigestText(d, { late: true });
    expect(text.split('\n')[0]).toBe('📊 售后服务日报 2026-11-24（周二）（补发）');
    for (const part of ['【新增工单】共 0 件', '【今日到期】2 项', 'B 首次响应 11月25日 10:00 到期，处理人：未派单', '【满意度】平均 3.5 分（2 条评价）；不满意 1 条', 'F 2 分「太慢」，工程师：李工', '【未结投诉】1 件', '张工：在手 2 件，待接单 1 件']) {
      expect(text).toContain(part);
    }
    const chart = digestChartData(d, { late: true });
    expect(chart.title).toBe('售后服务日报 2026-11-24（周二）（补发）');
    expect(chart.satisfaction).toEqual([{ score: 5, count: 1 }, { score: 4, count: 0 }, { score: 3, count: 0 }, { score: 2, count: 1 }, { score: 1, count: 0 }]);
  });

  it('cuts long lists in the text but keeps every item in the figures', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ticket(i + 1, { status: 'accepted', assignee: null }, { acceptedAt: at(1) }));
    const d = computeDigest(input(rows));
    expect(d.breaches.filter((b) => b.clock === 'first_response')).toHaveLength(40);
    const text = renderDigestText(d, { maxItems: 5 });
    expect(text).toMatch(/…另有 \d+ 项/);
    expect(text.split('\n').filter((l) => l.includes('首次响应超时'))).toHaveLength(5);
  });

  it('counts an arrival in the period in the text and the chart alike, though its deadline falls due later', () => {
    // Reported at 10:00, on site at 12:00; the on-site limit (36 h for level 3) ends on the 25th.
    const rows = [ticket(1, { status: 'on_site' }, { acceptedAt: at(1), assignedAt: at(2), acknowledgedAt: at(5), onSiteAt: at(120) })];
    const d = computeDigest(input(rows));
    const onSite = d.sla.find((c) => c.clock === 'on_site')!;
    expect(onSite).toMatchObject({ done: 1, onTime: 1, late: 0, overdue: 0 });
    expect(renderDigestText(d)).toContain('到场（按级别 24–48 小时）：完成 1 次，全部按时；用时中位 2小时');
    expect(digestChartData(d).sla.find((c) => c.clock === '到场')).toEqual({ clock: '到场', onTime: 1, late: 0, overdue: 0 });
  });

  it('counts a late step of a ticket reported days before once, in the period it was done', () => {
    // Reported on the 21st (level 4, 48 h on site): the deadline passed on the 23rd; arrival on the 24th.
    const reportedAt = local('2026-11-21T10:00:00');
    const rows = [ticket(1, { status: 'on_site', level: 4, reportedAt }, { reportedAt, acceptedAt: reportedAt, assignedAt: reportedAt, acknowledgedAt: reportedAt, onSiteAt: at(60) })];
    const day24 = computeDigest(input(rows));
    expect(day24.sla.find((c) => c.clock === 'on_site')).toMatchObject({ done: 1, onTime: 0, late: 1, overdue: 0 });
    expect(day24.breaches.map((b) => [b.type, b.overdueMinutes])).toEqual([['late', 25 * 60]]);
    const day23 = computeDigest({ ...input(rows), period: periodContaining('daily', '2026-11-23', TZ), asOf: local('2026-11-24T09:00:00') });
    expect(day23.sla.find((c) => c.clock === 'on_site')).toMatchObject({ done: 0, overdue: 1 });
    expect(day23.breaches.map((b) => b.type)).toEqual(['overdue']);
  });
});
