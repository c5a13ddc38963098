/**
 * Emergency response reports in the store: requested once per breach (its key),
 * submitted or amended by the engineer, or written before anyone asked.
 */
import type { Role } from '../../domain/contract.js';
import {
  EMERGENCY_REPORT_STATUSES,
  submitEmergencyReport,
  unpromptedReportKey,
  type EmergencyReportDuty,
  type EmergencyReportStatus,
} from '../../domain/emergency-report.js';
import type { EmergencyReport } from '../generated/sqlite/client.js';
import { oneOf, type Store } from './rows.js';

export interface EmergencyReportRow {
  id: number;
  key: string;
  ticketId: number;
  clock: string | null;
  breachAt: Date | null;
  dueAt: Date | null;
  status: EmergencyReportStatus;
  requestedAt: Date;
  text: string | null;
  submittedAt: Date | null;
  submittedById: number | null;
  submittedByName: string | null;
  late: boolean;
  amendedAt: Date | null;
}

export function reportRow(r: EmergencyReport): EmergencyReportRow {
  const { inboundEventId: _ignored, ...rest } = r;
  return { ...rest, status: oneOf(EMERGENCY_REPORT_STATUSES, r.status, `EmergencyReport ${r.id} status`) };
}

/** Requests the reports owed (emergencyReportsOwed); a breach already requested is left as it is. Returns those this call made. */
export async function requestEmergencyReports(db: Store, duties: readonly EmergencyReportDuty[], now: Date): Promise<EmergencyReportRow[]> {
  const made: EmergencyReportRow[] = [];
  for (const d of duties) {
    if (await db.emergencyReport.findUnique({ where: { key: d.key }, select: { id: true } })) continue;
    const row = await db.emergencyReport.upsert({
      where: { key: d.key },
      update: { key: d.key }, // INSERT … ON CONFLICT: see createInspectionJobs
      create: { key: d.key, ticketId: d.ticketId, clock: d.clock, breachAt: d.breachAt, dueAt: d.dueAt, status: 'requested', requestedAt: now },
    });
    if (row.requestedAt.getTime() === now.getTime()) made.push(reportRow(row));
  }
  return made;
}

export async function emergencyReportsOfTicket(db: Store, ticketId: number): Promise<EmergencyReportRow[]> {
  const rows = await db.emergencyReport.findMany({ where: { ticketId }, orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }] });
  return rows.map(reportRow);
}

export async function findEmergencyReport(db: Store, id: number): Promise<EmergencyReportRow | null> {
  const r = await db.emergencyReport.findUnique({ where: { id } });
  return r && reportRow(r);
}

export type SubmitResult = { ok: true; report: EmergencyReportRow; amend: boolean; late: boolean; unprompted: boolean } | { ok: false; reason: string };

/**
 * Records the report text on the ticket's oldest request still waiting, else
 * amends its latest submitted report, else keeps it as a report nobody asked
 * for (yet).
 */
export async function submitEmergencyReportFor(
  db: Store,
  s: { ticketId: number; actor: { personId: number | null; name: string; role: Role | 'system' }; text: string; at: Date; inboundEventId?: number | null },
): Promise<SubmitResult> {
  const waiting = await db.emergencyReport.findFirst({ where: { ticketId: s.ticketId, status: 'requested' }, orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }] });
  const target = waiting ?? (await db.emergencyReport.findFirst({ where: { ticketId: s.ticketId, status: 'submitted' }, orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }] }));
  const row = target && reportRow(target);
  const d = submitEmergencyReport(row, s.actor, s.text, s.at);
  if (!d.ok) return d;
  const by = { text: d.text, submittedById: s.actor.personId, submittedByName: s.actor.name, inboundEventId: s.inboundEventId ?? null };
  if (!row) {
    const created = await db.emergencyReport.create({
      data: { key: unpromptedReportKey(s.ticketId, s.at), ticketId: s.ticketId, status: 'submitted', requestedAt: s.at, submittedAt: s.at, ...by },
    });
    return { ok: true, report: reportRow(created), amend: false, late: false, unprompted: true };
  }
  const data = d.amend ? { ...by, amendedAt: s.at } : { ...by, status: 'submitted', submittedAt: s.at, late: d.late };
  const claim = await db.emergencyReport.updateMany({ where: { id: row.id, status: row.status }, data });
  if (claim.count !== 1) return { ok: false, reason: '该应急响应报告刚被他人更新，请查询后再试。' };
  return { ok: true, report: reportRow(await db.emergencyReport.findUniqueOrThrow({ where: { id: row.id } })), amend: d.amend, late: d.late, unprompted: false };
}

export async function cancelEmergencyReport(db: Store, id: number): Promise<boolean> {
  const r = await db.emergencyReport.updateMany({ where: { id, status: 'requested' }, data: { status: 'cancelled' } });
  return r.count === 1;
}

/** Reports requested or submitted in [from, to), and those still owed past due at `asOf`. */
export async function emergencyReportsForPeriod(
  db: Store,
  from: Date,
  to: Date,
  asOf: Date,
): Promise<Array<EmergencyReportRow & { ticketNumber: string }>> {
  const rows = await db.emergencyReport.findMany({
    where: { OR: [{ breachAt: { gte: from, lt: to } }, { submittedAt: { gte: from, lt: to } }, { status: 'requested', dueAt: { lt: asOf } }] },
    include: { ticket: { select: { number: true } } },
    orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(({ ticket, ...r }) => ({ ...reportRow(r), ticketNumber: ticket.number }));
}
