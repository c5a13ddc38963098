/**
 * sla-tick: the cost of one scheduler tick with 10k, 100k and 1M tickets stored
 * (1% open). A tick is what runs every TICK_SECONDS when nothing is due:
 * bot.fireDue() (the due-timer query) plus the dispatcher's heads() query (the
 * head of each chat's outbox queue). Neither may grow with the closed tickets.
 * Also records the query plans, and (at the end) the digest over the 1M store.
 */
import { pino } from 'pino';
import { ManualClock } from '../src/core/clock.js';
import { Dispatcher } from '../src/bot/dispatcher.js';
import type { ChannelName } from '../src/core/channel.js';
import type { SendingChannel } from '../src/bot/dispatcher.js';
import type { Provider } from '../src/store/migrate.js';
import type { Db } from '../src/store/types.js';
import { addPendingOutbox, growTo, NOW, prepareBulk } from './lib/bulk.js';
import { benchConfig, freshDb, log, makeBot, median, percentile, round } from './lib/common.js';
import { benchDigest, type DigestResult } from './digest.js';

export interface TickResult {
  sla_tick_ms_10k: number | null;
  sla_tick_ms_100k: number | null;
  sla_tick_ms_1m: number | null;
  sla_tick_p99_ms_10k: number | null;
  sla_tick_p99_ms_100k: number | null;
  sla_tick_p99_ms_1m: number | null;
  sla_tick_ratio_1m_10k: number | null;
  sla_tick_fire_due_ms_1m: number | null;
  sla_tick_heads_ms_1m: number | null;
  sla_tick_plans: Record<string, string>;
  bulk_load_s_1m: number | null;
  digest: DigestResult | null;
}

const dummyChannel: SendingChannel = { capabilities: { cards: true, cardUpdates: true, threads: true, mentions: true, images: true, attachments: true }, send: async () => ({}) };

async function plans(db: Db, provider: Provider): Promise<Record<string, string>> {
  const now = NOW.toISOString();
  const queries: Record<string, string> = {
    fire_due: `SELECT "id" FROM "Timer" WHERE "state" = 'pending' AND "dueAt" <= ${provider === 'sqlite' ? `'${now.replace('Z', '+00:00')}'` : `'${now}'`} ORDER BY "dueAt" ASC LIMIT 500`,
    heads: `SELECT * FROM "Outbox" WHERE "status" IN ('pending', 'sending') ORDER BY "id" ASC LIMIT 1000`,
  };
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(queries)) {
    if (provider === 'sqlite') {
      const rows = await db.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`);
      out[name] = rows.map((r) => r.detail).join('; ');
    } else {
      const rows = await db.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) ${sql}`);
      out[name] = rows.map((r) => r['QUERY PLAN'].trim()).filter((l) => !/^(Planning|Execution) Time/.test(l)).join('; ');
    }
  }
  return out;
}

async function measureTicks(db: Db, provider: Provider, iterations: number): Promise<{ tick: number[]; fire: number[]; heads: number[] }> {
  const clock = new ManualClock(NOW);
  const bot = await makeBot(db, provider, clock);
  const dispatcher = new Dispatcher({ db, log: pino({ level: 'silent' }), channels: new Map<ChannelName, SendingChannel>([['feishu', dummyChannel]]), now: () => NOW.getTime() });
  const tick: number[] = [];
  const fire: number[] = [];
  const heads: number[] = [];
  for (let k = 0; k < iterations + 20; k++) {
    const t0 = performance.now();
    const fired = await bot.fireDue();
    const t1 = performance.now();
    const h = await dispatcher.heads();
    const t2 = performance.now();
    if (fired !== 0 || h.length !== 0) throw new Error(`sla-tick: expected nothing due, fired ${fired}, heads ${h.length}`);
    if (k >= 20) {
      tick.push(t2 - t0);
      fire.push(t1 - t0);
      heads.push(t2 - t1);
    }
  }
  return { tick, fire, heads };
}

export async function benchSlaTick(provider: Provider, opts: { quick: boolean; digest: boolean }): Promise<TickResult> {
  const sizes: Array<[number, '10k' | '100k' | '1m']> = opts.quick ? [[10_000, '10k'], [100_000, '100k']] : [[10_000, '10k'], [100_000, '100k'], [1_000_000, '1m']];
  const store = await freshDb(provider, 'tick');
  const res: TickResult = {
    sla_tick_ms_10k: null,
    sla_tick_ms_100k: null,
    sla_tick_ms_1m: null,
    sla_tick_p99_ms_10k: null,
    sla_tick_p99_ms_100k: null,
    sla_tick_p99_ms_1m: null,
    sla_tick_ratio_1m_10k: null,
    sla_tick_fire_due_ms_1m: null,
    sla_tick_heads_ms_1m: null,
    sla_tick_plans: {},
    bulk_load_s_1m: null,
    digest: null,
  };
  try {
    const ctx = await prepareBulk(store.db, provider, sizes[sizes.length - 1]![0]);
    await addPendingOutbox(ctx);
    const loadStart = performance.now();
    for (const [n, label] of sizes) {
      await growTo(ctx, n);
      if (n === 1_000_000) res.bulk_load_s_1m = round((performance.now() - loadStart) / 1000, 1);
      const m = await measureTicks(store.db, provider, opts.quick ? 100 : 300);
      res[`sla_tick_ms_${label}`] = round(median(m.tick), 3);
      res[`sla_tick_p99_ms_${label}`] = round(percentile(m.tick, 99), 3);
      if (label === '1m') {
        res.sla_tick_fire_due_ms_1m = round(median(m.fire), 3);
        res.sla_tick_heads_ms_1m = round(median(m.heads), 3);
      }
      log(`sla-tick ${provider} ${label}: median ${res[`sla_tick_ms_${label}`]} ms, p99 ${res[`sla_tick_p99_ms_${label}`]} ms (fireDue ${round(median(m.fire), 3)}, heads ${round(median(m.heads), 3)})`);
    }
    res.sla_tick_plans = await plans(store.db, provider);
    const largest = sizes[sizes.length - 1]![1];
    const top = res[`sla_tick_ms_${largest}`];
    if (top !== null && res.sla_tick_ms_10k) res.sla_tick_ratio_1m_10k = largest === '1m' ? round(top / res.sla_tick_ms_10k, 2) : null;
    if (opts.digest) res.digest = await benchDigest(store.db, benchConfig(), ctx.count);
  } finally {
    await store.close();
  }
  return res;
}
