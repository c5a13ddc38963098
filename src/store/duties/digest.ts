/**
 * Loads the rows the duties' digest sections need (duties-digest.ts) with
 * bounded, indexed queries: jobs and visits due or done in the period or still
 * open past due, flows open or returned in it, notices posted in it, windows
 * not yet over, emergency reports requested, submitted or owed.
 */
import type { BusinessCalendar } from '../../domain/calendar.js';
import type { RepairTerms } from '../../domain/contract-duties.js';
import { computeDutyDigest, type DutyDigest, type DutyPeriod } from '../../domain/duties-digest.js';
import { NOTICE_KINDS, type NoticeKind } from '../../domain/notice.js';
import { visitRow } from './follow-ups.js';
import { emergencyReportsForPeriod } from './emergency-reports.js';
import { jobRow } from './inspections.js';
import { windowOf } from './notices.js';
import { repairFlowsForPeriod } from './repairs.js';
import { OPEN_JOB_STATUSES, oneOf, type Store } from './rows.js';

export interface DutyDigestOptions {
  period: DutyPeriod;
  asOf: Date;
  timezone: string;
  /** The repair terms and calendar of a customer's contract (null: no customer, the default contract). */
  repairTermsOf: (customerId: number | null) => { terms: RepairTerms | undefined; calendar: BusinessCalendar };
}

export async function loadDutyDigest(db: Store, o: DutyDigestOptions): Promise<DutyDigest> {
  const { period, asOf } = o;
  const inPeriod = { gte: period.start, lt: period.end };
  const jobs = await db.inspectionJob.findMany({
    where: { OR: [{ dueAt: inPeriod }, { doneAt: inPeriod }, { status: { in: [...OPEN_JOB_STATUSES] }, dueAt: { lt: asOf } }] },
    include: { customer: { select: { name: true } }, record: { select: { _count: { select: { findings: true } } } } },
  });
  const visits = await db.followUpVisit.findMany({
    where: { OR: [{ dueAt: inPeriod }, { doneAt: inPeriod }, { status: { in: [...OPEN_JOB_STATUSES] }, dueAt: { lt: asOf } }] },
    include: { customer: { select: { name: true } } },
  });
  const repairs = await repairFlowsForPeriod(db, period.start, period.end);
  const notices = await db.notice.findMany({ where: { postedAt: inPeriod }, select: { id: true, kind: true, postedAt: true, cancelledAt: true } });
  const windows = await db.maintenanceWindow.findMany({ where: { end: { gt: asOf }, OR: [{ cancelledAt: null }, { cancelledAt: { gt: asOf } }] } });
  const reports = await emergencyReportsForPeriod(db, period.start, period.end, asOf);
  return computeDutyDigest({
    period,
    asOf,
    timezone: o.timezone,
    inspections: jobs.map(({ customer, record, ...j }) => {
      const job = jobRow(j);
      return { id: job.id, customer: customer.name, plan: job.plan, dueAt: job.dueAt, status: job.status, doneAt: job.doneAt, findings: record?._count.findings ?? 0, assignee: job.assigneeName };
    }),
    visits: visits.map(({ customer, ...v }) => {
      const visit = visitRow(v);
      return { id: visit.id, customer: customer.name, reason: visit.reason, dueAt: visit.dueAt, status: visit.status, doneAt: visit.doneAt, owner: visit.assigneeName ?? visit.visitorName };
    }),
    repairs,
    repairTermsOf: (row) => o.repairTermsOf(row.customerId),
    notices: notices.map((n) => ({ ...n, kind: oneOf<NoticeKind>(NOTICE_KINDS, n.kind, `Notice ${n.id} kind`) })),
    windows: windows.map(windowOf),
    emergencyReports: reports,
  });
}
