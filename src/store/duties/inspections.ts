/**
 * Inspection jobs and their records in the store: made once per key (a sweep
 * run by two replicas at once makes each job once), assigned, announced once,
 * done once with the record and its findings, each finding linked to the fault
 * ticket it opened.
 */
import { INSPECTION_STATUSES, type InspectionJobDraft, type InspectionOutcome, type InspectionRecordDraft, type InspectionStatus, type ChecklistItemResult } from '../../domain/inspection.js';
import type { InspectionJob, InspectionRecord, InspectionFinding } from '../generated/sqlite/client.js';
import { CorruptRowError, OPEN_JOB_STATUSES, oneOf, stringArray, type Store } from './rows.js';

export interface InspectionJobRow {
  id: number;
  key: string;
  customerId: number;
  plan: string;
  periodKey: string;
  dueDate: string;
  dueAt: Date;
  systems: string[];
  checklist: string[];
  status: InspectionStatus;
  assigneeId: number | null;
  assigneeName: string | null;
  assignedBy: 'plan' | 'rota' | 'manager' | null;
  assignedAt: Date | null;
  announcedAt: Date | null;
  doneAt: Date | null;
  cancelledAt: Date | null;
  createdAt: Date;
}

export interface InspectionFindingRow {
  id: number;
  seq: number;
  text: string;
  device: string | null;
  checklistItem: string | null;
  ticketId: number | null;
}

export interface InspectionRecordRow {
  id: number;
  jobId: number;
  inspectorId: number | null;
  inspectorName: string;
  outcome: InspectionOutcome;
  checklist: ChecklistItemResult[];
  note: string | null;
  summary: string;
  at: Date;
  findings: InspectionFindingRow[];
}

export function jobRow(r: InspectionJob): InspectionJobRow {
  return {
    ...r,
    systems: stringArray(r.systems),
    checklist: stringArray(r.checklist),
    status: oneOf(INSPECTION_STATUSES, r.status, `InspectionJob ${r.id} status`),
    assignedBy: r.assignedBy === null ? null : oneOf(['plan', 'rota', 'manager'] as const, r.assignedBy, `InspectionJob ${r.id} assignedBy`),
  };
}

function checklistOf(json: string, where: string): ChecklistItemResult[] {
  try {
    const v: unknown = JSON.parse(json);
    if (!Array.isArray(v)) throw new Error('not an array');
    return v.map((x: { item?: unknown; ok?: unknown; problem?: unknown }) => ({
      item: String(x.item),
      ok: x.ok === true,
      ...(typeof x.problem === 'string' ? { problem: x.problem } : {}),
    }));
  } catch (e) {
    throw new CorruptRowError(`${where}: ${(e as Error).message}`);
  }
}

export function recordRow(r: InspectionRecord & { findings: InspectionFinding[] }): InspectionRecordRow {
  return {
    id: r.id,
    jobId: r.jobId,
    inspectorId: r.inspectorId,
    inspectorName: r.inspectorName,
    outcome: oneOf(['normal', 'problems'] as const, r.outcome, `InspectionRecord ${r.id} outcome`),
    checklist: checklistOf(r.checklist, `InspectionRecord ${r.id} checklist`),
    note: r.note,
    summary: r.summary,
    at: r.at,
    findings: [...r.findings].sort((a, b) => a.seq - b.seq).map((f) => ({ id: f.id, seq: f.seq, text: f.text, device: f.device, checklistItem: f.checklistItem, ticketId: f.ticketId })),
  };
}

/** The keys of every job made for a customer (to leave out of the next sweep). */
export async function inspectionKeysOf(db: Store, customerId: number): Promise<Set<string>> {
  const rows = await db.inspectionJob.findMany({ where: { customerId }, select: { key: true } });
  return new Set(rows.map((r) => r.key));
}

/**
 * Makes the drafted jobs; a key already stored (made meanwhile by another
 * replica) is left as it is. Returns the jobs this call made.
 */
export async function createInspectionJobs(db: Store, drafts: readonly InspectionJobDraft[], now: Date): Promise<InspectionJobRow[]> {
  const made: InspectionJobRow[] = [];
  for (const d of drafts) {
    const before = await db.inspectionJob.findUnique({ where: { key: d.key }, select: { id: true } });
    if (before) continue;
    // An upsert is one INSERT … ON CONFLICT DO UPDATE on both databases (Prisma needs a non-empty update for it:
    // the key set to itself), so a concurrent insert of the key waits and does not fail the transaction.
    const row = await db.inspectionJob.upsert({
      where: { key: d.key },
      update: { key: d.key },
      create: {
        key: d.key,
        customerId: d.customerId,
        plan: d.plan,
        periodKey: d.periodKey,
        dueDate: d.dueDate,
        dueAt: d.dueAt,
        systems: JSON.stringify(d.systems),
        checklist: JSON.stringify(d.checklist),
        status: 'planned',
        createdAt: now,
      },
    });
    if (row.createdAt.getTime() === now.getTime()) made.push(jobRow(row));
  }
  return made;
}

export async function findInspectionJob(db: Store, id: number): Promise<InspectionJobRow | null> {
  const r = await db.inspectionJob.findUnique({ where: { id } });
  return r && jobRow(r);
}

/** Assigns (or reassigns) an open job. False when it is done, cancelled or missing. */
export async function assignInspectionJob(
  db: Store,
  id: number,
  a: { assigneeId: number | null; assigneeName: string | null; by: 'plan' | 'rota' | 'manager' },
  at: Date,
): Promise<boolean> {
  const r = await db.inspectionJob.updateMany({
    where: { id, status: { in: [...OPEN_JOB_STATUSES] } },
    data: { assigneeId: a.assigneeId, assigneeName: a.assigneeName, assignedBy: a.by, assignedAt: at, status: a.assigneeId === null && a.assigneeName === null ? 'planned' : 'assigned' },
  });
  return r.count === 1;
}

/** Takes the one right to tell the customer the planned date: true once per job. */
export async function claimInspectionAnnouncement(db: Store, id: number, at: Date): Promise<boolean> {
  const r = await db.inspectionJob.updateMany({ where: { id, announcedAt: null }, data: { announcedAt: at } });
  return r.count === 1;
}

export async function cancelInspectionJob(db: Store, id: number, at: Date): Promise<boolean> {
  const r = await db.inspectionJob.updateMany({ where: { id, status: { in: [...OPEN_JOB_STATUSES] } }, data: { status: 'cancelled', cancelledAt: at } });
  return r.count === 1;
}

export type RecordInspectionResult =
  | { ok: true; job: InspectionJobRow; record: InspectionRecordRow }
  | { ok: false; reason: 'missing' | 'done' | 'cancelled' };

/**
 * Closes an open job with its record and findings. The job's status change is
 * the claim: a result sent twice (or by two people) is recorded once.
 */
export async function recordInspection(
  db: Store,
  jobId: number,
  draft: InspectionRecordDraft,
  by: { inspectorId: number | null; inspectorName: string; at: Date; inboundEventId?: number | null },
): Promise<RecordInspectionResult> {
  const claim = await db.inspectionJob.updateMany({ where: { id: jobId, status: { in: [...OPEN_JOB_STATUSES] } }, data: { status: 'done', doneAt: by.at } });
  if (claim.count !== 1) {
    const job = await db.inspectionJob.findUnique({ where: { id: jobId }, select: { status: true } });
    return { ok: false, reason: !job ? 'missing' : job.status === 'cancelled' ? 'cancelled' : 'done' };
  }
  const record = await db.inspectionRecord.create({
    data: {
      jobId,
      inspectorId: by.inspectorId,
      inspectorName: by.inspectorName,
      outcome: draft.outcome,
      checklist: JSON.stringify(draft.checklist),
      note: draft.note,
      summary: draft.summary,
      at: by.at,
      inboundEventId: by.inboundEventId ?? null,
      findings: { create: draft.findings.map((f) => ({ seq: f.seq, text: f.text, device: f.device, checklistItem: f.checklistItem })) },
    },
    include: { findings: true },
  });
  const job = await db.inspectionJob.findUniqueOrThrow({ where: { id: jobId } });
  return { ok: true, job: jobRow(job), record: recordRow(record) };
}

/** Links a finding to the fault ticket it opened; false when it already has one (it opens one ticket only). */
export async function linkFindingToTicket(db: Store, findingId: number, ticketId: number): Promise<boolean> {
  const r = await db.inspectionFinding.updateMany({ where: { id: findingId, ticketId: null }, data: { ticketId } });
  return r.count === 1;
}

export async function inspectionRecordOf(db: Store, jobId: number): Promise<InspectionRecordRow | null> {
  const r = await db.inspectionRecord.findUnique({ where: { jobId }, include: { findings: true } });
  return r && recordRow(r);
}

/** The inspection finding a ticket was opened for, with its job (for the ticket's service record). */
export async function findingOfTicket(db: Store, ticketId: number): Promise<{ finding: InspectionFindingRow; job: InspectionJobRow } | null> {
  const f = await db.inspectionFinding.findUnique({ where: { ticketId }, include: { record: { include: { job: true } } } });
  if (!f) return null;
  return { finding: { id: f.id, seq: f.seq, text: f.text, device: f.device, checklistItem: f.checklistItem, ticketId: f.ticketId }, job: jobRow(f.record.job) };
}

/** Open jobs, soonest due first: an engineer's (`assigneeId`), a customer's, or all. */
export async function openInspectionJobs(db: Store, o: { assigneeId?: number; customerId?: number; take?: number } = {}): Promise<InspectionJobRow[]> {
  const rows = await db.inspectionJob.findMany({
    where: { status: { in: [...OPEN_JOB_STATUSES] }, ...(o.assigneeId !== undefined ? { assigneeId: o.assigneeId } : {}), ...(o.customerId !== undefined ? { customerId: o.customerId } : {}) },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    take: o.take ?? 200,
  });
  return rows.map(jobRow);
}

/** Jobs due in [from, to), with their records: the dashboard's list and the export of inspection records. */
export async function inspectionJobsDueBetween(
  db: Store,
  from: Date,
  to: Date,
  o: { customerId?: number; take?: number; skip?: number } = {},
): Promise<Array<InspectionJobRow & { customer: string; record: InspectionRecordRow | null }>> {
  const rows = await db.inspectionJob.findMany({
    where: { dueAt: { gte: from, lt: to }, ...(o.customerId !== undefined ? { customerId: o.customerId } : {}) },
    include: { customer: { select: { name: true } }, record: { include: { findings: true } } },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    take: o.take ?? 1000,
    skip: o.skip ?? 0,
  });
  return rows.map(({ customer, record, ...r }) => ({ ...jobRow(r), customer: customer.name, record: record && recordRow(record) }));
}
