/**
 * The WeChat channel: wechaty on a puppet chosen by configuration.
 *
 * Inbound:  'message' → snapshot (the only awaits on the puppet) → translate
 *           (pure) → sink.receive(), one at a time per chat, in arrival order.
 *           'room-join' of the bot → bot_added; 'room-leave' of the bot → bot_removed.
 * Outbound: render (pure) → per-room pacer → room.say(text, ...contacts) for
 *           real @mentions (contact.say in one-to-one chats), FileBox for images.
 * Login:    memory card in the data folder (a restart keeps the session), the
 *           QR code printed in the terminal and kept for GET /wechat/login.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { FileBox } from 'file-box';
import QRCode from 'qrcode';
import { ScanStatus, WechatyBuilder, types, type Contact, type Message, type Room, type Wechaty, type WechatyOptions } from 'wechaty';

import {
  PermanentSendError,
  RetryableSendError,
  type AttachmentRef,
  type Channel,
  type ChannelStatus,
  type InboundEvent,
  type InboundMembership,
  type InboundSink,
  type OutboundAction,
  type SendContext,
  type SendResult,
} from '../../core/channel.js';
import { Pacer, type PacerClock } from './pacer.js';
import { mentionPrefix, renderAction, type WechatPart } from './render.js';
import {
  kindFromPuppetType,
  looksLikeRoomId,
  toInboundMessage,
  type WechatContactSnapshot,
  type WechatMessageSnapshot,
} from './translate.js';

/** The subset of a pino logger the channel uses. */
export interface WechatLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Log line for the composition root when no puppet is configured. */
export const WECHAT_OFF_LOG =
  'WeChat channel off: WECHATY_PUPPET is not set (e.g. WECHATY_PUPPET=wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN; see docs/wechat.md)';

/** WeChat is on when a puppet is named. "off"/"none" count as not configured. */
export function wechatConfigured(env: Record<string, string | undefined> = process.env): boolean {
  const p = env['WECHATY_PUPPET']?.trim().toLowerCase();
  return !!p && p !== 'off' && p !== 'none';
}

/** The channel's configuration as read from the environment (null when off). */
export function wechatConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): { puppet: string; puppetToken?: string } | null {
  if (!wechatConfigured(env)) return null;
  const puppet = env['WECHATY_PUPPET']!.trim();
  const token = env['WECHATY_PUPPET_SERVICE_TOKEN']?.trim();
  return token ? { puppet, puppetToken: token } : { puppet };
}

export type WechatLoginState =
  | { state: 'stopped' }
  | { state: 'starting' }
  | { state: 'scan'; qrcode: string; scanStatus: 'waiting' | 'scanned' | 'timeout' | 'other' }
  | { state: 'logged_in'; userId: string; userName: string; since: Date };

export interface WechatChannelOptions {
  /** Puppet npm name (WECHATY_PUPPET), e.g. "wechaty-puppet-service". */
  puppet?: string;
  /** WECHATY_PUPPET_SERVICE_TOKEN (or the puppet's token option). */
  puppetToken?: string;
  /** A puppet instance (tests: wechaty-puppet-mock). Wins over `puppet`. */
  puppetInstance?: unknown;
  /** The service's data folder; the memory card goes here. */
  dataDir: string;
  /** Memory card name: `<dataDir>/<name>.memory-card.json`. Default "servicebot-wechat". */
  name?: string;
  minIntervalMs?: number;
  maxPerMinute?: number;
  /** Longest a send waits for its paced slot before it goes back to the outbox as retryable. */
  maxPacedWaitMs?: number;
  /** Clock skew allowed when dropping messages older than the login. Default 5 s. */
  historyGraceMs?: number;
  /** After a logout or stop that we did not ask for, restart if no login/scan follows within this. Default 60 s. */
  relogWaitMs?: number;
  /** Where the terminal QR code goes. Default: stderr. */
  printQr?: (ascii: string) => void;
  /** Injected for tests. */
  clock?: PacerClock;
}

export interface WechatChannelDeps {
  sink: InboundSink;
  log: WechatLog;
}

const RESTART_BACKOFF_MS = [5_000, 15_000, 60_000, 300_000];
const RECEIVE_RETRY_MS = [1_000, 4_000];

/** Errors that mean "this target will never accept the message". */
const PERMANENT_PATTERN = /not found|no payload|not exist|does not exist|not (a )?member|not in (the )?room|removed|不在群|invalid (room|contact)/i;

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function safe<T>(p: Promise<T> | undefined, fallback: T): Promise<T> {
  if (!p) return fallback;
  try {
    return await p;
  } catch {
    return fallback;
  }
}

export class WechatChannel implements Pick<Channel, 'send' | 'downloadAttachment' | 'status' | 'start' | 'stop'> {
  readonly channel = 'wechat' as const;
  readonly memoryCardPath: string;

  private readonly opts: WechatChannelOptions;
  private readonly sink: InboundSink;
  private readonly log: WechatLog;
  private readonly pacer: Pacer;

  private bot?: Wechaty;
  private login: WechatLoginState = { state: 'stopped' };
  private loginAt?: Date;
  private stopping = false;
  /** True while we stop/start wechaty ourselves, so its 'stop' event is not taken for a crash. */
  private cycling = false;
  /** Set when the channel cannot work as configured (shown in status()). */
  private fatal?: string;
  private restartAttempt = 0;
  private restartTimer?: NodeJS.Timeout;
  private relogTimer?: NodeJS.Timeout;
  /** Per-chat inbound chains: messages of one chat reach the sink in arrival order. */
  private readonly inboundChains = new Map<string, Promise<void>>();
  /** Parts of a multi-part send already delivered, by idempotency key (this process only). */
  private readonly deliveredParts = new Map<string, number>();

  constructor(opts: WechatChannelOptions, deps: WechatChannelDeps) {
    this.opts = opts;
    this.sink = deps.sink;
    this.log = deps.log;
    this.pacer = new Pacer({
      ...(opts.minIntervalMs !== undefined ? { minIntervalMs: opts.minIntervalMs } : {}),
      ...(opts.maxPerMinute !== undefined ? { maxPerMinute: opts.maxPerMinute } : {}),
      ...(opts.maxPacedWaitMs !== undefined ? { maxWaitMs: opts.maxPacedWaitMs } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.memoryCardPath = path.resolve(opts.dataDir, `${opts.name ?? 'servicebot-wechat'}.memory-card.json`);
  }

  /** The wechaty instance, once started (tests and the demo read the room through it). */
  get wechaty(): Wechaty | undefined {
    return this.bot;
  }

  loginState(): WechatLoginState {
    return this.login;
  }

  status(): ChannelStatus {
    const connected = this.isLoggedIn();
    const l = this.login;
    const detail =
      l.state === 'logged_in'
        ? `logged in as ${l.userName}`
        : l.state === 'scan'
          ? 'waiting for QR scan (GET /wechat/login)'
          : (this.fatal ?? l.state);
    return { channel: 'wechat', connected, detail };
  }

  /**
   * Start wechaty. Resolves after the first attempt whatever its outcome: a
   * failed start is logged and retried with backoff, so the service runs on
   * without WeChat until it comes up.
   */
  async start(): Promise<void> {
    this.stopping = false;
    this.fatal = undefined;
    if (!this.bot) this.bot = this.build();
    await this.tryStart();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.relogTimer);
    const bot = this.bot;
    if (bot) {
      try {
        await bot.stop();
      } catch (err) {
        this.log.warn({ err: errMessage(err) }, 'wechat: stop failed');
      }
    }
    this.login = { state: 'stopped' };
    this.loginAt = undefined;
  }

  // ---------------------------------------------------------------- outbound

  async send(action: OutboundAction, ctx: SendContext): Promise<SendResult> {
    const parts = renderAction(action);
    if (parts.length === 0) return {};
    const bot = this.requireLoggedIn();
    const target = await this.resolveTarget(bot, ctx.chatId);

    const done = this.deliveredParts.get(ctx.idempotencyKey) ?? 0;
    let messageId: string | undefined;
    for (let i = done; i < parts.length; i++) {
      const part = parts[i]!;
      const id = await this.pacer.run(ctx.chatId, () => this.sayPart(bot, target, part));
      if (id) messageId = id;
      if (parts.length > 1) this.rememberDelivered(ctx.idempotencyKey, i + 1);
    }
    this.deliveredParts.delete(ctx.idempotencyKey);
    return messageId ? { messageId } : {};
  }

  async downloadAttachment(ref: AttachmentRef, messageId: string): Promise<Buffer> {
    const bot = this.requireLoggedIn();
    const id = ref.key || messageId;
    try {
      let box;
      try {
        box = await bot.puppet.messageFile(id);
      } catch (err) {
        if (ref.kind !== 'image') throw err;
        box = await bot.puppet.messageImage(id, types.Image.HD);
      }
      return await box.toBuffer();
    } catch (err) {
      const m = errMessage(err);
      if (PERMANENT_PATTERN.test(m) || /text message no file/i.test(m)) {
        throw new PermanentSendError(`wechat: attachment of message ${id} not available: ${m}`);
      }
      throw new RetryableSendError(`wechat: download of message ${id} failed: ${m}`);
    }
  }

  private requireLoggedIn(): Wechaty {
    const bot = this.bot;
    if (!bot || !this.isLoggedIn()) {
      throw new RetryableSendError('wechat: not logged in');
    }
    return bot;
  }

  private isLoggedIn(): boolean {
    try {
      return !!this.bot?.isLoggedIn;
    } catch {
      return false;
    }
  }

  private async resolveTarget(bot: Wechaty, chatId: string): Promise<Room | Contact> {
    if (looksLikeRoomId(chatId)) {
      let room: Room | undefined;
      try {
        // The puppet's own error tells "no such room" from "network down"; Room.find() swallows it.
        await bot.puppet.roomPayload(chatId);
        room = await bot.Room.find({ id: chatId });
      } catch (err) {
        throw this.classify(err, `room ${chatId}`);
      }
      if (!room) throw this.classify(new Error('room not found'), `room ${chatId}`);
      let member: boolean;
      try {
        member = await room.has(bot.currentUser);
      } catch (err) {
        throw this.classify(err, `room ${chatId} members`);
      }
      if (!member) throw new PermanentSendError(`wechat: bot is no longer in room ${chatId}`, 'not_in_room');
      return room;
    }
    let contact: Contact | undefined;
    try {
      await bot.puppet.contactPayload(chatId);
      contact = await bot.Contact.find({ id: chatId });
    } catch (err) {
      throw this.classify(err, `contact ${chatId}`);
    }
    if (!contact) throw this.classify(new Error('contact not found'), `contact ${chatId}`);
    return contact;
  }

  private classify(err: unknown, what: string): Error {
    if (err instanceof RetryableSendError || err instanceof PermanentSendError) return err;
    const m = errMessage(err);
    if (!this.isLoggedIn() || /not logged in|logout|login/i.test(m)) {
      return new RetryableSendError(`wechat: ${what}: not logged in (${m})`);
    }
    if (PERMANENT_PATTERN.test(m)) return new PermanentSendError(`wechat: ${what}: ${m}`, 'not_found');
    return new RetryableSendError(`wechat: ${what}: ${m}`);
  }

  private async sayPart(bot: Wechaty, target: Room | Contact, part: WechatPart): Promise<string | undefined> {
    if (!this.isLoggedIn()) throw new RetryableSendError('wechat: not logged in');
    const isRoom = looksLikeRoomId(target.id);
    try {
      if (part.kind === 'image') {
        const box = FileBox.fromBase64(part.pngBase64, part.name);
        const sent = await target.say(box);
        return sent ? sent.id : undefined;
      }
      if (!isRoom || part.mentionIds.length === 0) {
        const sent = await target.say(part.text);
        return sent ? sent.id : undefined;
      }
      // Real @mentions: wechaty writes "@alias\u2005…" and passes the ids to the puppet.
      const contacts: Contact[] = [];
      const unresolved: string[] = [];
      for (const [i, id] of part.mentionIds.entries()) {
        const c = await safe(bot.Contact.find({ id }), undefined);
        if (c) contacts.push(c);
        else unresolved.push(part.mentionNames[i] ?? id);
      }
      const text = mentionPrefix(unresolved) + part.text;
      const sent = await (target as Room).say(text, ...contacts);
      return sent ? sent.id : undefined;
    } catch (err) {
      throw this.classify(err, `say in ${target.id}`);
    }
  }

  private rememberDelivered(key: string, count: number): void {
    this.deliveredParts.set(key, count);
    if (this.deliveredParts.size > 1000) {
      const oldest = this.deliveredParts.keys().next().value;
      if (oldest !== undefined) this.deliveredParts.delete(oldest);
    }
  }

  // ----------------------------------------------------------------- inbound

  private build(): Wechaty {
    mkdirSync(path.dirname(this.memoryCardPath), { recursive: true });
    // wechaty makes a file MemoryCard from `name`: an absolute path keeps it in the data folder.
    const name = this.memoryCardPath.replace(/\.memory-card\.json$/, '');
    let options: WechatyOptions;
    if (this.opts.puppetInstance) {
      options = { name, puppet: this.opts.puppetInstance } as WechatyOptions;
    } else if (this.opts.puppet) {
      options = {
        name,
        puppet: this.opts.puppet,
        ...(this.opts.puppetToken ? { puppetOptions: { token: this.opts.puppetToken } } : {}),
      } as WechatyOptions;
    } else {
      throw new Error('wechat: no puppet configured (use wechatConfigured() before creating the channel)');
    }
    const bot = WechatyBuilder.build(options);

    bot.on('scan', (qrcode, status) => this.onScan(qrcode, status));
    bot.on('login', (user) => this.onLogin(user.id, user.name()));
    bot.on('logout', (user, reason) => this.onLogout(user.id, reason));
    bot.on('error', (err) => this.log.warn({ err: errMessage(err) }, 'wechat: error'));
    bot.on('stop', () => this.onStopped());
    bot.on('message', (msg) => this.enqueueInbound(msg));
    bot.on('room-join', (room, invitees, inviter, date) => this.onRoomJoin(room, invitees, inviter, date));
    bot.on('room-leave', (room, leavers, remover, date) => this.onRoomLeave(room, leavers, remover, date));
    bot.on('room-invite', (invitation) =>
      this.log.info({ invitation: invitation.id }, 'wechat: room invitation received (not auto-accepted; accept it on the phone)'),
    );
    return bot;
  }

  private async tryStart(): Promise<void> {
    const bot = this.bot!;
    this.login = { state: 'starting' };
    const puppet = this.opts.puppetInstance ? 'injected instance' : this.opts.puppet;
    this.cycling = true;
    try {
      this.log.info({ puppet, memoryCard: this.memoryCardPath }, 'wechat: starting');
      await bot.start();
    } catch (err) {
      const code = (err as { code?: string } | null)?.code;
      if (code === 'ERR_MODULE_NOT_FOUND' && !this.opts.puppetInstance) {
        // A missing puppet package will not appear by retrying.
        this.fatal = `puppet ${puppet} is not installed (npm install --save-exact ${puppet})`;
        this.login = { state: 'stopped' };
        this.log.error({ err: errMessage(err), puppet }, `wechat: start failed: ${this.fatal}`);
        return;
      }
      this.log.error({ err: errMessage(err), puppet }, 'wechat: start failed');
      this.scheduleRestart('start failed');
    } finally {
      this.cycling = false;
    }
  }

  private scheduleRestart(reason: string): void {
    if (this.stopping) return;
    clearTimeout(this.restartTimer);
    const wait = RESTART_BACKOFF_MS[Math.min(this.restartAttempt, RESTART_BACKOFF_MS.length - 1)]!;
    this.restartAttempt += 1;
    this.log.warn({ reason, retryInMs: wait, attempt: this.restartAttempt }, 'wechat: will restart');
    this.restartTimer = setTimeout(() => void this.restart(), wait);
    this.restartTimer.unref?.();
  }

  private async restart(): Promise<void> {
    if (this.stopping || !this.bot) return;
    this.cycling = true;
    try {
      await this.bot.stop();
    } catch (err) {
      this.log.debug({ err: errMessage(err) }, 'wechat: stop before restart failed');
    } finally {
      this.cycling = false;
    }
    if (this.stopping) return;
    await this.tryStart();
  }

  private onScan(qrcode: string, status: ScanStatus): void {
    const scanStatus =
      status === ScanStatus.Waiting
        ? 'waiting'
        : status === ScanStatus.Scanned
          ? 'scanned'
          : status === ScanStatus.Timeout
            ? 'timeout'
            : 'other';
    clearTimeout(this.relogTimer);
    if (!qrcode) {
      this.log.info({ scanStatus }, 'wechat: scan status');
      return;
    }
    const changed = this.login.state !== 'scan' || this.login.qrcode !== qrcode;
    this.login = { state: 'scan', qrcode, scanStatus };
    this.log.info({ scanStatus }, 'wechat: scan the QR code with the bot account (terminal or GET /wechat/login)');
    if (changed && (scanStatus === 'waiting' || scanStatus === 'timeout')) {
      const print = this.opts.printQr ?? ((s: string) => process.stderr.write(s));
      QRCode.toString(qrcode, { type: 'terminal', small: true })
        .then((ascii) => print(`${ascii}\n`))
        .catch((err: unknown) => this.log.warn({ err: errMessage(err) }, 'wechat: cannot draw QR code'));
    }
  }

  private onLogin(userId: string, userName: string): void {
    clearTimeout(this.relogTimer);
    this.restartAttempt = 0;
    this.loginAt = new Date();
    this.login = { state: 'logged_in', userId, userName, since: this.loginAt };
    this.log.info({ userId, userName }, 'wechat: logged in');
  }

  private onLogout(userId: string, reason?: string): void {
    this.login = { state: 'starting' };
    this.log.warn({ userId, reason }, 'wechat: logged out');
    this.watchForRelogin('logout');
  }

  private onStopped(): void {
    if (this.stopping || this.cycling) return;
    this.log.warn({}, 'wechat: wechaty stopped unexpectedly');
    this.scheduleRestart('stopped');
  }

  /** After a logout the puppet should show a QR code or log in again; if it does neither, restart it. */
  private watchForRelogin(reason: string): void {
    if (this.stopping) return;
    clearTimeout(this.relogTimer);
    this.relogTimer = setTimeout(() => {
      if (this.login.state === 'logged_in' || this.login.state === 'scan') return;
      this.scheduleRestart(`${reason}: no login or QR code within ${this.opts.relogWaitMs ?? 60_000} ms`);
    }, this.opts.relogWaitMs ?? 60_000);
    this.relogTimer.unref?.();
  }

  private enqueueInbound(msg: Message): void {
    let chatKey: string;
    try {
      chatKey = msg.room()?.id ?? msg.talker().id;
    } catch {
      chatKey = '';
    }
    const prev = this.inboundChains.get(chatKey) ?? Promise.resolve();
    const next = prev.then(() => this.onMessage(msg));
    this.inboundChains.set(chatKey, next);
    void next.then(() => {
      if (this.inboundChains.get(chatKey) === next) this.inboundChains.delete(chatKey);
    });
  }

  /** Wait until every inbound message received so far has been handed to the sink (tests, shutdown). */
  async drainInbound(): Promise<void> {
    while (this.inboundChains.size > 0) {
      await Promise.all([...this.inboundChains.values()]);
    }
  }

  private async onMessage(msg: Message): Promise<void> {
    try {
      if (msg.self()) {
        this.log.debug({ messageId: msg.id }, 'wechat: own message ignored');
        return;
      }
      const snap = await snapshotMessage(this.bot!, msg);
      const ctx = {
        ...(this.loginAt ? { loginAt: this.loginAt } : {}),
        historyGraceMs: this.opts.historyGraceMs ?? 5_000,
      };
      const inbound = toInboundMessage(snap, ctx);
      if (!inbound) {
        this.log.debug({ messageId: snap.id, kind: snap.kind }, 'wechat: message ignored (own, old or unsupported)');
        return;
      }
      await this.deliver(inbound);
    } catch (err) {
      this.log.error({ err: errMessage(err), messageId: msg.id }, 'wechat: inbound message failed');
    }
  }

  /**
   * Hand an event to the sink, retrying a little: WeChat never redelivers, so
   * a failed store write would lose the message. The event id makes retries safe.
   */
  private async deliver(event: InboundEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.sink.receive(event);
        this.log.debug({ eventId: event.eventId, type: event.type, status: res.status }, 'wechat: inbound');
        return;
      } catch (err) {
        const wait = RECEIVE_RETRY_MS[attempt];
        if (wait === undefined) {
          this.log.error(
            { err: errMessage(err), eventId: event.eventId, event: JSON.stringify(event) },
            'wechat: sink refused the event; giving up (replay it: this log line to `npm run cli -- replay`)',
          );
          return;
        }
        this.log.warn({ err: errMessage(err), eventId: event.eventId, retryInMs: wait }, 'wechat: sink failed, retrying');
        await delay(wait);
      }
    }
  }

  private async onRoomJoin(room: Room, invitees: Contact[], inviter: Contact, date?: Date): Promise<void> {
    const bot = this.bot!;
    if (!this.isLoggedIn() || !invitees.some((c) => c.id === bot.currentUser.id)) return;
    await this.membership('bot_added', room, inviter, date);
  }

  private async onRoomLeave(room: Room, leavers: Contact[], remover: Contact | undefined, date?: Date): Promise<void> {
    const bot = this.bot!;
    if (!this.isLoggedIn() || !leavers.some((c) => c.id === bot.currentUser.id)) return;
    await this.membership('bot_removed', room, remover ?? bot.currentUser, date);
  }

  private async membership(type: InboundMembership['type'], room: Room, by: Contact, date?: Date): Promise<void> {
    try {
      const at = date ?? new Date();
      const topic = await safe(room.topic(), '');
      const event: InboundMembership = {
        type,
        channel: 'wechat',
        eventId: `${type}:${room.id}:${at.getTime()}`,
        chat: { id: room.id, type: 'group', ...(topic ? { title: topic } : {}) },
        sender: { id: by.id, name: by.name() },
        at,
        raw: { roomId: room.id, topic, byId: by.id, at: at.toISOString() },
      };
      this.log.info({ type, roomId: room.id, topic }, 'wechat: bot membership changed');
      await this.deliver(event);
    } catch (err) {
      this.log.error({ err: errMessage(err), roomId: room.id, type }, 'wechat: membership event failed');
    }
  }
}

async function contactSnapshot(c: Contact, room: Room | undefined): Promise<WechatContactSnapshot> {
  const roomAlias = room ? await safe(room.alias(c), undefined) : undefined;
  return { id: c.id, name: c.name(), ...(roomAlias ? { roomAlias } : {}) };
}

/** Read what translate needs from a wechaty message. The only place that awaits the puppet for inbound. */
export async function snapshotMessage(bot: Wechaty, msg: Message): Promise<WechatMessageSnapshot> {
  const room = msg.room();
  const talker = msg.talker();
  const puppetType = msg.type();
  const kind = kindFromPuppetType(puppetType);
  const [roomTopic, talkerSnap, selfSnap, mentionList] = await Promise.all([
    room ? safe(room.topic(), undefined) : Promise.resolve(undefined),
    contactSnapshot(talker, room),
    contactSnapshot(bot.currentUser, room),
    kind === 'text' && room ? safe(msg.mentionList(), [] as Contact[]) : Promise.resolve([] as Contact[]),
  ]);
  const mentions = await Promise.all(mentionList.map((c) => contactSnapshot(c, room)));
  const payload = msg.payload;
  const snap: WechatMessageSnapshot = {
    id: msg.id,
    kind,
    puppetType,
    talker: talkerSnap,
    text: kind === 'text' ? msg.text() : '',
    mentions,
    self: selfSnap,
    isSelf: msg.self(),
    timestamp: payload?.timestamp ?? Date.now(),
  };
  if (room) snap.room = { id: room.id, ...(roomTopic ? { topic: roomTopic } : {}) };
  if (payload?.filename) snap.filename = payload.filename;
  return snap;
}
