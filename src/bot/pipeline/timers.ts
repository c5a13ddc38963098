/**
 * Timer firing: due timers (reminders, escalations, the desk's follow-ups)
 * are claimed, a few to a transaction, and fired (reminders.ts says what each
 * does). The claim (pending → fired) is conditional, so two replicas never
 * fire the same timer; one that fails stays pending for the next tick.
 */
import { transaction } from '../../core/transactions.js';
import { yieldToLoop } from '../../core/work-loop.js';
import { TicketStore, type Ticket } from '../../store/tickets.js';
import type { Chat, Person, Prisma, Timer, Tx } from '../../store/types.js';
import { peopleByIds } from '../directory.js';
import { Ctx, type BotDeps } from '../context.js';
import { sweepPlannedWork } from '../duties/sweep.js';
import { fireDutyTimers } from '../duties/timers.js';
import { fireTimer } from '../reminders.js';
import { flushTimers } from '../transitions.js';

/**
 * Due timers fired per transaction. One commit for several (on PostgreSQL each
 * commit waits for the disk); small enough that a batch holds the SQLite writer
 * (and, there, the event loop) for a few tens of milliseconds only.
 */
const FIRE_BATCH = 10;
/** On PostgreSQL, where each commit waits for the disk and replicas skip one another's locked rows, larger. */
const FIRE_BATCH_PG = 25;

/**
 * The due timers in chunks of 50, starting at a random chunk: replicas that
 * tick together then mostly claim different timers instead of racing for the
 * same ones, while each chunk keeps its oldest-first order.
 */
export function spreadOrder<T>(due: T[], chunk = 50): T[] {
  if (due.length <= chunk) return due;
  const chunks = Math.ceil(due.length / chunk);
  const start = Math.floor(Math.random() * chunks) * chunk;
  return [...due.slice(start), ...due.slice(0, start)];
}

/**
 * Cuts the due timers into batches in their order, no ticket twice in a batch:
 * a timer that acts on a ticket may re-plan (cancel) that ticket's other timers,
 * which must then not be claimed in the same statement. A later batch claims
 * them only if they are still pending.
 */
export function batchesOfDistinctTickets<T extends { ticketId: number }>(timers: T[], size: number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let tickets = new Set<number>();
  for (const t of timers) {
    if (batch.length >= size || tickets.has(t.ticketId)) {
      batches.push(batch);
      batch = [];
      tickets = new Set();
    }
    batch.push(t);
    tickets.add(t.ticketId);
  }
  if (batch.length) batches.push(batch);
  return batches;
}

export class TimerFiring {
  constructor(private readonly deps: BotDeps) {}

  /** Claims and fires the timers due now, a few to a transaction; returns how many fired. */
  async fireDue(limit = 500): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.db.timer.findMany({
      where: { state: 'pending', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
    });
    let fired = 0;
    for (const batch of batchesOfDistinctTickets(spreadOrder(due), this.deps.provider === 'postgresql' ? FIRE_BATCH_PG : FIRE_BATCH)) {
      try {
        await this.deps.writeGate?.clear();
        fired += await this.fireBatch(batch);
      } catch (e) {
        // One timer's failure must not hold back the others: each alone, in its own transaction.
        this.deps.log.warn({ err: e, timers: batch.map((t) => t.id) }, 'firing a batch of timers failed; firing them one by one');
        for (const timer of batch) {
          try {
            if (await this.fireOne(timer)) fired++;
          } catch (e2) {
            this.deps.log.error({ err: e2, timer: timer.id }, 'timer failed; it stays pending and is retried next tick');
          }
          await yieldToLoop();
        }
      }
      // As in the queue worker: let webhooks be answered between two transactions.
      await yieldToLoop();
    }
    if (fired) this.deps.onOutbox?.();
    // The planned duties: jobs and visits the plans call for by now, then their due reminders.
    fired += await sweepPlannedWork(this.deps);
    fired += await fireDutyTimers(this.deps);
    return fired;
  }

  /**
   * Fires a few timers in one transaction (one commit, one claim): those another
   * replica claimed first are left out. Their tickets, chats and people are read
   * at once: the tickets of a batch are distinct and a timer acts on its own
   * ticket only, so what one timer does never changes what the next one read.
   * The audit events of the batch are written together at its end.
   */
  private fireBatch(timers: Timer[]): Promise<number> {
    return transaction(this.deps.db, async (tx) => {
      const now = this.deps.clock.now();
      const mine = await this.claim(tx, timers.map((t) => t.id), now);
      if (!mine.size) return 0;
      const ours = timers.filter((t) => mine.has(t.id));
      const tickets = new TicketStore(tx, this.deps.contracts);
      const found = await tickets.manyWithChats(ours.map((t) => t.ticketId));
      const people = await peopleByIds(tx, [...found.values()].flatMap(({ ticket }) => [ticket.reporterId, ...(ticket.assigneeId ? [ticket.assigneeId] : [])]));
      const staff = new Map<string, Promise<Person | null>>();
      const audit: Prisma.TicketEventCreateManyInput[] = [];
      for (const timer of ours) {
        const ctx = await this.fireClaimed(tx, tickets, timer, now, found.get(timer.ticketId) ?? null, { people, staff });
        if (ctx) audit.push(...ctx.auditEvents.splice(0));
      }
      if (audit.length) await tx.ticketEvent.createMany({ data: audit });
      return mine.size;
    });
  }

  /**
   * Claims (pending → fired) those of these timers no one else has claimed. On
   * PostgreSQL the rows another replica's batch holds are skipped, not waited
   * for (FOR UPDATE SKIP LOCKED): replicas never queue behind one another, and
   * once locked here the update below cannot lose a race.
   */
  private async claim(tx: Tx, ids: number[], now: Date): Promise<Set<number>> {
    let candidates = ids;
    if (this.deps.provider === 'postgresql') {
      const list = ids.map((_, k) => `$${k + 1}`).join(', ');
      const locked = await tx.$queryRawUnsafe<Array<{ id: number }>>(`SELECT "id" FROM "Timer" WHERE "id" IN (${list}) AND "state" = 'pending' FOR UPDATE SKIP LOCKED`, ...ids);
      candidates = locked.map((r) => Number(r.id));
      if (!candidates.length) return new Set();
    }
    const claimed = await tx.timer.updateManyAndReturn({
      where: { id: { in: candidates }, state: 'pending' },
      data: { state: 'fired', firedAt: now },
      select: { id: true },
    });
    return new Set(claimed.map((c) => c.id));
  }

  /**
   * Fires one timer, read as it was when found due. Its row changes only by the
   * claim below (pending → fired) or by a re-plan (pending → cancelled); either
   * makes the claim fail, so what was read is what is fired.
   */
  private fireOne(timer: Timer): Promise<boolean> {
    return transaction(this.deps.db, async (tx) => {
      const now = this.deps.clock.now();
      const claim = await tx.timer.updateMany({ where: { id: timer.id, state: 'pending' }, data: { state: 'fired', firedAt: now } });
      if (claim.count !== 1) return false;
      const tickets = new TicketStore(tx, this.deps.contracts);
      const ctx = await this.fireClaimed(tx, tickets, timer, now, await tickets.withChat(timer.ticketId), null);
      if (ctx?.auditEvents.length) await tx.ticketEvent.createMany({ data: ctx.auditEvents.splice(0) });
      return true;
    });
  }

  /**
   * Acts on a timer this transaction has claimed, in its ticket's chat; returns
   * its Ctx with the audit events still to write (null: nothing to do).
   */
  private async fireClaimed(
    tx: Tx,
    tickets: TicketStore,
    timer: Timer,
    now: Date,
    found: { ticket: Ticket; chat: Chat } | null,
    reads: { people: ReadonlyMap<number, Person>; staff: Map<string, Promise<Person | null>> } | null,
  ): Promise<Ctx | null> {
    if (!found || found.ticket.status === 'closed' || found.ticket.status === 'cancelled') return null;
    const { chat, ticket } = found;
    const log = this.deps.log.child({ timer: timer.id, ticket: ticket.number });
    const ctx = new Ctx(this.deps, tx, now, log, null, { chat, tickets, ...(reads ?? {}) });
    await fireTimer(ctx, { ...timer, state: 'fired', firedAt: now }, ticket);
    // The timers it re-planned now; its audit events are left to the caller, to write with the batch's.
    const audit = ctx.auditEvents.splice(0);
    await flushTimers(ctx);
    ctx.auditEvents.push(...audit);
    return ctx;
  }
}
