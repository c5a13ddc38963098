/**
 * The WeChat Customer Service channel (微信客服): customers on personal WeChat, one to one, from a
 * link or QR code of a customer-service account that the supplier's WeCom manages by API.
 *
 * Inbound: the callback (callback.ts) says which account has news; the sync (sync.ts) reads it
 * with the cursor kept in the database and hands the messages to the sink. A slow poll
 * (`pollMs`, default 5 min, without the callback's token: WeCom limits those calls strictly)
 * catches what a lost callback would miss.
 *
 * Outbound, one outbox row = one `send()` to chat "<open_kfid>:<external_userid>":
 * - each part has a msgid derived from the row's key: WeCom refuses a msgid twice (95033), which
 *   here means "already sent", so a retry after a lost answer never shows twice;
 * - the window: at most 5 messages within 48 h of the customer's last message. A part takes a
 *   slot before it is sent (kept by msgid, so a retry takes none); outside the window the row
 *   fails with KfWindowClosedError (an UndeliverableError) without calling WeCom: the dispatcher
 *   then tells the staff through the outbox and notes it on the ticket (bot/undelivered.ts);
 *   `onWindowClosed` is told too (log, tests). `windowOf(chatId)` answers the same question before composing.
 */
import {
  PermanentSendError,
  RetryableSendError,
  UndeliverableError,
  silentLogger,
  type AttachmentRef,
  type ChannelLogger,
  type ChannelStatus,
  type InboundSink,
  type OutboundAction,
  type SendContext,
  type SendResult,
} from '../neutral.js';
import type { Db } from '../../store/types.js';
import { KfApi, KfApiError, KfNetworkError } from './api.js';
import { kfCallback, type KfEventNotice } from './callback.js';
import { validAesKey } from './crypto.js';
import { kfMsgId, renderKfAction, type KfPart } from './render.js';
import { KfSync } from './sync.js';
import { AccessTokens } from './tokens.js';
import { parseKfChatId } from './translate.js';
import { describeClosed, windowState, type WindowClosedReason, type WindowState } from './window.js';

const REASON_KEYS: Record<WindowClosedReason, string> = { expired: 'kf_expired', five_sent: 'kf_five_sent', no_customer_message: 'kf_no_message' };

/** Outside the window: the dispatcher tells the staff instead (UndeliverableError). */
export class KfWindowClosedError extends UndeliverableError {
  override name = 'KfWindowClosedError';
  constructor(
    readonly chatId: string,
    readonly windowReason: WindowClosedReason,
  ) {
    super(`wecom-kf: outside the send window (${describeClosed(windowReason)}); given to the staff instead`, 'window_closed', REASON_KEYS[windowReason]);
  }
}

export interface WecomKfOptions {
  db: Db;
  sink: InboundSink;
  corpId: string;
  /** The secret of the self-built app that is allowed to call the customer-service API. */
  secret: string;
  /** Callback Token and EncodingAESKey, as set on the callback URL. */
  token: string;
  encodingAESKey: string;
  /** Default https://qyapi.weixin.qq.com (tests: the fake). */
  baseUrl?: string;
  callbackPath?: string;
  /** Accounts to poll as a safety net (the callback names the others as they come). */
  openKfIds?: string[];
  pollMs?: number;
  /** Greeting sent with enter_session's welcome_code (the service passes the catalogue's text); unset or empty: none. */
  greeting?: string;
  log?: ChannelLogger;
  now?: () => number;
  /** The clock the send window is counted on (default `now`): the service's, as the bot's deadlines are. */
  windowNow?: () => number;
  onWindowClosed?: (e: KfWindowClosedError) => void;
  onSendFailed?: (f: { msgid: string; failType: number; externalUserId?: string }) => void;
  fetch?: typeof fetch;
  maxDownloadBytes?: number;
  /** Delay before handing stored messages on again after the bot could not take them (default 10 s). */
  retryMs?: number;
}

const WINDOW_CODES: Record<number, WindowClosedReason> = { 95001: 'five_sent', 95002: 'expired', 95018: 'expired' };
const RETRY_CODES = new Set([-1, 6000, 45009, 45033, 45035]);

export class WecomKfChannel {
  readonly channel = 'wecom-kf' as const;
  readonly tokens: AccessTokens;
  readonly api: KfApi;
  readonly sync: KfSync;
  readonly callback: ReturnType<typeof kfCallback>;
  private readonly log: ChannelLogger;
  private readonly now: () => number;
  private readonly accounts = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private running = false;
  private lastSyncError: string | undefined;
  private lastSyncAt: Date | undefined;

  constructor(private readonly opts: WecomKfOptions) {
    if (!validAesKey(opts.encodingAESKey)) throw new Error('wecom-kf: the EncodingAESKey must be 43 letters or digits');
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    for (const id of opts.openKfIds ?? []) this.accounts.add(id);
    this.tokens = new AccessTokens({ db: opts.db, corpId: opts.corpId, secret: opts.secret, now: this.now, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    this.api = new KfApi({ tokens: this.tokens, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    this.sync = new KfSync({
      db: opts.db,
      api: this.api,
      sink: opts.sink,
      log: this.log,
      now: this.now,
      ...(opts.onSendFailed ? { onSendFailed: opts.onSendFailed } : {}),
      ...(opts.greeting ? { onEnterSession: (code: string) => this.api.sendOnEvent(code, opts.greeting!) } : {}),
    });
    this.callback = kfCallback({
      token: opts.token,
      encodingAESKey: opts.encodingAESKey,
      corpId: opts.corpId,
      log: this.log,
      now: this.now,
      ...(opts.callbackPath ? { path: opts.callbackPath } : {}),
      onEvent: (n) => void this.onNotice(n),
    });
  }

  /** A callback named an account with news: read it now, then hand it on. */
  async onNotice(n: KfEventNotice): Promise<void> {
    this.accounts.add(n.openKfId);
    await this.pullAndDeliver(n.openKfId, n.token);
  }

  private async pullAndDeliver(openKfId: string, token?: string): Promise<void> {
    try {
      await this.sync.pull(openKfId, token);
      this.lastSyncError = undefined;
      this.lastSyncAt = new Date(this.now());
    } catch (e) {
      this.lastSyncError = (e as Error).message.slice(0, 300);
      this.log.warn({ openKfId, err: this.lastSyncError }, 'wecom-kf: reading messages failed; the next notice or poll tries again');
    }
    await this.deliverOrRetry();
  }

  /** Hands stored messages on; if the bot cannot take them now (database down), again in `retryMs`. */
  private async deliverOrRetry(): Promise<void> {
    try {
      await this.sync.deliver();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'wecom-kf: handing messages to the bot failed; tried again shortly');
      if (this.running && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.deliverOrRetry();
        }, this.opts.retryMs ?? 10_000);
        this.retryTimer.unref?.();
      }
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // After a restart: the accounts read before (their cursors are stored) are read again, and
    // messages stored but not yet handed to the bot are handed on first.
    try {
      for (const c of await this.opts.db.wecomKfCursor.findMany({ select: { openKfId: true } })) this.accounts.add(c.openKfId);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'wecom-kf: stored cursors not read; configured accounts only');
    }
    await this.deliverOrRetry();
    const tick = async () => {
      for (const id of this.accounts) await this.pullAndDeliver(id);
      if (this.running) this.timer = setTimeout(() => void tick(), this.opts.pollMs ?? 5 * 60_000);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = null;
    this.retryTimer = null;
  }

  status(): ChannelStatus {
    return {
      channel: 'wecom-kf',
      connected: this.running && !this.lastSyncError,
      detail: `${this.accounts.size} account(s)` + (this.lastSyncAt ? `, last read ${this.lastSyncAt.toISOString()}` : ', not read yet') + (this.lastSyncError ? `; last error: ${this.lastSyncError}` : ''),
    };
  }

  /** The send window of one conversation, for the bot to decide before composing. */
  async windowOf(chatId: string): Promise<WindowState> {
    const c = parseKfChatId(chatId);
    if (!c) return { open: false, reason: 'no_customer_message', remaining: 0 };
    const row = await this.opts.db.wecomKfWindow.findUnique({ where: { openKfId_externalUserId: c } });
    return windowState(row, new Date((this.opts.windowNow ?? this.now)()));
  }

  async send(action: OutboundAction, ctx: SendContext): Promise<SendResult> {
    const conv = parseKfChatId(ctx.chatId);
    if (!conv) throw new PermanentSendError(`wecom-kf: "${ctx.chatId}" is not <open_kfid>:<external_userid>`);
    const parts = renderKfAction(action);
    let first: string | undefined;
    for (let i = 0; i < parts.length; i++) {
      const msgid = kfMsgId(ctx.idempotencyKey, i);
      const sent = await this.sendPart(conv, ctx.chatId, parts[i]!, msgid);
      first ??= sent;
    }
    return first ? { messageId: first } : {};
  }

  /** Takes a slot of the window for `msgid` (none if it has one already); false: closed. */
  private async reserve(conv: { openKfId: string; externalUserId: string }, msgid: string): Promise<{ ok: true; sentBefore: boolean } | { ok: false; reason: WindowClosedReason }> {
    const now = new Date((this.opts.windowNow ?? this.now)());
    return this.opts.db.$transaction(async (tx) => {
      const had = await tx.wecomKfSend.findUnique({ where: { msgid } });
      if (had) return { ok: true as const, sentBefore: had.sentAt !== null };
      const key = { openKfId_externalUserId: conv };
      const w = await tx.wecomKfWindow.findUnique({ where: key });
      const st = windowState(w, now);
      if (!st.open) return { ok: false as const, reason: st.reason! };
      // Conditional: two senders cannot both take the fifth slot.
      const r = await tx.wecomKfWindow.updateMany({ where: { ...conv, sentSince: w!.sentSince }, data: { sentSince: { increment: 1 } } });
      if (r.count !== 1) throw new RetryableSendError('wecom-kf: the window changed meanwhile; try again');
      await tx.wecomKfSend.create({ data: { msgid, ...conv, reservedAt: now } });
      return { ok: true as const, sentBefore: false };
    });
  }

  private async sendPart(conv: { openKfId: string; externalUserId: string }, chatId: string, part: KfPart, msgid: string): Promise<string> {
    const slot = await this.reserve(conv, msgid);
    if (!slot.ok) {
      const err = new KfWindowClosedError(chatId, slot.reason);
      this.opts.onWindowClosed?.(err);
      throw err;
    }
    if (slot.sentBefore) return msgid;
    const base = { touser: conv.externalUserId, open_kfid: conv.openKfId, msgid };
    try {
      if (part.msgtype === 'image') {
        const mediaId = await this.api.uploadImage(part.png, part.filename);
        await this.api.sendMsg({ ...base, msgtype: 'image', image: { media_id: mediaId } });
      } else {
        await this.api.sendMsg({ ...base, ...part });
      }
    } catch (e) {
      if (e instanceof KfApiError && e.errcode === 95033) {
        this.log.info({ msgid }, 'wecom-kf: msgid already used by an earlier attempt; taken as sent');
      } else {
        throw await this.classify(e, conv, chatId, msgid);
      }
    }
    await this.opts.db.wecomKfSend.update({ where: { msgid }, data: { sentAt: new Date(this.now()) } });
    return msgid;
  }

  private async classify(e: unknown, conv: { openKfId: string; externalUserId: string }, chatId: string, msgid: string): Promise<Error> {
    if (e instanceof KfApiError) {
      const closed = WINDOW_CODES[e.errcode];
      if (closed) {
        // WeCom knows better: close the window here too, and give the slot back.
        await this.opts.db.$transaction([
          this.opts.db.wecomKfWindow.updateMany({ where: conv, data: { sentSince: 5 } }),
          this.opts.db.wecomKfSend.deleteMany({ where: { msgid } }),
        ]);
        const err = new KfWindowClosedError(chatId, closed);
        this.opts.onWindowClosed?.(err);
        return err;
      }
      if (RETRY_CODES.has(e.errcode)) return new RetryableSendError(e.message, e.errcode === 45009 ? 60_000 : undefined);
      return new PermanentSendError(e.message, e.errcode);
    }
    if (e instanceof RetryableSendError || e instanceof PermanentSendError) return e;
    if (e instanceof KfNetworkError) return new RetryableSendError(e.message);
    return new RetryableSendError(`wecom-kf: ${(e as Error)?.message ?? String(e)}`);
  }

  async downloadAttachment(ref: AttachmentRef): Promise<Buffer> {
    return this.api.getMedia(ref.key, this.opts.maxDownloadBytes ?? 20 * 1024 * 1024);
  }
}
