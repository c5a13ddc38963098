/**
 * Follow-up visits in the store: made once per key (scheduled per period, or
 * after a closed fault), assigned, recorded once with their notes, and linked
 * to the tickets the notes gave rise to.
 */
import { FOLLOW_UP_REASONS, FOLLOW_UP_STATUSES, type FollowUpReason, type FollowUpStatus, type FollowUpVisitDraft, type VisitOwner } from '../../domain/follow-up.js';
import type { FollowUpVisit } from '../generated/sqlite/client.js';
import { intArray, OPEN_JOB_STATUSES, oneOf, type Store } from './rows.js';

export interface FollowUpVisitRow {
  id: number;
  key: string;
  customerId: number;
  reason: FollowUpReason;
  ticketId: number | null;
  periodKey: string | null;
  dueAt: Date;
  status: FollowUpStatus;
  owner: VisitOwner | null;
  assigneeId: number | null;
  assigneeName: string | null;
  assignedAt: Date | null;
  doneAt: Date | null;
  visitorId: number | null;
  visitorName: string | null;
  notes: string | null;
  ticketIds: number[];
  cancelledAt: Date | null;
  createdAt: Date;
}

function ownerOf(json: string): VisitOwner | null {
  try {
    const v = JSON.parse(json) as Record<string, unknown>;
    if (typeof v.staff === 'string') return { staff: v.staff };
    if (v.role === 'desk' || v.role === 'manager') return { role: v.role };
    if (Number.isSafeInteger(v.engineerOfTicket)) return { engineerOfTicket: v.engineerOfTicket as number };
  } catch {
    /* unreadable: no owner */
  }
  return null;
}

export function visitRow(r: FollowUpVisit): FollowUpVisitRow {
  return {
    id: r.id,
    key: r.key,
    customerId: r.customerId,
    reason: oneOf(FOLLOW_UP_REASONS, r.reason, `FollowUpVisit ${r.id} reason`),
    ticketId: r.ticketId,
    periodKey: r.periodKey,
    dueAt: r.dueAt,
    status: oneOf(FOLLOW_UP_STATUSES, r.status, `FollowUpVisit ${r.id} status`),
    owner: ownerOf(r.owner),
    assigneeId: r.assigneeId,
    assigneeName: r.assigneeName,
    assignedAt: r.assignedAt,
    doneAt: r.doneAt,
    visitorId: r.visitorId,
    visitorName: r.visitorName,
    notes: r.notes,
    ticketIds: intArray(r.ticketIds),
    cancelledAt: r.cancelledAt,
    createdAt: r.createdAt,
  };
}

export async function visitKeysOf(db: Store, customerId: number): Promise<Set<string>> {
  const rows = await db.followUpVisit.findMany({ where: { customerId }, select: { key: true } });
  return new Set(rows.map((r) => r.key));
}

/** Makes the drafted visits; a key already stored is left as it is. Returns the visits this call made. */
export async function createFollowUpVisits(db: Store, drafts: readonly FollowUpVisitDraft[], now: Date): Promise<FollowUpVisitRow[]> {
  const made: FollowUpVisitRow[] = [];
  for (const d of drafts) {
    if (await db.followUpVisit.findUnique({ where: { key: d.key }, select: { id: true } })) continue;
    const row = await db.followUpVisit.upsert({
      where: { key: d.key },
      update: { key: d.key }, // INSERT … ON CONFLICT: see createInspectionJobs
      create: {
        key: d.key,
        customerId: d.customerId,
        reason: d.reason,
        ticketId: d.ticketId,
        periodKey: d.periodKey,
        dueAt: d.dueAt,
        owner: JSON.stringify(d.owner),
        status: 'planned',
        createdAt: now,
      },
    });
    if (row.createdAt.getTime() === now.getTime()) made.push(visitRow(row));
  }
  return made;
}

export async function findFollowUpVisit(db: Store, id: number): Promise<FollowUpVisitRow | null> {
  const r = await db.followUpVisit.findUnique({ where: { id } });
  return r && visitRow(r);
}

/** The visit made after a ticket's closure, if any. */
export async function visitAfterTicket(db: Store, ticketId: number): Promise<FollowUpVisitRow | null> {
  const r = await db.followUpVisit.findFirst({ where: { ticketId, reason: 'after_fault' } });
  return r && visitRow(r);
}

export async function assignFollowUpVisit(db: Store, id: number, a: { assigneeId: number | null; assigneeName: string }, at: Date): Promise<boolean> {
  const r = await db.followUpVisit.updateMany({
    where: { id, status: { in: [...OPEN_JOB_STATUSES] } },
    data: { assigneeId: a.assigneeId, assigneeName: a.assigneeName, assignedAt: at, status: 'assigned' },
  });
  return r.count === 1;
}

export type RecordVisitResult = { ok: true; visit: FollowUpVisitRow } | { ok: false; reason: 'missing' | 'done' | 'cancelled' };

/** Records an open visit as made, with its notes; the status change is the claim (recorded once). */
export async function recordFollowUpVisit(
  db: Store,
  id: number,
  v: { visitorId: number | null; visitorName: string; notes: string; at: Date; inboundEventId?: number | null },
): Promise<RecordVisitResult> {
  const claim = await db.followUpVisit.updateMany({
    where: { id, status: { in: [...OPEN_JOB_STATUSES] } },
    data: { status: 'done', doneAt: v.at, visitorId: v.visitorId, visitorName: v.visitorName, notes: v.notes, inboundEventId: v.inboundEventId ?? null },
  });
  if (claim.count !== 1) {
    const row = await db.followUpVisit.findUnique({ where: { id }, select: { status: true } });
    return { ok: false, reason: !row ? 'missing' : row.status === 'cancelled' ? 'cancelled' : 'done' };
  }
  return { ok: true, visit: visitRow(await db.followUpVisit.findUniqueOrThrow({ where: { id } })) };
}

/** Adds the tickets (faults, consultations) a visit's notes gave rise to. */
export async function addVisitTickets(db: Store, id: number, ticketIds: readonly number[]): Promise<FollowUpVisitRow> {
  const row = await db.followUpVisit.findUniqueOrThrow({ where: { id } });
  const all = [...new Set([...intArray(row.ticketIds), ...ticketIds])];
  return visitRow(await db.followUpVisit.update({ where: { id }, data: { ticketIds: JSON.stringify(all) } }));
}

export async function cancelFollowUpVisit(db: Store, id: number, at: Date): Promise<boolean> {
  const r = await db.followUpVisit.updateMany({ where: { id, status: { in: [...OPEN_JOB_STATUSES] } }, data: { status: 'cancelled', cancelledAt: at } });
  return r.count === 1;
}

export async function openFollowUpVisits(db: Store, o: { assigneeId?: number; customerId?: number; take?: number } = {}): Promise<FollowUpVisitRow[]> {
  const rows = await db.followUpVisit.findMany({
    where: { status: { in: [...OPEN_JOB_STATUSES] }, ...(o.assigneeId !== undefined ? { assigneeId: o.assigneeId } : {}), ...(o.customerId !== undefined ? { customerId: o.customerId } : {}) },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    take: o.take ?? 200,
  });
  return rows.map(visitRow);
}

/** Visits due in [from, to): the dashboard's list and the export. */
export async function followUpVisitsDueBetween(
  db: Store,
  from: Date,
  to: Date,
  o: { customerId?: number; take?: number; skip?: number } = {},
): Promise<Array<FollowUpVisitRow & { customer: string }>> {
  const rows = await db.followUpVisit.findMany({
    where: { dueAt: { gte: from, lt: to }, ...(o.customerId !== undefined ? { customerId: o.customerId } : {}) },
    include: { customer: { select: { name: true } } },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    take: o.take ?? 1000,
    skip: o.skip ?? 0,
  });
  return rows.map(({ customer, ...r }) => ({ ...visitRow(r), customer: customer.name }));
}
