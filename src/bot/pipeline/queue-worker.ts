/**
 * The queue worker: acts on queued events (messages recorded and answered at
 * once, inbound.ts), oldest first and in order per chat — only the oldest
 * queued event of a chat is taken — paced so that webhooks are answered first
 * while messages arrive (pacing.ts). The claim (queued → processed) is made in
 * the transaction that acts on the event, so a crash leaves it queued and two
 * replicas never act on the same one.
 */
import type { InboundEvent } from '../../core/channel.js';
import { transaction, withRetry } from '../../core/transactions.js';
import { yieldToLoop } from '../../core/work-loop.js';
import type { BotDeps } from '../context.js';
import { act } from './act.js';
import { preread } from './preread.js';
import type { ArrivalPacing } from './pacing.js';

/** The neutral event stored with a queued row, with its dates restored. */
function reviveEvent(payload: string | null): InboundEvent | null {
  if (!payload) return null;
  try {
    const ev = JSON.parse(payload) as InboundEvent & { at: string };
    return { ...ev, at: new Date(ev.at) } as InboundEvent;
  } catch {
    return null;
  }
}

export class QueueWorker {
  /** A queued event that cannot be processed is tried again a few times, then set aside as failed, so its chat moves on. */
  private readonly failures = new Map<number, number>();

  constructor(
    private readonly deps: BotDeps,
    private readonly pacing: ArrivalPacing,
  ) {}

  /** Acts on what is queued now; returns how many events were handled. */
  async processQueued(limit = 200): Promise<number> {
    let handled = 0;
    for (let round = 0; round < 1000; round++) {
      // The payload is read here, outside the claim: it is written once, with the row, and
      // never changes while the row is queued; the claim below decides who acts on it.
      const rows = await this.deps.db.inboundEvent.findMany({
        where: { outcome: 'queued' },
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, channel: true, chatPlatformId: true, payload: true },
      });
      if (!rows.length) break;
      const seen = new Set<string>();
      const heads = rows.filter((r) => {
        const k = `${r.channel}\u0000${r.chatPlatformId}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      let progressed = 0;
      for (const head of heads) {
        try {
          if (await this.processOne(head.id, head.payload)) progressed++;
        } catch (e) {
          progressed += await this.failQueued(head.id, e);
        }
        await yieldToLoop();
        // Answers first (pacing.ts).
        const pause = this.pacing.pauseMs();
        if (pause) await new Promise((r) => setTimeout(r, pause));
      }
      handled += progressed;
      if (!progressed) break;
    }
    if (handled) this.deps.onOutbox?.();
    return handled;
  }

  private async processOne(id: number, payload: string | null): Promise<boolean> {
    const ev = reviveEvent(payload);
    // The LLM reader (when on) is asked before the claim's transaction: no network call inside one.
    const read = ev ? await preread(this.deps, ev) : undefined;
    // Answers being written go first (processing/write-gate.ts).
    await this.deps.writeGate?.clear();
    // A unique index hit: another replica inserted the same chat or person first; again, it is found.
    return withRetry(
      () =>
        transaction(this.deps.db, async (tx) => {
          // The claim takes the row out of the queue as processed (what most events become);
          // act() stores another outcome at its end. Nobody sees the row in between: a
          // crash or an error rolls the claim back, and the event stays queued.
          const claim = await tx.inboundEvent.updateMany({
            where: { id, outcome: 'queued' },
            data: ev ? { outcome: 'processed', payload: null } : { outcome: 'failed', error: 'queued event has no readable payload', payload: null },
          });
          if (claim.count !== 1) return false;
          if (!ev) return true;
          await act(this.deps, tx, ev, { id, outcome: 'processed' }, this.deps.clock.now(), read);
          return true;
        }),
      { retryUnique: true },
    );
  }

  private async failQueued(id: number, e: unknown): Promise<number> {
    const n = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, n);
    this.deps.log.error({ err: e, inbound: id, try: n }, 'processing a queued event failed');
    if (n < 3) return 0;
    this.failures.delete(id);
    await this.deps.db.inboundEvent.updateMany({
      where: { id, outcome: 'queued' },
      data: { outcome: 'failed', error: String((e as Error)?.message ?? e).slice(0, 1000) },
    });
    return 1;
  }
}
