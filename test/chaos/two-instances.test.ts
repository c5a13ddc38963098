/**
 * Two service instances on one SQLite file (a second `npm start`, a process
 * manager starting a copy): the second refuses to start, with one line saying
 * which instance holds the file, while the first serves a stream of Feishu
 * events without a single failure. Killed with SIGKILL, the first leaves no lock
 * behind (an OS lock, not a PID file): the second then starts at once.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, feishuEnv, feishuRequest, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { ROOT, defaultRunner, freePort, startServiceProcess, type ServiceProcess } from '../support/chaos-service.js';
import { freshStore, type TestStore } from '../support/chaos.js';

let fake: FakeFeishu;
let store: TestStore;
let first: ServiceProcess | undefined;
let second: ServiceProcess | undefined;

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  store = await freshStore('sqlite', 'two');
  await store.db.$disconnect();
});
afterAll(async () => {
  await first?.kill('SIGKILL');
  await second?.kill('SIGKILL');
  await store?.close();
  await fake?.stop();
});

/** Starts the service as a child process and waits for it to exit (a start that is refused). */
function startExpectingExit(port: number): Promise<{ code: number | null; output: string }> {
  const runner = defaultRunner();
  const args = runner === 'dist' ? ['dist/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: store.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: path.dirname(store.url.slice(5)), ...feishuEnv(fake.url) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b));
    child.stderr.on('data', (b: Buffer) => (output += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

let n = 0;
async function deliver(url: string): Promise<number> {
  const messageId = `om_two_${++n}`;
  const payload = textMessageEvent(`@_user_1 ${n}号闸机刷卡没反应 一台`, { messageId, chatId: `oc_two_${n % 4}`, senderOpenId: `ou_two_${n % 10}`, mentions: [botMention()] });
  const r = await fetch(`${url}/feishu/events`, { method: 'POST', ...feishuRequest(payload), signal: AbortSignal.timeout(10_000) });
  await r.arrayBuffer();
  return r.status;
}

describe('two instances on one SQLite file', () => {
  it('the second is refused with one clear line while the first serves every event; after SIGKILL of the first it starts', async () => {
    first = await startServiceProcess({ databaseUrl: store.url, feishuDomain: fake.url });
    const statuses: number[] = [];
    // Events keep arriving at the first while the second tries to start beside it.
    let stop = false;
    const load = (async () => {
      while (!stop) {
        statuses.push(await deliver(first!.url));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const refused = await startExpectingExit(await freePort());
    stop = true;
    await load;
    expect(refused.code).toBe(1);
    const lines = refused.output.trim().split('\n').filter((l) => l.trim());
    expect(lines, refused.output).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^servicebot cannot start: another servicebot is already running on .*store\\.db \\(pid ${first.pid} on .+\\)\\. A SQLite file takes one service instance: stop the other one first`));

    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Every event the first answered is acted on: one ticket each.
    await expect.poll(async () => (await fetch(`${first!.url}/healthz`).then((r) => r.json() as Promise<{ inboundQueued: number }>)).inboundQueued, { timeout: 30_000 }).toBe(0);

    // The first dies without a chance to clean up: the lock goes with it.
    await first.kill('SIGKILL');
    first = undefined;
    // Generous: on a loaded machine tsx compiles the service (and its processing thread) again.
    second = await startServiceProcess({ databaseUrl: store.url, feishuDomain: fake.url, startTimeoutMs: 90_000 });
    expect(await deliver(second.url)).toBe(200);
    // Acted on (a ticket) before it stops: answered events are acted on from the queue.
    await expect.poll(async () => (await fetch(`${second!.url}/healthz`).then((r) => r.json() as Promise<{ inboundQueued: number }>)).inboundQueued, { timeout: 30_000 }).toBe(0);
    await second.kill('SIGTERM');
    second = undefined;
    const { createPrismaClient } = await import('../../src/store/client.js');
    const { prisma } = createPrismaClient(store.url);
    try {
      expect(await prisma.ticket.count()).toBe(statuses.length + 1);
    } finally {
      await prisma.$disconnect();
    }
  }, 300_000);
});
