/**
 * An InboundSink for channel tests: records each event once by (channel, eventId), as the store
 * does, answers a redelivery "duplicate", and can be told to fail (database down) or to answer a
 * click with a card.
 */
import type { InboundEvent, InboundSink, ReceiveOptions, ReceiveResult } from '../../src/core/channel.js';

export class RecordingSink implements InboundSink {
  events: InboundEvent[] = [];
  calls = 0;
  /** Fail the next N calls (as a database that is down). */
  failNext = 0;
  /** The card a click gets back. */
  clickCard: ReceiveResult['card'] | undefined;
  private seen = new Set<string>();
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  async receive(event: InboundEvent, _opts?: ReceiveOptions): Promise<ReceiveResult> {
    this.calls += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('database is down');
    }
    const key = `${event.channel}\u0000${event.eventId}`;
    if (this.seen.has(key)) return { status: 'duplicate' };
    this.seen.add(key);
    this.events.push(structuredClone(event));
    for (const w of this.waiters.filter((x) => this.events.length >= x.n)) w.resolve();
    this.waiters = this.waiters.filter((x) => this.events.length < x.n);
    if (event.type === 'click' && this.clickCard) return { status: 'processed', card: this.clickCard };
    return { status: 'processed' };
  }

  /** Resolves once `n` events are recorded. */
  waitFor(n: number, timeoutMs = 5000): Promise<void> {
    if (this.events.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`sink: ${this.events.length} of ${n} events after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
}

/** Polls `cond` until true (or throws after `timeoutMs`). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A logger that keeps its lines (pino's calling convention). */
export function memoryLog(): { lines: Array<{ level: string; msg: string; obj: object }>; debug(o: object, m?: string): void; info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void } {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
