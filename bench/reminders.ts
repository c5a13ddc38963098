/**
 * reminders: 10,000 timers (reminders of open tickets) coming due within one
 * minute, fired by three scheduler replicas on the same database. Lateness is
 * firedAt − dueAt of each timer; a duplicate is a second reminder (audit event
 * or outbox row) for the same timer.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Provider } from '../src/store/migrate.js';
import { prepareBulk } from './lib/bulk.js';
import { freshDb, log, percentile, round, sleep } from './lib/common.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ReminderResult {
  reminder_timers: number;
  reminder_replicas: number;
  reminder_lateness_p50_s: number;
  reminder_lateness_p99_s: number;
  reminder_lateness_max_s: number;
  reminder_duplicates: number;
  reminder_unfired: number;
  reminder_fired_per_replica: number[];
  reminder_throughput_per_s: number;
}

export function startSchedulerWorker(databaseUrl: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; stats(): Promise<number>; stop(): Promise<number> }> {
  const child = fork(path.join(HERE, 'workers/scheduler.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, ...env },
    // node-cron prints "missed execution" warnings when a tick starts late; the figures say it better.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr!.on('data', (b: Buffer) => {
    const lines = b.toString('utf8').split('\n').filter((l) => l.trim() && !l.includes('NODE-CRON'));
    if (lines.length) process.stderr.write(`${lines.join('\n')}\n`);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`scheduler worker exited with ${code}`)));
    child.once('message', () =>
      resolve({
        child,
        stats: () => new Promise((r) => { child.once('message', (m: { fired: number }) => r(m.fired)); child.send({ type: 'stats' }); }),
        stop: () => new Promise((r) => { child.removeAllListeners('exit'); child.once('message', (m: { fired: number }) => r(m.fired)); child.send({ type: 'stop' }); }),
      }),
    );
  });
}

export async function benchReminders(provider: Provider, opts: { quick: boolean; replicas?: number }): Promise<ReminderResult> {
  const replicas = opts.replicas ?? 3;
  const timers = opts.quick ? 1000 : 10_000;
  const windowS = opts.quick ? 15 : 60;
  const store = await freshDb(provider, 'remind');
  try {
    const ctx = await prepareBulk(store.db, provider, timers);
    const workers = await Promise.all(Array.from({ length: replicas }, () => startSchedulerWorker(store.url)));
    // Open tickets (acknowledged by an engineer), one reminder each, due evenly over the window starting in 5 s.
    const sqlite = provider === 'sqlite';
    const start = Date.now() + 5000;
    const ts = (ms: string) => (sqlite ? `strftime('%Y-%m-%dT%H:%M:%f+00:00', (${ms}) / 1000.0, 'unixepoch')` : `(to_timestamp((${ms}) / 1000.0) AT TIME ZONE 'UTC')`);
    const series = (sql: string) => (sqlite ? `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${timers}) ${sql} FROM s` : `${sql} FROM generate_series(1, ${timers}) AS s(i)`);
    const nowMs = String(Date.now());
    await store.db.$executeRawUnsafe(
      series(
        `INSERT INTO "Ticket" ("id", "number", "kind", "status", "customerId", "chatId", "reporterId", "assigneeId", "level", "site", "device", "content", "hardware", "reportedAt", "levelKnownAt", "acceptedAt", "assignedAt", "acknowledgedAt", "contractHash", "createdAt", "updatedAt") ` +
          `SELECT i, 'GD-R-' || ${sqlite ? 'i' : 'CAST(i AS TEXT)'}, 'fault', 'acknowledged', ${ctx.customerId}, ${ctx.chatIds[0]!} + i % ${ctx.chatIds.length}, ${ctx.reporterIds[0]!} + i % ${ctx.reporterIds.length}, ${ctx.engineerIds[0]!} + i % ${ctx.engineerIds.length}, 3, '小寨站', '闸机', '闸机刷卡没反应', ${sqlite ? 1 : 'true'}, ${ts(nowMs)}, ${ts(nowMs)}, ${ts(nowMs)}, ${ts(nowMs)}, ${ts(nowMs)}, 'bench', ${ts(nowMs)}, ${ts(nowMs)}`,
      ),
    );
    await store.db.$executeRawUnsafe(
      series(
        `INSERT INTO "Timer" ("ticketId", "clock", "stage", "dueAt", "deadlineAt", "state", "createdAt") ` +
          `SELECT i, 'resolve_or_replace', 'remind_50', ${ts(`${start} + (i - 1) * ${(windowS * 1000) / timers}`)}, ${ts(`${start} + 3600000`)}, 'pending', ${ts(nowMs)}`,
      ),
    );
    if (provider === 'postgresql') await store.db.$executeRawUnsafe('ANALYZE');
    log(`reminders ${provider}: ${timers} timers due over ${windowS} s from ${new Date(start).toISOString()}, ${replicas} replicas`);
    const deadline = start + windowS * 1000 + 240_000;
    let pending = timers;
    while (Date.now() < deadline) {
      await sleep(1000);
      pending = await store.db.timer.count({ where: { state: 'pending' } });
      if (pending === 0) break;
    }
    const doneAt = Date.now();
    const fired = await Promise.all(workers.map((w) => w.stop()));
    const rows = await store.db.timer.findMany({ where: { state: 'fired' }, select: { dueAt: true, firedAt: true } });
    const lateness = rows.map((r) => (r.firedAt!.getTime() - r.dueAt.getTime()) / 1000);
    const events = await store.db.ticketEvent.groupBy({ by: ['ticketId'], where: { action: 'reminder' }, _count: { _all: true } });
    const outbox = await store.db.outbox.groupBy({ by: ['ticketId'], where: { ticketId: { not: null } }, _count: { _all: true } });
    const duplicates = events.reduce((a, e) => a + Math.max(0, e._count._all - 1), 0) + outbox.reduce((a, e) => a + Math.max(0, e._count._all - 1), 0);
    const res: ReminderResult = {
      reminder_timers: timers,
      reminder_replicas: replicas,
      reminder_lateness_p50_s: round(percentile(lateness, 50), 2),
      reminder_lateness_p99_s: round(percentile(lateness, 99), 2),
      reminder_lateness_max_s: round(Math.max(...lateness), 2),
      reminder_duplicates: duplicates,
      reminder_unfired: pending,
      reminder_fired_per_replica: fired,
      reminder_throughput_per_s: round(rows.length / ((doneAt - start) / 1000), 1),
    };
    log(`reminders ${provider}: lateness p50 ${res.reminder_lateness_p50_s} s, p99 ${res.reminder_lateness_p99_s} s, max ${res.reminder_lateness_max_s} s; duplicates ${duplicates}; unfired ${pending}; per replica ${fired.join('/')}; reminder events ${events.length}`);
    return res;
  } finally {
    await store.close();
  }
}
