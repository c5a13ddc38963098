/** `cli seed`: realistic tickets over the last days, written straight into the store (demo data, benchmarks). */
import { parseArgs } from 'node:util';
import { openStore, storeNow } from './support.js';
import { seed } from '../demo/seed.js';

const USAGE = `usage: npm run --silent cli -- seed [--tickets 2000] [--days 30] [--now ISO-TIME] [--seed N] [--bulk] [--lean]
  Writes tickets of every kind, level and status over the last --days days into
  the database named by DATABASE_URL (default data/servicebot.db), with their
  audit trail, timers, ratings (some dissatisfied), complaints and breaches.
  --now      the end of the period (default: the service's clock)
  --seed     random seed (same seed, same data)
  --bulk     for 100k–1M tickets (benchmarks): implies --lean, larger batches
  --lean     fewer audit events and no inbound/outbox rows (smaller databases)
  On SQLite rows go in through prepared statements (2000 tickets in about a
  second, 1M in minutes); on PostgreSQL through batched Prisma inserts.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tickets: { type: 'string', default: '2000' },
      days: { type: 'string', default: '30' },
      now: { type: 'string' },
      seed: { type: 'string' },
      bulk: { type: 'boolean', default: false },
      lean: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const tickets = Number(values.tickets);
  const days = Number(values.days);
  if (!Number.isInteger(tickets) || tickets < 1 || tickets > 20_000_000) {
    console.error(`--tickets: a whole number from 1 to 20000000, not "${values.tickets}"\n\n${USAGE}`);
    return 2;
  }
  if (!Number.isFinite(days) || days <= 0 || days > 3660) {
    console.error(`--days: a number of days from 1 to 3660, not "${values.days}"\n\n${USAGE}`);
    return 2;
  }
  const store = await openStore();
  try {
    const now = values.now ? new Date(values.now) : await storeNow(store);
    if (Number.isNaN(now.getTime())) {
      console.error(`--now: an ISO time such as 2026-11-24T09:00:00+08:00, not "${values.now}"`);
      return 2;
    }
    let last = 0;
    const r = await seed(store.db, store.contracts.default, {
      tickets,
      days,
      now,
      ...(values.seed ? { seed: Number(values.seed) } : {}),
      ...(store.config.database.provider === 'sqlite' ? { sqliteFile: store.config.database.file } : {}),
      ...(values.bulk ? { batch: 5000 } : {}),
      lean: values.lean || values.bulk,
      onProgress: (done, total) => {
        if (total >= 20_000 && (done - last >= total / 20 || done === total)) {
          last = done;
          process.stderr.write(`  ${done}/${total}\n`);
        }
      },
    });
    console.log(`seeded ${r.tickets} tickets (${r.events} audit events) over ${days} days up to ${now.toISOString()} in ${(r.ms / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await store.close();
  }
}
