/**
 * The platform failing for a while — 500s, 429s with a reset header, dropped
 * connections, requests that hang until the client's timeout — while reports
 * keep coming: the outbox backs off and retries (no storm: each failure costs
 * one retry), then drains in order per chat, and nothing is lost or posted twice.
 * The real service runs as a child process; the fake open platform here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuUuid } from '../../src/channels/feishu/index.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, feishuRequest, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { startServiceProcess, type ServiceProcess } from '../support/chaos-service.js';
import { freshStore, type TestStore } from '../support/chaos.js';

let fake: FakeFeishu;
let store: TestStore;
let svc: ServiceProcess;

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  store = await freshStore('sqlite', 'platform');
  await store.db.$disconnect();
  svc = await startServiceProcess({ databaseUrl: store.url, feishuDomain: fake.url });
});

afterAll(async () => {
  await svc?.kill('SIGKILL');
  await store?.close();
  await fake?.stop();
});

const isPost = (method: string, path: string) => method === 'POST' && /\/im\/v1\/messages(\/[^/]+\/reply)?$/.test(path);

describe('platform failures', () => {
  it('500, 429 with reset, dropped connections and hangs: backs off, then drains in order per chat, nothing lost', async () => {
    // About five failures per chat: with exponential backoff per row (1, 2, 4, 8 s…) that is a
    // platform down for some twenty seconds; a 429's reset header is waited for as said.
    fake.failNext(4, { kind: 'http', status: 500 }, isPost);
    fake.failNext(4, { kind: 'http', status: 429, headers: { 'x-ogw-ratelimit-reset': '1' } }, isPost);
    fake.failNext(2, { kind: 'reset' }, isPost);
    fake.failNext(1, { kind: 'hang' }, isPost);
    fake.failNext(3, { kind: 'code', code: 230020, msg: 'rate limited in this chat', status: 400 }, isPost);
    const failures = 4 + 4 + 2 + 1 + 3;

    const chats = ['oc_fail_a', 'oc_fail_b', 'oc_fail_c'];
    const t0 = Date.now();
    for (let k = 0; k < 24; k++) {
      const payload = textMessageEvent(`@_user_1 ${k + 1}号闸机刷卡没反应 一台`, { messageId: `om_fail_${k}`, chatId: chats[k % 3], senderOpenId: `ou_fail_${k % 3}`, mentions: [botMention()] });
      const r = await fetch(`${svc.url}/feishu/events`, { method: 'POST', ...feishuRequest(payload) });
      expect(r.status).toBe(200);
    }
    const end = Date.now() + 120_000;
    let left = -1;
    while (Date.now() < end) {
      // Webhooks are answered before the processing thread acts on the queue: wait for both.
      left =
        (await store.db.inboundEvent.count({ where: { outcome: 'queued' } })) +
        (await store.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } }));
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(left).toBe(0);
    const drainedMs = Date.now() - t0;

    const rows = await store.db.outbox.findMany({ orderBy: { id: 'asc' } });
    expect(rows.filter((r) => r.status !== 'sent').map((r) => `${r.id} ${r.status} ${r.lastError}`)).toEqual([]);
    expect(rows.some((r) => r.attempts > 1)).toBe(true);

    // Each row posted once, under its key; the failed attempts were retried, not posted twice.
    const index = new Map(fake.messages.map((m, i) => [m.uuid, i]));
    expect(fake.messages.length).toBe(rows.length);
    expect(new Set(fake.messages.map((m) => m.uuid)).size).toBe(rows.length);
    for (const r of rows) expect(index.has(feishuUuid(r.idempotencyKey)), `row ${r.id}`).toBe(true);

    // In order per chat: the platform received each chat's rows in outbox order.
    for (const chat of chats) {
      const order = rows.filter((r) => r.chatPlatformId === chat).map((r) => index.get(feishuUuid(r.idempotencyKey))!);
      expect(order.length).toBeGreaterThan(8);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }

    // Backing off, not storming: every failure cost one more attempt, no more.
    const posts = fake.requests.filter((q) => isPost(q.method, q.path));
    expect(posts.length).toBe(rows.length + failures + fake.duplicateUuids);
    const statuses = posts.map((q) => q.status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    console.log(`platform-failures: ${rows.length} rows, ${failures} failures, drained in ${(drainedMs / 1000).toFixed(1)} s; most attempts on one row: ${Math.max(...rows.map((r) => r.attempts))}; resends deduplicated: ${fake.duplicateUuids}`);
  }, 200_000);
});
