/**
 * 10,000 malformed, forged, oversized or random requests and random chat texts
 * against the real service (its webhook, bot and database; Feishu pointed at the
 * fake platform): no crash and no 5xx; an unsigned or badly signed request is
 * 401, an oversized body 413; nothing is stored from a refused request (the
 * InboundEvent table does not move); every random but valid message is stored
 * once; a text carrying Feishu's <at user_id="all"> never becomes a real @all.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateFeishuEvent } from '../../src/channels/feishu/index.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, encryptPayload, feishuEnv, feishuRequest, forgedSigning, signBody, TEST_APP, textMessageEvent, type SignedRequest } from '../support/feishu-events.js';
import { startTestService, type TestService } from '../support/service.js';

let fake: FakeFeishu;
let svc: TestService;
let total = 0;
const statuses = new Map<number, number>();

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  svc = await startTestService({ env: { ...feishuEnv(fake.url), SANDBOX_CLOCK: 'system' }, start: new Date().toISOString() });
});
afterAll(async () => {
  await svc?.close();
  await fake?.stop();
});

async function send(req: SignedRequest): Promise<number> {
  let status: number;
  try {
    const r = await fetch(`${svc.url}/feishu/events`, { method: 'POST', headers: req.headers, body: req.body });
    await r.arrayBuffer();
    status = r.status;
  } catch {
    status = -1; // the server closed an oversize upload early: fine, as long as it lives
  }
  total++;
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  expect(status, 'never a 5xx').toBeLessThan(500);
  return status;
}

function signed(body: string, ts = String(Math.floor(Date.now() / 1000))): SignedRequest {
  const nonce = 'n0nce';
  return { body, headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': nonce, 'x-lark-signature': signBody(ts, nonce, body) } };
}

const inbound = () => svc.db.inboundEvent.count();

const anyHeaders = fc.record(
  {
    'x-lark-request-timestamp': fc.oneof(fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x21-\x7e]/g, '')), fc.integer().map(String), fc.constant(String(Math.floor(Date.now() / 1000)))),
    'x-lark-request-nonce': fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]/g, '')),
    'x-lark-signature': fc.oneof(fc.string({ maxLength: 70 }).map((s) => s.replace(/[^\x21-\x7e]/g, '')), fc.stringMatching(/^[0-9a-f]{64}$/)),
  },
  { requiredKeys: [] },
);
const eventish = fc.dictionary(
  fc.oneof(fc.constantFrom('schema', 'header', 'event', 'encrypt', 'type', 'challenge', 'token', 'event_id', 'event_type', 'message'), fc.string({ maxLength: 8 })),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);

describe('abuse of the webhook, through to the store', () => {
  it('4,000 unsigned or randomly signed bodies → 4xx, nothing stored', async () => {
    const before = await inbound();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'), eventish.map((o) => JSON.stringify(o)), eventish.map((o) => JSON.stringify(encryptPayload(o)))),
        anyHeaders,
        async (body, headers) => {
          const status = await send({ body, headers: { 'content-type': 'application/json', ...headers } });
          expect(status).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 4000 },
    );
    expect(await inbound()).toBe(before);
  });

  it('2,500 correctly signed random objects, plain or encrypted → 200 or 4xx, nothing stored', async () => {
    const before = await inbound();
    await fc.assert(
      fc.asyncProperty(eventish, fc.boolean(), async (obj, encrypt) => {
        await send(signed(JSON.stringify(encrypt ? encryptPayload(obj) : obj)));
      }),
      { numRuns: 2500 },
    );
    expect(await inbound()).toBe(before);
  });

  it('2,470 real events with a wrong signing key or timestamp (→ 401) or encrypted with another key, nothing stored', async () => {
    const before = await inbound();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: forgedSigning, weight: 3 },
          { arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map((k) => ({ encryptKey: `x${k}`, signWithKey: TEST_APP.encryptKey })), weight: 1 },
        ),
        fc.string({ maxLength: 200 }),
        async (o, text) => {
          const req = feishuRequest(textMessageEvent(`@_user_1 ${text}`, { mentions: [botMention()] }), o);
          const status = await send(req);
          // Signed with our key but encrypted with another: authentic, unreadable → answered, nothing stored.
          if (!('encryptKey' in o)) expect(status).toBe(401);
        },
      ),
      { numRuns: 2470 },
    );
    expect(await inbound()).toBe(before);
  });

  it('30 oversized bodies → 413 (or the connection closed), nothing stored', async () => {
    const before = await inbound();
    for (let k = 0; k < 30; k++) {
      const payload = textMessageEvent(`@_user_1 ${'闸机坏了'.repeat(100_000 + k * 1000)}`, { mentions: [botMention()] });
      const status = await send(feishuRequest(payload));
      expect([413, -1]).toContain(status);
    }
    expect(await inbound()).toBe(before);
  });

  it('1,000 valid events with random texts (HTML, SQL, control characters, placeholders, 20k characters) → 200, each stored once; no real @all', async () => {
    const before = await inbound();
    let expected = 0;
    const nasty = fc.constantFrom('<script>alert(1)</script>', "'; DROP TABLE \"Ticket\"; --", '<at user_id="all">所有人</at>', '@_user_1', '\u0000\u0007\u001b[31m', '${jndi:ldap://x}', '{{7*7}}', '%s%n', '\uD800', '‮rtl');
    const text = fc.oneof(
      fc.string({ maxLength: 200, unit: 'grapheme' }),
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.array(fc.oneof(nasty, fc.constantFrom('小寨站', '3号闸机', '刷卡没反应', '电话13800138000', '全部瘫痪', '投诉', '怎么办', '#1', '接单', '5分')), { maxLength: 12 }).map((a) => a.join(' ')),
      fc.string({ minLength: 15_000, maxLength: 20_000 }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 0, max: 4 }), async (t, chat) => {
        const payload = textMessageEvent(`@_user_1 ${t}`, { messageId: `om_abuse_${++n}`, chatId: `oc_abuse_${chat}`, senderOpenId: `ou_abuse_${n % 7}`, mentions: [botMention()] });
        if (translateFeishuEvent(payload, { botOpenId: TEST_APP.botOpenId })) expected++;
        expect(await send(feishuRequest(payload))).toBe(200);
      }),
      { numRuns: 1000 },
    );
    expect(await inbound()).toBe(before + expected);
    await svc.settle();
    const atAll = fake.messages.filter((m) => /<at (user_)?id="?all"?>/.test(JSON.stringify(m.content).replace(/\\"/g, '"')));
    expect(atAll.map((m) => m.rawContent.slice(0, 200))).toEqual([]);
    expect(fake.messages.length).toBeGreaterThan(0);
  });

  it('sent 10,000 requests; the service is alive and healthy', async () => {
    expect(total).toBe(10_000);
    const h = await fetch(`${svc.url}/healthz`);
    expect(h.status).toBe(200);
    console.log(`webhook-abuse: ${total} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
