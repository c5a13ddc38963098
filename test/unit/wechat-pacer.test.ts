import { describe, expect, it } from 'vitest';

import { Pacer, nextSendAt, type PacerClock } from '../../src/channels/wechat/pacer.js';
import { RetryableSendError } from '../../src/core/channel.js';

/** A clock the test moves by hand; sleeps resolve when time reaches them. */
class FakeClock implements PacerClock {
  t = 0;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  now = () => this.t;
  sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.t + ms, resolve });
    });
  /** Advance step by step, letting promise chains run between steps. */
  async advance(ms: number, step = 10): Promise<void> {
    const end = this.t + ms;
    while (this.t < end) {
      await flush();
      this.t = Math.min(end, this.t + step);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      due.forEach((x) => x.resolve());
      await flush();
    }
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const LIMITS = { minIntervalMs: 1500, maxPerMinute: 20 };

describe('nextSendAt (pure)', () => {
  const table: Array<[string, { lastDoneAt?: number; starts: number[] }, number, number]> = [
    ['fresh room sends now', { starts: [] }, 1000, 1000],
    ['waits the interval after the last send finished', { lastDoneAt: 1000, starts: [900] }, 1200, 2500],
    ['interval already passed', { lastDoneAt: 1000, starts: [900] }, 3000, 3000],
    ['cap reached: waits for the oldest start to leave the window', { lastDoneAt: 29_000, starts: Array.from({ length: 20 }, (_, i) => i * 1500) }, 31_000, 60_000],
    ['starts older than the window do not count', { lastDoneAt: 29_000, starts: Array.from({ length: 20 }, (_, i) => i * 1500) }, 60_001, 60_001],
  ];
  it.each(table)('%s', (_n, state, now, want) => {
    expect(nextSendAt(state, now, LIMITS)).toBe(want);
  });
  it('maxPerMinute 0 means no cap', () => {
    expect(nextSendAt({ starts: Array(100).fill(0) }, 10, { minIntervalMs: 0, maxPerMinute: 0 })).toBe(10);
  });
});

describe('Pacer', () => {
  it('spaces sends in one room by the interval, measured from the end of the previous send', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ ...LIMITS, clock });
    const starts: number[] = [];
    const ends: number[] = [];
    const send = (latency: number) => async () => {
      starts.push(clock.now());
      await clock.sleep(latency);
      ends.push(clock.now());
    };
    const all = Promise.all([pacer.run('r1', send(100)), pacer.run('r1', send(300)), pacer.run('r1', send(0))]);
    await clock.advance(10_000);
    await all;
    expect(starts).toEqual([0, 1600, 3400]);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - ends[i - 1]!).toBeGreaterThanOrEqual(1500);
  });

  it('keeps call order within a room', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ minIntervalMs: 100, maxPerMinute: 100, clock });
    const order: number[] = [];
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => pacer.run('r', async () => void order.push(n))));
    await clock.advance(1000);
    await all;
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('rooms do not block each other', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ ...LIMITS, clock });
    const log: Array<[string, number]> = [];
    const all = Promise.all(
      ['a', 'b', 'a', 'b'].map((room) => pacer.run(room, async () => void log.push([room, clock.now()]))),
    );
    await clock.advance(5000);
    await all;
    expect(log).toEqual([
      ['a', 0],
      ['b', 0],
      ['a', 1500],
      ['b', 1500],
    ]);
  });

  it('caps sends per minute and hands back sends that would wait too long', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ minIntervalMs: 0, maxPerMinute: 3, maxWaitMs: 30_000, clock });
    const at: number[] = [];
    const results = [1, 2, 3, 4].map(() => pacer.run('r', async () => void at.push(clock.now())));
    const settled = Promise.allSettled(results);
    await clock.advance(1000);
    const s = await settled;
    expect(at).toEqual([0, 0, 0]);
    const rejected = s[3] as PromiseRejectedResult;
    expect(rejected.status).toBe('rejected');
    expect(rejected.reason).toBeInstanceOf(RetryableSendError);
    expect((rejected.reason as RetryableSendError).retryAfterMs).toBe(60_000);
  });

  it('waits for the window when the wait is acceptable', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ minIntervalMs: 0, maxPerMinute: 2, maxWaitMs: 120_000, clock });
    const at: number[] = [];
    const all = Promise.all([1, 2, 3].map(() => pacer.run('r', async () => void at.push(clock.now()))));
    await clock.advance(61_000, 1000);
    await all;
    expect(at).toEqual([0, 0, 60_000]);
  });

  it('a failed send does not break the queue and still counts for pacing', async () => {
    const clock = new FakeClock();
    const pacer = new Pacer({ minIntervalMs: 500, maxPerMinute: 10, clock });
    const first = pacer.run('r', async () => {
      throw new Error('boom');
    });
    const second = pacer.run('r', async () => clock.now());
    const both = Promise.allSettled([first, second]);
    await clock.advance(2000);
    const [a, b] = await both;
    expect(a.status).toBe('rejected');
    expect(b).toEqual({ status: 'fulfilled', value: 500 });
    expect(pacer.pending('r')).toBe(0);
  });

  it('defaults: 1.5 s and 20 per minute', () => {
    expect(new Pacer().limits).toEqual({ minIntervalMs: 1500, maxPerMinute: 20 });
  });
});
