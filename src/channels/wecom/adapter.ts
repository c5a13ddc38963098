/**
 * The WeCom intelligent-bot channel: inbound frames to the sink, outbox rows to WeCom.
 *
 * Inbound: every frame is translated (translate.ts) and handed to the sink, which records it
 * once (unique on channel + msgid): a frame WeCom pushes again, or one replayed, is answered
 * "duplicate" and only logged. The long connection has no redelivery of its own, so when the
 * sink cannot record a frame (database down) it is tried again here a few times before it is
 * logged as lost. Two answers cannot wait for the outbox, both within 5 s of the frame:
 * - enter_chat (a user opens the single chat): the greeting, with replyWelcome;
 * - template_card_event (a button click): the card as it should look now, with updateTemplateCard.
 *
 * Outbound, one outbox row = one `send()`; it returns only after WeCom acknowledged every part:
 * - a reply to a message received on this connection within `replyWindowMs` goes as a passive
 *   reply to that frame (a finished stream whose id derives from the row's key, or a card);
 *   everything else, and replies after a reconnect, go with aibot_send_msg to the chat;
 * - cards carry a task_id derived from the row's key, which WeCom refuses to accept twice: a
 *   card resent after a lost ack never shows twice (the refusal on a later attempt is taken as
 *   "delivered");
 * - a markdown text or an image has no such key: when the connection drops between writing the
 *   frame and its ack, the retry may show it twice (at-least-once; the log says "delivery unknown").
 *   A send while disconnected waits up to `connectWaitMs` and is then handed back as retryable:
 *   nothing was written, nothing can double.
 * - parts of one row already acknowledged are not sent again when the row is retried by this
 *   process (kept in memory; after a restart only cards and passive replies are protected).
 * Pacing: per chat (`minIntervalMs`, `maxPerChatPerMinute`) and for the whole bot
 * (`maxPerMinute`); WeCom's own 45009 answer backs the row off for a minute.
 */
import type { WSClient, WsFrame } from '@wecom/aibot-node-sdk';
import {
  Pacer,
  PermanentSendError,
  RetryableSendError,
  silentLogger,
  type AttachmentRef,
  type ChannelLogger,
  type ChannelStatus,
  type InboundEvent,
  type InboundSink,
  type OutboundAction,
  type ReceiveResult,
  type SendContext,
  type SendResult,
} from '../neutral.js';
import { WecomConnection, type WecomConnectionOptions } from './connection.js';
import { classifyWecomError, TASK_ID_REFUSED } from './errors.js';
import { renderWecomAction, streamIdFor, updatedCard, type MentionStyle, type WecomPart } from './render.js';
import { parseMediaKey, translateWecomFrame } from './translate.js';


export interface WecomBotOptions extends Omit<WecomConnectionOptions, 'log'> {
  sink: InboundSink;
  log?: ChannelLogger;
  /** The bot's display names in WeCom: "@name" is removed from message text. */
  botNames?: string[];
  mentionStyle?: MentionStyle;
  /** Said when a user opens the single chat (enter_chat; the service passes the catalogue's text); unset or empty: nothing. */
  greeting?: string;
  /** How long after a message a passive reply to it is used (default 4 min; WeCom waits up to 6). */
  replyWindowMs?: number;
  /** A card is replaced only this soon after the click (default 4.5 s; WeCom allows 5). */
  clickWindowMs?: number;
  /** How long a send waits for the connection before it is handed back as retryable (default 5 s). */
  connectWaitMs?: number;
  minIntervalMs?: number;
  maxPerChatPerMinute?: number;
  maxPerMinute?: number;
  /** Largest attachment downloaded (default 20 MB). */
  maxDownloadBytes?: number;
  /** Receive attempts for one frame while the sink fails (default 4). */
  receiveAttempts?: number;
  /** Wall clock (tests). */
  now?: () => number;
}

interface RecentFrame {
  reqId: string;
  at: number;
  epoch: number;
  /** A passive reply was accepted (or refused): later replies go with aibot_send_msg. */
  used: boolean;
}

const RECENT_MAX = 5000;

export class WecomBotChannel {
  readonly channel = 'wecom' as const;
  readonly connection: WecomConnection;
  private readonly client: WSClient;
  private readonly log: ChannelLogger;
  private readonly now: () => number;
  private readonly chatPacer: Pacer;
  private readonly botPacer: Pacer;
  /** Inbound message frames by msgid (passive replies). */
  private readonly recent = new Map<string, RecentFrame>();
  /** Click frames by task_id (card updates within the click window). */
  private readonly clicks = new Map<string, { frame: WsFrame; at: number; epoch: number }>();
  /** Parts already acknowledged, by outbox key. */
  private readonly progress = new Map<string, number>();
  private counters = { received: 0, duplicates: 0, ignored: 0, lost: 0, sent: 0 };

  constructor(private readonly opts: WecomBotOptions) {
    this.log = opts.log ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.connection = new WecomConnection({ ...opts, log: this.log });
    this.client = this.connection.client;
    this.chatPacer = new Pacer({ minIntervalMs: opts.minIntervalMs ?? 1000, maxPerMinute: opts.maxPerChatPerMinute ?? 20, maxWaitMs: 30_000 });
    this.botPacer = new Pacer({ minIntervalMs: 0, maxPerMinute: opts.maxPerMinute ?? 120, maxWaitMs: 30_000 });
    this.connection.onFrame((frame) => {
      void this.onFrame(frame).catch((e: unknown) => this.log.error({ err: String(e) }, 'wecom: frame handling failed'));
    });
  }

  async start(): Promise<void> {
    this.connection.start();
  }

  async stop(): Promise<void> {
    this.connection.stop();
  }

  status(): ChannelStatus {
    const s = this.connection.status();
    const c = this.counters;
    return {
      channel: 'wecom',
      connected: s.state === 'connected',
      detail:
        `long connection ${s.state} since ${s.since.toISOString()}` +
        (s.reconnectAttempts ? `, ${s.reconnectAttempts} reconnect attempts` : '') +
        (s.lastError ? `: ${s.lastError}` : '') +
        `; frames received ${c.received}, duplicates ${c.duplicates}, ignored ${c.ignored}, lost ${c.lost}; parts sent ${c.sent}`,
    };
  }

  // ---------------------------------------------------------------------------
  // Inbound

  /** One frame from the connection (public for tests and the replay CLI). */
  async onFrame(frame: WsFrame): Promise<void> {
    const receivedAt = this.now();
    const t = translateWecomFrame(frame, { receivedAt: new Date(receivedAt), ...(this.opts.botNames ? { botNames: this.opts.botNames } : {}) });
    if ('ignored' in t) {
      this.counters.ignored += 1;
      this.log.warn({ reason: t.ignored, msgid: t.msgid, reqId: t.reqId }, 'wecom: frame ignored');
      return;
    }
    this.counters.received += 1;
    const epoch = this.connection.epoch;
    if (t.kind === 'message') this.remember(t.event.eventId, { reqId: t.reqId, at: receivedAt, epoch, used: false });
    if (t.kind === 'enter_chat') await this.greet(frame);
    if (t.kind === 'click' && t.event.type === 'click') {
      this.clicks.set(t.event.messageId, { frame, at: receivedAt, epoch });
      this.trimClicks(receivedAt);
    }
    const result = await this.receive(t.event, t.kind !== 'click');
    if (!result) return;
    if (result.status === 'duplicate') {
      this.counters.duplicates += 1;
      this.log.info({ msgid: t.event.eventId }, 'wecom: frame seen before, ignored');
      return;
    }
    if (t.kind === 'click' && t.event.type === 'click' && result.card) {
      await this.updateAfterClick(t.event.messageId, frame, receivedAt, epoch, result);
    }
  }

  private async receive(ev: InboundEvent, defer: boolean): Promise<ReceiveResult | null> {
    const attempts = this.opts.receiveAttempts ?? 4;
    for (let i = 1; i <= attempts; i++) {
      try {
        return await this.opts.sink.receive(ev, { defer });
      } catch (e) {
        if (i === attempts) {
          this.counters.lost += 1;
          this.log.error({ err: String(e), msgid: ev.eventId, chat: ev.chat.id }, 'wecom: could not record the frame; it is lost (WeCom does not push it again)');
          return null;
        }
        await sleep(Math.min(500 * 2 ** (i - 1), 4000));
      }
    }
    return null;
  }

  private async greet(frame: WsFrame): Promise<void> {
    const text = this.opts.greeting;
    if (!text) return;
    try {
      await this.client.replyWelcome(frame, { msgtype: 'text', text: { content: text } });
    } catch (e) {
      this.log.warn({ err: classifyWecomError(e, 'welcome').error.message }, 'wecom: greeting not sent');
    }
  }

  private async updateAfterClick(taskId: string, frame: WsFrame, at: number, epoch: number, result: ReceiveResult): Promise<void> {
    const windowMs = this.opts.clickWindowMs ?? 4500;
    if (this.now() - at > windowMs || epoch !== this.connection.epoch) {
      this.log.warn({ taskId }, 'wecom: card not updated, the 5 s window after the click has passed');
      return;
    }
    try {
      await this.client.updateTemplateCard(frame, updatedCard(result.card!, taskId) as never);
      this.clicks.delete(taskId);
    } catch (e) {
      this.log.warn({ taskId, err: classifyWecomError(e, 'card update').error.message }, 'wecom: card not updated');
    }
  }

  private remember(msgid: string, f: RecentFrame): void {
    this.recent.set(msgid, f);
    if (this.recent.size > RECENT_MAX) {
      const cutoff = this.now() - (this.opts.replyWindowMs ?? 240_000);
      for (const [k, v] of this.recent) {
        if (v.at < cutoff || this.recent.size > RECENT_MAX) this.recent.delete(k);
        else break;
      }
    }
  }

  private trimClicks(now: number): void {
    for (const [k, v] of this.clicks) if (now - v.at > 60_000) this.clicks.delete(k);
  }

  // ---------------------------------------------------------------------------
  // Outbound

  async send(action: OutboundAction, ctx: SendContext): Promise<SendResult> {
    const parts = renderWecomAction(action, ctx.idempotencyKey, this.opts.mentionStyle ? { mentionStyle: this.opts.mentionStyle } : {});
    const done = this.progress.get(ctx.idempotencyKey) ?? 0;
    let messageId: string | undefined;
    for (let i = done; i < parts.length; i++) {
      const part = parts[i]!;
      const id = await this.sendPart(part, action, ctx);
      if (id) messageId = id;
      this.progress.set(ctx.idempotencyKey, i + 1);
      this.counters.sent += 1;
    }
    this.progress.delete(ctx.idempotencyKey);
    return messageId ? { messageId } : {};
  }

  private async sendPart(part: WecomPart, action: OutboundAction, ctx: SendContext): Promise<string | undefined> {
    if (part.kind === 'update') {
      const click = this.clicks.get(part.taskId);
      if (click && this.now() - click.at <= (this.opts.clickWindowMs ?? 4500) && click.epoch === this.connection.epoch) {
        await this.call(() => this.client.updateTemplateCard(click.frame, part.card as never), 'card update', ctx);
        return part.taskId;
      }
      if (part.fallback) return this.sendPart(part.fallback, action, ctx);
      return undefined;
    }
    const replyTo = 'replyTo' in action ? action.replyTo : undefined;
    const passive = replyTo ? this.passiveFrame(replyTo) : null;
    if (passive && (part.kind === 'markdown' || part.kind === 'card')) {
      const frame = { headers: { req_id: passive.reqId } };
      try {
        if (part.kind === 'markdown') await this.call(() => this.client.replyStream(frame, streamIdFor(ctx.idempotencyKey), part.content, true), 'reply', ctx, false);
        else await this.call(() => this.client.replyTemplateCard(frame, part.card as never), 'card reply', ctx, false);
        passive.used = true;
        return part.kind === 'card' ? part.card.task_id : undefined;
      } catch (e) {
        // WeCom refused the passive reply (window closed, already answered): send it to the chat.
        if (!(e instanceof RefusedError)) throw e;
        passive.used = true;
        this.log.info({ msgid: replyTo, err: e.error.message }, 'wecom: passive reply refused; sending to the chat instead');
      }
    }
    return this.paced(ctx.chatId, () => this.proactive(part, ctx));
  }

  private async proactive(part: WecomPart, ctx: SendContext): Promise<string | undefined> {
    switch (part.kind) {
      case 'markdown':
        await this.call(() => this.client.sendMessage(ctx.chatId, { msgtype: 'markdown', markdown: { content: part.content } }), 'send', ctx);
        return undefined;
      case 'card':
        await this.call(() => this.client.sendMessage(ctx.chatId, { msgtype: 'template_card', template_card: part.card as never }), 'card', ctx);
        return part.card.task_id;
      case 'image': {
        const media = await this.call(() => this.client.uploadMedia(part.png, { type: 'image', filename: part.filename }), 'image upload', ctx);
        await this.call(() => this.client.sendMediaMessage(ctx.chatId, 'image', media.media_id), 'image', ctx);
        return undefined;
      }
      case 'update':
        return undefined;
    }
  }

  private passiveFrame(msgid: string): RecentFrame | null {
    const f = this.recent.get(msgid);
    if (!f || f.used || f.epoch !== this.connection.epoch) return null;
    if (this.now() - f.at > (this.opts.replyWindowMs ?? 240_000)) return null;
    return f;
  }

  private paced<T>(chatId: string, fn: () => Promise<T>): Promise<T> {
    return this.chatPacer.run(chatId, () => this.botPacer.run('bot', fn));
  }

  /**
   * One SDK call: waits for the connection first (nothing is written while it is down), and turns
   * the SDK's failure into the dispatcher's error. `throwRefused` false: a refusal comes back as
   * RefusedError for the caller to fall back.
   */
  private async call<T>(fn: () => Promise<T>, what: string, ctx: SendContext, throwRefused = true): Promise<T> {
    if (!(await this.connection.waitConnected(this.opts.connectWaitMs ?? 5000))) {
      throw new RetryableSendError(`wecom ${what}: not connected to WeCom (${this.connection.status().state})`);
    }
    try {
      return await fn();
    } catch (e) {
      const c = classifyWecomError(e, `wecom ${what}`);
      if (c.outcome === 'refused' && c.errcode === TASK_ID_REFUSED && ctx.attempt > 1 && /card/.test(what)) {
        // The task_id was accepted by an earlier attempt whose ack was lost: the card is there.
        this.log.warn({ key: ctx.idempotencyKey, attempt: ctx.attempt }, 'wecom: card task_id already used by an earlier attempt; taken as delivered');
        return undefined as T;
      }
      if (c.outcome === 'ambiguous') this.log.warn({ key: ctx.idempotencyKey, err: c.error.message }, 'wecom: delivery unknown; the row will be retried');
      if (c.outcome === 'refused' && !throwRefused) throw new RefusedError(c.error);
      throw c.error;
    }
  }

  // ---------------------------------------------------------------------------
  // Attachments

  async downloadAttachment(ref: AttachmentRef): Promise<Buffer> {
    const key = parseMediaKey(ref.key);
    if (!key) throw new PermanentSendError(`wecom: attachment key is not a WeCom media key`);
    const { buffer } = await this.client.downloadFile(key.url, key.aeskey);
    const max = this.opts.maxDownloadBytes ?? 20 * 1024 * 1024;
    if (buffer.length > max) throw new PermanentSendError(`wecom: attachment of ${buffer.length} bytes is larger than ${max}`);
    return buffer;
  }
}

class RefusedError extends Error {
  constructor(readonly error: RetryableSendError | PermanentSendError) {
    super(error.message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
