/**
 * Ticket persistence around the pure state machine: numbers, transitions with
 * their audit trail, and the timers that follow from the SLA plan. Every
 * change to a ticket goes through applyAction, so the audit trail and the
 * timers can never be forgotten.
 */
import { DateTime } from 'luxon';
import type { TicketRef } from '../domain/commands.js';
import { TICKET_STEPS, type FaultLevel, type Role, type TicketKind } from '../domain/contract.js';
import { reconcileTimers, timerPlan, type ExistingTimer, type SlaTicket } from '../domain/sla.js';
import { transition, type Actor, type TicketAction, type TicketState, type TicketStatus } from '../domain/ticket.js';
import type { Customer, Person, Prisma, Ticket, Tx } from '../store/types.js';
import type { ContractEntry } from '../core/contracts.js';
import type { Ctx } from './context.js';


/**
 * GD-20261124-0001: per-day sequence by report date in the contract's time zone.
 * The counter row is taken inside the event's transaction, so a number is never
 * skipped; on PostgreSQL its lock serialises new tickets across replicas for the
 * length of a transaction (tens of ms: dozens of new tickets a second). Taking it
 * on a second connection instead would deadlock a busy pool.
 */
export async function allocateNumber(ctx: Ctx, entry: ContractEntry, reportedAt: Date): Promise<string> {
  const day = DateTime.fromJSDate(reportedAt, { zone: entry.contract.timezone }).toFormat('yyyyMMdd');
  const prefix = entry.contract.ticketNumberPrefix;
  const key = `ticket:${prefix}:${day}`;
  const counter = await ctx.tx.counter.upsert({ where: { key }, create: { key, value: 1 }, update: { value: { increment: 1 } } });
  return `${prefix}-${day}-${String(counter.value).padStart(4, '0')}`;
}

/** The contract a ticket is served under: its customer's (the default one without a customer). */
export function contractOf(ctx: Ctx, ticket: Pick<Ticket, 'customerId'>): Promise<ContractEntry> {
  return contractOfCustomer(ctx, ticket.customerId);
}

export function slaTicketOf(t: Ticket): SlaTicket {
  const steps: SlaTicket['steps'] = {};
  for (const s of TICKET_STEPS) steps[s] = (t as unknown as Record<string, Date | null>)[s] ?? null;
  return {
    kind: t.kind as TicketKind,
    status: t.status as TicketStatus,
    level: t.level as FaultLevel | null,
    hardware: t.hardware,
    steps,
    feeStatus: t.feeStatus as NonNullable<SlaTicket['feeStatus']>,
  };
}

export function stateOf(t: Ticket): TicketState {
  return {
    kind: t.kind as TicketKind,
    status: t.status as TicketStatus,
    level: t.level as FaultLevel | null,
    hardware: t.hardware,
    reporterId: t.reporterId,
    chatId: t.chatId,
    assigneeId: t.assigneeId,
    feeStatus: t.feeStatus as TicketState['feeStatus'],
    reopenCount: t.reopenCount,
    spareRequestedAt: t.spareRequestedAt,
    resolvedAt: t.resolvedAt,
    assignedAt: t.assignedAt,
    acknowledgedAt: t.acknowledgedAt,
    onSiteAt: t.onSiteAt,
    detectionReportAt: t.detectionReportAt,
  };
}

export function actorOf(ctx: Ctx, person: Person | null = ctx.person): Actor {
  if (!person) return { personId: null, role: 'system', chatId: null };
  return { personId: person.id, role: person.role as Role, chatId: ctx.chat.id };
}

export const SYSTEM: Actor = { personId: null, role: 'system', chatId: null };

/** A ticket created in this transaction: it has no Timer rows to reconcile yet. */
export function markCreated(ctx: Ctx, ticket: Pick<Ticket, 'id'>): void {
  ctx.createdTickets.add(ticket.id);
}

/**
 * The customer row, read once per transaction (a report reads it for its
 * contract, its scope and term, and its timers). Customers change only when the
 * organisation file is seeded at start.
 */
export function customerOf(ctx: Ctx, customerId: number): Promise<Customer | null> {
  const memo = ctx.customers;
  let c = memo.get(customerId);
  if (!c) {
    // A real promise (run once): a Prisma query runs again on every then().
    c = (async () => ctx.tx.customer.findUnique({ where: { id: customerId } }))();
    memo.set(customerId, c);
  }
  return c;
}

/** The contract of a customer (the default one without a customer). */
export async function contractOfCustomer(ctx: Ctx, customerId: number | null): Promise<ContractEntry> {
  return ctx.deps.contracts.get(customerId ? (await customerOf(ctx, customerId))?.contract : 'default');
}

/**
 * Marks the ticket's timers for re-planning. A report can change a ticket three
 * times in one transaction (created, level set, accepted); the timers are
 * reconciled once, with the ticket as it stands at the end (flushTimers).
 */
export function syncTimers(ctx: Ctx, ticket: Ticket): void {
  ctx.ticketsToPlan.set(ticket.id, ticket);
}

/**
 * Ends the bot's work in a transaction: reconciles the timers of every ticket
 * changed in it and writes the audit events it recorded. Called once, last,
 * by whoever made the Ctx (service.ts), before the transaction commits.
 */
export async function flushTimers(ctx: Ctx): Promise<void> {
  for (const ticket of ctx.ticketsToPlan.values()) await planTimers(ctx, ticket, ctx.createdTickets.has(ticket.id));
  ctx.ticketsToPlan.clear();
  if (ctx.auditEvents.length) {
    // In the order recorded: ids keep the order of the audit trail.
    await ctx.tx.ticketEvent.createMany({ data: ctx.auditEvents.splice(0) });
  }
}

/** Brings the ticket's Timer rows in line with its SLA plan. */
async function planTimers(ctx: Ctx, ticket: Ticket, createdHere: boolean): Promise<void> {
  const entry = await contractOfCustomer(ctx, ticket.customerId);
  const plan = timerPlan(slaTicketOf(ticket), entry.contract, entry.calendar);
  // A ticket created in this transaction has no timers yet.
  const existing = createdHere
    ? []
    : ((await ctx.tx.timer.findMany({
        where: { ticketId: ticket.id },
        select: { id: true, clock: true, stage: true, dueAt: true, state: true },
      })) as ExistingTimer[]);
  const { create, cancel, revive } = reconcileTimers(plan, existing, ctx.now);
  if (cancel.length) {
    await ctx.tx.timer.updateMany({ where: { id: { in: cancel }, state: 'pending' }, data: { state: 'cancelled' } });
  }
  if (revive.length) {
    await ctx.tx.timer.updateMany({ where: { id: { in: revive }, state: 'cancelled' }, data: { state: 'pending' } });
  }
  if (create.length) {
    await ctx.tx.timer.createMany({
      data: create.map((p) => ({ ticketId: ticket.id, clock: p.clock, stage: p.stage, dueAt: p.dueAt, deadlineAt: p.deadlineAt, createdAt: ctx.now })),
    });
  }
}

/**
 * Adds an event to the ticket's audit trail. It is written with the others of
 * the transaction at its end (flushTimers), in one statement; nothing in the
 * bot reads the audit trail back within the transaction that writes it.
 */
export async function recordEvent(
  ctx: Ctx,
  ticket: Pick<Ticket, 'id'>,
  action: string,
  detail: Record<string, unknown> = {},
  opts: { from?: string | null; to?: string | null; actor?: Person | null } = {},
): Promise<void> {
  const actor = opts.actor === undefined ? ctx.person : opts.actor;
  ctx.auditEvents.push({
    ticketId: ticket.id,
    at: ctx.now,
    actorId: actor?.id ?? null,
    action,
    fromStatus: opts.from ?? null,
    toStatus: opts.to ?? null,
    detail: JSON.stringify(detail),
    inboundEventId: ctx.inboundEventId,
  });
}

export type ApplyResult = { ok: true; ticket: Ticket; from: TicketStatus; dissatisfied?: boolean } | { ok: false; reason: string };

/**
 * Runs a transition and, when allowed, stores the change, its audit event and
 * the re-planned timers. `data` adds fields of the service record.
 */
export async function applyAction(
  ctx: Ctx,
  ticket: Ticket,
  action: TicketAction,
  opts: { actor?: Actor; data?: Prisma.TicketUncheckedUpdateInput; detail?: Record<string, unknown> } = {},
): Promise<ApplyResult> {
  const actor = opts.actor ?? actorOf(ctx);
  const r = transition(stateOf(ticket), action, actor, ctx.now);
  if (!r.ok) return r;
  const updated = await ctx.tx.ticket.update({
    where: { id: ticket.id },
    data: { ...r.patch, ...(opts.data ?? {}) } as Prisma.TicketUncheckedUpdateInput,
  });
  const { type, ...params } = action;
  await recordEvent(ctx, ticket, type, { ...params, ...(opts.detail ?? {}) }, {
    from: r.from,
    to: r.to,
    actor: actor.role === 'system' ? null : ctx.person,
  });
  syncTimers(ctx, updated);
  return { ok: true, ticket: updated, from: r.from, ...(r.dissatisfied ? { dissatisfied: true } : {}) };
}

export async function findByRef(tx: Tx, ref: TicketRef): Promise<Ticket | null> {
  if ('short' in ref) return tx.ticket.findUnique({ where: { id: ref.short } });
  return tx.ticket.findUnique({ where: { number: ref.number } });
}

const ACTIVE_STATUSES: TicketStatus[] = ['reported', 'level_known', 'awaiting_fee', 'accepted', 'assigned', 'acknowledged', 'on_site', 'replacing', 'resolved', 'confirmed', 'reopened'];
export const OPEN_STATUS_FILTER = { in: ACTIVE_STATUSES };

/** An engineer's jobs in hand (assigned to them and not finished). */
export function activeJobsOf(tx: Tx, personId: number): Promise<Ticket[]> {
  return tx.ticket.findMany({
    where: { assigneeId: personId, status: { in: ['assigned', 'acknowledged', 'on_site', 'replacing', 'reopened'] } },
    orderBy: { id: 'asc' },
    take: 20,
  });
}
