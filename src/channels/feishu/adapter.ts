/**
 * FeishuChannel: the adapter under the Feishu Channel (index.ts), on top of lark.Client.
 *
 * - send(): text / card / image go to im.message.reply when action.replyTo is
 *   set, else im.message.create (receive_id_type chat_id). A reply is an
 *   ordinary message quoting the report (reply_in_thread false) unless the chat
 *   is configured for thread replies; a chat or message that refuses threads
 *   (230071 / 230072) gets the reply without a thread, and a recalled or
 *   deleted target (230011 / 231003 / 230019) a plain message. A card a chat
 *   refuses (230054) is sent as text with numbered choices, and that chat gets
 *   text from then on. Every post carries Feishu's idempotency key `uuid`
 *   derived from SendContext.idempotencyKey, so a retried send is posted once
 *   (Feishu dedups a uuid for one hour). Sends are paced (pacer.ts). card_update
 *   is im.message.patch. image is im.image.create then a message.
 * - Failures become RetryableSendError / PermanentSendError (errors.ts); those an
 *   operator must fix (230027 external sharing, 230002 bot not in the chat) show
 *   in status() with the fix.
 * - downloadAttachment(): im.messageResource.get → Buffer.
 * - people (people.ts): names from the contact API (own tenant), chat members and
 *   mentions (any tenant), cached and warmed at start.
 * - transcribe(): voice messages to text (speech.ts), when the app has the permission.
 * - forwardedMessages(): the messages inside a merge_forward.
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
  FEISHU_HINTS,
  feishuCodeOf,
  REPLY_TARGET_GONE_CODES,
  THREAD_REFUSED_CODES,
  TOKEN_CODES,
  TYPE_REFUSED_CODE,
} from './errors.js';
import { sdkLogger, silentLogger, type FeishuLogger } from './log.js';
import { FeishuPacer, type PacerOptions } from './pacer.js';
import { FeishuPeople, within, type ChatMember, type FeishuUserProfile } from './people.js';
import { renderCard, renderCardAsText, renderCardUpdate, renderImage, renderText, type FeishuMessage } from './render.js';
import { oggOpusToPcm16k, recognizeRequest } from './speech.js';

export type { FeishuUserProfile } from './people.js';

/** One message inside a merge_forward, as GET /im/v1/messages/:id lists it. */
export interface ForwardedItem {
  messageId: string;
  /** The container it sits in (nested forwards), if not the top one. */
  upperMessageId?: string;
  msgType: string;
  content: string;
  senderId?: string;
  senderType?: string;
  createTime?: string;
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
  /**
   * Replies go into the replied-to message's thread (a 话题 reply, not shown in
   * the main chat stream). Default false: an ordinary message quoting the report.
   */
  replyInThread?: boolean;
  /** Chats whose replies go into threads even when replyInThread is false. */
  threadReplyChats?: readonly string[];
  /**
   * What the app receives in groups: 'mentions' (scope im:message.group_at_msg:readonly,
   * only messages that @ the bot) or 'all' (im:message.group_msg). With 'mentions',
   * the bot's questions tell people to @ it in their answer. Default 'mentions'.
   */
  receiveMode?: 'mentions' | 'all';
  /** Voice messages to text with Feishu's speech_to_text API: 'auto' tries and stops when the app lacks it. Default 'auto'. */
  speechToText?: 'auto' | 'off';
  /** Send pacing (defaults: Feishu's 5/s per chat, 50/s and 1000/min per app). */
  pacing?: PacerOptions;
  /** Looked up at start, so the first events find them cached: staff open_ids and known chats. */
  warm?: { users?: readonly string[]; chats?: readonly string[] };
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
  readonly people: FeishuPeople;
  readonly receiveMode: 'mentions' | 'all';
  private readonly log: FeishuLogger;
  private readonly cache = new lark.DefaultCache();
  private readonly appId: string;
  private readonly replyInThread: boolean;
  private readonly threadReplyChats: Set<string>;
  private readonly maxDownloadBytes: number;
  private readonly profileTimeoutMs: number;
  private readonly now: () => number;
  private readonly pacer: FeishuPacer;
  private readonly warmList: { users: readonly string[]; chats: readonly string[] };
  /** Chats that refused a thread reply (230071) or a card (230054): not tried again. */
  private readonly noThreadChats = new Set<string>();
  private readonly noCardChats = new Set<string>();
  private speech: 'auto' | 'off' | 'missing';
  private bot: string | undefined;
  private botName: string | undefined;
  private botLookup: Promise<string | undefined> | undefined;
  private lastFailure: { at: number; message: string } | undefined;
  /** Problems only an operator can fix (scopes, sharing, membership), by chat: shown in status(). */
  private readonly operatorProblems = new Map<string, { at: number; code: number; hint: string }>();
  private connectionProbe: (() => ChannelStatus) | undefined;

  constructor(opts: FeishuChannelOptions) {
    this.log = opts.log ?? silentLogger;
    this.appId = opts.appId;
    this.replyInThread = opts.replyInThread ?? false;
    this.threadReplyChats = new Set(opts.threadReplyChats ?? []);
    this.receiveMode = opts.receiveMode ?? 'mentions';
    this.speech = opts.speechToText ?? 'auto';
    this.maxDownloadBytes = opts.maxDownloadBytes ?? 50 * 1024 * 1024;
    this.profileTimeoutMs = opts.profileTimeoutMs ?? 1500;
    this.now = opts.now ?? Date.now;
    this.pacer = new FeishuPacer({ now: this.now, ...opts.pacing });
    this.warmList = { users: opts.warm?.users ?? [], chats: opts.warm?.chats ?? [] };
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
    this.people = new FeishuPeople(
      { contact: (id) => this.fetchProfile(id), members: (chatId) => this.fetchMembers(chatId) },
      {
        now: this.now,
        ...(opts.profileTtlMs !== undefined ? { profileTtlMs: opts.profileTtlMs } : {}),
        ...(opts.profileCacheSize !== undefined ? { cacheSize: opts.profileCacheSize } : {}),
        onError: (what, err) => {
          const code = feishuCodeOf(err);
          if (code !== undefined && TOKEN_CODES.has(code)) this.dropToken();
          this.log.debug({ what, err: classifyFeishuError(err, what).message }, 'feishu people lookup failed');
        },
      },
    );
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
          result = await this.post(renderText(this.withAnswerHint(action.text, action.expectsAnswer), action.mentions), ctx.chatId, uuid, action.replyTo);
          break;
        case 'card':
          result = await this.postCard(action, ctx.chatId, uuid);
          break;
        case 'card_update': {
          await this.pacer.take();
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
      this.operatorProblems.delete(ctx.chatId);
      this.people.chatReachable(ctx.chatId);
      return result;
    } catch (err) {
      throw this.failure(err, what, { chatId: ctx.chatId, attempt: ctx.attempt, uuid });
    }
  }

  /**
   * In 'mentions' mode the app only receives messages that @ it: a question
   * says so, or the answer never reaches the bot.
   */
  private withAnswerHint(text: string, expectsAnswer: boolean | undefined): string {
    if (!expectsAnswer || this.receiveMode !== 'mentions') return text;
    return `${text}\n（回复时请 @${this.botName ?? '我'}）`;
  }

  private async postCard(action: Extract<OutboundAction, { kind: 'card' }>, chatId: string, uuid: string): Promise<SendResult> {
    const card = { ...action, text: this.withAnswerHint(action.text, action.expectsAnswer) };
    if (this.noCardChats.has(chatId)) return this.post(renderCardAsText(card), chatId, uuid, action.replyTo);
    try {
      return await this.post(renderCard(card), chatId, uuid, action.replyTo);
    } catch (err) {
      if (feishuCodeOf(err) !== TYPE_REFUSED_CODE) throw err;
      // Some groups (e.g. certain external or private-connection groups) refuse cards:
      // the same choices as numbered text, and text from now on.
      this.noCardChats.add(chatId);
      this.log.warn({ chatId }, 'feishu chat refuses cards (230054); sending text with numbered choices');
      // A new uuid: Feishu remembers the refused one for an hour.
      return this.post(renderCardAsText(card), chatId, feishuUuid(`${uuid}:text`), action.replyTo);
    }
  }

  private threadFor(chatId: string): boolean {
    if (this.noThreadChats.has(chatId)) return false;
    return this.replyInThread || this.threadReplyChats.has(chatId);
  }

  private async post(msg: FeishuMessage, chatId: string, uuid: string, replyTo?: string): Promise<SendResult> {
    if (replyTo) {
      let inThread = this.threadFor(chatId);
      let replyUuid = uuid;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await this.pacer.take(chatId);
          const res = await this.client.im.message.reply({
            path: { message_id: replyTo },
            data: { content: msg.content, msg_type: msg.msg_type, reply_in_thread: inThread, uuid: replyUuid },
          });
          return { messageId: assertFeishuOk(res, 'im.message.reply').data?.message_id };
        } catch (err) {
          const code = feishuCodeOf(err);
          if (code !== undefined && THREAD_REFUSED_CODES.has(code) && inThread) {
            // 230071: the chat has no threads; 230072: this message cannot start one. Quote it instead.
            if (code === 230071) this.noThreadChats.add(chatId);
            this.log.info({ chatId, replyTo, code }, 'feishu refused a thread reply; replying without a thread');
            inThread = false;
            replyUuid = feishuUuid(`${uuid}:quote`);
            continue;
          }
          if (code === undefined || !REPLY_TARGET_GONE_CODES.has(code)) throw err;
          // The report was recalled or deleted: say it in the chat.
          this.log.warn({ replyTo, code }, 'feishu reply target gone; posting to the chat instead');
          break;
        }
      }
    }
    await this.pacer.take(chatId);
    const res = await this.client.im.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: chatId, msg_type: msg.msg_type, content: msg.content, uuid },
    });
    return { messageId: assertFeishuOk(res, 'im.message.create').data?.message_id };
  }

  private async uploadImage(png: Buffer): Promise<string> {
    if (png.length === 0) throw new PermanentSendError('empty image', 'empty_image');
    if (png.length > 10 * 1024 * 1024) throw new PermanentSendError('image larger than 10 MB', 'image_too_large');
    await this.pacer.take();
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
      const hint = typeof e.code === 'number' ? FEISHU_HINTS[e.code] : undefined;
      if (hint && typeof e.code === 'number' && typeof ctx['chatId'] === 'string') {
        this.operatorProblems.set(ctx['chatId'], { at: this.now(), code: e.code, hint });
        // An operator-facing line: what failed, where, and the fix.
        this.log.error({ ...ctx, code: e.code, fix: hint }, `feishu refused a message to chat ${ctx['chatId']} (${e.code}): ${hint}`);
      } else {
        this.log.error({ ...ctx, err: e.message, code: e.code }, 'feishu send failed permanently');
      }
    }
    return e;
  }

  /** Forget the cached tenant_access_token: the next request fetches a fresh one. */
  private dropToken(): void {
    // An empty value reads as "no token" (the SDK tests truthiness).
    void this.cache.set(lark.CTenantAccessToken, '', 1, { namespace: this.appId });
  }

  // -------------------------------------------------------------------------
  // attachments, voice, forwarded messages

  async downloadAttachment(ref: AttachmentRef, messageId: string): Promise<Buffer> {
    return this.download(ref, messageId, this.maxDownloadBytes);
  }

  private async download(ref: AttachmentRef, messageId: string, maxBytes: number): Promise<Buffer> {
    try {
      const res = await this.client.im.messageResource.get({
        path: { message_id: messageId, file_key: ref.key },
        // Audio and video are 'file' resources.
        params: { type: ref.kind === 'image' ? 'image' : 'file' },
      });
      return await readStream(res.getReadableStream(), maxBytes);
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

  /** Whether voice messages can be turned into text (not switched off, permission not found missing). */
  get canTranscribe(): boolean {
    return this.speech === 'auto';
  }

  /**
   * A voice message's text, or null (no permission, not Ogg Opus, nothing
   * recognised, any failure). The first answer saying the app lacks the
   * permission switches transcription off until restart, with a log line.
   */
  async transcribe(fileKey: string, messageId: string): Promise<string | null> {
    if (this.speech !== 'auto') return null;
    try {
      const bytes = await this.download({ kind: 'audio', key: fileKey }, messageId, 10 * 1024 * 1024);
      const pcm = await oggOpusToPcm16k(bytes);
      if (!pcm) return null;
      const res = await this.client.speech_to_text.v1.speech.fileRecognize({ data: recognizeRequest(pcm, messageId.replace(/^om_/, '')) });
      const text = assertFeishuOk(res, 'speech_to_text.fileRecognize').data?.recognition_text?.trim();
      return text ? text : null;
    } catch (err) {
      const code = feishuCodeOf(err);
      if (code === 99991672 || code === 99991679 || code === 99991401 || code === 1010 || code === 1011) {
        this.speech = 'missing';
        this.log.warn({ code }, 'feishu speech_to_text is not available to the app (add the speech_to_text permission and publish a version); voice messages will be kept and the sender asked to type');
      } else {
        this.log.info({ messageId, err: classifyFeishuError(err, 'speech_to_text').message }, 'feishu voice message not transcribed');
      }
      return null;
    }
  }

  /** The messages inside a merge_forward (GET /im/v1/messages/:id lists them with upper_message_id). */
  async forwardedMessages(messageId: string): Promise<ForwardedItem[]> {
    const res = await this.client.request<{
      code?: number;
      msg?: string;
      data?: { items?: Array<{ message_id?: string; upper_message_id?: string; msg_type?: string; body?: { content?: string }; sender?: { id?: string; sender_type?: string }; create_time?: string }> };
    }>({ url: `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`, method: 'GET', params: { user_id_type: 'open_id' } });
    const items = assertFeishuOk(res, 'im.message.get').data?.items ?? [];
    const out: ForwardedItem[] = [];
    for (const it of items.slice(0, 200)) {
      if (!it.message_id || !it.msg_type) continue;
      out.push({
        messageId: it.message_id,
        ...(it.upper_message_id ? { upperMessageId: it.upper_message_id } : {}),
        msgType: it.msg_type,
        content: it.body?.content ?? '',
        ...(it.sender?.id ? { senderId: it.sender.id } : {}),
        ...(it.sender?.sender_type ? { senderType: it.sender.sender_type } : {}),
        ...(it.create_time ? { createTime: it.create_time } : {}),
      });
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // people

  /**
   * Name and departments of an own-tenant user by open_id, from the contact
   * API (cached; null after profileTimeoutMs or on failure). People of another
   * tenant: see FeishuPeople.lookup.
   */
  async resolveUser(openId: string): Promise<FeishuUserProfile | null> {
    if (!openId) return null;
    return within(this.people.profile(openId), this.profileTimeoutMs, null);
  }

  private async fetchProfile(openId: string): Promise<FeishuUserProfile | null> {
    try {
      const res = await this.client.contact.user.get({
        path: { user_id: openId },
        params: { user_id_type: 'open_id', department_id_type: 'open_department_id' },
      });
      const user = assertFeishuOk(res, 'contact.user.get').data?.user;
      const name = user?.name || user?.en_name || user?.nickname;
      return name ? { name, departmentIds: [...(user?.department_ids ?? [])] } : null;
    } catch (err) {
      // A permanent answer (no such user, no contact scope, another tenant) is "unknown";
      // a transient one is thrown so that it is not remembered.
      if (classifyFeishuError(err, 'contact.user.get') instanceof PermanentSendError) return null;
      throw err;
    }
  }

  private async fetchMembers(chatId: string): Promise<ChatMember[]> {
    const out: ChatMember[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await this.client.im.chatMembers.get({
        path: { chat_id: chatId },
        params: { member_id_type: 'open_id', page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) },
      });
      const data = assertFeishuOk(res, 'im.chatMembers.get').data;
      for (const m of data?.items ?? []) {
        if (m.member_id && m.name) out.push({ openId: m.member_id, name: m.name, ...(m.tenant_key ? { tenantKey: m.tenant_key } : {}) });
      }
      if (!data?.has_more || !data.page_token) break;
      pageToken = data.page_token;
    }
    return out;
  }

  /** The bot's own open_id (cached after the first success; undefined if unknown). */
  async botOpenId(): Promise<string | undefined> {
    if (this.bot) return this.bot;
    if (!this.botLookup) {
      this.botLookup = (async () => {
        try {
          const res = await this.client.request<{ code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } }>({
            url: '/open-apis/bot/v3/info',
            method: 'GET',
          });
          const info = assertFeishuOk(res, 'bot/v3/info').bot;
          if (info?.app_name) this.botName = info.app_name;
          if (info?.open_id) this.bot = info.open_id;
          return info?.open_id;
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

  /**
   * Learn the bot's identity, and warm the people caches (staff profiles, the
   * members of known chats), so that no event waits on them. Failures are
   * logged, not fatal; the lookups are retried when an event needs them.
   */
  async start(): Promise<void> {
    const warm = Promise.all([
      ...this.warmList.users.map((id) => this.people.profile(id)),
      ...this.warmList.chats.map((id) => this.people.members(id)),
    ]);
    await Promise.all([this.botOpenId(), within(warm, 5000, undefined)]);
  }

  async stop(): Promise<void> {}

  /** ws.ts hands in the long connection's state; in webhook mode the last API call decides. */
  setConnectionProbe(probe: (() => ChannelStatus) | undefined): void {
    this.connectionProbe = probe;
  }

  status(): ChannelStatus {
    const problems = [...this.operatorProblems.entries()].slice(0, 3).map(([chat, p]) => `chat ${chat}: Feishu ${p.code}: ${p.hint}`);
    const base: ChannelStatus = this.connectionProbe
      ? this.connectionProbe()
      : this.lastFailure
        ? { channel: 'feishu', connected: false, detail: `last send failed ${new Date(this.lastFailure.at).toISOString()}: ${this.lastFailure.message}` }
        : { channel: 'feishu', connected: true, ...(this.bot ? { detail: `bot ${this.bot}` } : {}) };
    if (!problems.length) return base;
    return { ...base, detail: [base.detail, ...problems].filter(Boolean).join('; ') };
  }
}
