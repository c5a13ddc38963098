/**
 * Random and hostile chat texts through the webhook into PostgreSQL, which is
 * stricter than SQLite about what a text column takes (it refuses NUL, for
 * one): every valid event is answered 200, stored once and acted on; none is
 * left failed or waiting. SQLite gets the same texts in webhook-abuse.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateFeishuEvent } from '../../src/channels/feishu/index.js';
import { createThrowawayPgDatabase, type ThrowawayDatabase } from '../../src/store/pg-databases.js';
import { PG_SERVER_URL, pgReachable } from '../support/chaos.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, feishuEnv, feishuRequest, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { startTestService, type TestService } from '../support/service.js';

const pg = await pgReachable();
let fake: FakeFeishu;
let svc: TestService;
let tmp: ThrowawayDatabase | undefined;

describe.skipIf(!pg)('hostile texts on PostgreSQL', () => {
  beforeAll(async () => {
    fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
    tmp = await createThrowawayPgDatabase(PG_SERVER_URL, 'servicebot_texts');
    svc = await startTestService({ env: { ...feishuEnv(fake.url), SANDBOX_CLOCK: 'system', DATABASE_URL: tmp.url }, start: new Date().toISOString() });
  });
  afterAll(async () => {
    await svc?.close();
    await fake?.stop();
    await tmp?.drop();
  });

  it('300 events with random texts (NUL and other control characters, lone surrogates, HTML, SQL, 20k characters) → 200, stored once, all acted on', async () => {
    const nasty = fc.constantFrom('\u0000', '\u0000\u0007\u001b[31m', '\uD800', '\uDFFF半个', '<script>alert(1)</script>', "'; DROP TABLE \"Ticket\"; --", '<at user_id="all">所有人</at>', '‮rtl', '\r\n\t');
    const text = fc.oneof(
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.array(fc.oneof(nasty, fc.constantFrom('小寨站', '3号闸机', '刷卡没反应', '电话13800138000', '全部瘫痪', '投诉', '#1', '接单')), { minLength: 1, maxLength: 10 }).map((a) => a.join(' ')),
      fc.string({ minLength: 15_000, maxLength: 20_000 }).map((s) => `${s}\u0000`),
    );
    let n = 0;
    let expected = 0;
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 0, max: 3 }), async (t, chat) => {
        const payload = textMessageEvent(`@_user_1 ${t}`, { messageId: `om_texts_${++n}`, chatId: `oc_texts_${chat}`, senderOpenId: `ou_texts_${n % 5}`, mentions: [botMention()] });
        if (translateFeishuEvent(payload, { botOpenId: TEST_APP.botOpenId })) expected++;
        const r = await fetch(`${svc.url}/feishu/events`, { method: 'POST', ...feishuRequest(payload) });
        await r.arrayBuffer();
        expect(r.status).toBe(200);
      }),
      { numRuns: 300 },
    );
    expect(await svc.db.inboundEvent.count()).toBe(expected);
    await svc.settle();
    const left = await svc.db.inboundEvent.groupBy({ by: ['outcome'], _count: { _all: true } });
    const outcomes = Object.fromEntries(left.map((r) => [r.outcome, r._count._all]));
    expect(outcomes['queued'] ?? 0).toBe(0);
    expect(outcomes['processing'] ?? 0).toBe(0);
    expect(outcomes['failed'] ?? 0, JSON.stringify(await svc.db.inboundEvent.findMany({ where: { outcome: 'failed' }, select: { error: true }, take: 3 }))).toBe(0);
    // Stored without the NULs (PostgreSQL cannot even be asked for one), the rest of the text kept.
    const texts = (await svc.db.inboundEvent.findMany({ select: { text: true } })).map((r) => r.text ?? '');
    expect(texts.some((x) => x.includes('\uD800') || x.includes('<script>') || x.length > 15_000)).toBe(true);
  });
});
