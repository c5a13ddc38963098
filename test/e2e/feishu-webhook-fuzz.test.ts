/**
 * Random and malformed requests to the real webhook: never a crash or a 5xx,
 * only 4xx (or 200 for a valid request the bot does not handle), and the sink
 * is never called for a refused request.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeishuWebhook } from '../../src/channels/feishu/webhook.js';
import {
  cardActionEvent,
  encryptPayload,
  feishuRequest,
  forgedSigning,
  RecordingSink,
  signBody,
  TEST_APP,
  textMessageEvent,
  type SignedRequest,
} from '../support/feishu-events.js';

const MAX_BODY = 4096;
const ALLOWED = new Set([200, 400, 401, 405, 413]);
let server: Server;
let url: string;
const sink = new RecordingSink();
let crashed = 0;
let total = 0;

beforeAll(async () => {
  const app = new Koa();
  app.on('error', () => {
    crashed += 1;
  });
  app.use(
    createFeishuWebhook({
      sink,
      encryptKey: TEST_APP.encryptKey,
      verificationToken: TEST_APP.verificationToken,
      maxBodyBytes: MAX_BODY,
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feishu/events`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function send(req: SignedRequest): Promise<number> {
  const before = sink.calls.length;
  const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body });
  await res.arrayBuffer();
  total += 1;
  expect(ALLOWED.has(res.status), `status ${res.status}`).toBe(true);
  if (res.status !== 200) expect(sink.calls.length).toBe(before);
  if (Buffer.byteLength(req.body) > MAX_BODY) expect(res.status).toBe(413);
  return res.status;
}

function signed(body: string, o: { timestamp?: string; nonce?: string } = {}): SignedRequest {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? 'n0nce';
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signBody(timestamp, nonce, body),
    },
  };
}

const anyHeaders = fc.record(
  {
    'x-lark-request-timestamp': fc.oneof(fc.string(), fc.integer().map(String), fc.constant(String(Math.floor(Date.now() / 1000)))),
    'x-lark-request-nonce': fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]/g, '')),
    'x-lark-signature': fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{64}$/)),
  },
  { requiredKeys: [] },
);

/** Keys that steer the SDK's parser and our translator. */
const eventish = fc.dictionary(
  fc.oneof(
    fc.constantFrom('schema', 'header', 'event', 'encrypt', 'type', 'challenge', 'token', 'event_id', 'event_type', 'uuid'),
    fc.string({ maxLength: 8 }),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);

describe('webhook fuzz (fast-check)', () => {
  it('random bytes and random JSON, unsigned or with random signature headers → 4xx only, sink untouched', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'), fc.string({ minLength: 4000, maxLength: 6000 })),
        anyHeaders,
        async (body, headers) => {
          const calls = sink.calls.length;
          const status = await send({ body, headers: { 'content-type': 'application/json', ...headers } });
          expect(status).not.toBe(200);
          expect(sink.calls.length).toBe(calls);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('correctly signed random objects, plain or encrypted → 200 or 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(eventish, fc.boolean(), async (obj, encrypt) => {
        const body = JSON.stringify(encrypt ? encryptPayload(obj) : obj);
        await send(signed(body));
      }),
      { numRuns: 500 },
    );
  });

  it('signed envelopes with garbage in the encrypt field → 200 (nothing to dispatch) or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.base64String(), fc.jsonValue({ maxDepth: 2 })), async (encrypt) => {
        const calls = sink.calls.length;
        await send(signed(JSON.stringify({ encrypt })));
        expect(sink.calls.length).toBe(calls);
      }),
      { numRuns: 300 },
    );
  });

  it('real events with fields replaced by random values → never 5xx; refused ones never reach the sink', async () => {
    const base = textMessageEvent('小寨站 3号闸机刷卡没反应') as { header: Record<string, unknown>; event: { message: Record<string, unknown>; sender: Record<string, unknown> } };
    const card = cardActionEvent({ messageId: 'om_x', value: { value: 'v' } }) as { header: Record<string, unknown>; event: Record<string, unknown> };
    const callsBefore = sink.calls.length;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('message', 'card'),
        fc.dictionary(fc.constantFrom('message_id', 'chat_id', 'chat_type', 'message_type', 'content', 'mentions', 'create_time', 'parent_id'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        fc.dictionary(fc.constantFrom('event_id', 'event_type', 'create_time', 'token'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
        fc.dictionary(fc.constantFrom('operator', 'action', 'context', 'sender'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
        async (which, msgOver, headerOver, eventOver) => {
          const payload =
            which === 'message'
              ? { schema: '2.0', header: { ...base.header, ...headerOver }, event: { ...base.event, ...eventOver, message: { ...base.event.message, ...msgOver } } }
              : { schema: '2.0', header: { ...card.header, ...headerOver }, event: { ...card.event, ...eventOver } };
          await send(feishuRequest(payload));
        },
      ),
      { numRuns: 400 },
    );
    // Many mutations leave a valid event: the path to the sink was exercised.
    expect(sink.calls.length).toBeGreaterThan(callsBefore);
  });

  it('valid events with wrong timestamps, nonces or keys → 401, sink untouched', async () => {
    await fc.assert(
      fc.asyncProperty(
        forgedSigning,
        async (o) => {
          const calls = sink.calls.length;
          const status = await send(feishuRequest(textMessageEvent('x'), o));
          expect(status).toBe(401);
          expect(sink.calls.length).toBe(calls);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ran 2,000 requests without an unhandled error', () => {
    expect(total).toBeGreaterThanOrEqual(2000);
    expect(crashed).toBe(0);
  });
});
