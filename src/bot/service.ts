/**
 * The bot's single entry point. Every channel, the replay CLI and the tests
 * call receive(); the scheduler calls fireDue(). One inbound event (or one
 * timer) is one transaction: record it, act, write replies to the outbox.
 * A redelivered event hits a unique index and does nothing.
 */
import { createHash } from 'node:crypto';
import { commandFromButton, normalise, parseButtonValue, parseCommand, parseRating, type Command } from '../domain/commands.js';
import type { Role } from '../domain/contract.js';
import { clip } from '../domain/wording.js';
import type { Chat, InboundEventRow, Person, Ticket, Tx } from '../store/types.js';
import { Ctx, type BotDeps } from './context.js';
import { resolveChat, resolvePerson } from './directory.js';
import { handleCustomerMessage, isQuestion } from './intake.js';
import { helpText, runCommand } from './jobs.js';
import { fireTimer } from './reminders.js';
import { flushTimers } from './tickets.js';
import type { InboundEvent, InboundMessage, InboundSink, ReceiveOptions, ReceiveResult } from './types.js';
import { CHANNELS } from './types.js';

const MAX_TEXT = 20_000;
const MAX_ID = 200;

/** The event was malformed: answered 4xx by HTTP adapters, nothing stored. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  return err?.code === 'P2002' || err?.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation' || /Unique constraint failed/i.test(err?.message ?? '');
}

function isRetryableConflict(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  // P2034: write conflict / deadlock (PostgreSQL serialization), SQLITE_BUSY under load.
  return err?.code === 'P2034' || /deadlock|could not serialize|SQLITE_BUSY|database is locked/i.test(err?.message ?? '');
}

function checkEvent(ev: InboundEvent): void {
  const bad = (what: string) => {
    throw new InvalidEventError(`invalid inbound event: ${what}`);
  };
  if (!ev || typeof ev !== 'object') bad('not an object');
  if (!CHANNELS.includes(ev.channel)) bad(`unknown channel "${String(ev.channel)}"`);
  for (const [name, v] of [['eventId', ev.eventId], ['chat.id', ev.chat?.id], ['sender.id', ev.sender?.id]] as const) {
    if (typeof v !== 'string' || !v.trim() || v.length > MAX_ID) bad(`${name} must be a non-empty string of at most ${MAX_ID} characters`);
  }
  if (!(ev.at instanceof Date) || Number.isNaN(ev.at.getTime())) bad('at must be a valid Date');
  if (ev.type === 'message' || ev.type === 'click') {
    if (typeof ev.messageId !== 'string' || !ev.messageId || ev.messageId.length > MAX_ID) bad('messageId must be a non-empty string');
  }
  if (ev.type === 'message' && typeof ev.text !== 'string') bad('text must be a string');
  if (ev.type === 'click' && (typeof ev.value !== 'string' || ev.value.length > 200)) bad('value must be a string');
}

function textKey(ev: InboundMessage): string | null {
  const t = normalise(ev.text);
  // Short texts ("1", "好的") legitimately repeat, and so do commands (a manager
  // re-sends 转派 after fixing a role); only other text is a platform duplicate.
  if (t.length < 4 || parseCommand(ev.text)) return null;
  return createHash('sha1').update(`${ev.chat.id}\u0000${ev.sender.id}\u0000${t}`).digest('hex');
}

export class ServiceBot implements InboundSink {
  constructor(readonly deps: BotDeps) {}

  /**
   * Records an inbound event and acts on it. With `defer`, a message is only
   * recorded (queued) and answered at once; processQueued() acts on it right
   * after, in its own transaction. A platform with a short answer deadline
   * (Feishu: 3 s) defers; clicks are never deferred, their answer is the result.
   */
  async receive(ev: InboundEvent, opts: ReceiveOptions = {}): Promise<ReceiveResult> {
    checkEvent(ev);
    const defer = opts.defer === true && ev.type === 'message';
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.deps.db.$transaction(
          async (tx) => {
            const now = this.deps.clock.now();
            const recorded = await this.record(tx, ev, now, defer);
            if (!recorded) return { status: 'duplicate' } as ReceiveResult;
            if (defer) return { status: 'queued' } as ReceiveResult;
            return this.process(tx, ev, recorded, now);
          },
          { timeout: 15_000, maxWait: 15_000 },
        );
        if (result.status === 'queued') this.deps.onQueued?.();
        else if (result.status !== 'duplicate') this.deps.onOutbox?.();
        return result;
      } catch (e) {
        if (isUniqueViolation(e) && (await this.alreadyRecorded(ev))) return { status: 'duplicate' };
        if ((isRetryableConflict(e) || isUniqueViolation(e)) && attempt < 4) continue;
        throw e;
      }
    }
  }

  private async alreadyRecorded(ev: InboundEvent): Promise<boolean> {
    const hit = await this.deps.db.inboundEvent.findFirst({
      where: {
        channel: ev.channel,
        OR: [{ eventId: ev.eventId }, ...(ev.type === 'message' || ev.type === 'click' ? [{ messageId: ev.messageId }] : [])],
      },
      select: { id: true },
    });
    return hit !== null;
  }

  /** Stores the event once (null when it was seen before: same id, or same text moments ago). */
  private async record(tx: Tx, ev: InboundEvent, now: Date, queued: boolean): Promise<InboundEventRow | null> {
    const messageId = ev.type === 'message' ? ev.messageId : ev.type === 'click' ? `click:${ev.eventId}` : null;
    const dup = await tx.inboundEvent.findFirst({
      where: { channel: ev.channel, OR: [{ eventId: ev.eventId }, ...(messageId ? [{ messageId }] : [])] },
      select: { id: true },
    });
    if (dup) return null;

    const key = ev.type === 'message' ? textKey(ev) : null;
    let sameText = false;
    if (key) {
      const windowS = this.deps.contracts.default.contract.intake.duplicateTextWindow.seconds;
      sameText = (await tx.inboundEvent.count({ where: { channel: ev.channel, textKey: key, receivedAt: { gte: new Date(now.getTime() - windowS * 1000) } } })) > 0;
    }
    const { raw, ...neutral } = ev;
    const row = await tx.inboundEvent.create({
      data: {
        channel: ev.channel,
        eventId: ev.eventId,
        messageId,
        chatPlatformId: ev.chat.id,
        senderPlatformId: ev.sender.id,
        type: ev.type,
        text: ev.type === 'message' ? ev.text.slice(0, MAX_TEXT) : ev.type === 'click' ? ev.value : null,
        textKey: key,
        receivedAt: now,
        occurredAt: ev.at,
        outcome: sameText ? 'ignored' : queued ? 'queued' : 'processed',
        error: sameText ? 'same text from the same person moments ago (platform duplicate)' : null,
        raw: raw === undefined ? null : safeJson(raw),
        payload: queued && !sameText ? safeJson(neutral) : null,
      },
    });
    return sameText ? null : row;
  }

  /** Acts on a recorded event: one transaction with its record (or with its claim from the queue). */
  private async process(tx: Tx, ev: InboundEvent, row: InboundEventRow, now: Date): Promise<ReceiveResult> {
    const log = this.deps.log.child({ event: ev.eventId, channel: ev.channel });
    const chat = await resolveChat(tx, this.deps.org, ev, now);
    const person = await resolvePerson(tx, this.deps.org, ev.channel, ev.sender, ev.senderRoleHint);
    const ctx = new Ctx(this.deps, tx, now, log, chat, person, row.id);
    await this.route(ctx, ev, person, chat);
    if (ev.type === 'message' && ev.attachments?.length) await this.keepAttachments(ctx, ev);
    await flushTimers(ctx);
    if (ctx.outcome !== row.outcome) await tx.inboundEvent.update({ where: { id: row.id }, data: { outcome: ctx.outcome, payload: null } });
    const result: ReceiveResult = { status: ctx.outcome === 'processed' ? 'processed' : 'ignored' };
    if (ev.type === 'click') {
      if (ctx.clickAnswer.toast) result.toast = ctx.clickAnswer.toast;
      if (ctx.clickAnswer.chosen) {
        // The card keeps its title and text; the choice replaces the buttons.
        const sent = await tx.outbox.findFirst({ where: { channel: ev.channel, platformMessageId: ev.messageId }, select: { action: true } });
        const card = sent ? (JSON.parse(sent.action) as { kind: string; title?: string; text?: string }) : null;
        result.card = {
          kind: 'card_update',
          messageId: ev.messageId,
          title: card?.kind === 'card' ? (card.title ?? '') : '',
          text: card?.kind === 'card' ? (card.text ?? '') : '',
          chosen: ctx.clickAnswer.chosen,
        };
      }
    }
    return result;
  }

  /**
   * Acts on queued events, oldest first and in order per chat: only the oldest
   * queued event of a chat is taken, and the claim (queued → processing) is
   * made in the transaction that acts on it, so a crash leaves it queued and
   * two replicas never act on the same one. Returns how many were handled.
   */
  async processQueued(limit = 200): Promise<number> {
    let handled = 0;
    for (let round = 0; round < 1000; round++) {
      const rows = await this.deps.db.inboundEvent.findMany({
        where: { outcome: 'queued' },
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, channel: true, chatPlatformId: true },
      });
      if (!rows.length) break;
      const seen = new Set<string>();
      const heads = rows.filter((r) => {
        const k = `${r.channel}\u0000${r.chatPlatformId}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      let progressed = 0;
      for (const head of heads) {
        try {
          if (await this.processOne(head.id)) progressed++;
        } catch (e) {
          progressed += await this.failQueued(head.id, e);
        }
      }
      handled += progressed;
      if (!progressed) break;
    }
    if (handled) this.deps.onOutbox?.();
    return handled;
  }

  private async processOne(id: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.db.$transaction(
          async (tx) => {
            const claim = await tx.inboundEvent.updateMany({ where: { id, outcome: 'queued' }, data: { outcome: 'processing' } });
            if (claim.count !== 1) return false;
            const row = (await tx.inboundEvent.findUnique({ where: { id } }))!;
            const ev = reviveEvent(row.payload);
            if (!ev) {
              await tx.inboundEvent.update({ where: { id }, data: { outcome: 'failed', error: 'queued event has no readable payload', payload: null } });
              return true;
            }
            await this.process(tx, ev, row, this.deps.clock.now());
            return true;
          },
          { timeout: 15_000, maxWait: 15_000 },
        );
      } catch (e) {
        if (isRetryableConflict(e) && attempt < 4) continue;
        throw e;
      }
    }
  }

  /** A queued event that cannot be processed is tried again a few times, then set aside as failed, so its chat moves on. */
  private readonly queueFailures = new Map<number, number>();
  private async failQueued(id: number, e: unknown): Promise<number> {
    const n = (this.queueFailures.get(id) ?? 0) + 1;
    this.queueFailures.set(id, n);
    this.deps.log.error({ err: e, inbound: id, try: n }, 'processing a queued event failed');
    if (n < 3) return 0;
    this.queueFailures.delete(id);
    await this.deps.db.inboundEvent.updateMany({
      where: { id, outcome: 'queued' },
      data: { outcome: 'failed', error: String((e as Error)?.message ?? e).slice(0, 1000) },
    });
    return 1;
  }

  private async route(ctx: Ctx, ev: InboundEvent, person: Person, chat: Chat): Promise<void> {
    if (ev.type === 'bot_added') {
      if (chat.purpose === 'customer') {
        await ctx.text('大家好，我是售后服务助手。报修请直接描述故障（站点、设备、现象、联系电话），我会登记工单并跟进处理。发送「帮助」查看可用命令。');
      }
      return;
    }
    if (ev.type === 'bot_removed') {
      await ctx.tx.chat.update({ where: { id: chat.id }, data: { active: false } });
      return;
    }
    if (ev.type === 'click') {
      const b = parseButtonValue(ev.value);
      const cmd = b ? commandFromButton(b) : null;
      if (!cmd) {
        ctx.clickAnswer.toast = '该按钮已失效';
        ctx.outcome = 'ignored';
        return;
      }
      await runCommand(ctx, { messageId: ev.messageId, mentions: [] }, person, cmd);
      return;
    }
    if (ev.type === 'message') await this.routeMessage(ctx, ev, person, chat);
  }

  private async routeMessage(ctx: Ctx, msg: InboundMessage, person: Person, chat: Chat): Promise<void> {
    const role = person.role as Role;
    const cmd = parseCommand(msg.text);
    if (cmd && this.isMeantAsCommand(cmd, msg, role)) {
      await runCommand(ctx, msg, person, cmd);
      return;
    }
    if (chat.purpose !== 'customer') {
      // Managers' group and private chats: commands only; a greeting gets the help.
      if (chat.purpose === 'direct' && msg.text.trim()) await ctx.text(helpText(role), []);
      else ctx.outcome = 'ignored';
      return;
    }
    if (role === 'customer' || role === 'desk') {
      if (role === 'customer' && (await this.rateWithoutQuestion(ctx, msg, person))) return;
      await handleCustomerMessage(ctx, msg, person);
      return;
    }
    // Engineers and managers chatting in a customer group: an answer to a consultation, or chatter.
    if (await this.answersConsultation(ctx, msg, person)) return;
    ctx.outcome = 'ignored';
  }

  /**
   * A customer's "到场了吗" starts like an engineer's command; it is taken as a
   * command (and politely refused) only when it is written as one.
   */
  private isMeantAsCommand(cmd: Command, msg: InboundMessage, role: Role): boolean {
    if (role !== 'customer') return true;
    const customerCommands: Command['type'][] = ['confirm', 'deny_fix', 'agree_fee', 'query', 'my_tickets', 'open_tickets', 'help', 'cancel', 'other_engineer', 'rate'];
    if (customerCommands.includes(cmd.type)) return true;
    const t = normalise(msg.text).replace(/@\S+/g, '').trim();
    if (/#\d|[A-Z]{1,8}-\d{8}-\d{4}/i.test(t)) return true;
    // "到场了吗" / "接单了没" is a question about the ticket, not an attempt at the command.
    if (isQuestion(t)) return false;
    return t.length <= 12;
  }

  /** "满意" / "4分" after the rating question expired, while a ticket waits for its rating. */
  private async rateWithoutQuestion(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
    const r = parseRating(msg.text);
    if (!r || msg.text.length > 60) return false;
    const t = await ctx.tx.ticket.findFirst({ where: { chatId: ctx.chat.id, reporterId: person.id, status: 'confirmed' }, orderBy: { id: 'desc' } });
    if (!t) return false;
    await runCommand(ctx, msg, person, { type: 'rate', ref: { short: t.id }, score: r.score, ...(r.comment ? { comment: r.comment } : {}) });
    return true;
  }

  /** An engineer's reply to a consultation (quoting it, or @mentioning its reporter) is the answer. */
  private async answersConsultation(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
    if (person.role !== 'engineer' && person.role !== 'desk' && person.role !== 'manager') return false;
    const open = await ctx.tx.ticket.findMany({
      where: { chatId: ctx.chat.id, kind: 'consultation', status: { in: ['accepted', 'assigned', 'acknowledged'] } },
      include: { reporter: true },
      orderBy: { id: 'asc' },
      take: 20,
    });
    let target: Ticket | undefined;
    if (msg.replyToMessageId) {
      const quoted = await ctx.tx.outbox.findFirst({ where: { platformMessageId: msg.replyToMessageId } });
      target = open.find((t) => t.sourceMessageId === msg.replyToMessageId || t.id === quoted?.ticketId);
    }
    target ??= open.find((t) => msg.mentions.some((m) => m.id === t.reporter.platformId));
    if (!target) return false;
    const text = clip(msg.text.replace(/@\S+/g, ' '), 1000);
    await runCommand(ctx, msg, person, { type: 'answer', ref: { short: target.id }, text });
    return true;
  }

  private async keepAttachments(ctx: Ctx, ev: InboundMessage): Promise<void> {
    const ticket = await ctx.tx.ticket.findFirst({
      where: { chatId: ctx.chat.id, reporterId: ctx.person!.id, status: { notIn: ['closed', 'cancelled'] } },
      orderBy: { id: 'desc' },
    });
    if (!ticket) return;
    for (const a of ev.attachments!.slice(0, 10)) {
      await ctx.tx.attachment.upsert({
        where: { channel_messageId_key: { channel: ev.channel, messageId: ev.messageId, key: a.key.slice(0, 200) } },
        update: {},
        create: { ticketId: ticket.id, channel: ev.channel, messageId: ev.messageId, key: a.key.slice(0, 200), kind: a.kind, createdAt: ctx.now },
      });
    }
  }

  /**
   * Claims and fires timers that are due, each in its own transaction. The
   * claim (pending → fired) is conditional, so two replicas never fire the same one.
   */
  async fireDue(limit = 500): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.db.timer.findMany({
      where: { state: 'pending', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    let fired = 0;
    for (const { id } of spreadOrder(due)) {
      try {
        if (await this.fireOne(id)) fired++;
      } catch (e) {
        this.deps.log.error({ err: e, timer: id }, 'timer failed; it stays pending and is retried next tick');
      }
    }
    if (fired) this.deps.onOutbox?.();
    return fired;
  }

  private async fireOne(id: number): Promise<boolean> {
    return this.deps.db.$transaction(
      async (tx) => {
        const now = this.deps.clock.now();
        const claim = await tx.timer.updateMany({ where: { id, state: 'pending' }, data: { state: 'fired', firedAt: now } });
        if (claim.count !== 1) return false;
        const timer = (await tx.timer.findUnique({ where: { id } }))!;
        const ticket = await tx.ticket.findUnique({ where: { id: timer.ticketId } });
        if (!ticket || ticket.status === 'closed' || ticket.status === 'cancelled') return true;
        const chat = (await tx.chat.findUnique({ where: { id: ticket.chatId } }))!;
        const log = this.deps.log.child({ timer: id, ticket: ticket.number });
        const ctx = new Ctx(this.deps, tx, now, log, chat, null, null);
        await fireTimer(ctx, timer, ticket);
        await flushTimers(ctx);
        return true;
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }
}

/**
 * The due timers in chunks of 50, starting at a random chunk: replicas that
 * tick together then mostly claim different timers instead of racing for the
 * same ones, while each chunk keeps its oldest-first order.
 */
export function spreadOrder<T>(due: T[], chunk = 50): T[] {
  if (due.length <= chunk) return due;
  const chunks = Math.ceil(due.length / chunk);
  const start = Math.floor(Math.random() * chunks) * chunk;
  return [...due.slice(start), ...due.slice(0, start)];
}

/** The neutral event stored with a queued row, with its dates restored. */
function reviveEvent(payload: string | null): InboundEvent | null {
  if (!payload) return null;
  try {
    const ev = JSON.parse(payload) as InboundEvent & { at: string };
    return { ...ev, at: new Date(ev.at) } as InboundEvent;
  } catch {
    return null;
  }
}

function safeJson(v: unknown): string | null {
  try {
    const s = JSON.stringify(v);
    return s && s.length <= 200_000 ? s : s ? s.slice(0, 200_000) : null;
  } catch {
    return null;
  }
}
