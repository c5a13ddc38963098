/**
 * Repair-and-return flows in the store: a step is decided by the pure state
 * machine (repair-return.ts) against the ticket's open flow and written with
 * its history row, the change conditional on the flow's status so two steps
 * given at once cannot both apply.
 */
import {
  applyRepairStep,
  REPAIR_FLOW_STATUSES,
  REPAIR_STEPS,
  type RepairAction,
  type RepairActor,
  type RepairFlowState,
  type RepairStepRecord,
} from '../../domain/repair-return.js';
import type { TicketKind } from '../../domain/contract.js';
import type { RepairFlow, RepairStep } from '../generated/sqlite/client.js';
import { oneOf, type Store } from './rows.js';

export interface RepairFlowRow extends RepairFlowState {
  id: number;
  ticketId: number;
  seq: number;
  part: string | null;
  createdAt: Date;
  updatedAt: Date;
  steps: RepairStepRecord[];
}

function stepRow(s: RepairStep): RepairStepRecord {
  return {
    step: oneOf([...REPAIR_STEPS, 'cancel'] as const, s.step, `RepairStep ${s.id} step`),
    at: s.at,
    actorId: s.actorId,
    actorName: s.actorName,
    note: s.note,
    costCents: s.costCents,
    periodDays: s.periodDays,
    correction: s.correction,
  };
}

export function flowRow(f: RepairFlow & { steps?: RepairStep[] }): RepairFlowRow {
  return {
    id: f.id,
    ticketId: f.ticketId,
    seq: f.seq,
    part: f.part,
    status: oneOf(REPAIR_FLOW_STATUSES, f.status, `RepairFlow ${f.id} status`),
    receivedAt: f.receivedAt,
    sentAt: f.sentAt,
    quotedAt: f.quotedAt,
    repairedAt: f.repairedAt,
    returnedAt: f.returnedAt,
    costCents: f.costCents,
    periodDays: f.periodDays,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    steps: [...(f.steps ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id).map(stepRow),
  };
}

const OPEN = ['received', 'sent', 'repaired'];

/** The ticket's flow still in progress, if any. */
export async function openRepairFlow(db: Store, ticketId: number): Promise<RepairFlowRow | null> {
  const f = await db.repairFlow.findFirst({ where: { ticketId, status: { in: OPEN } }, orderBy: { seq: 'desc' }, include: { steps: true } });
  return f && flowRow(f);
}

/** Every flow of a ticket, oldest first, with its steps (the service record and the export). */
export async function repairFlowsOfTicket(db: Store, ticketId: number): Promise<RepairFlowRow[]> {
  const rows = await db.repairFlow.findMany({ where: { ticketId }, orderBy: { seq: 'asc' }, include: { steps: true } });
  return rows.map(flowRow);
}

export type RepairStepResult = { ok: true; flow: RepairFlowRow; record: RepairStepRecord; tellCustomer: boolean } | { ok: false; reason: string };

/**
 * Applies a repair step to a ticket: decided by applyRepairStep against the
 * ticket's open flow (or its latest, for the refusal's wording), written with
 * its history row. A step that lost a race with another (the flow moved in
 * between) is refused as the state machine would refuse it now.
 */
export async function recordRepairStep(
  db: Store,
  s: {
    ticket: { id: number; ref: string; kind: TicketKind; device: string | null };
    action: RepairAction;
    actor: RepairActor;
    at: Date;
    magneticMedia: readonly string[];
    inboundEventId?: number | null;
  },
): Promise<RepairStepResult> {
  const latest = await db.repairFlow.findFirst({ where: { ticketId: s.ticket.id }, orderBy: { seq: 'desc' } });
  const current = latest ? flowRow(latest) : null;
  const d = applyRepairStep(s.ticket, current, s.action, s.actor, s.at, s.magneticMedia);
  if (!d.ok) return d;
  const history = {
    step: d.record.step,
    at: d.record.at,
    actorId: d.record.actorId,
    actorName: d.record.actorName,
    note: d.record.note,
    costCents: d.record.costCents,
    periodDays: d.record.periodDays,
    correction: d.record.correction,
    inboundEventId: s.inboundEventId ?? null,
  };
  let flowId: number;
  if (d.create) {
    const seq = (latest?.seq ?? 0) + 1;
    // (ticketId, seq) is unique: a second "received" racing this one fails here rather than opening two flows.
    const f = await db.repairFlow.create({
      data: { ticketId: s.ticket.id, seq, status: 'received', part: d.set.part ?? null, receivedAt: s.at, createdAt: s.at, updatedAt: s.at, steps: { create: history } },
    });
    flowId = f.id;
  } else {
    const { part: _part, ...set } = d.set;
    const moved = await db.repairFlow.updateMany({ where: { id: current!.id, status: current!.status, updatedAt: current!.updatedAt }, data: { ...set, updatedAt: s.at } });
    if (moved.count !== 1) return { ok: false, reason: `${s.ticket.ref} 的返修记录刚被他人更新，请查询后再试。` };
    await db.repairStep.create({ data: { ...history, flowId: current!.id } });
    flowId = current!.id;
  }
  const flow = flowRow(await db.repairFlow.findUniqueOrThrow({ where: { id: flowId }, include: { steps: true } }));
  return { ok: true, flow, record: d.record, tellCustomer: d.tellCustomer };
}

/** Flows open now, and those returned in [from, to): the digest's and the dashboard's rows. */
export async function repairFlowsForPeriod(
  db: Store,
  from: Date,
  to: Date,
): Promise<Array<RepairFlowRow & { ticketNumber: string; customerId: number | null }>> {
  const rows = await db.repairFlow.findMany({
    where: { OR: [{ status: { in: OPEN } }, { returnedAt: { gte: from, lt: to } }] },
    include: { ticket: { select: { number: true, customerId: true } }, steps: true },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map(({ ticket, ...f }) => ({ ...flowRow(f), ticketNumber: ticket.number, customerId: ticket.customerId }));
}
