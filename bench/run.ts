/**
 * npm run bench [-- --quick] [-- --only=parse,process,tick,reminders,ingest] [-- --no-pg | --pg] [-- --runner=dist|tsx] [-- --node-args="--max-old-space-size=96"]
 *
 * Runs the benchmarks on SQLite and PostgreSQL (the server of TEST_DATABASE_URL,
 * default postgresql://postgres@127.0.0.1:5432/test; each run uses a throw-away
 * database) and writes bench/results.json and bench/RESULTS.md.
 * --quick: smaller sizes and SQLite only (add --pg for PostgreSQL too); under 2 minutes.
 * --render: only rewrite RESULTS.md from results.json (after editing bench/ANALYSIS.md).
 * The ingest benchmark runs the service as production does: `node dist/server.js`
 * after `npm run build` (--runner=tsx runs the sources instead), with the node
 * flags scripts/start.mjs adds (--node-args overrides them).
 * The full run takes about a quarter of an hour. Never part of `npm test`.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Provider } from '../src/store/migrate.js';
import type { Runner } from '../test/support/chaos-service.js';
import { benchIngest, type IngestResult } from './ingest.js';
import { log, machine, pgAvailable, postgresVersion, round } from './lib/common.js';
import { benchParse } from './parse.js';
import { benchProcess, type ProcessResult } from './process.js';
import { benchReminders, type ReminderResult } from './reminders.js';
import { benchSlaTick, type TickResult } from './sla-tick.js';
// @ts-expect-error a plain ES module without types
import { NODE_FLAGS as PRODUCTION_NODE_ARGS } from '../scripts/start.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    pg: { type: 'boolean' },
    'no-pg': { type: 'boolean', default: false },
    runner: { type: 'string' },
    out: { type: 'string', default: 'bench' },
    render: { type: 'boolean', default: false },
    'node-args': { type: 'string' },
  },
});
if (values.render) {
  // Only rewrite RESULTS.md from results.json (after editing bench/ANALYSIS.md).
  const r = JSON.parse(readFileSync(`${values.out}/results.json`, 'utf8')) as Record<string, unknown>;
  writeFileSync(`${values.out}/RESULTS.md`, renderMarkdown(r));
  process.exit(0);
}
const quick = values.quick!;
const only = new Set((values.only ?? 'parse,process,tick,reminders,ingest').split(',').map((s) => s.trim()));
const wantPg = values['no-pg'] ? false : (values.pg ?? !quick);
const pg = wantPg && pgAvailable();
if (wantPg && !pg) log('PostgreSQL is not reachable (TEST_DATABASE_URL): running SQLite only');

let runner: Runner = (values.runner as Runner | undefined) ?? 'dist';
if (only.has('ingest') && runner === 'dist' && !process.env.BENCH_NO_BUILD) {
  try {
    log('building dist/ (npm run build) for the ingest benchmark');
    execSync('npm run build', { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    log('the build failed: the ingest benchmark runs the sources through tsx instead');
    runner = 'tsx';
  }
}

// The node flags `npm start` (scripts/start.mjs) runs the service with.
const nodeArgs = (values['node-args'] ?? PRODUCTION_NODE_ARGS.join(' ')).split(/\s+/).filter(Boolean);

type Flat = Record<string, unknown>;
const started = Date.now();
const loadBefore = os.loadavg()[0]!;
const results: Flat = { mode: quick ? 'quick' : 'full' };
const providers: Provider[] = pg ? ['sqlite', 'postgresql'] : ['sqlite'];
const key = (provider: Provider, k: string) => (provider === 'sqlite' ? k : `pg_${k}`);

if (only.has('parse')) Object.assign(results, await benchParse({ quick }));
for (const provider of providers) {
  if (only.has('process')) {
    const r: ProcessResult = await benchProcess(provider, { quick });
    for (const [k, v] of Object.entries(r)) results[key(provider, k)] = v;
  }
}
for (const provider of providers) {
  if (only.has('tick')) {
    const t: TickResult = await benchSlaTick(provider, { quick, digest: true });
    const { digest, ...rest } = t;
    for (const [k, v] of Object.entries(rest)) results[key(provider, k)] = v;
    const size = quick ? '100k' : '1m';
    results[key(provider, 'digest_ms_1m')] = quick ? null : (digest?.digest_ms ?? null);
    if (quick) results[key(provider, `digest_ms_${size}`)] = digest?.digest_ms ?? null;
    results[key(provider, 'digest_detail')] = digest;
  }
}
for (const provider of providers) {
  if (only.has('reminders')) {
    const r: ReminderResult = await benchReminders(provider, { quick });
    for (const [k, v] of Object.entries(r)) results[key(provider, k)] = v;
  }
}
for (const provider of providers) {
  if (only.has('ingest')) {
    const r: IngestResult = await benchIngest(provider, { quick, runner, nodeArgs });
    for (const [k, v] of Object.entries(r)) results[key(provider, k)] = v;
  }
}
results['machine'] = { ...machine(), postgres: pg ? postgresVersion() : null, load_avg_1m_at_start: round(loadBefore, 2), load_avg_1m_at_end: round(os.loadavg()[0]!, 2) };
results['date'] = new Date().toISOString();
results['duration_s'] = Math.round((Date.now() - started) / 1000);

/** The machine of a partial run: the first run's, with the re-run's load averages beside it (a re-run without PostgreSQL keeps the server named). */
function rerunMachine(before: unknown, now: unknown): unknown {
  const b = (before ?? {}) as Record<string, unknown>;
  const n = (now ?? {}) as Record<string, unknown>;
  return { ...b, postgres: n['postgres'] ?? b['postgres'] ?? null, rerun_load_avg_1m: [n['load_avg_1m_at_start'], n['load_avg_1m_at_end']] };
}

// A partial run (--only) keeps the other figures of the previous results.
const file = `${values.out}/results.json`;
let merged: Flat = results;
if (values.only && existsSync(file)) {
  const previous = JSON.parse(readFileSync(file, 'utf8')) as Flat;
  merged = { ...previous, ...results, mode: `${String(previous['mode']).split(' (')[0]} (re-run: ${values.only} at ${String(results['date']).slice(11, 16)} UTC)`, date: previous['date'], duration_s: Number(previous['duration_s'] ?? 0) + Number(results['duration_s']), machine: rerunMachine(previous['machine'], results['machine']) };
}
writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
writeFileSync(`${values.out}/RESULTS.md`, renderMarkdown(merged));
log(`wrote ${file} and ${values.out}/RESULTS.md in ${results['duration_s']} s`);

// ---------------------------------------------------------------------------

function renderMarkdown(r: Flat): string {
  const m = r['machine'] as ReturnType<typeof machine> & { postgres: string | null; load_avg_1m_at_start?: number; load_avg_1m_at_end?: number };
  const num = (v: unknown, unit = '', digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? `${round(v, digits).toLocaleString('en-US')}${unit}` : '—');
  const verdict = (ok: boolean | null) => (ok === null ? 'not run' : ok ? '**met**' : '**missed**');
  const g = (k: string, pgSide: boolean) => r[pgSide ? `pg_${k}` : k];
  const hasPg = Object.keys(r).some((k) => k.startsWith('pg_'));
  type Row = { name: string; target: string; value: (pg: boolean) => string; ok: (pg: boolean) => boolean | null; pgApplies?: boolean };
  const cmp = (k: string, pred: (v: number) => boolean) => (p: boolean) => {
    const v = g(k, p);
    return typeof v === 'number' ? pred(v) : null;
  };
  const rows: Row[] = [
    { name: 'parse: messages/s on one core (training corpus, rules + model)', target: '≥ 5,000/s', value: () => num(r['parse_msgs_per_s'], '/s', 0), ok: () => (typeof r['parse_msgs_per_s'] === 'number' ? (r['parse_msgs_per_s'] as number) >= 5000 : null), pgApplies: false },
    { name: 'parse: messages per CPU second (same run)', target: '≥ 5,000/s', value: () => num(r['parse_msgs_per_cpu_s'], '/s', 0), ok: () => (typeof r['parse_msgs_per_cpu_s'] === 'number' ? (r['parse_msgs_per_cpu_s'] as number) >= 5000 : null), pgApplies: false },
    { name: 'parse: p99 per message', target: '—', value: () => num(r['parse_p99_ms'], ' ms', 3), ok: () => null, pgApplies: false },
    { name: 'ingest: highest rate answered with p99 < 100 ms, all 200', target: '≥ 1,000/s (SQLite)', value: (p) => num(g('ingest_events_per_s', p), '/s', 0), ok: cmp('ingest_events_per_s', (v) => v >= 1000) },
    { name: 'ingest: answer p99 at that rate', target: '< 100 ms', value: (p) => (g('ingest_steps', p) && g('ingest_p99_ms', p) == null ? 'no rate met it' : num(g('ingest_p99_ms', p), ' ms', 1)), ok: (p) => (g('ingest_steps', p) && g('ingest_p99_ms', p) == null ? false : cmp('ingest_p99_ms', (v) => v < 100)(p)) },
    { name: 'ingest: events acted on per second (queue draining, nothing arriving)', target: '—', value: (p) => num(g('ingest_processing_events_per_s', p), '/s', 1), ok: () => null },
    { name: 'ingest: queue after the step at the target, and the time to act on it', target: '—', value: (p) => (g('ingest_queued_after_target', p) == null ? '—' : `${num(g('ingest_queued_after_target', p), '', 0)} events, ${num(g('ingest_drain_s_at_target', p), ' s', 1)}${g('ingest_drain_rate', p) ? ` (step ${g('ingest_drain_rate', p)}/s)` : ''}`), ok: () => null },
    { name: 'ingest: whole backlog after the last step, time to drain it', target: '—', value: (p) => (g('ingest_final_backlog', p) == null ? '—' : `${num(g('ingest_final_backlog', p), '', 0)} events, ${num(g('ingest_final_drain_s', p), ' s', 1)}`), ok: () => null },
    { name: 'ingest: tickets created = events accepted, after the queue drained', target: 'equal', value: (p) => `${num(g('ingest_tickets_created', p), '', 0)} / ${num(g('ingest_events_accepted', p), '', 0)}`, ok: (p) => (g('ingest_tickets_match', p) === undefined ? null : g('ingest_tickets_match', p) === true) },
    { name: 'process (in-process): fault reports acted on per second', target: '—', value: (p) => num(g('process_events_per_s', p), '/s', 1), ok: () => null },
    { name: 'process: CPU / SQL statements per report', target: '—', value: (p) => (g('process_cpu_ms_per_event', p) === undefined ? '—' : `${num(g('process_cpu_ms_per_event', p), ' ms', 2)} / ${num(g('process_stmts_per_event', p), '', 1)}`), ok: () => null },
    { name: 'process: the floor — the same rows by hand-written SQL in one better-sqlite3 transaction: CPU / statements per report', target: '—', value: (p) => (g('process_floor_cpu_ms_per_event', p) === undefined ? '—' : `${num(g('process_floor_cpu_ms_per_event', p), ' ms', 3)} / ${num(g('process_floor_stmts_per_event', p), '', 0)}`), ok: () => null, pgApplies: false },
    { name: 'process: a report\'s CPU / the floor\'s (process_floor_ratio)', target: '≤ 3', value: (p) => num(g('process_floor_ratio', p), '', 1), ok: cmp('process_floor_ratio', (v) => v <= 3), pgApplies: false },
    { name: 'process: recording a message (the answer path), per second / statements', target: '—', value: (p) => (g('process_record_per_s', p) === undefined ? '—' : `${num(g('process_record_per_s', p), '/s', 0)} / ${num(g('process_record_stmts_per_event', p), '', 1)}`), ok: () => null },
    { name: 'process: reminders fired per second, one replica', target: '—', value: (p) => num(g('process_timers_per_s', p), '/s', 1), ok: () => null },
    { name: 'process: CPU / SQL statements per reminder', target: '—', value: (p) => (g('process_cpu_ms_per_timer', p) === undefined ? '—' : `${num(g('process_cpu_ms_per_timer', p), ' ms', 2)} / ${num(g('process_stmts_per_timer', p), '', 1)}`), ok: () => null },
    { name: 'sla-tick: one tick, 10k tickets (median)', target: '—', value: (p) => num(g('sla_tick_ms_10k', p), ' ms', 3), ok: () => null },
    { name: 'sla-tick: one tick, 100k tickets (median)', target: '—', value: (p) => num(g('sla_tick_ms_100k', p), ' ms', 3), ok: () => null },
    { name: 'sla-tick: one tick, 1M tickets (median)', target: '< 20 ms', value: (p) => num(g('sla_tick_ms_1m', p), ' ms', 3), ok: cmp('sla_tick_ms_1m', (v) => v < 20) },
    { name: 'sla-tick: 1M / 10k ratio', target: '≤ 2', value: (p) => num(g('sla_tick_ratio_1m_10k', p), '', 2), ok: cmp('sla_tick_ratio_1m_10k', (v) => v <= 2) },
    { name: 'reminders: lateness p50', target: '—', value: (p) => num(g('reminder_lateness_p50_s', p), ' s', 2), ok: () => null },
    { name: 'reminders: lateness p99', target: '≤ 5 s', value: (p) => num(g('reminder_lateness_p99_s', p), ' s', 2), ok: cmp('reminder_lateness_p99_s', (v) => v <= 5) },
    { name: 'reminders: duplicates (3 replicas)', target: '0', value: (p) => num(g('reminder_duplicates', p), '', 0), ok: cmp('reminder_duplicates', (v) => v === 0) },
    { name: 'reminders: not fired at the end', target: '0', value: (p) => num(g('reminder_unfired', p), '', 0), ok: cmp('reminder_unfired', (v) => v === 0) },
    { name: 'digest: daily digest over 1M tickets', target: '< 2 s', value: (p) => num(g('digest_ms_1m', p), ' ms', 0), ok: cmp('digest_ms_1m', (v) => v < 2000) },
    { name: 'memory: RSS right after start (Feishu on)', target: '< 250 MB', value: (p) => num(g('rss_start_mb', p), ' MB', 0), ok: cmp('rss_start_mb', (v) => v < 250) },
    { name: 'memory: RSS idle after the warm-up', target: '< 250 MB', value: (p) => num(g('rss_idle_mb', p), ' MB', 0), ok: cmp('rss_idle_mb', (v) => v < 250) },
    { name: 'memory: at idle, V8 heap used / reserved, external (WASM, buffers)', target: '—', value: (p) => (g('rss_idle_heap_used_mb', p) == null ? '—' : `${num(g('rss_idle_heap_used_mb', p), '', 0)} / ${num(g('rss_idle_heap_total_mb', p), '', 0)} MB, ${num(g('rss_idle_external_mb', p), ' MB', 0)}`), ok: () => null },
    { name: 'memory: RSS at the ingest target (answering, then draining)', target: '< 250 MB', value: (p) => `${num(g('rss_load_mb', p), ' MB', 0)}${g('rss_load_rate', p) ? ` (at ${g('rss_load_rate', p)}/s)` : ''}`, ok: cmp('rss_load_mb', (v) => v < 250) },
  ];
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(`Generated by \`npm run bench${r['mode'] === 'quick' ? ' -- --quick' : ''}\` (bench/run.ts) on ${String(r['date']).slice(0, 16).replace('T', ' ')} UTC, ${r['mode']} run, ${r['duration_s']} s.`, '');
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ram_gb} GB RAM, Node ${m.node}, ${m.os}; PostgreSQL ${m.postgres ?? '(not run)'} on the same machine (127.0.0.1).${m.load_avg_1m_at_start !== undefined ? ` Load average at start/end: ${m.load_avg_1m_at_start}/${m.load_avg_1m_at_end} (other work on the machine skews the figures).` : ''}`, '');
  lines.push(`| Benchmark | Target | SQLite | SQLite verdict |${hasPg ? ' PostgreSQL | PostgreSQL verdict |' : ''}`);
  lines.push(`|---|---|---|---|${hasPg ? '---|---|' : ''}`);
  for (const row of rows) {
    const pgCells = hasPg ? (row.pgApplies === false ? ' (same code) | |' : ` ${row.value(true)} | ${row.target === '—' ? '' : verdict(row.ok(true))} |`) : '';
    lines.push(`| ${row.name} | ${row.target} | ${row.value(false)} | ${row.target === '—' ? '' : verdict(row.ok(false))} |${pgCells}`);
  }
  lines.push('');
  for (const p of hasPg ? [false, true] : [false]) {
    const steps = g('ingest_steps', p) as IngestResult['ingest_steps'] | undefined;
    if (!steps) continue;
    const args = (g('node_args', p) as string[] | undefined) ?? [];
    lines.push(`## Ingest steps (${p ? 'PostgreSQL' : 'SQLite'}; service: \`${g('runner', p) === 'dist' ? `node ${[...args, 'dist/server.js'].join(' ')}` : 'tsx src/server.ts'}\`)`, '');
    lines.push('Answer: from the moment a request was due until its 200 (the event recorded, not yet acted on). Then a window with nothing arriving: queued = events waiting when the last answer came (earlier steps\' leftovers included), acted on/s = events the bot acted on per second in that window, emptied = when the queue was empty (— : not within the window).', '');
    lines.push('| rate/s | sent | answered 200 | p50 ms | p99 ms | max ms | achieved/s | CPU | RSS MB | queued | acted on/s | window s | emptied after | window CPU | window RSS MB |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const s of steps) {
      const x = s as typeof s & Partial<{ queued_at_end: number; drain_s: number | null; drain_per_s: number | null; drain_window_s: number; drain_cpu_pct: number | null; rss_drain_max_mb: number }>;
      const d = (v: unknown, unit = '') => (v === undefined ? '' : v === null ? '—' : `${v}${unit}`);
      lines.push(`| ${s.rate} | ${s.sent} | ${s.ok} | ${s.p50_ms} | ${s.p99_ms}${s.passed ? '' : ' ✗'} | ${s.max_ms} | ${s.achieved_per_s} | ${s.service_cpu_pct}% | ${s.rss_max_mb} | ${d(x.queued_at_end)} | ${d(x.drain_per_s)} | ${d(x.drain_window_s)} | ${d(x.drain_s, ' s')} | ${d(x.drain_cpu_pct, '%')} | ${d(x.rss_drain_max_mb)} |`);
    }
    lines.push('', `Platform posts (fake Feishu): ${g('ingest_platform_posts', p)}, repeated idempotency keys: ${g('ingest_platform_duplicate_uuids', p)}, outbox rows unsent after draining: ${g('ingest_outbox_unsent_after_drain', p)}, events left in the queue: ${g('ingest_queue_left', p) ?? '—'}.`, '');
  }
  lines.push('## Query plans of the tick', '');
  for (const p of hasPg ? [false, true] : [false]) {
    const plans = g('sla_tick_plans', p) as Record<string, string> | undefined;
    if (!plans) continue;
    for (const [name, plan] of Object.entries(plans)) lines.push(`- ${p ? 'PostgreSQL' : 'SQLite'} ${name}: \`${plan}\``);
  }
  lines.push('');
  lines.push('## Other figures', '');
  const extra: Array<[string, string]> = [
    ['sla-tick p99 at 1M (SQLite / PostgreSQL)', `${num(r['sla_tick_p99_ms_1m'], ' ms', 3)} / ${num(r['pg_sla_tick_p99_ms_1m'], ' ms', 3)}`],
    ['sla-tick parts at 1M, fireDue + heads (SQLite)', `${num(r['sla_tick_fire_due_ms_1m'], ' ms', 3)} + ${num(r['sla_tick_heads_ms_1m'], ' ms', 3)}`],
    ['sla-tick parts at 1M, fireDue + heads (PostgreSQL)', `${num(r['pg_sla_tick_fire_due_ms_1m'], ' ms', 3)} + ${num(r['pg_sla_tick_heads_ms_1m'], ' ms', 3)}`],
    ['bulk load of 1M tickets with their rows (SQLite / PostgreSQL)', `${num(r['bulk_load_s_1m'], ' s', 1)} / ${num(r['pg_bulk_load_s_1m'], ' s', 1)}`],
    ['digest chart (PNG) render (SQLite run / PostgreSQL run)', `${num((r['digest_detail'] as { digest_chart_ms?: number } | null)?.digest_chart_ms, ' ms', 0)} / ${num((r['pg_digest_detail'] as { digest_chart_ms?: number } | null)?.digest_chart_ms, ' ms', 0)}`],
    ['reminders: timers fired per second, 3 replicas (SQLite / PostgreSQL)', `${num(r['reminder_throughput_per_s'], '/s', 1)} / ${num(r['pg_reminder_throughput_per_s'], '/s', 1)}`],
    ['reminders: fired by each replica (SQLite / PostgreSQL)', `${JSON.stringify(r['reminder_fired_per_replica'] ?? null)} / ${JSON.stringify(r['pg_reminder_fired_per_replica'] ?? null)}`],
  ];
  if (r['mode'] === 'quick') extra.push(['digest over 100k tickets (quick run; SQLite / PostgreSQL)', `${num(r['digest_ms_100k'], ' ms', 0)} / ${num(r['pg_digest_ms_100k'], ' ms', 0)}`]);
  for (const [k, v] of extra) lines.push(`- ${k}: ${v}`);
  lines.push('');
  const notes = new URL('./ANALYSIS.md', import.meta.url);
  if (existsSync(notes)) lines.push(readFileSync(notes, 'utf8').trim(), '');
  return `${lines.join('\n')}\n`;
}
