/**
 * process: the bot's own work, in this process (no HTTP), on a fresh store:
 * - events: N fault reports recorded as the Feishu channel records them
 *   (receive with defer: the answer path), then acted on by processQueued() (the
 *   inbound queue): events per second, CPU per event, SQL statements per event;
 * - timers: N due reminders fired by one fireDue() loop (one replica): timers per
 *   second and statements per timer.
 * Statements are counted at the driver (the SQLite connection's prepare, pg query), so
 * BEGIN and COMMIT count too. This is where the per-event cost of the bot shows,
 * without the HTTP server, the webhook decryption or other processes.
 */
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { statementsRun } from '../src/store/statement-cache.js';
import { sqliteFilePath, type Provider } from '../src/store/migrate.js';
import { floorSqlite, type FloorResult } from './lib/floor.js';
import { feishuMessage, seedDueReminders } from '../test/support/chaos.js';
import { freshDb, log, makeBot, round } from './lib/common.js';

export interface ProcessResult {
  process_events: number;
  /** receive(defer) per second: the database part of the answer path. */
  process_record_per_s: number;
  process_record_stmts_per_event: number;
  process_events_per_s: number;
  process_cpu_ms_per_event: number;
  process_stmts_per_event: number;
  process_timers: number;
  process_timers_per_s: number;
  process_cpu_ms_per_timer: number;
  process_stmts_per_timer: number;
  /** SQLite only: the same rows by hand-written SQL in one better-sqlite3 transaction (bench/lib/floor.ts). */
  process_floor_cpu_ms_per_event?: number;
  process_floor_stmts_per_event?: number;
  process_floor_events_per_s?: number;
  /** process_cpu_ms_per_event / process_floor_cpu_ms_per_event, measured in the same run. */
  process_floor_ratio?: number;
}

let pgStatements = 0;
let installed = false;
/** Statements the drivers were asked to run: on SQLite those run through the service's connections (statement-cache.ts), on PostgreSQL those sent. */
const statements = { get count(): number { return statementsRun.count + pgStatements; } };
function countStatements(): void {
  if (installed) return;
  installed = true;
  const cproto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = cproto.query;
  cproto.query = function (this: unknown, ...a: unknown[]) {
    pgStatements++;
    return query.apply(this, a);
  };
}

function cpuMs(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
}

export async function benchProcess(provider: Provider, opts: { quick: boolean }): Promise<ProcessResult> {
  countStatements();
  const events = opts.quick ? 300 : 1000;
  const timers = opts.quick ? 300 : 1000;
  const store = await freshDb(provider, 'process');
  try {
    const bot = await makeBot(store.db, provider, systemClock);
    // 100 chats, 1000 people (as the ingest benchmark); a warm-up of 100 first (JIT, the first chats).
    const msg = (n: number) => feishuMessage(`p${n}`, `@_user_1 ${n}号闸机刷卡没反应 一台`, { chat: `oc_process_${n % 100}`, sender: `ou_process_${n % 1000}` });
    for (let n = 0; n < 100; n++) await bot.receive(msg(n), { defer: true });
    await bot.processQueued();
    let s0 = statements.count;
    let t0 = performance.now();
    for (let n = 100; n < 100 + events; n++) await bot.receive(msg(n), { defer: true });
    const recordS = (performance.now() - t0) / 1000;
    const recordStmts = statements.count - s0;
    s0 = statements.count;
    let c0 = process.cpuUsage();
    t0 = performance.now();
    const done = await bot.processQueued(1000);
    const processS = (performance.now() - t0) / 1000;
    const processCpu = cpuMs(c0);
    const processStmts = statements.count - s0;
    if (done !== events) throw new Error(`processQueued acted on ${done} of ${events} events`);

    // The floor: the rows of the last report, written again by hand-written SQL (SQLite).
    let floor: FloorResult | null = null;
    if (provider === 'sqlite') {
      const last = await store.db.ticket.findFirstOrThrow({ orderBy: { id: 'desc' }, select: { id: true } });
      floor = floorSqlite(sqliteFilePath(store.url), last.id, events);
    }

    // Timers: due now, one reminder per open ticket.
    const now = new Date();
    await seedDueReminders(store.db, 'oc_process_timers', Array.from({ length: timers }, (_, k) => new Date(now.getTime() - 1000 + k)), now);
    s0 = statements.count;
    c0 = process.cpuUsage();
    t0 = performance.now();
    let fired = 0;
    for (let n; (n = await bot.fireDue()) > 0; ) fired += n;
    const fireS = (performance.now() - t0) / 1000;
    const fireCpu = cpuMs(c0);
    const fireStmts = statements.count - s0;
    const res: ProcessResult = {
      process_events: events,
      process_record_per_s: round(events / recordS, 0),
      process_record_stmts_per_event: round(recordStmts / events, 1),
      process_events_per_s: round(events / processS, 1),
      process_cpu_ms_per_event: round(processCpu / events, 2),
      process_stmts_per_event: round(processStmts / events, 1),
      process_timers: fired,
      process_timers_per_s: round(fired / fireS, 1),
      process_cpu_ms_per_timer: round(fireCpu / Math.max(1, fired), 2),
      process_stmts_per_timer: round(fireStmts / Math.max(1, fired), 1),
      ...(floor
        ? {
            process_floor_cpu_ms_per_event: round(floor.cpu_ms_per_report, 3),
            process_floor_stmts_per_event: floor.statements_per_report,
            process_floor_events_per_s: round(floor.reports_per_s, 0),
            process_floor_ratio: round(processCpu / events / floor.cpu_ms_per_report, 1),
          }
        : {}),
    };
    log(
      `process ${provider}: record ${res.process_record_per_s}/s (${res.process_record_stmts_per_event} statements each); ` +
        `act ${res.process_events_per_s} events/s, ${res.process_cpu_ms_per_event} ms CPU and ${res.process_stmts_per_event} statements each; ` +
        (floor ? `floor ${res.process_floor_cpu_ms_per_event} ms CPU, ${res.process_floor_stmts_per_event} statements (ratio ${res.process_floor_ratio}); ` : '') +
        `timers ${res.process_timers_per_s}/s, ${res.process_cpu_ms_per_timer} ms CPU and ${res.process_stmts_per_timer} statements each`,
    );
    return res;
  } finally {
    await store.close();
  }
}
