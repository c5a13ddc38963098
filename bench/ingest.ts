/**
 * ingest: signed, encrypted Feishu webhook events (im.message.receive_v1, each a
 * new fault report) sent over loopback at rising rates to the real service in a
 * child process, run the way production runs it (`node dist/server.js` after
 * `npm run build`), Feishu pointed at the fake open platform (its own process).
 *
 * The service answers a Feishu message once it has recorded it (one INSERT);
 * the bot acts on it afterwards, from the inbound queue. So two things are
 * measured:
 * - the answer: the highest rate whose 99th-percentile answer stayed under
 *   100 ms with every event answered 200 (the issue's ingest target);
 * - the processing: how fast queued events are acted on. After each step the
 *   queue is watched for a while with nothing arriving (events acted on per
 *   second in that window); after the last step, how long the whole backlog
 *   took to drain.
 * The queue is watched from outside, read-only (the InboundEvent rows still
 * queued). At the end, after the queue and the outbox drained, every event
 * answered 200 must have exactly one ticket. The service's resident size is
 * sampled right after start, idle after a warm-up, and during the step at the
 * ingest target (1,000/s) and its drain window.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPrismaClient } from '../src/store/client.js';
import { sqliteFilePath, type Provider } from '../src/store/migrate.js';
import { createThrowawayPgDatabase } from '../src/store/pg-databases.js';
import { startServiceProcess, type Runner, type ServiceProcess } from '../test/support/chaos-service.js';
import { botMention, feishuRequest, textMessageEvent } from '../test/support/feishu-events.js';
import { log, PG_SERVER_URL, percentile, round, rssMb, sleep } from './lib/common.js';
import { makeAgent, runStep, type PreparedRequest, type StepResult } from './lib/loadgen.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TARGET_P99_MS = 100;
/** The issue's ingest target (events/s on SQLite): RSS "at the ingest target" is sampled at this step. */
export const TARGET_RATE = 1000;

export interface IngestStep {
  rate: number;
  sent: number;
  ok: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  achieved_per_s: number;
  /** Service CPU while the step was sent (100% = one core). */
  service_cpu_pct: number;
  /** Service RSS, highest while the step was sent. */
  rss_max_mb: number;
  statuses: Record<string, number>;
  passed: boolean;
  /** Events waiting in the queue (not yet acted on) when the step's last answer came. */
  queued_at_end: number;
  /** Seconds from the last answer until the queue was empty, if it emptied within the window (null: it did not). */
  drain_s: number | null;
  /** Events acted on per second in the window after the step (nothing arriving): the bot's processing throughput. */
  drain_per_s: number | null;
  /** Length of that window (s). */
  drain_window_s: number;
  /** Service CPU in that window. */
  drain_cpu_pct: number | null;
  /** Service RSS, highest in that window. */
  rss_drain_max_mb: number;
}

export interface IngestResult {
  ingest_events_per_s: number;
  ingest_p99_ms: number | null;
  ingest_steps: IngestStep[];
  /** Events acted on per second while a backlog drained (the best drain window). */
  ingest_processing_events_per_s: number | null;
  /** Events waiting after the last step, and the seconds it took to act on all of them. */
  ingest_final_backlog: number;
  ingest_final_drain_s: number | null;
  /** The step at the target rate: events still queued after it, and the time to act on them at the measured rate. */
  ingest_queued_after_target: number | null;
  ingest_drain_s_at_target: number | null;
  ingest_drain_rate: number | null;
  ingest_events_accepted: number;
  ingest_tickets_created: number;
  ingest_tickets_match: boolean;
  /** Events still queued (not acted on) when the tickets were counted: must be 0. */
  ingest_queue_left: number;
  ingest_outbox_unsent_after_drain: number;
  ingest_platform_posts: number;
  ingest_platform_duplicate_uuids: number;
  /** Right after start, before any event. */
  rss_start_mb: number;
  /** Idle again after the warm-up (queue and outbox drained). */
  rss_idle_mb: number;
  /** At idle: the V8 heap (used, reserved) and memory outside it (buffers, WASM), from the service's /metrics. */
  rss_idle_heap_used_mb: number | null;
  rss_idle_heap_total_mb: number | null;
  rss_idle_external_mb: number | null;
  /** Highest while the step at the ingest target (1,000/s) was answered and drained (or the highest step run). */
  rss_load_mb: number;
  rss_load_rate: number;
  runner: Runner;
  node_args: string[];
}

export interface FakeWorker {
  url: string;
  child: ChildProcess;
  call<T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function startFakeWorker(): Promise<FakeWorker> {
  const child = fork(path.join(HERE, 'workers/fake-feishu.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: Record<string, unknown>) => {
      if (m['type'] === 'ready') resolve(m['url'] as string);
      else if (typeof m['id'] === 'number') waiting.get(m['id'])?.(m);
    });
  });
  return {
    url,
    child,
    call: <T>(msg: Record<string, unknown>) =>
      new Promise<T>((resolve) => {
        const id = ++seq;
        waiting.set(id, (m) => resolve(m as T));
        child.send({ ...msg, id });
      }),
    async stop() {
      child.send({ type: 'stop' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** utime + stime of a process in clock ticks (Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function cpuMeter(pid: number): () => number {
  const c0 = cpuTicks(pid);
  const t0 = performance.now();
  return () => Math.round(((cpuTicks(pid) - c0) / 100 / ((performance.now() - t0) / 1000)) * 100);
}

let counter = 0;
/**
 * A new fault report in one of 100 chats from one of `people` people: one event, one new ticket.
 * The warm-up sends one from each person first: the service then knows their names (a first
 * message from someone new costs a contact lookup at the platform while it is answered).
 */
export function reportRequest(people = 1000): { req: PreparedRequest; messageId: string } {
  const n = ++counter;
  const messageId = `om_bench_${process.pid}_${n}`;
  const payload = textMessageEvent(`@_user_1 ${n}号闸机刷卡没反应 一台`, {
    messageId,
    chatId: `oc_ingest_${n % 100}`,
    senderOpenId: `ou_ingest_${n % people}`,
    mentions: [botMention()],
  });
  const r = feishuRequest(payload);
  return { req: { path: '/feishu/events', headers: r.headers, body: r.body }, messageId };
}

/** Reads the service's database from outside, read-only: how many inbound events wait to be acted on. */
interface QueueProbe {
  queued(): Promise<number>;
  close(): Promise<void>;
}

const QUEUED_SQL = `SELECT count(*) AS n FROM "InboundEvent" WHERE "outcome" = 'queued'`;

async function queueProbe(provider: Provider, databaseUrl: string): Promise<QueueProbe> {
  if (provider === 'sqlite') {
    const db = new Database(sqliteFilePath(databaseUrl), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const stmt = db.prepare(QUEUED_SQL);
    return {
      queued: async () => Number((stmt.get() as { n: number }).n),
      close: async () => {
        db.close();
      },
    };
  }
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  return { queued: async () => Number((await c.query<{ n: string }>(QUEUED_SQL)).rows[0]!.n), close: () => c.end() };
}

async function outboxPending(svc: ServiceProcess): Promise<number> {
  const r = await fetch(`${svc.url}/healthz`);
  return ((await r.json()) as { outboxPending: number }).outboxPending;
}

/** Waits until nothing is queued; returns the seconds it took (null: not within maxMs). */
async function waitQueueEmpty(probe: QueueProbe, maxMs: number, everyMs = 100): Promise<number | null> {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    if ((await probe.queued()) === 0) return (performance.now() - t0) / 1000;
    await sleep(everyMs);
  }
  return null;
}

async function waitOutboxDrained(svc: ServiceProcess, maxMs: number): Promise<number> {
  const until = Date.now() + maxMs;
  let left = await outboxPending(svc);
  while (left > 0 && Date.now() < until) {
    await sleep(250);
    left = await outboxPending(svc);
  }
  return left;
}

export async function benchIngest(provider: Provider, opts: { quick: boolean; runner: Runner; nodeArgs?: string[] }): Promise<IngestResult> {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-bench-ingest-'));
    databaseUrl = `file:${path.join(dir, 'ingest.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const tmp = await createThrowawayPgDatabase(PG_SERVER_URL, 'servicebot_bench_ingest');
    databaseUrl = tmp.url;
    cleanup = () => tmp.drop();
  }
  const nodeArgs = opts.nodeArgs ?? [];
  const fake = await startFakeWorker();
  const svc = await startServiceProcess({ databaseUrl, feishuDomain: fake.url, runner: opts.runner, nodeArgs, env: { LOG_LEVEL: 'error' } });
  const probe = await queueProbe(provider, databaseUrl);
  const agent = makeAgent();
  const steps: IngestStep[] = [];
  const accepted = new Set<string>();
  let rssIdle = 0;
  await sleep(3000);
  const rssStart = await rssMb(svc.pid);
  log(`ingest ${provider}: service ${opts.runner === 'dist' ? `node ${[...nodeArgs, 'dist/server.js'].join(' ')}` : 'tsx src/server.ts'}; RSS right after start ${round(rssStart, 1)} MB`);
  let rssLoad = 0;
  let rssLoadRate = 0;
  let idleHeap: HeapMb | null = null;
  const drainLimitMs = opts.quick ? 90_000 : 300_000;
  try {
    // Warm-up (JIT, the token, the bot identity, the first people), then idle.
    const people = opts.quick ? 200 : 1000;
    const warm = Array.from({ length: people }, () => reportRequest(people));
    const w = await runStep(agent, svc.port, 100, warm.map((x) => x.req), 30_000, (k, code) => code === 200 && accepted.add(warm[k]!.messageId));
    await waitQueueEmpty(probe, drainLimitMs, 250);
    await waitOutboxDrained(svc, 60_000);
    log(`ingest ${provider}: warm-up ${w.ok}/${w.sent} ok, queue and outbox drained`);
    await sleep(opts.quick ? 2000 : 5000);
    rssIdle = await rssMb(svc.pid);
    idleHeap = await heapOf(svc.url);
    log(`ingest ${provider}: idle RSS ${round(rssIdle, 1)} MB (V8 heap used ${idleHeap?.used ?? '?'} of ${idleHeap?.total ?? '?'} MB, external ${idleHeap?.external ?? '?'} MB)`);

    const rates = opts.quick ? [100, 500, TARGET_RATE] : [50, 100, 250, 500, 750, TARGET_RATE, 1500, 2000];
    const seconds = opts.quick ? 1.5 : 2;
    const windowMs = opts.quick ? 3000 : 8000;
    for (const rate of rates) {
      const batch = Array.from({ length: Math.round(rate * seconds) }, () => reportRequest(people));
      let rssMax = 0;
      let sampler = setInterval(() => void rssMb(svc.pid).then((v) => (rssMax = Math.max(rssMax, v))).catch(() => {}), 100);
      const cpu = cpuMeter(svc.pid);
      const r: StepResult = await runStep(agent, svc.port, rate, batch.map((x) => x.req), 30_000, (k, code) => code === 200 && accepted.add(batch[k]!.messageId));
      const sendCpu = cpu();
      clearInterval(sampler);
      rssMax = Math.max(rssMax, await rssMb(svc.pid));
      // The drain window: nothing arrives; the bot works through the queue at full speed.
      const queuedAtEnd = await probe.queued();
      let rssDrain = await rssMb(svc.pid);
      sampler = setInterval(() => void rssMb(svc.pid).then((v) => (rssDrain = Math.max(rssDrain, v))).catch(() => {}), 250);
      const drainCpu = cpuMeter(svc.pid);
      const t0 = performance.now();
      const emptied = await waitQueueEmpty(probe, windowMs);
      const windowS = (performance.now() - t0) / 1000;
      const left = emptied === null ? await probe.queued() : 0;
      const dCpu = drainCpu();
      clearInterval(sampler);
      const p99 = percentile(r.latencies, 99);
      const step: IngestStep = {
        rate,
        sent: r.sent,
        ok: r.ok,
        p50_ms: round(percentile(r.latencies, 50), 1),
        p99_ms: round(p99, 1),
        max_ms: round(Math.max(...r.latencies), 1),
        achieved_per_s: r.achieved,
        service_cpu_pct: sendCpu,
        rss_max_mb: round(rssMax, 1),
        statuses: r.status,
        passed: r.ok === r.sent && p99 < TARGET_P99_MS,
        queued_at_end: queuedAtEnd,
        drain_s: emptied === null ? null : round(emptied, 2),
        // Only a window that started with a real backlog measures the throughput.
        drain_per_s: queuedAtEnd >= 50 && windowS > 0.5 ? round((queuedAtEnd - left) / windowS, 1) : null,
        drain_window_s: round(windowS, 1),
        drain_cpu_pct: windowS > 0.5 ? dCpu : null,
        rss_drain_max_mb: round(rssDrain, 1),
      };
      steps.push(step);
      if (rate === TARGET_RATE || (rssLoadRate !== TARGET_RATE && Math.max(rssMax, rssDrain) > rssLoad)) {
        rssLoad = Math.max(rssMax, rssDrain);
        rssLoadRate = rate;
      }
      log(
        `ingest ${provider} ${rate}/s: answered ${r.ok}/${r.sent}, p50 ${step.p50_ms} ms, p99 ${step.p99_ms} ms, max ${step.max_ms} ms, achieved ${r.achieved}/s, CPU ${sendCpu}%, RSS ${step.rss_max_mb} MB, send lag ${r.maxSendLagMs} ms${step.passed ? '' : '  ← over target'}; ` +
          `queued ${queuedAtEnd}, then ${step.drain_per_s ?? '—'}/s acted on over ${step.drain_window_s} s (CPU ${step.drain_cpu_pct ?? '—'}%)${emptied !== null ? `, empty after ${step.drain_s} s` : `, ${left} left`}, RSS ${step.rss_drain_max_mb} MB`,
      );
      // Past the knee the answers only queue: stop at a clear miss (one near the line gets one more step).
      if (!step.passed && !(r.ok === r.sent && p99 < 3 * TARGET_P99_MS)) break;
    }
    const finalBacklog = await probe.queued();
    const drainStart = performance.now();
    const finalDrain = await waitQueueEmpty(probe, drainLimitMs, 250);
    const queueLeft = finalDrain === null ? await probe.queued() : 0;
    log(`ingest ${provider}: backlog of ${finalBacklog} events acted on in ${finalDrain === null ? `> ${drainLimitMs / 1000} s (${queueLeft} left)` : `${round(finalDrain, 1)} s (${round(finalBacklog / Math.max(finalDrain, 0.001), 1)}/s)`}`);
    void drainStart;
    const left = await waitOutboxDrained(svc, 120_000);
    const stats = await fake.call<{ messages: number; distinctUuids: number; duplicateUuids: number }>({ type: 'stats' });
    // Counted while the service still runs, after its queue drained (not after a shutdown that might finish the work).
    const { prisma } = createPrismaClient(databaseUrl);
    const tickets = await prisma.ticket.count();
    const distinctSources = (await prisma.ticket.groupBy({ by: ['sourceMessageId'], _count: { _all: true } })).length;
    const ids = [...accepted];
    let withTicket = 0;
    for (let k = 0; k < ids.length; k += 500) {
      withTicket += await prisma.ticket.count({ where: { sourceMessageId: { in: ids.slice(k, k + 500) } } });
    }
    await prisma.$disconnect();
    await svc.kill('SIGTERM');
    const passing = steps.filter((s) => s.passed);
    const best = passing.length ? passing.reduce((a, b) => (b.rate > a.rate ? b : a)) : null;
    const drains = steps.filter((s) => s.drain_per_s !== null);
    const target = steps.find((s) => s.rate === TARGET_RATE) ?? steps[steps.length - 1];
    const processing = drains.length ? Math.max(...drains.map((s) => s.drain_per_s!)) : null;
    const res: IngestResult = {
      ingest_events_per_s: best?.rate ?? 0,
      ingest_p99_ms: best?.p99_ms ?? null,
      ingest_steps: steps,
      ingest_processing_events_per_s: processing,
      ingest_final_backlog: finalBacklog,
      ingest_final_drain_s: finalDrain === null ? null : round(finalDrain, 1),
      ingest_queued_after_target: target?.queued_at_end ?? null,
      // The target step's backlog at the rate the bot acts on events (the backlogs of later steps add to it in the run).
      ingest_drain_s_at_target: target && processing ? round(target.queued_at_end / processing, 1) : null,
      ingest_drain_rate: target?.rate ?? null,
      ingest_events_accepted: accepted.size,
      ingest_tickets_created: tickets,
      // Every event answered 200 has its ticket, and no ticket came from nowhere (an event the
      // generator gave up on may still have been processed: Feishu would redeliver it, deduplicated).
      ingest_tickets_match: queueLeft === 0 && withTicket === accepted.size && distinctSources === tickets && tickets <= counter,
      ingest_queue_left: queueLeft,
      ingest_outbox_unsent_after_drain: left,
      ingest_platform_posts: stats.messages,
      ingest_platform_duplicate_uuids: stats.duplicateUuids,
      rss_start_mb: round(rssStart, 1),
      rss_idle_mb: round(rssIdle, 1),
      rss_idle_heap_used_mb: idleHeap?.used ?? null,
      rss_idle_heap_total_mb: idleHeap?.total ?? null,
      rss_idle_external_mb: idleHeap?.external ?? null,
      rss_load_mb: round(rssLoad, 1),
      rss_load_rate: rssLoadRate,
      runner: opts.runner,
      node_args: nodeArgs,
    };
    log(`ingest ${provider}: answers: best ${res.ingest_events_per_s}/s; processing ${res.ingest_processing_events_per_s ?? '—'}/s; accepted ${accepted.size}, tickets ${tickets} (for accepted events ${withTicket}, distinct reports ${distinctSources}), queue left ${queueLeft}, platform posts ${stats.messages}`);
    return res;
  } finally {
    agent.destroy();
    await probe.close().catch(() => {});
    await svc.kill('SIGKILL').catch(() => {});
    await fake.stop().catch(() => {});
    await cleanup();
  }
}

interface HeapMb {
  used: number;
  total: number;
  external: number;
}

/** The service's V8 heap and external memory (prom-client's default metrics on /metrics, served to localhost). */
async function heapOf(url: string): Promise<HeapMb | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const mb = (name: string) => {
      const m = new RegExp(`^servicebot_${name} (\\S+)$`, 'm').exec(text);
      return m ? round(Number(m[1]) / 2 ** 20, 1) : NaN;
    };
    const r = { used: mb('nodejs_heap_size_used_bytes'), total: mb('nodejs_heap_size_total_bytes'), external: mb('nodejs_external_memory_bytes') };
    return Object.values(r).every(Number.isFinite) ? r : null;
  } catch {
    return null;
  }
}
