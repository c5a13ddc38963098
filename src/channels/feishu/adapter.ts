/**
 * FeishuChannel: the adapter under the Feishu Channel (index.ts), on top of lark.Client.
 *
 * - send(): text / card / image go to im.message.reply (when action.replyTo is
 *   set; reply_in_thread keeps a ticket's conversation in one thread) or
 *   im.message.create (receive_id_type chat_id). Every post carries Feishu's
 *   idempotency key `uuid` derived from SendContext.idempotencyKey, so a retried
 *   send is posted once (Feishu dedups a uuid for one hour). card_update is
 *   im.message.patch. image is im.image.create then a message.
 * - Failures become RetryableSendError / PermanentSendError (errors.ts).
 * - downloadAttachment(): im.messageResource.get → Buffer.
 * - resolveUser(): contact.user.get with an LRU/TTL cache and a short timeout.
 * - botOpenId(): /open-apis/bot/v3/info, cached (translate needs it to drop the bot's own @mention).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import * as lark from '@larksuiteoapi/node-sdk';
import {
  PermanentSendError,
  RetryableSendError,
  type AttachmentRef,
  type Channel,
  type ChannelStatus,
  type OutboundAction,
  type SendContext,
  type SendResult,
} from '../../core/channel.js';
import {
  assertFeishuOk,
  classifyFeishuError,
  feishuCodeOf,
  REPLY_TARGET_GONE_CODES,
  TOKEN_CODES,
} from './errors.js';
import { sdkLogger, silentLogger, type FeishuLogger } from './log.js';
import { renderCard, renderCardUpdate, renderImage, renderText, type FeishuMessage } from './render.js';

export interface FeishuUserProfile {
  name: string;
  /** open_department_id values ("od-…"): configuration maps roles by department. */
  departmentIds: string[];
}

export interface FeishuChannelOptions {
  appId: string;
  appSecret: string;
  /**
   * Open platform base URL. Default https://open.feishu.cn; "lark" or
   * https://open.larksuite.com for Lark international; a test server's URL.
   */
  domain?: string;
  /** The bot's open_id if known; otherwise fetched once from /open-apis/bot/v3/info. */
  botOpenId?: string;
  /** Per HTTP request to Feishu (the SDK sets none). Default 10 s. */
  requestTimeoutMs?: number;
  /** resolveUser() gives up after this and answers null. Default 1.5 s. */
  profileTimeoutMs?: number;
  /** How long a resolved profile is kept. Default 30 min. */
  profileTtlMs?: number;
  /** Profiles kept at most. Default 5000. */
  profileCacheSize?: number;
  /** Replies go into the replied-to message's thread. Default true. */
  replyInThread?: boolean;
  /** Attachments larger than this are refused. Default 50 MB. */
  maxDownloadBytes?: number;
  /** Reuse a lark.Client (tests, or a shared one); otherwise one is built from the options. */
  client?: lark.Client;
  log?: FeishuLogger;
  now?: () => number;
}

export const DEFAULT_FEISHU_DOMAIN = 'https://open.feishu.cn';

/** "feishu" | "lark" | a URL → what lark.Client takes as `domain`. */
export function resolveFeishuDomain(domain?: string): string {
  const d = (domain ?? '').trim();
  if (d === '' || d.toLowerCase() === 'feishu') return DEFAULT_FEISHU_DOMAIN;
  if (d.toLowerCase() === 'lark') return 'https://open.larksuite.com';
  return d.replace(/\/+$/, '');
}

/**
 * Feishu's `uuid` idempotency field holds at most 50 characters. Short
 * printable keys pass as they are; longer ones are hashed (stable per key).
 */
export function feishuUuid(idempotencyKey: string): string {
  if (idempotencyKey.length > 0 && idempotencyKey.length <= 50 && /^[\x21-\x7e]+$/.test(idempotencyKey)) {
    return idempotencyKey;
  }
  return `sb-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 47)}`;
}

/** The SDK's request layer with a timeout on every request (the SDK sets none). */
function withTimeout(base: lark.HttpInstance, timeoutMs: number): lark.HttpInstance {
  const t = <D>(o?: lark.HttpRequestOptions<D>): lark.HttpRequestOptions<D> => ({ ...o, timeout: o?.timeout ?? timeoutMs });
  return {
    request: (o) => base.request(t(o)),
    get: (url, o) => base.get(url, t(o)),
    delete: (url, o) => base.delete(url, t(o)),
    head: (url, o) => base.head(url, t(o)),
    options: (url, o) => base.options(url, t(o)),
    post: (url, data, o) => base.post(url, data, t(o)),
    put: (url, data, o) => base.put(url, data, t(o)),
    patch: (url, data, o) => base.patch(url, data, t(o)),
  };
}

/** A small LRU with per-entry expiry. */
class TtlLru<V> {
  private readonly map = new Map<string, { v: V; until: number }>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}
  get(k: string): V | undefined {
    const e = this.map.get(k);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.map.delete(k);
      return undefined;
    }
    this.map.delete(k);
    this.map.set(k, e);
    return e.v;
  }
  set(k: string, v: V, ttlMs: number): void {
    this.map.delete(k);
    this.map.set(k, { v, until: this.now() + ttlMs });
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }
}

async function readStream(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > maxBytes) {
      stream.destroy();
      throw new PermanentSendError(`attachment larger than ${maxBytes} bytes`, 'too_large');
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function isReadable(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function' && typeof (v as Readable).on === 'function';
}

export class FeishuChannel implements Pick<Channel, 'send' | 'downloadAttachment' | 'status' | 'start' | 'stop'> {
  readonly channel = 'feishu' as const;
  readonly client: lark.Client;
  private readonly log: FeishuLogger;
  private readonly cache = new lark.DefaultCache();
  private readonly appId: string;
  private readonly replyInThread: boolean;
  private readonly maxDownloadBytes: number;
  private readonly profileTimeoutMs: number;
  private readonly profileTtlMs: number;
  private readonly now: () => number;
  private readonly profiles: TtlLru<FeishuUserProfile | null>;
  private readonly profileLookups = new Map<string, Promise<FeishuUserProfile | null>>();
  private bot: string | undefined;
  private botLookup: Promise<string | undefined> | undefined;
  private lastFailure: { at: number; message: string } | undefined;
  private connectionProbe: (() => ChannelStatus) | undefined;

  constructor(opts: FeishuChannelOptions) {
    this.log = opts.log ?? silentLogger;
    this.appId = opts.appId;
    this.replyInThread = opts.replyInThread ?? true;
    this.maxDownloadBytes = opts.maxDownloadBytes ?? 50 * 1024 * 1024;
    this.profileTimeoutMs = opts.profileTimeoutMs ?? 1500;
    this.profileTtlMs = opts.profileTtlMs ?? 30 * 60_000;
    this.now = opts.now ?? Date.now;
    this.profiles = new TtlLru(opts.profileCacheSize ?? 5000, this.now);
    this.bot = opts.botOpenId;
    this.client =
      opts.client ??
      new lark.Client({
        appId: opts.appId,
        appSecret: opts.appSecret,
        domain: resolveFeishuDomain(opts.domain),
        // Our own token cache (not the SDK's process-wide one), so a stale
        // token can be dropped (see dropToken) and two channels never mix.
        cache: this.cache,
        httpInstance: withTimeout(lark.defaultHttpInstance as unknown as lark.HttpInstance, opts.requestTimeoutMs ?? 10_000),
        logger: sdkLogger(this.log),
        loggerLevel: lark.LoggerLevel.warn,
        source: 'servicebot',
      });
  }

  // -------------------------------------------------------------------------
  // sending

  async send(action: OutboundAction, ctx: SendContext): Promise<SendResult> {
    const uuid = feishuUuid(ctx.idempotencyKey);
    const what = `feishu ${action.kind}`;
    try {
      let result: SendResult;
      switch (action.kind) {
        case 'text':
          result = await this.post(renderText(action.text, action.mentions), ctx.chatId, uuid, action.replyTo);
          break;
        case 'card':
          result = await this.post(renderCard(action), ctx.chatId, uuid, action.replyTo);
          break;
        case 'card_update': {
          const res = await this.client.im.message.patch({
            path: { message_id: action.messageId },
            data: renderCardUpdate(action),
          });
          assertFeishuOk(res, 'im.message.patch');
          result = { messageId: action.messageId };
          break;
        }
        case 'image': {
          const imageKey = await this.uploadImage(Buffer.from(action.pngBase64, 'base64'));
          result = await this.post(renderImage(imageKey, action.caption), ctx.chatId, uuid, action.replyTo);
          break;
        }
        default: {
          const never: never = action;
          throw new PermanentSendError(`unknown action ${JSON.stringify(never)}`, 'unknown_action');
        }
      }
      this.lastFailure = undefined;
      return result;
    } catch (err) {
      throw this.failure(err, what, { chatId: ctx.chatId, attempt: ctx.attempt, uuid });
    }
  }

  private async post(msg: FeishuMessage, chatId: string, uuid: string, replyTo?: string): Promise<SendResult> {
    if (replyTo) {
      try {
        const res = await this.client.im.message.reply({
          path: { message_id: replyTo },
          data: { content: msg.content, msg_type: msg.msg_type, reply_in_thread: this.replyInThread, uuid },
        });
        return { messageId: assertFeishuOk(res, 'im.message.reply').data?.message_id };
      } catch (err) {
        const code = feishuCodeOf(err);
        if (code === undefined || !REPLY_TARGET_GONE_CODES.has(code)) throw err;
        // The report was recalled or its thread is gone: say it in the chat.
        this.log.warn({ replyTo, code }, 'feishu reply target gone; posting to the chat instead');
      }
    }
    const res = await this.client.im.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: chatId, msg_type: msg.msg_type, content: msg.content, uuid },
    });
    return { messageId: assertFeishuOk(res, 'im.message.create').data?.message_id };
  }

  private async uploadImage(png: Buffer): Promise<string> {
    if (png.length === 0) throw new PermanentSendError('empty image', 'empty_image');
    if (png.length > 10 * 1024 * 1024) throw new PermanentSendError('image larger than 10 MB', 'image_too_large');
    // The SDK returns only `data` of the answer (null when Feishu says no with HTTP 200).
    const data = await this.client.im.image.create({ data: { image_type: 'message', image: png } });
    const key = data?.image_key;
    if (!key) throw new RetryableSendError('im.image.create: no image_key in the answer');
    return key;
  }

  /** Classify, drop a stale token, remember for status(), log. */
  private failure(err: unknown, what: string, ctx: Record<string, unknown>): RetryableSendError | PermanentSendError {
    const code = feishuCodeOf(err);
    if (code !== undefined && TOKEN_CODES.has(code)) this.dropToken();
    const e = classifyFeishuError(err, what);
    if (e instanceof RetryableSendError) {
      this.lastFailure = { at: this.now(), message: e.message };
      this.log.warn({ ...ctx, err: e.message, retryAfterMs: e.retryAfterMs }, 'feishu send failed, will retry');
    } else {
      this.log.error({ ...ctx, err: e.message, code: e.code }, 'feishu send failed permanently');
    }
    return e;
  }

  /** Forget the cached tenant_access_token: the next request fetches a fresh one. */
  private dropToken(): void {
    // An empty value reads as "no token" (the SDK tests truthiness).
    void this.cache.set(lark.CTenantAccessToken, '', 1, { namespace: this.appId });
  }

  // -------------------------------------------------------------------------
  // attachments

  async downloadAttachment(ref: AttachmentRef, messageId: string): Promise<Buffer> {
    try {
      const res = await this.client.im.messageResource.get({
        path: { message_id: messageId, file_key: ref.key },
        params: { type: ref.kind === 'image' ? 'image' : 'file' },
      });
      return await readStream(res.getReadableStream(), this.maxDownloadBytes);
    } catch (err) {
      // responseType is 'stream', so an error answer's JSON body is still a stream.
      const response = (err as { response?: { data?: unknown } } | undefined)?.response;
      if (response && isReadable(response.data)) {
        try {
          response.data = JSON.parse((await readStream(response.data, 64 * 1024)).toString('utf8')) as unknown;
        } catch {
          response.data = {};
        }
      }
      throw this.failure(err, 'feishu download', { messageId, key: ref.key });
    }
  }

  // -------------------------------------------------------------------------
  // people

  /**
   * Name and departments of a user by open_id, from the contact API. Cached
   * (profileTtlMs; a miss for a minute); answers null after profileTimeoutMs
   * or on any failure; the bot then shows the open_id.
   */
  async resolveUser(openId: string): Promise<FeishuUserProfile | null> {
    if (!openId) return null;
    const cached = this.profiles.get(openId);
    if (cached !== undefined) return cached;
    let lookup = this.profileLookups.get(openId);
    if (!lookup) {
      lookup = this.fetchProfile(openId).finally(() => this.profileLookups.delete(openId));
      this.profileLookups.set(openId, lookup);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.profileTimeoutMs);
      timer.unref?.();
    });
    try {
      return await Promise.race([lookup, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async fetchProfile(openId: string): Promise<FeishuUserProfile | null> {
    try {
      const res = await this.client.contact.user.get({
        path: { user_id: openId },
        params: { user_id_type: 'open_id', department_id_type: 'open_department_id' },
      });
      const user = assertFeishuOk(res, 'contact.user.get').data?.user;
      const name = user?.name || user?.en_name || user?.nickname;
      const profile = name ? { name, departmentIds: [...(user?.department_ids ?? [])] } : null;
      this.profiles.set(openId, profile, profile ? this.profileTtlMs : 60_000);
      return profile;
    } catch (err) {
      const e = classifyFeishuError(err, 'contact.user.get');
      const code = feishuCodeOf(err);
      if (code !== undefined && TOKEN_CODES.has(code)) this.dropToken();
      // A permanent answer (no such user, no contact scope) is remembered for a
      // minute; a transient one is not remembered.
      if (e instanceof PermanentSendError) this.profiles.set(openId, null, 60_000);
      this.log.debug({ openId, err: e.message }, 'feishu user lookup failed');
      return null;
    }
  }

  /** The bot's own open_id (cached after the first success; undefined if unknown). */
  async botOpenId(): Promise<string | undefined> {
    if (this.bot) return this.bot;
    if (!this.botLookup) {
      this.botLookup = (async () => {
        try {
          const res = await this.client.request<{ code?: number; msg?: string; bot?: { open_id?: string } }>({
            url: '/open-apis/bot/v3/info',
            method: 'GET',
          });
          const id = assertFeishuOk(res, 'bot/v3/info').bot?.open_id;
          if (id) this.bot = id;
          return id;
        } catch (err) {
          this.log.warn({ err: classifyFeishuError(err, 'bot/v3/info').message }, 'feishu bot identity lookup failed');
          return undefined;
        } finally {
          this.botLookup = undefined;
        }
      })();
    }
    return this.botLookup;
  }

  // -------------------------------------------------------------------------
  // lifecycle

  /** Learn the bot's identity early; failure is logged, not fatal (retried on the first event). */
  async start(): Promise<void> {
    await this.botOpenId();
  }

  async stop(): Promise<void> {}

  /** ws.ts hands in the long connection's state; in webhook mode the last API call decides. */
  setConnectionProbe(probe: (() => ChannelStatus) | undefined): void {
    this.connectionProbe = probe;
  }

  status(): ChannelStatus {
    if (this.connectionProbe) return this.connectionProbe();
    if (this.lastFailure) {
      return {
        channel: 'feishu',
        connected: false,
        detail: `last send failed ${new Date(this.lastFailure.at).toISOString()}: ${this.lastFailure.message}`,
      };
    }
    return { channel: 'feishu', connected: true, detail: this.bot ? `bot ${this.bot}` : undefined };
  }
}
