/**
 * ingest: signed, encrypted Feishu webhook events (im.message.receive_v1, each a
 * new fault report) sent over loopback at rising rates to the real service in a
 * child process (`node dist/server.js`), Feishu pointed at the fake open platform
 * (its own process). Reports the highest rate whose 99th-percentile answer
 * stayed under 100 ms with every event answered 200, checks that the tickets
 * created equal the events accepted, and samples the service's resident size
 * idle and under load.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient } from '../src/store/client.js';
import { createThrowawayPgDatabase, type Provider } from '../src/store/migrate.js';
import { startServiceProcess, type Runner, type ServiceProcess } from '../test/support/chaos-service.js';
import { botMention, feishuRequest, textMessageEvent } from '../test/support/feishu-events.js';
import { log, PG_SERVER_URL, percentile, round, rssMb, sleep } from './lib/common.js';
import { makeAgent, runStep, type PreparedRequest, type StepResult } from './lib/loadgen.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TARGET_P99_MS = 100;

export interface IngestStep {
  rate: number;
  sent: number;
  ok: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  achieved_per_s: number;
  service_cpu_pct: number;
  rss_max_mb: number;
  statuses: Record<string, number>;
  passed: boolean;
}

export interface IngestResult {
  ingest_events_per_s: number;
  ingest_p99_ms: number | null;
  ingest_steps: IngestStep[];
  ingest_events_accepted: number;
  ingest_tickets_created: number;
  ingest_tickets_match: boolean;
  ingest_outbox_unsent_after_drain: number;
  ingest_platform_posts: number;
  ingest_platform_duplicate_uuids: number;
  /** Right after start, before any event. */
  rss_start_mb: number;
  /** Idle again after the 200-event warm-up. */
  rss_idle_mb: number;
  rss_load_mb: number;
  rss_load_rate: number;
  runner: Runner;
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

let counter = 0;
/** A new fault report in one of 100 chats from one of 1000 people: one event, one new ticket. */
export function reportRequest(): { req: PreparedRequest; messageId: string } {
  const n = ++counter;
  const messageId = `om_bench_${process.pid}_${n}`;
  const payload = textMessageEvent(`@_user_1 ${n}号闸机刷卡没反应 一台`, {
    messageId,
    chatId: `oc_ingest_${n % 100}`,
    senderOpenId: `ou_ingest_${n % 1000}`,
    mentions: [botMention()],
  });
  const r = feishuRequest(payload);
  return { req: { path: '/feishu/events', headers: r.headers, body: r.body }, messageId };
}

async function outboxPending(svc: ServiceProcess): Promise<number> {
  const r = await fetch(`${svc.url}/healthz`);
  return ((await r.json()) as { outboxPending: number }).outboxPending;
}

async function waitDrained(svc: ServiceProcess, maxMs: number): Promise<number> {
  const until = Date.now() + maxMs;
  let left = await outboxPending(svc);
  while (left > 0 && Date.now() < until) {
    await sleep(250);
    left = await outboxPending(svc);
  }
  return left;
}

export async function benchIngest(provider: Provider, opts: { quick: boolean; runner: Runner }): Promise<IngestResult> {
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
  const fake = await startFakeWorker();
  const svc = await startServiceProcess({ databaseUrl, feishuDomain: fake.url, runner: opts.runner, env: { LOG_LEVEL: 'error' } });
  const agent = makeAgent();
  const steps: IngestStep[] = [];
  const accepted = new Set<string>();
  let rssIdle = 0;
  await sleep(3000);
  const rssStart = await rssMb(svc.pid);
  log(`ingest ${provider}: RSS right after start ${round(rssStart, 1)} MB`);
  let rssLoad = 0;
  let rssLoadRate = 0;
  try {
    // Warm-up (JIT, the token, the bot identity, the first people), then idle.
    const warm = Array.from({ length: opts.quick ? 50 : 200 }, () => reportRequest());
    const w = await runStep(agent, svc.port, 25, warm.map((x) => x.req), 30_000, (k, code) => code === 200 && accepted.add(warm[k]!.messageId));
    log(`ingest ${provider}: warm-up ${w.ok}/${w.sent} ok`);
    await waitDrained(svc, 30_000);
    await sleep(opts.quick ? 1000 : 5000);
    rssIdle = await rssMb(svc.pid);
    log(`ingest ${provider}: idle RSS ${round(rssIdle, 1)} MB`);

    const rates = opts.quick ? [10, 25, 50] : [10, 20, 30, 40, 50, 75, 100, 150, 250, 500, 1000, 1500, 2000];
    const seconds = opts.quick ? 2 : 5;
    for (const rate of rates) {
      const batch = Array.from({ length: Math.round(rate * seconds) }, () => reportRequest());
      let rssMax = 0;
      const sampler = setInterval(() => void rssMb(svc.pid).then((v) => (rssMax = Math.max(rssMax, v))).catch(() => {}), 100);
      const cpu0 = cpuTicks(svc.pid);
      const t0 = performance.now();
      const r: StepResult = await runStep(agent, svc.port, rate, batch.map((x) => x.req), 30_000, (k, code) => code === 200 && accepted.add(batch[k]!.messageId));
      const cpuPct = ((cpuTicks(svc.pid) - cpu0) / 100 / ((performance.now() - t0) / 1000)) * 100;
      clearInterval(sampler);
      rssMax = Math.max(rssMax, await rssMb(svc.pid));
      const p99 = percentile(r.latencies, 99);
      const step: IngestStep = {
        rate,
        sent: r.sent,
        ok: r.ok,
        p50_ms: round(percentile(r.latencies, 50), 1),
        p99_ms: round(p99, 1),
        max_ms: round(Math.max(...r.latencies), 1),
        achieved_per_s: r.achieved,
        service_cpu_pct: Math.round(cpuPct),
        rss_max_mb: round(rssMax, 1),
        statuses: r.status,
        passed: r.ok === r.sent && p99 < TARGET_P99_MS,
      };
      steps.push(step);
      if (rssMax > rssLoad) {
        rssLoad = rssMax;
        rssLoadRate = rate;
      }
      log(`ingest ${provider} ${rate}/s: ok ${r.ok}/${r.sent}, p50 ${step.p50_ms} ms, p99 ${step.p99_ms} ms, max ${step.max_ms} ms, achieved ${r.achieved}/s, service CPU ${step.service_cpu_pct}%, RSS ${step.rss_max_mb} MB, lag ${r.maxSendLagMs} ms${step.passed ? '' : '  ← over target'}`);
      const left = await waitDrained(svc, 120_000);
      if (left) log(`ingest ${provider}: ${left} outbox rows still pending after 120 s`);
      await sleep(500);
      // Past the knee the service only queues: stop at a clear miss (one near the line gets one more step).
      if (!step.passed && !(r.ok === r.sent && p99 < 3 * TARGET_P99_MS)) break;
    }
    const left = await waitDrained(svc, 120_000);
    const stats = await fake.call<{ messages: number; distinctUuids: number; duplicateUuids: number }>({ type: 'stats' });
    await svc.kill('SIGTERM');
    const { prisma } = createPrismaClient(databaseUrl);
    const tickets = await prisma.ticket.count();
    const distinctSources = (await prisma.ticket.groupBy({ by: ['sourceMessageId'], _count: { _all: true } })).length;
    const ids = [...accepted];
    let withTicket = 0;
    for (let k = 0; k < ids.length; k += 5000) {
      withTicket += await prisma.ticket.count({ where: { sourceMessageId: { in: ids.slice(k, k + 5000) } } });
    }
    await prisma.$disconnect();
    const passing = steps.filter((s) => s.passed);
    const best = passing.length ? passing.reduce((a, b) => (b.rate > a.rate ? b : a)) : null;
    const res: IngestResult = {
      ingest_events_per_s: best?.rate ?? 0,
      ingest_p99_ms: best?.p99_ms ?? null,
      ingest_steps: steps,
      ingest_events_accepted: accepted.size,
      ingest_tickets_created: tickets,
      // Every event answered 200 has its ticket, and no ticket came from nowhere (an event the
      // generator gave up on may still have been processed: Feishu would redeliver it, deduplicated).
      ingest_tickets_match: withTicket === accepted.size && distinctSources === tickets && tickets <= counter,
      ingest_outbox_unsent_after_drain: left,
      ingest_platform_posts: stats.messages,
      ingest_platform_duplicate_uuids: stats.duplicateUuids,
      rss_start_mb: round(rssStart, 1),
      rss_idle_mb: round(rssIdle, 1),
      rss_load_mb: round(rssLoad, 1),
      rss_load_rate: rssLoadRate,
      runner: opts.runner,
    };
    log(`ingest ${provider}: best ${res.ingest_events_per_s}/s; accepted ${accepted.size}, tickets ${tickets} (for accepted events ${withTicket}, distinct reports ${distinctSources}), platform posts ${stats.messages}`);
    return res;
  } finally {
    agent.destroy();
    await svc.kill('SIGKILL').catch(() => {});
    await fake.stop().catch(() => {});
    await cleanup();
  }
}
