/**
 * The duties' store against real databases: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL is reachable (concurrent transactions for real there).
 * Jobs and visits made once per key even by two sweeps at once; records,
 * findings linked to tickets; notices delivered once per chat; windows found
 * by time and customer; repair steps and emergency reports; duty timers
 * re-planned and claimed once; the digest's loader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import type { RepairTerms } from '../../src/domain/contract-duties.js';
import { faultVisitKey } from '../../src/domain/follow-up.js';
import { inspectionJobsToMake, inspectionRecord, inspectionTimerPlan } from '../../src/domain/inspection.js';
import { emergencyReportKey } from '../../src/domain/emergency-report.js';
import { windowsCovering } from '../../src/domain/maintenance.js';
import type { InspectionPlan } from '../../src/domain/customer-plans.js';
import {
  activeWindows,
  addVisitTickets,
  assignInspectionJob,
  cancelNotice,
  claimDutyTimers,
  claimInspectionAnnouncement,
  claimNoticeDelivery,
  CorruptRowError,
  createFollowUpVisits,
  createInspectionJobs,
  createNotice,
  dueDutyTimers,
  dutyTimersOf,
  emergencyReportsOfTicket,
  findFollowUpVisit,
  findInspectionJob,
  findingOfTicket,
  findNotice,
  inspectionJobsDueBetween,
  inspectionKeysOf,
  linkFindingToTicket,
  loadDutyDigest,
  maintenanceReportsOf,
  noticesBetween,
  openInspectionJobs,
  openRepairFlow,
  planDutyTimers,
  recordFollowUpVisit,
  recordInspection,
  recordMaintenanceReport,
  recordRepairStep,
  repairFlowsOfTicket,
  requestEmergencyReports,
  setDeliveryOutbox,
  submitEmergencyReportFor,
  visitAfterTicket,
  visitKeysOf,
  windowWithNotice,
} from '../../src/store/duties/index.js';
import type { Provider } from '../../src/store/migrate.js';
import type { Db } from '../../src/store/types.js';
import { freshStore, pgReachable, type TestStore } from '../support/store.js';

const pg = await pgReachable();
if (!pg) console.warn('[store-duties.test] PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set or not reachable.');

const calendar = new BusinessCalendar({ timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' });
const T0 = new Date('2026-11-24T02:00:00Z');
const H = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * H);
const MEDIA = ['硬盘', '磁盘', '存储'];
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
const plan: InspectionPlan = {
  name: '季度巡检-中心机房',
  systems: ['服务器', '交换机', 'UPS'],
  every: 'quarterly',
  from: '2026-01-15',
  checklist: ['服务器硬件告警灯', '交换机端口与风扇', 'UPS电池电压'],
};
const planCtx = {
  terms: { leadTime: { days: 14 }, remindBefore: [{ days: 3 }], remind: ['assignee' as const], overdueNotify: ['manager' as const], onNonWorkingDay: 'next' as const, assignment: 'rota' as const, problemLevel: 4 as const },
  calendar,
  workdayEnd: '18:00',
};

interface World {
  customerId: number;
  otherCustomerId: number;
  chatId: number;
  engineerId: number;
  ticket(n: number, o?: { device?: string; kind?: string }): Promise<number>;
}

async function world(db: Db): Promise<World> {
  const customer = await db.customer.create({ data: { name: '西安地铁二号线运营分公司' } });
  const other = await db.customer.create({ data: { name: '西安地铁三号线运营分公司' } });
  const chat = await db.chat.create({ data: { channel: 'sandbox', platformId: 'demo', customerId: customer.id } });
  const reporter = await db.person.create({ data: { channel: 'sandbox', platformId: 'c1', name: '王工' } });
  const engineer = await db.person.create({ data: { channel: 'sandbox', platformId: 'e1', name: '张工', role: 'engineer' } });
  return {
    customerId: customer.id,
    otherCustomerId: other.id,
    chatId: chat.id,
    engineerId: engineer.id,
    async ticket(n, o = {}) {
      const t = await db.ticket.create({
        data: {
          number: `GD-20261124-${String(n).padStart(4, '0')}`,
          kind: o.kind ?? 'fault',
          status: 'on_site',
          chatId: chat.id,
          reporterId: reporter.id,
          customerId: customer.id,
          content: '工作站无法开机',
          device: o.device ?? '工作站',
          hardware: true,
          reportedAt: T0,
          contractHash: 'test',
        },
      });
      return t.id;
    },
  };
}

for (const provider of ['sqlite', 'postgresql'] as const satisfies readonly Provider[]) {
  describe.skipIf(provider === 'postgresql' && !pg)(`duties store (${provider})`, () => {
    let store: TestStore;
    let db: Db;
    let w: World;
    beforeAll(async () => {
      store = await freshStore(provider, 'duties');
      db = store.db;
      w = await world(db);
    });
    afterAll(async () => store?.close());

    it('inspection jobs: made once per key, even by two sweeps at once', async () => {
      const now = new Date('2026-04-02T00:00:00Z');
      const drafts = inspectionJobsToMake({ id: w.customerId, inspections: [plan] }, planCtx, now, await inspectionKeysOf(db, w.customerId));
      expect(drafts.map((d) => d.periodKey)).toEqual(['2026-01', '2026-04']);
      const [a, b] = await Promise.all([
        db.$transaction((tx) => createInspectionJobs(tx, drafts, now)),
        db.$transaction((tx) => createInspectionJobs(tx, drafts, now)),
      ]);
      expect(a.length + b.length).toBeGreaterThanOrEqual(2);
      expect(await db.inspectionJob.count({ where: { customerId: w.customerId } })).toBe(2);
      expect(await createInspectionJobs(db, drafts, new Date(now.getTime() + 1000))).toEqual([]);
      expect(inspectionJobsToMake({ id: w.customerId, inspections: [plan] }, planCtx, now, await inspectionKeysOf(db, w.customerId))).toEqual([]);
      const job = (await openInspectionJobs(db, { customerId: w.customerId }))[0]!;
      expect(job).toMatchObject({ plan: plan.name, periodKey: '2026-01', dueDate: '2026-01-15', status: 'planned', systems: plan.systems, checklist: plan.checklist });
    });

    it('an inspection: assigned, announced once, recorded once; each finding opens one ticket', async () => {
      const job = (await openInspectionJobs(db, { customerId: w.customerId }))[0]!;
      expect(await assignInspectionJob(db, job.id, { assigneeId: w.engineerId, assigneeName: '张工', by: 'rota' }, at(0))).toBe(true);
      expect(await openInspectionJobs(db, { assigneeId: w.engineerId })).toHaveLength(1);
      expect(await claimInspectionAnnouncement(db, job.id, at(0))).toBe(true);
      expect(await claimInspectionAnnouncement(db, job.id, at(1))).toBe(false);

      const draft = inspectionRecord(job, { outcome: 'problems', problems: ['UPS电池鼓包', '机柜门锁损坏'], note: '其余正常' });
      const by = { inspectorId: w.engineerId, inspectorName: '张工', at: at(2) };
      // Two at once: the status change is the claim, so one records and the other is told it is done.
      const results = await Promise.all([1, 2].map(() => db.$transaction((tx) => recordInspection(tx, job.id, draft, by))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const ok = results.find((r) => r.ok)!;
      if (!ok.ok) throw new Error('unreachable');
      expect(ok.job).toMatchObject({ status: 'done', doneAt: at(2) });
      expect(ok.record).toMatchObject({ outcome: 'problems', inspectorName: '张工', note: '其余正常', summary: '发现 2 个问题：UPS电池鼓包；机柜门锁损坏' });
      expect(ok.record.checklist.find((c) => c.item === 'UPS电池电压')).toEqual({ item: 'UPS电池电压', ok: false, problem: 'UPS电池鼓包' });
      expect(ok.record.findings.map((f) => [f.seq, f.device, f.ticketId])).toEqual([
        [1, 'UPS', null],
        [2, null, null],
      ]);
      expect(await recordInspection(db, job.id, draft, by)).toEqual({ ok: false, reason: 'done' });
      expect(await recordInspection(db, 99_999, draft, by)).toEqual({ ok: false, reason: 'missing' });
      expect(await assignInspectionJob(db, job.id, { assigneeId: null, assigneeName: '李工', by: 'manager' }, at(3))).toBe(false);

      const ticketId = await w.ticket(101, { device: 'UPS' });
      const finding = ok.record.findings[0]!;
      expect(await linkFindingToTicket(db, finding.id, ticketId)).toBe(true);
      expect(await linkFindingToTicket(db, finding.id, ticketId)).toBe(false);
      expect(await findingOfTicket(db, ticketId)).toMatchObject({ finding: { seq: 1, text: 'UPS电池鼓包', ticketId }, job: { id: job.id, plan: plan.name } });

      const listed = await inspectionJobsDueBetween(db, new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));
      expect(listed.map((j) => [j.customer, j.status, j.record?.findings.length])).toEqual([['西安地铁二号线运营分公司', 'done', 2]]);
      expect((await findInspectionJob(db, job.id))!.announcedAt).toEqual(at(0));
    });

    it('follow-up visits: made once, recorded once, linked to the tickets its notes opened', async () => {
      const ticketId = await w.ticket(102);
      const draft = { key: faultVisitKey(ticketId), customerId: w.customerId, reason: 'after_fault' as const, ticketId, periodKey: null, dueAt: at(100), makeAt: at(0), owner: { role: 'desk' as const } };
      const [a, b] = await Promise.all([db.$transaction((tx) => createFollowUpVisits(tx, [draft], at(0))), db.$transaction((tx) => createFollowUpVisits(tx, [draft], at(0)))]);
      expect(a.length + b.length).toBeGreaterThanOrEqual(1);
      expect(await db.followUpVisit.count({ where: { key: draft.key } })).toBe(1);
      expect((await visitKeysOf(db, w.customerId)).has(draft.key)).toBe(true);
      const visit = (await visitAfterTicket(db, ticketId))!;
      expect(visit).toMatchObject({ reason: 'after_fault', status: 'planned', owner: { role: 'desk' }, ticketIds: [] });
      const r = await recordFollowUpVisit(db, visit.id, { visitorId: null, visitorName: '客服小刘', notes: '客户满意；希望增加一台备用交换机', at: at(50) });
      expect(r).toMatchObject({ ok: true, visit: { status: 'done', doneAt: at(50), notes: '客户满意；希望增加一台备用交换机' } });
      expect(await recordFollowUpVisit(db, visit.id, { visitorId: null, visitorName: '客服小刘', notes: 'x', at: at(51) })).toEqual({ ok: false, reason: 'done' });
      const t2 = await w.ticket(103, { kind: 'consultation' });
      await addVisitTickets(db, visit.id, [t2]);
      expect((await addVisitTickets(db, visit.id, [t2])).ticketIds).toEqual([t2]);
      expect((await findFollowUpVisit(db, visit.id))!.ticketIds).toEqual([t2]);
    });

    it('notices: a maintenance window with its notice, delivered once per chat, found by time and customer, cancelled', async () => {
      const n = await createNotice(db, {
        kind: 'maintenance',
        customerId: w.customerId,
        text: '12月5日 01:00-05:00 服务器升级',
        authorId: null,
        authorName: '李经理',
        source: 'chat',
        postedAt: at(0),
        window: { start: at(10), end: at(14), systems: ['服务器'], allSystems: false, stations: [] },
      });
      expect(n.window).toMatchObject({ customerId: w.customerId, start: at(10), end: at(14), systems: ['服务器'], stations: [] });
      const everyone = await createNotice(db, { kind: 'security', customerId: null, text: '请修补漏洞', authorId: null, authorName: '李经理', source: 'dashboard', postedAt: at(1) });
      await expect(createNotice(db, { kind: 'security', customerId: null, text: 'x', authorId: null, authorName: 'x', source: 'chat', postedAt: at(1), window: { start: at(1), end: at(2), systems: [], allSystems: true, stations: [] } })).rejects.toThrow(/maintenance/);

      const [c1, c2] = await Promise.all([db.$transaction((tx) => claimNoticeDelivery(tx, n.id, w.chatId, at(0))), db.$transaction((tx) => claimNoticeDelivery(tx, n.id, w.chatId, at(0)))]);
      // Exactly one of two concurrent claims at the same instant posts it.
      expect([c1, c2].filter((x) => x !== null)).toHaveLength(1);
      expect(await claimNoticeDelivery(db, n.id, w.chatId, at(5))).toBeNull();
      await setDeliveryOutbox(db, (c1 ?? c2)!, 42);
      expect((await findNotice(db, n.id))!.deliveries).toBe(1);
      expect((await noticesBetween(db, at(-1), at(2))).map((x) => x.id)).toEqual([everyone.id, n.id]);
      expect((await noticesBetween(db, at(-1), at(2), { kind: 'security' })).map((x) => x.id)).toEqual([everyone.id]);

      expect(await activeWindows(db, at(9), w.customerId)).toEqual([]);
      const inside = await activeWindows(db, at(11), w.customerId);
      expect(inside.map((x) => x.id)).toEqual([n.window!.id]);
      expect(await activeWindows(db, at(11), w.otherCustomerId)).toEqual([]);
      expect(await activeWindows(db, at(14), w.customerId)).toEqual([]);
      expect(windowsCovering({ at: at(11), customerId: w.customerId, device: '服务器', site: null }, inside).map((x) => x.certain)).toEqual([true]);

      const ticketId = await w.ticket(104, { device: '服务器' });
      const report = { windowId: n.window!.id, ticketId, chatId: w.chatId, text: '服务器连不上了', at: at(11) };
      expect(await recordMaintenanceReport(db, report)).toBe(true);
      expect(await recordMaintenanceReport(db, report)).toBe(false);
      expect(await recordMaintenanceReport(db, { ...report, ticketId: null, text: '系统好像不行了' })).toBe(true);
      expect((await maintenanceReportsOf(db, n.window!.id)).map((r) => r.ticketId)).toEqual([ticketId, null]);
      expect((await windowWithNotice(db, n.window!.id))!.notice!.text).toBe('12月5日 01:00-05:00 服务器升级');

      expect(await cancelNotice(db, n.id, at(12))).toBe(true);
      expect(await cancelNotice(db, n.id, at(12))).toBe(false);
      expect(await activeWindows(db, at(12.5), w.customerId)).toEqual([]);
      expect((await activeWindows(db, at(11), w.customerId)).map((x) => x.cancelledAt)).toEqual([at(12)]);
    });

    it('repair and return: each step with who and when; a refused step changes nothing; two at once apply once', async () => {
      const ticketId = await w.ticket(105);
      const ticket = { id: ticketId, ref: '#105', kind: 'fault' as const, device: '工作站' };
      const actor = { personId: w.engineerId, name: '张工', role: 'engineer' as const };
      const step = (action: Parameters<typeof recordRepairStep>[1]['action'], hours: number) => recordRepairStep(db, { ticket, action, actor, at: at(hours), magneticMedia: MEDIA });

      expect(await step({ step: 'sent' }, 0)).toEqual({ ok: false, reason: '#105 没有进行中的返修，请先登记「收到故障件 #105」。' });
      // Two at once: either may lose, by the state machine's refusal or (PostgreSQL) by the unique (ticket, seq),
      // which fails its transaction; the service's event transaction is retried on it and then refused.
      const lost = (e: unknown) => ({ ok: false as const, reason: `lost the race: ${String(e).slice(0, 80)}` });
      const received = await Promise.all(
        [1, 2].map(() => db.$transaction((tx) => recordRepairStep(tx, { ticket, action: { step: 'received', part: '电源模块' }, actor, at: at(1), magneticMedia: MEDIA })).catch(lost)),
      );
      expect(received.filter((r) => r.ok)).toHaveLength(1);
      expect(await db.repairFlow.count({ where: { ticketId } })).toBe(1);

      expect(await step({ step: 'repaired' }, 2)).toMatchObject({ ok: false, reason: expect.stringContaining('尚未送修') });
      expect(await step({ step: 'quoted', costCents: 120000, periodDays: 10 }, 3)).toMatchObject({ ok: true, tellCustomer: true, flow: { status: 'received', costCents: 120000, periodDays: 10, quotedAt: at(3) } });
      const sentTwice = await Promise.all(
        [1, 2].map(() => db.$transaction((tx) => recordRepairStep(tx, { ticket, action: { step: 'sent' }, actor, at: at(4), magneticMedia: MEDIA })).catch(lost)),
      );
      expect(sentTwice.filter((r) => r.ok)).toHaveLength(1);
      expect(await step({ step: 'repaired', note: '更换电容' }, 100)).toMatchObject({ ok: true, tellCustomer: false, flow: { status: 'repaired' } });
      expect(await step({ step: 'returned', note: '王工签收' }, 120)).toMatchObject({ ok: true, tellCustomer: true, flow: { status: 'returned', returnedAt: at(120) } });
      expect(await openRepairFlow(db, ticketId)).toBeNull();

      const flows = await repairFlowsOfTicket(db, ticketId);
      expect(flows).toHaveLength(1);
      expect(flows[0]!.steps.map((s) => [s.step, s.actorName, (s.at.getTime() - T0.getTime()) / H])).toEqual([
        ['received', '张工', 1],
        ['quoted', '张工', 3],
        ['sent', '张工', 4],
        ['repaired', '张工', 100],
        ['returned', '张工', 120],
      ]);
      // A second part of the same ticket: a new flow.
      expect(await step({ step: 'received', part: '主板' }, 130)).toMatchObject({ ok: true, flow: { seq: 2, part: '主板' } });
      expect(await step({ step: 'received', part: '硬盘' }, 131)).toMatchObject({ ok: false });
    });

    it('emergency reports: requested once per breach, submitted (late), amended; written unasked', async () => {
      const ticketId = await w.ticket(106);
      const duty = { key: emergencyReportKey(ticketId, 'resolve_or_replace', at(28)), ticketId, clock: 'resolve_or_replace', label: '修复或更换备件', breachAt: at(28), dueAt: at(52) };
      const [a, b] = await Promise.all([db.$transaction((tx) => requestEmergencyReports(tx, [duty], at(29))), db.$transaction((tx) => requestEmergencyReports(tx, [duty], at(29)))]);
      expect(a.length + b.length).toBeGreaterThanOrEqual(1);
      expect(await requestEmergencyReports(db, [duty], at(30))).toEqual([]);
      const actor = { personId: w.engineerId, name: '张工', role: 'engineer' as const };
      const late = await submitEmergencyReportFor(db, { ticketId, actor, text: '已启用备机恢复业务，电源模块损坏', at: at(60) });
      expect(late).toMatchObject({ ok: true, late: true, amend: false, unprompted: false, report: { status: 'submitted', late: true, submittedAt: at(60), submittedByName: '张工' } });
      const amended = await submitEmergencyReportFor(db, { ticketId, actor, text: '补充：原件已送修', at: at(61) });
      expect(amended).toMatchObject({ ok: true, amend: true, report: { text: '补充：原件已送修', submittedAt: at(60), amendedAt: at(61) } });
      expect(await submitEmergencyReportFor(db, { ticketId, actor: { ...actor, role: 'customer' }, text: '客户写的报告内容', at: at(62) })).toEqual({ ok: false, reason: '应急响应报告由服务工程师提交。' });

      const other = await w.ticket(107);
      expect(await submitEmergencyReportFor(db, { ticketId: other, actor, text: '突发停电，已启动应急预案', at: at(5) })).toMatchObject({ ok: true, unprompted: true, report: { status: 'submitted', clock: null, dueAt: null } });
      expect((await emergencyReportsOfTicket(db, ticketId)).map((r) => r.status)).toEqual(['submitted']);
    });

    it('duty timers: planned by reconciling, claimed once by two replicas, marked late; done cancels', async () => {
      // April's job (January's was done above).
      const job = (await openInspectionJobs(db, { customerId: w.customerId }))[0]!;
      expect(job.periodKey).toBe('2026-04');
      const plan1 = inspectionTimerPlan(job, [{ days: 3 }, { days: 1 }], calendar);
      const before = new Date(job.dueAt.getTime() - 5 * 24 * H);
      expect(await planDutyTimers(db, 'inspection', job.id, plan1, before)).toEqual({ created: 3, cancelled: 0, revived: 0 });
      expect(await planDutyTimers(db, 'inspection', job.id, plan1, before)).toEqual({ created: 0, cancelled: 0, revived: 0 });
      await expect(planDutyTimers(db, 'follow_up', job.id, plan1, before)).rejects.toThrow(/not of follow_up/);

      const afterDue = new Date(job.dueAt.getTime() + 10 * 60_000);
      const due = await dueDutyTimers(db, afterDue);
      expect(due.map((t) => [t.subjectId, t.stage])).toEqual([
        [job.id, 'remind_3d'],
        [job.id, 'remind_1d'],
        [job.id, 'overdue'],
      ]);
      const ids = due.map((t) => t.id);
      const [r1, r2] = await Promise.all([db.$transaction((tx) => claimDutyTimers(tx, ids, afterDue)), db.$transaction((tx) => claimDutyTimers(tx, ids, afterDue))]);
      expect(r1.length + r2.length).toBe(ids.length);
      expect(new Set([...r1, ...r2].map((t) => t.id)).size).toBe(ids.length);
      const overdue = [...r1, ...r2].find((t) => t.stage === 'overdue')!;
      expect(overdue).toMatchObject({ state: 'fired', firedAt: afterDue, late: true });
      expect(await dueDutyTimers(db, afterDue)).toEqual([]);

      // July's job: planned, then done before its reminders: the pending ones are cancelled.
      const [july] = await createInspectionJobs(
        db,
        inspectionJobsToMake({ id: w.customerId, inspections: [plan] }, planCtx, new Date('2026-07-02T00:00:00Z'), await inspectionKeysOf(db, w.customerId)),
        new Date('2026-07-02T00:00:00Z'),
      );
      expect(july!.periodKey).toBe('2026-07');
      const julyBefore = new Date(july!.dueAt.getTime() - 5 * 24 * H);
      await planDutyTimers(db, 'inspection', july!.id, inspectionTimerPlan(july!, [{ days: 3 }], calendar), julyBefore);
      expect(await planDutyTimers(db, 'inspection', july!.id, inspectionTimerPlan({ ...july!, status: 'done' }, [{ days: 3 }], calendar), julyBefore)).toEqual({ created: 0, cancelled: 2, revived: 0 });
      expect((await dutyTimersOf(db, 'inspection', july!.id)).map((t) => t.state)).toEqual(['cancelled', 'cancelled']);
    });

    it('the digest loader counts what the rows say', async () => {
      // Monday 23 Nov to Tuesday 1 Dec (Shanghai), the figures taken at its end.
      const period = { start: new Date('2026-11-22T16:00:00Z'), end: new Date('2026-12-01T16:00:00Z') };
      const d = await loadDutyDigest(db, { period, asOf: period.end, timezone: 'Asia/Shanghai', repairTermsOf: () => ({ terms: repairTerms, calendar }) });
      // January's job done (late) in the period with 2 problems; April's and July's still open, overdue.
      expect({ ...d.inspections, overdue: d.inspections.overdue.length }).toEqual({ due: 0, done: 1, doneLate: 1, problemsFound: 2, overdue: 2 });
      // The visit after #102, due and done in the period.
      expect(d.followUps).toEqual({ due: 1, dueAfterFault: 1, done: 1, doneLate: 0, overdue: [] });
      // #105's first part returned on 29 Nov; its second, received that evening, is neither quoted (8 h) nor sent (2 working days).
      expect(d.repairs.inFlight).toBe(1);
      expect(d.repairs.returned).toBe(1);
      expect(d.repairs.overdueSteps.map((x) => x.step)).toEqual(['维修周期和费用通告', '送修']);
      // Two notices posted; the window is over.
      expect(d.notices).toMatchObject({ sent: 2, windowsActive: 0, windowsUpcoming: 0 });
      // #106's report requested and submitted; #107's written unasked.
      expect(d.emergencyReports).toEqual({ requested: 1, submitted: 2, overdue: [] });
    });

    it('a row written with an unknown status is reported, not cast', async () => {
      const job = (await openInspectionJobs(db, { customerId: w.customerId }))[0]!;
      await db.inspectionJob.update({ where: { id: job.id }, data: { status: 'paused' } });
      await expect(findInspectionJob(db, job.id)).rejects.toThrow(CorruptRowError);
      await expect(findInspectionJob(db, job.id)).rejects.toThrow(`InspectionJob ${job.id} status: "paused" is not one of planned, assigned, done, cancelled`);
      await db.inspectionJob.update({ where: { id: job.id }, data: { status: job.status } });
    });
  });
}
