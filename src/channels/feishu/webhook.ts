/**
 * POST /feishu/events: Feishu's HTTP event subscription AND card callbacks
 * (card.action.trigger is a schema-2.0 event, encrypted and signed like the
 * others, so one URL serves both; /feishu/card is accepted as an alias for
 * apps whose callback URL is configured separately).
 *
 * Order of checks, all before anything reaches the sink:
 *  1. raw body read with a size limit            → 413 (nothing stored)
 *  2. JSON object                                → 400
 *  3. unsigned? only url_verification (Feishu sends the setup challenge
 *     without signature headers) whose token is ours → {challenge}; else 401
 *  4. X-Lark-Signature = sha256(timestamp + nonce + encryptKey + raw body) → 401
 *  5. timestamp not older than maxAgeSeconds (default 8 h) nor more than
 *     maxSkewSeconds (default 300) in the future → 401 "replay"
 *  6. SDK EventDispatcher: decryption and dispatch → handleFeishuEvent → sink
 *     answered 200 once the sink resolved; the sink throwing → 503 so Feishu
 *     redelivers; an event token that is not ours → 401.
 *
 * Why not the SDK's adaptKoa: it answers a failed signature check with an
 * empty 200 (Feishu would never redeliver, we could not tell), it compares the
 * signature against JSON.stringify of the parsed body instead of the bytes
 * Feishu signed, it has no replay window and no size limit, it matches the
 * path on `originalUrl` (a query string breaks it), and once we have consumed
 * the raw body it finds no `request.body` and passes null. So we read and
 * verify the raw body ourselves and then drive `dispatcher.invoke()` with the
 * same data adaptKoa would build (the parsed body with the request headers on
 * its prototype), passing `needCheck: false` because the stricter check on the
 * raw bytes is already done. Decryption and dispatch stay the SDK's.
 *
 * Mount it before any body parser (it needs the untouched request stream; a
 * `ctx.request.rawBody` string left by koa-bodyparser is used if present).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import * as lark from '@larksuiteoapi/node-sdk';
import type { InboundSink } from '../../core/channel.js';
import { createFeishuDispatcher, TokenMismatchError, type FeishuEventDeps } from './handler.js';
import { silentLogger, type FeishuLogger } from './log.js';

export const FEISHU_WEBHOOK_PATHS = ['/feishu/events', '/feishu/card'] as const;

/** The event handler's dependencies (sink, look-ups, budgets) plus the webhook's own settings. */
export interface FeishuWebhookOptions extends Omit<FeishuEventDeps, 'now' | 'verificationToken' | 'log'> {
  sink: InboundSink;
  encryptKey: string;
  verificationToken: string;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * A signed request from further in the future than this is refused (clock
   * skew). Default 300.
   */
  maxSkewSeconds?: number;
  /**
   * A signed request older than this is refused as a replay. Default 8 hours:
   * Feishu redelivers an unanswered event after 15 s, 5 min, 1 h and 6 h, and
   * neither its documentation nor the SDK says whether a redelivery is signed
   * anew; should it keep its first timestamp, it must still get through. A
   * replay inside the window does nothing: events are deduplicated durably on
   * event_id and message_id.
   */
  maxAgeSeconds?: number;
  /** Default FEISHU_WEBHOOK_PATHS. */
  paths?: readonly string[];
  log?: FeishuLogger;
  /** Milliseconds since the epoch (tests). */
  now?: () => number;
}

export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, body: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(body).digest('hex');
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function createFeishuWebhook(opts: FeishuWebhookOptions): Middleware {
  if (!opts.encryptKey) throw new Error('createFeishuWebhook: encryptKey is required (Feishu signs requests with it)');
  if (!opts.verificationToken) throw new Error('createFeishuWebhook: verificationToken is required');
  const log = opts.log ?? silentLogger;
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const maxSkewMs = (opts.maxSkewSeconds ?? 300) * 1000;
  const maxAgeMs = (opts.maxAgeSeconds ?? 8 * 3600) * 1000;
  const paths = new Set(opts.paths ?? FEISHU_WEBHOOK_PATHS);
  const now = opts.now ?? Date.now;
  const cipher = new lark.AESCipher(opts.encryptKey);
  const { encryptKey: _k, maxBodyBytes: _b, maxSkewSeconds: _s, maxAgeSeconds: _a, paths: _p, now: _n, log: _l, ...eventDeps } = opts;
  const dispatcher = createFeishuDispatcher(
    {
      ...eventDeps,
      verificationToken: opts.verificationToken,
      log,
      now: () => new Date(now()),
    },
    { encryptKey: opts.encryptKey, verificationToken: opts.verificationToken },
  );

  /** The event as sent: decrypted when encrypted; undefined when it cannot be read. */
  function plainOf(body: Record<string, unknown>): unknown {
    if (typeof body['encrypt'] !== 'string') return body;
    try {
      return JSON.parse(cipher.decrypt(body['encrypt'])) as unknown;
    } catch {
      return undefined;
    }
  }

  /**
   * The fields the SDK reads to route an event must be strings when present: it turns them
   * into strings itself and throws on e.g. an object, which would otherwise look like our own
   * failure (503, redelivered for hours) instead of a malformed event (400).
   */
  function malformedRouting(plain: unknown): string | undefined {
    if (!isObject(plain)) return undefined;
    const header = plain['header'];
    const event = plain['event'];
    const fields: Array<[string, unknown]> = [
      ['schema', plain['schema']],
      ['type', plain['type']],
      ['header', header],
      ['header.event_type', isObject(header) ? header['event_type'] : undefined],
      ['event.type', isObject(event) ? event['type'] : undefined],
    ];
    for (const [name, v] of fields) {
      if (v === undefined || v === null) continue;
      if (name === 'header' ? !isObject(v) : typeof v !== 'string') return name;
    }
    return undefined;
  }

  /** url_verification with our token → the challenge to echo; anything else → undefined. */
  function challengeOf(body: Record<string, unknown>): string | undefined {
    const plain = plainOf(body);
    if (!isObject(plain) || plain['type'] !== 'url_verification') return undefined;
    if (plain['token'] !== opts.verificationToken || typeof plain['challenge'] !== 'string') return undefined;
    return plain['challenge'];
  }

  return async function feishuWebhook(ctx, next) {
    if (!paths.has(ctx.path)) return next();
    const reject = (status: number, error: string, extra: Record<string, unknown> = {}): void => {
      ctx.status = status;
      ctx.body = { error };
      log.warn({ status, error, ip: ctx.ip, ...extra }, 'feishu webhook request refused');
    };
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      return reject(405, 'method not allowed');
    }

    // 1. raw body
    let raw: Buffer;
    const pre = (ctx.request as { rawBody?: unknown }).rawBody;
    if (typeof pre === 'string') {
      raw = Buffer.from(pre, 'utf8');
      if (raw.length > maxBodyBytes) return reject(413, 'body too large');
    } else {
      try {
        const length = ctx.get('content-length');
        raw = await getRawBody(ctx.req, { limit: maxBodyBytes, length: length ? length : undefined });
      } catch (err) {
        const e = err as { status?: number; type?: string };
        // Stop reading an oversize upload: answer and close the connection.
        ctx.set('Connection', 'close');
        if (e.status === 413 || e.type === 'entity.too.large') return reject(413, 'body too large');
        return reject(400, 'unreadable body', { type: e.type });
      }
    }

    // 2. JSON object
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reject(400, 'body is not JSON');
    }
    if (!isObject(body)) return reject(400, 'body is not a JSON object');

    // 3. unsigned: only the setup challenge
    const timestamp = ctx.get('x-lark-request-timestamp');
    const nonce = ctx.get('x-lark-request-nonce');
    const signature = ctx.get('x-lark-signature');
    if (!timestamp || !nonce || !signature) {
      const challenge = challengeOf(body);
      if (challenge === undefined) return reject(401, 'missing signature');
      ctx.status = 200;
      ctx.body = { challenge };
      return;
    }

    // 4. signature over the raw bytes
    if (!safeEqualHex(feishuSignature(timestamp, nonce, opts.encryptKey, raw), signature.toLowerCase())) {
      return reject(401, 'bad signature');
    }

    // 5. replay window
    const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) * 1000 : NaN;
    if (!Number.isFinite(ts) || ts - now() > maxSkewMs || now() - ts > maxAgeMs) {
      return reject(401, 'replay', { timestamp });
    }

    const challenge = challengeOf(body);
    if (challenge !== undefined) {
      ctx.status = 200;
      ctx.body = { challenge };
      return;
    }

    const bad = malformedRouting(plainOf(body));
    if (bad) return reject(400, `malformed event: ${bad}`);

    // 6. the SDK decrypts and dispatches (what adaptKoa would pass: body + headers on the prototype)
    const data = Object.assign(Object.create({ headers: ctx.req.headers }) as object, body);
    try {
      const value: unknown = await dispatcher.invoke(data, { needCheck: false });
      ctx.status = 200;
      // Unhandled types come back as the SDK's "no X event handle" string: plain success.
      if (!isObject(value) && typeof value === 'string') log.info({ answer: value.slice(0, 200) }, 'feishu event type not handled; answered and dropped');
      ctx.body = isObject(value) ? value : {};
    } catch (err) {
      if (err instanceof TokenMismatchError) return reject(401, 'bad token');
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'feishu event not recorded; asking Feishu to redeliver');
      ctx.status = 503;
      ctx.body = { error: 'temporarily unavailable' };
    }
  };
}
