/**
 * The service killed with SIGKILL at random moments under load, then
 * restarted, ten times (a child process on one SQLite file, Feishu pointed at
 * the fake open platform in this process). Events that were not answered 200
 * are delivered again, as Feishu does. At the end:
 * - every event answered 200 has its ticket, and each report made exactly one;
 * - every outbox row reached the platform, none twice (the platform saw each
 *   idempotency key once as a post; resends after a kill were deduplicated by it);
 * - reminders due during the storm each fired exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuUuid } from '../../src/channels/feishu/index.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, feishuRequest, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { freePort, startServiceProcess, type ServiceProcess } from '../support/chaos-service.js';
import { freshStore, reminderProblems, seedDueReminders, type TestStore } from '../support/chaos.js';

const ROUNDS = 10;
const RATE = 15; // events per second while a round runs

let fake: FakeFeishu;
let store: TestStore;
let port: number;
let svc: ServiceProcess | undefined;

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  store = await freshStore('sqlite', 'kill');
  port = await freePort();
});

afterAll(async () => {
  await svc?.kill('SIGKILL');
  await store?.close();
  await fake?.stop();
});

interface Sent {
  messageId: string;
  payload: Record<string, unknown>;
  ok: boolean;
}

async function deliver(url: string, e: Sent): Promise<void> {
  try {
    const r = await fetch(`${url}/feishu/events`, { method: 'POST', ...feishuRequest(e.payload), signal: AbortSignal.timeout(10_000) });
    await r.arrayBuffer();
    if (r.status === 200) e.ok = true;
  } catch {
    /* killed mid-request: delivered again later */
  }
}

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('SIGKILL under load, ten times', () => {
  it('loses nothing and doubles nothing', async () => {
    const start = Date.now();
    // Reminders due while the service keeps dying: one every 150 ms over ~30 s.
    const reminderTickets = await seedDueReminders(store.db, 'oc_kill_timers', Array.from({ length: 200 }, (_, k) => new Date(start + 4000 + k * 150)));
    const sent: Sent[] = [];
    let n = 0;
    const newEvent = (): Sent => {
      const messageId = `om_kill_${++n}`;
      const payload = textMessageEvent(`@_user_1 ${n}号闸机刷卡没反应 一台`, { messageId, chatId: `oc_kill_${n % 5}`, senderOpenId: `ou_kill_${n % 20}`, mentions: [botMention()] });
      const e = { messageId, payload, ok: false };
      sent.push(e);
      return e;
    };
    const kills: number[] = [];
    // SQLite migrations at start take the file exclusively: no connection of ours may be open then.
    await store.db.$disconnect();
    for (let round = 0; round < ROUNDS; round++) {
      svc = await startServiceProcess({ databaseUrl: store.url, feishuDomain: fake.url, port, env: { TICK_SECONDS: '1' } });
      const inFlight: Array<Promise<void>> = [];
      // Feishu redelivers what was not answered 200.
      for (const e of sent.filter((x) => !x.ok)) inFlight.push(deliver(svc.url, e));
      const killAt = Date.now() + 800 + Math.random() * 2500;
      while (Date.now() < killAt) {
        inFlight.push(deliver(svc.url, newEvent()));
        await new Promise((r) => setTimeout(r, 1000 / RATE));
      }
      await svc.kill('SIGKILL');
      kills.push(killAt - start);
      await Promise.all(inFlight);
    }
    // The last start: everything still owed is delivered and sent.
    svc = await startServiceProcess({ databaseUrl: store.url, feishuDomain: fake.url, port, env: { TICK_SECONDS: '1' } });
    const url = svc.url;
    await until('every event answered 200', async () => {
      await Promise.all(sent.filter((x) => !x.ok).map((e) => deliver(url, e)));
      return sent.every((x) => x.ok);
    }, 60_000);
    await until('reminders due', async () => (await store.db.timer.count({ where: { ticketId: { in: reminderTickets }, state: 'pending' } })) === 0, 60_000);
    // Rows claimed by a sender that was killed wait for its claim (30 s) to run out.
    await until('the inbound queue worked', async () => (await store.db.inboundEvent.count({ where: { outcome: 'queued' } })) === 0, 60_000);
    await until('the outbox drained', async () => (await store.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0, 120_000).catch(async (e) => {
      const left = await store.db.outbox.findMany({ where: { status: { in: ['pending', 'sending'] } }, take: 5 });
      console.log('not drained:', JSON.stringify(left, null, 1), svc?.output().slice(-3000));
      throw e;
    });
    await svc.kill('SIGTERM');
    svc = undefined;

    // 1. Every event has exactly one ticket; no ticket without an event.
    const tickets = await store.db.ticket.findMany({ where: { sourceMessageId: { not: null } }, select: { sourceMessageId: true } });
    const bySource = new Map<string, number>();
    for (const t of tickets) bySource.set(t.sourceMessageId!, (bySource.get(t.sourceMessageId!) ?? 0) + 1);
    expect(sent.length).toBeGreaterThan(ROUNDS * 10);
    expect(sent.filter((e) => bySource.get(e.messageId) !== 1).map((e) => `${e.messageId}: ${bySource.get(e.messageId) ?? 0}`)).toEqual([]);
    expect(tickets.length).toBe(sent.length);

    // 2. Every outbox row reached the platform once, under its own key.
    const rows = await store.db.outbox.findMany({ select: { id: true, status: true, idempotencyKey: true, action: true } });
    expect(rows.filter((r) => r.status !== 'sent').map((r) => `${r.id} ${r.status}`)).toEqual([]);
    const posts = rows.filter((r) => (JSON.parse(r.action) as { kind: string }).kind !== 'card_update');
    const uuids = new Map<string, number>();
    for (const m of fake.messages) uuids.set(m.uuid ?? '(none)', (uuids.get(m.uuid ?? '(none)') ?? 0) + 1);
    expect([...uuids].filter(([, c]) => c > 1)).toEqual([]);
    expect(posts.filter((r) => !uuids.has(feishuUuid(r.idempotencyKey))).map((r) => r.id)).toEqual([]);
    expect(fake.messages.length).toBe(posts.length);

    // 3. Each reminder fired exactly once.
    expect(await reminderProblems(store.db, reminderTickets)).toEqual([]);
    console.log(
      `kill-restart: ${ROUNDS} kills at ${kills.map((k) => `${(k / 1000).toFixed(1)}s`).join(', ')}; ${sent.length} events, ${tickets.length} tickets, ` +
        `${fake.messages.length} posts, ${fake.duplicateUuids} resends deduplicated by key, ${reminderTickets.length} reminders once each`,
    );
  }, 300_000);
});
