/**
 * The bot: the message pipeline's three ways in. Channels, the replay CLI and
 * the tests call receive() (pipeline/inbound.ts: check, deduplicate, record or
 * queue); the inbound-queue loop calls processQueued() (pipeline/queue-worker.ts:
 * act on queued events in order per chat, paced); the scheduler calls fireDue()
 * (pipeline/timers.ts: claim and fire due timers). Acting on an event is
 * pipeline/act.ts, its route pipeline/router.ts.
 */
import type { InboundEvent, InboundSink, ReceiveOptions, ReceiveResult } from '../core/channel.js';
import type { BotDeps } from './context.js';
import { Inbound } from './pipeline/inbound.js';
import { ArrivalPacing } from './pipeline/pacing.js';
import { QueueWorker } from './pipeline/queue-worker.js';
import { TimerFiring } from './pipeline/timers.js';
import { nextPlannedWorkAt } from './duties/sweep.js';

export class ServiceBot implements InboundSink {
  private readonly inbound: Inbound;
  private readonly queue: QueueWorker;
  private readonly timers: TimerFiring;

  constructor(readonly deps: BotDeps) {
    // Messages recorded now slow the queue worker down: answers first.
    const pacing = new ArrivalPacing();
    this.inbound = new Inbound(deps, pacing);
    this.queue = new QueueWorker(deps, pacing);
    this.timers = new TimerFiring(deps);
  }

  /** Records an inbound event and acts on it (or, deferred, queues it and answers at once). */
  receive(event: InboundEvent, opts?: ReceiveOptions): Promise<ReceiveResult> {
    return this.inbound.receive(event, opts);
  }

  /** Acts on queued events, oldest first and in order per chat; returns how many were handled. */
  processQueued(limit?: number): Promise<number> {
    return this.queue.processQueued(limit);
  }

  /**
   * The next moment in (after, until] something falls due: a ticket's timer, a
   * duty's timer, or a plan's next job (the manual clock steps to each).
   */
  async nextDueAt(after: Date, until: Date): Promise<Date | null> {
    const window = { gt: after, lte: until };
    const [timer, duty, planned] = await Promise.all([
      this.deps.db.timer.findFirst({ where: { state: 'pending', dueAt: window }, orderBy: { dueAt: 'asc' }, select: { dueAt: true } }),
      this.deps.db.dutyTimer.findFirst({ where: { state: 'pending', dueAt: window }, orderBy: { dueAt: 'asc' }, select: { dueAt: true } }),
      nextPlannedWorkAt(this.deps, after, until),
    ]);
    const all = [timer?.dueAt, duty?.dueAt, planned].filter((d): d is Date => d instanceof Date);
    return all.length ? new Date(Math.min(...all.map((d) => d.getTime()))) : null;
  }

  /** Claims and fires the timers due now; returns how many fired. */
  fireDue(limit?: number): Promise<number> {
    return this.timers.fireDue(limit);
  }
}
