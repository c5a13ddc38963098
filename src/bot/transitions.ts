/**
 * Ticket changes around the pure state machine: a transition with its audit
 * trail, and the timers that follow from the ticket's SLA plan. Every change
 * of a ticket's status goes through applyAction, so the audit trail and the
 * timers can never be forgotten; both are written once, at the end of the
 * transaction (flushTimers).
 */
import { reconcileTimers, timerPlan, type ExistingTimer } from '../domain/sla.js';
import { transition, type Actor, type TicketAction, type TicketPatch, type TicketState, type TicketStatus } from '../domain/ticket.js';
import { slaTicketOf, stateOf, type Ticket } from '../store/tickets.js';
import type { Person, Prisma } from '../store/types.js';
import type { Ctx } from './context.js';
import { visitAfterClose } from './duties/follow-ups.js';

export function actorOf(ctx: Ctx, person: Person | null = ctx.person): Actor {
  if (!person) return { personId: null, role: 'system', chatId: null };
  return { personId: person.id, role: person.role, chatId: ctx.chat.id };
}

export const SYSTEM: Actor = { personId: null, role: 'system', chatId: null };

/** A ticket created in this transaction: it has no Timer rows to reconcile yet. */
export function markCreated(ctx: Ctx, ticket: Ticket): void {
  ctx.createdTickets.add(ticket.id);
  syncTimers(ctx, ticket);
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
 * Ends the bot's work in a transaction: writes the replies it kept, reconciles the
 * timers of every ticket changed in it and writes the audit events it recorded. Called once, last,
 * by whoever made the Ctx (the pipeline's act and timers steps), before the
 * transaction commits.
 */
export async function flushTimers(ctx: Ctx): Promise<void> {
  // The replies kept (Ctx batchReplies), first: a re-planned timer never needs them, but they are the event's answer.
  await ctx.flushReplies();
  for (const ticket of ctx.ticketsToPlan.values()) await planTimers(ctx, ticket, ctx.createdTickets.has(ticket.id));
  ctx.ticketsToPlan.clear();
  if (ctx.auditEvents.length) {
    // In the order recorded: ids keep the order of the audit trail.
    await ctx.tx.ticketEvent.createMany({ data: ctx.auditEvents.splice(0) });
  }
}

/** Brings the ticket's Timer rows in line with its SLA plan under its own contract. */
async function planTimers(ctx: Ctx, ticket: Ticket, createdHere: boolean): Promise<void> {
  const entry = ticket.contract;
  // slaTicketOf carries the declared maintenance windows that move its clocks (the ticket store reads them).
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

/** Transitions run on a ticket before its row is written (applyBeforeInsert): the patch for its INSERT, and the audit events to record. */
export interface EarlyTransitions {
  patch: TicketPatch;
  steps: Array<{ action: TicketAction; from: TicketStatus; to: TicketStatus; detail: Record<string, unknown> }>;
}

/**
 * Runs system transitions on a ticket about to be created (its state as the INSERT would
 * store it), so that it is created in the state they leave it in: one INSERT instead of an
 * INSERT and an UPDATE per transition. Null when one of them is refused (then nothing is
 * applied early: the caller goes the usual way, applyAction after the INSERT). The audit
 * events are recorded by recordEarly, where the caller would have applied them.
 */
export function applyBeforeInsert(ctx: Ctx, initial: TicketState, actions: Array<{ action: TicketAction; detail?: Record<string, unknown> }>): EarlyTransitions | null {
  let state = initial;
  const out: EarlyTransitions = { patch: {}, steps: [] };
  for (const { action, detail } of actions) {
    const r = transition(state, action, SYSTEM, ctx.now);
    if (!r.ok) return null;
    state = { ...state, ...r.patch } as TicketState;
    Object.assign(out.patch, r.patch);
    const { type: _type, ...params } = action;
    out.steps.push({ action, from: r.from, to: r.to, detail: { ...params, ...(detail ?? {}) } });
  }
  return out;
}

/** The audit events of transitions applied before the ticket's INSERT (applyBeforeInsert), as applyAction records them. */
export async function recordEarly(ctx: Ctx, ticket: Pick<Ticket, 'id'>, early: EarlyTransitions): Promise<void> {
  for (const s of early.steps) await recordEvent(ctx, ticket, s.action.type, s.detail, { from: s.from, to: s.to, actor: null });
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
  const updated = await ctx.tickets.update(ticket, { ...r.patch, ...(opts.data ?? {}) } as Prisma.TicketUncheckedUpdateInput);
  const { type, ...params } = action;
  await recordEvent(ctx, ticket, type, { ...params, ...(opts.detail ?? {}) }, {
    from: r.from,
    to: r.to,
    actor: actor.role === 'system' ? null : ctx.person,
  });
  syncTimers(ctx, updated);
  // A closed fault of the levels the contract names calls for a follow-up visit.
  if (r.to === 'closed') await visitAfterClose(ctx, updated);
  return { ok: true, ticket: updated, from: r.from, ...(r.dissatisfied ? { dissatisfied: true } : {}) };
}
