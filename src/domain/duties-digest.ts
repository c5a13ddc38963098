/**
 * The managers' digest sections for the planned duties: inspections due, done
 * and overdue; follow-up visits; repairs in flight and their overdue steps;
 * notices sent and maintenance windows; emergency response reports. Figures
 * from plain rows, each counted once in one period, as digest.ts does for
 * tickets. Pure: the period and the moment the figures are taken are passed in.
 *
 * Definitions:
 * - a job or visit is due in the period its due time falls in (cancelled ones not
 *   counted); done in the period its completion falls in (late when after its due time);
 *   overdue when still open at asOf after its due time;
 * - a repair is in flight when its flow is open at asOf; an overdue step is a
 *   step limit passed at asOf and still not done; returned in the period by its return time;
 * - a notice is sent in the period it was posted in; a window is active at asOf
 *   when asOf is inside it, upcoming when it starts after asOf;
 * - an emergency report is requested in the period its breach falls in,
 *   submitted in the period it was submitted in, overdue when requested and past due at asOf.
 */
import type { BusinessCalendar } from './calendar.js';
import type { RepairTerms } from './contract-duties.js';
import type { FollowUpReason, FollowUpStatus } from './follow-up.js';
import type { InspectionStatus } from './inspection.js';
import type { MaintenanceWindow } from './maintenance.js';
import { NOTICE_KINDS, NOTICE_KIND_LABELS, type NoticeKind } from './notice.js';
import { isOpenFlow, overdueRepairSteps, REPAIR_STEP_LABELS, type RepairFlowState } from './repair-return.js';
import type { EmergencyReportStatus } from './emergency-report.js';
import { formatTime } from './wording.js';

export interface DutyPeriod {
  start: Date;
  /** Exclusive. */
  end: Date;
}

export interface InspectionDigestRow {
  id: number;
  customer: string;
  plan: string;
  dueAt: Date;
  status: InspectionStatus;
  doneAt: Date | null;
  /** Problems found on the record (0 when normal or not done). */
  findings: number;
  assignee: string | null;
}

export interface VisitDigestRow {
  id: number;
  customer: string;
  reason: FollowUpReason;
  dueAt: Date;
  status: FollowUpStatus;
  doneAt: Date | null;
  owner: string | null;
}

export interface RepairDigestRow extends RepairFlowState {
  id: number;
  ticketId: number;
  ticketNumber: string;
  /** The ticket's customer (whose contract's step limits apply). */
  customerId: number | null;
  part: string | null;
}

export interface NoticeDigestRow {
  id: number;
  kind: NoticeKind;
  postedAt: Date;
  cancelledAt: Date | null;
}

export interface EmergencyReportDigestRow {
  id: number;
  ticketNumber: string;
  status: EmergencyReportStatus;
  breachAt: Date | null;
  dueAt: Date | null;
  submittedAt: Date | null;
}

export interface DutyDigestInput {
  period: DutyPeriod;
  asOf: Date;
  timezone: string;
  /** Jobs due in the period, done in the period, or open at asOf. */
  inspections: InspectionDigestRow[];
  visits: VisitDigestRow[];
  /** Flows open at asOf or returned in the period. */
  repairs: RepairDigestRow[];
  /** The repair terms and calendar of a flow's contract (its ticket's customer's); no terms: no step limits. */
  repairTermsOf: (row: RepairDigestRow) => { terms: RepairTerms | undefined; calendar: BusinessCalendar };
  notices: NoticeDigestRow[];
  /** Windows not yet ended at asOf, or that ended in the period. */
  windows: MaintenanceWindow[];
  emergencyReports: EmergencyReportDigestRow[];
}

export interface OverdueItem {
  id: number;
  what: string;
  dueAt: Date;
  holder: string | null;
}

export interface DutyDigest {
  inspections: { due: number; done: number; doneLate: number; problemsFound: number; overdue: OverdueItem[] };
  followUps: { due: number; dueAfterFault: number; done: number; doneLate: number; overdue: OverdueItem[] };
  repairs: { inFlight: number; returned: number; overdueSteps: Array<{ flowId: number; ticketNumber: string; step: string; dueAt: Date }> };
  notices: { sent: number; byKind: Array<{ kind: NoticeKind; label: string; count: number }>; windowsActive: number; windowsUpcoming: number };
  emergencyReports: { requested: number; submitted: number; overdue: Array<{ id: number; ticketNumber: string; dueAt: Date }> };
}

const inPeriod = (d: Date | null | undefined, p: DutyPeriod): d is Date => !!d && d >= p.start && d < p.end;
const byDue = <T extends { dueAt: Date }>(a: T, b: T) => a.dueAt.getTime() - b.dueAt.getTime();

export function computeDutyDigest(input: DutyDigestInput): DutyDigest {
  const { period, asOf } = input;
  const open = (s: string) => s === 'planned' || s === 'assigned';

  const ins = input.inspections;
  const insDone = ins.filter((j) => j.status === 'done' && inPeriod(j.doneAt, period));
  const inspections = {
    due: ins.filter((j) => j.status !== 'cancelled' && inPeriod(j.dueAt, period)).length,
    done: insDone.length,
    doneLate: insDone.filter((j) => j.doneAt! > j.dueAt).length,
    problemsFound: insDone.reduce((n, j) => n + j.findings, 0),
    overdue: ins
      .filter((j) => open(j.status) && j.dueAt < asOf)
      .map((j) => ({ id: j.id, what: `${j.customer}「${j.plan}」`, dueAt: j.dueAt, holder: j.assignee }))
      .sort(byDue),
  };

  const vs = input.visits;
  const vDue = vs.filter((v) => v.status !== 'cancelled' && inPeriod(v.dueAt, period));
  const vDone = vs.filter((v) => v.status === 'done' && inPeriod(v.doneAt, period));
  const followUps = {
    due: vDue.length,
    dueAfterFault: vDue.filter((v) => v.reason === 'after_fault').length,
    done: vDone.length,
    doneLate: vDone.filter((v) => v.doneAt! > v.dueAt).length,
    overdue: vs
      .filter((v) => open(v.status) && v.dueAt < asOf)
      .map((v) => ({ id: v.id, what: `${v.customer}${v.reason === 'after_fault' ? '（故障回访）' : ''}`, dueAt: v.dueAt, holder: v.owner }))
      .sort(byDue),
  };

  const inFlight = input.repairs.filter((r) => isOpenFlow(r.status) && r.receivedAt <= asOf);
  const repairs = {
    inFlight: inFlight.length,
    returned: input.repairs.filter((r) => r.status === 'returned' && inPeriod(r.returnedAt, period)).length,
    overdueSteps: inFlight
      .flatMap((r) => {
        const { terms, calendar } = input.repairTermsOf(r);
        return terms ? overdueRepairSteps(r, terms, calendar, asOf).map((d) => ({ flowId: r.id, ticketNumber: r.ticketNumber, step: REPAIR_STEP_LABELS[d.step], dueAt: d.dueAt })) : [];
      })
      .sort(byDue),
  };

  const sent = input.notices.filter((n) => inPeriod(n.postedAt, period) && !(n.cancelledAt && n.cancelledAt <= n.postedAt));
  const live = input.windows.filter((w) => !w.cancelledAt || w.cancelledAt > asOf);
  const notices = {
    sent: sent.length,
    byKind: NOTICE_KINDS.map((kind) => ({ kind, label: NOTICE_KIND_LABELS[kind], count: sent.filter((n) => n.kind === kind).length })).filter((k) => k.count > 0),
    windowsActive: live.filter((w) => w.start <= asOf && asOf < w.end).length,
    windowsUpcoming: live.filter((w) => w.start > asOf).length,
  };

  const er = input.emergencyReports;
  const emergencyReports = {
    requested: er.filter((r) => r.status !== 'cancelled' && inPeriod(r.breachAt, period)).length,
    submitted: er.filter((r) => r.status === 'submitted' && inPeriod(r.submittedAt, period)).length,
    overdue: er
      .filter((r): r is EmergencyReportDigestRow & { dueAt: Date } => r.status === 'requested' && r.dueAt !== null && r.dueAt < asOf)
      .map((r) => ({ id: r.id, ticketNumber: r.ticketNumber, dueAt: r.dueAt }))
      .sort(byDue),
  };

  return { inspections, followUps, repairs, notices, emergencyReports };
}

/** The sections as chat lines in Chinese, to follow the ticket sections of the digest text. */
export function dutyDigestLines(d: DutyDigest, timezone: string, maxItems = 30): string[] {
  const lines: string[] = [];
  const fmt = (at: Date) => formatTime(at, timezone);
  const list = <T>(items: T[], line: (x: T) => string) => {
    for (const x of items.slice(0, maxItems)) lines.push(`· ${line(x)}`);
    if (items.length > maxItems) lines.push(`· …另有 ${items.length - maxItems} 项`);
  };
  const i = d.inspections;
  lines.push(`【定期巡检】本期应完成 ${i.due} 项，已完成 ${i.done} 项${i.doneLate ? `（逾期完成 ${i.doneLate} 项）` : ''}${i.problemsFound ? `，发现问题 ${i.problemsFound} 个` : ''}；逾期未完成 ${i.overdue.length} 项`);
  list(i.overdue, (x) => `巡检 #${x.id} ${x.what} 应于 ${fmt(x.dueAt)} 完成，负责人：${x.holder ?? '未派工'}`);
  const f = d.followUps;
  lines.push(`【客户回访】本期应回访 ${f.due} 次${f.dueAfterFault ? `（其中故障回访 ${f.dueAfterFault} 次）` : ''}，已完成 ${f.done} 次${f.doneLate ? `（逾期完成 ${f.doneLate} 次）` : ''}；逾期未回访 ${f.overdue.length} 次`);
  list(f.overdue, (x) => `回访 #${x.id} ${x.what} 应于 ${fmt(x.dueAt)} 完成，负责人：${x.holder ?? '未指定'}`);
  const r = d.repairs;
  lines.push(`【返修】在修 ${r.inFlight} 件，本期返还 ${r.returned} 件；超时环节 ${r.overdueSteps.length} 个`);
  list(r.overdueSteps, (x) => `${x.ticketNumber} ${x.step} 应于 ${fmt(x.dueAt)} 完成`);
  const n = d.notices;
  lines.push(`【信息通告】本期发出 ${n.sent} 条${n.byKind.length ? `（${n.byKind.map((k) => `${k.label} ${k.count}`).join('、')}）` : ''}；检修窗口进行中 ${n.windowsActive} 个，待开始 ${n.windowsUpcoming} 个`);
  const e = d.emergencyReports;
  lines.push(`【应急响应报告】本期要求 ${e.requested} 份，已提交 ${e.submitted} 份；逾期未交 ${e.overdue.length} 份`);
  list(e.overdue, (x) => `${x.ticketNumber} 应急响应报告应于 ${fmt(x.dueAt)} 提交`);
  return lines;
}
