/**
 * Starts the real service on a temporary SQLite database (or the PostgreSQL
 * named by TEST_DATABASE_URL when asked) with a manual clock, for end-to-end
 * tests through the sandbox API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';

export interface TestService extends Service {
  dir: string;
  post(chat: string, from: { id: string; name: string; role: string }, text: string, extra?: Record<string, unknown>): Promise<{ id: string; status: string }>;
  click(chat: string, from: { id: string; name: string; role: string }, messageId: string, value: string): Promise<{ status: string; toast: string | null }>;
  messages(chat: string): Promise<SandboxMsg[]>;
  advance(minutes: number): Promise<string>;
  ticket(ref: string | number): Promise<any>;
  close(): Promise<void>;
}

export interface SandboxMsg {
  id: string;
  from: { id: string; name: string; role: string };
  text: string;
  mentions: Array<{ id: string; name: string }>;
  buttons: Array<{ label: string; value: string }>;
  at: string;
}

export const PEOPLE = {
  customer: { id: 'c1', name: '王工', role: 'customer' },
  customer2: { id: 'c2', name: '刘师傅', role: 'customer' },
  engineer: { id: 'e1', name: '张工', role: 'engineer' },
  engineer2: { id: 'e2', name: '李工', role: 'engineer' },
  desk: { id: 'd1', name: '客服小刘', role: 'desk' },
  manager: { id: 'm1', name: '李经理', role: 'manager' },
  vp: { id: 'v1', name: '王总', role: 'vp' },
} as const;

export async function startTestService(opts: { env?: Record<string, string>; dir?: string; start?: string } = {}): Promise<TestService> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'servicebot-test-'));
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: `file:${path.join(dir, 'test.db')}`,
    DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX_CLOCK: 'manual',
    LOG_LEVEL: 'silent',
    ...opts.env,
  };
  const config = loadConfig(env);
  // A fixed start makes deadlines predictable: Tuesday 2026-11-24 10:00 Asia/Shanghai.
  if (opts.start !== undefined || !opts.dir) {
    const { createPrismaClient } = await import('../../src/store/client.js');
    const { applyMigrations } = await import('../../src/store/migrate.js');
    await applyMigrations(config.database.url);
    const { prisma } = createPrismaClient(config.database.url);
    const at = opts.start ?? '2026-11-24T02:00:00.000Z';
    await prisma.setting.upsert({ where: { key: 'sandbox.clock' }, update: { value: at }, create: { key: 'sandbox.clock', value: at } });
    await prisma.$disconnect();
  }
  const svc = await startService(config, { background: false, log: pino({ level: 'silent' }) });
  const call = async (method: string, p: string, body?: unknown): Promise<any> => {
    const send = () => fetch(svc.url + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    // A kept-alive connection can be reset while the service is busy (a chart render);
    // a GET is safe to repeat once.
    const r = await send().catch((e: unknown) => (method === 'GET' ? send() : Promise.reject(e)));
    const j = await r.json();
    if (!r.ok) throw new Error(`${method} ${p} → ${r.status} ${JSON.stringify(j)}`);
    return j;
  };
  return Object.assign(svc, {
    dir,
    post: (chat: string, from: object, text: string, extra: Record<string, unknown> = {}) => call('POST', '/api/sandbox/messages', { chat, from, text, ...extra }),
    click: (chat: string, from: object, messageId: string, value: string) => call('POST', '/api/sandbox/clicks', { chat, from, messageId, value }),
    messages: (chat: string) => call('GET', `/api/sandbox/messages?chat=${encodeURIComponent(chat)}`),
    advance: async (minutes: number) => (await call('POST', '/api/sandbox/clock', { advanceMinutes: minutes })).now,
    ticket: (ref: string | number) => call('GET', `/api/tickets/${ref}`),
    close: async () => {
      await svc.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  }) as TestService;
}

/** The bot's messages in a chat, newest last. */
export async function botSays(svc: TestService, chat: string): Promise<SandboxMsg[]> {
  return (await svc.messages(chat)).filter((m) => m.from.role === 'bot');
}
