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
import type { Chat, InboundEventRow, Person, Timer, Tx } from '../store/types.js';
import { TicketStore, type Ticket } from '../store/tickets.js';
import { Ctx, type BotDeps } from './context.js';
import { resolveChat, resolvePerson } from './directory.js';
import { isFragment, openTicket, readReport } from './intake.js';
import { answerQuestion } from './answers.js';
import { answersProgressQuestion, fillsRecentTicket, isQuestion, thanksClosesConsultation } from './follow-ups.js';
import { openQuestion } from './questions.js';
import { helpText, runCommand } from './jobs.js';
import { fireTimer } from './reminders.js';
import { QueueWriter } from './pipeline/queue-writer.js';
import { isUniqueViolation, transaction, withRetry } from '../core/transactions.js';
import { flushTimers } from './transitions.js';
import type { InboundEvent, InboundMessage, InboundSink, ReceiveOptions, ReceiveResult } from '../core/channel.js';
import { CHANNELS, InvalidEventError } from '../core/channel.js';

const MAX_TEXT = 20_000;
const MAX_ID = 200;


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

/**
 * The event with NUL characters removed from its strings: PostgreSQL refuses
 * them in text columns (the insert would fail, and the platform redeliver for
 * ever), and no chat text needs them. The platform's raw event is left as it
 * came: it is stored as JSON, where a NUL is written as an escape.
 */
function withoutNul<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\u0000') ? v.replaceAll('\u0000', '') : v) as T;
  if (Array.isArray(v)) return v.map(withoutNul) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'raw' ? x : withoutNul(x);
    return out as T;
  }
  return v;
}

function textKey(ev: InboundMessage): string | null {
  const t = normalise(ev.text);
  // Short texts ("1", "好的") legitimately repeat, and so do commands (a manager
  // re-sends 转派 after fixing a role); only other text is a platform duplicate.
  if (t.length < 4 || parseCommand(ev.text)) return null;
  return createHash('sha1').update(`${ev.chat.id}\u0000${ev.sender.id}\u0000${t}`).digest('hex');
}

/**
 * Answers first. A webhook's answer (one INSERT) costs about a millisecond; acting on
 * the event costs tens (on SQLite no query waits for I/O, so it holds the event loop
 * for that long), and an answer needs a few turns of the loop. While messages arrive,
 * the queue is therefore worked at a slower pace, one event and then a pause, and the
 * backlog drains at full speed once the burst is over.
 */
function pauseWhileArriving(recent: number, sinceLastMs: number): number {
  if (recent >= 50) return 500; // ≥ 500 messages/s: answering takes the whole core; two events a second still go through
  if (recent >= 10) return 100; // ≥ 100 messages/s: about ten events a second
  if (sinceLastMs < 50) return 20;
  return 0;
}

/**
 * Due timers fired per transaction. One commit for several (on PostgreSQL each
 * commit waits for the disk); small enough that a batch holds the SQLite writer
 * (and, there, the event loop) for a few tens of milliseconds only.
 */
const FIRE_BATCH = 10;

export class ServiceBot implements InboundSink {
  constructor(readonly deps: BotDeps) {}

  /** Deferred messages recorded: when the last came (performance.now()), and how many in this and the previous 100 ms. */
  private arrivals = { last: -Infinity, windowStart: 0, count: 0, previous: 0 };

  private noteArrival(): void {
    const a = this.arrivals;
    const now = performance.now();
    if (now - a.windowStart >= 100) {
      a.previous = now - a.windowStart < 200 ? a.count : 0;
      a.windowStart = now;
      a.count = 0;
    }
    a.count++;
    a.last = now;
  }

  private pauseMs(): number {
    const a = this.arrivals;
    const now = performance.now();
    const recent = now - a.windowStart < 100 ? Math.max(a.count, a.previous) : now - a.windowStart < 200 ? a.count : 0;
    return pauseWhileArriving(recent, now - a.last);
  }

  /**
   * Records an inbound event and acts on it. With `defer`, a message is only
   * recorded (queued) and answered at once; processQueued() acts on it right
   * after, in its own transaction. A platform with a short answer deadline
   * (Feishu: 3 s) defers; clicks are never deferred, their answer is the result.
   */
  async receive(input: InboundEvent, opts: ReceiveOptions = {}): Promise<ReceiveResult> {
    const ev = withoutNul(input);
    checkEvent(ev);
    const defer = opts.defer === true && ev.type === 'message';
    if (defer) {
      this.noteArrival();
      const result = await withRetry(() => this.enqueue(ev as InboundMessage));
      if (result.status === 'queued') this.deps.onQueued?.();
      return result;
    }
    const result = await withRetry(
      async () => {
        try {
          return await transaction(this.deps.db, async (tx) => {
            const now = this.deps.clock.now();
            const recorded = await this.record(tx, ev, now);
            if (!recorded) return { status: 'duplicate' } as ReceiveResult;
            return this.process(tx, ev, recorded, now);
          });
        } catch (e) {
          // The same event inserted by a concurrent delivery: a duplicate, not an error.
          if (isUniqueViolation(e) && (await this.alreadyRecorded(ev))) return { status: 'duplicate' } as ReceiveResult;
          throw e;
        }
      },
      { retryUnique: true },
    );
    if (result.status !== 'duplicate') this.deps.onOutbox?.();
    return result;
  }

  /** Writes deferred messages into the inbound queue, one write at a time (queue-writer.ts). */
  private queueWriter: QueueWriter | null = null;

  /**
   * Records a message to be acted on later (receive with defer): the whole
   * answer path. Inserted unless its event or message id is stored already (a
   * redelivery: duplicate); the same text from the same person moments ago (a
   * platform duplicate under a new id) is stored as ignored, as record() does.
   */
  private enqueue(ev: InboundMessage): Promise<ReceiveResult> {
    this.queueWriter ??= new QueueWriter({
      db: this.deps.db,
      postgres: this.deps.provider === 'postgresql',
      now: () => this.deps.clock.now(),
      duplicateWindowS: this.deps.contracts.default.contract.intake.duplicateTextWindow.seconds,
    });
    const { raw, ...neutral } = ev;
    return this.queueWriter.write({
      ev,
      textKey: textKey(ev),
      payload: safeJson(neutral),
      raw: raw === undefined ? null : safeJson(raw),
      text: ev.text.slice(0, MAX_TEXT),
    });
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
  private async record(tx: Tx, ev: InboundEvent, now: Date): Promise<InboundEventRow | null> {
    const messageId = ev.type === 'message' ? ev.messageId : ev.type === 'click' ? `click:${ev.eventId}` : null;
    const key = ev.type === 'message' ? textKey(ev) : null;
    const windowS = this.deps.contracts.default.contract.intake.duplicateTextWindow.seconds;
    // One lookup for both: the same delivery (event or message id) and the same text moments ago.
    // Rows of the second kind may hide one of the first beyond `take`: the insert below then hits
    // the unique index, and receive() answers duplicate all the same.
    // The channel is repeated in each branch: SQLite then searches the three indexes (a
    // MULTI-INDEX OR); with it outside, it scans the channel's rows.
    const { channel } = ev;
    const seen = await tx.inboundEvent.findMany({
      where: {
        OR: [
          { channel, eventId: ev.eventId },
          ...(messageId ? [{ channel, messageId }] : []),
          ...(key ? [{ channel, textKey: key, receivedAt: { gte: new Date(now.getTime() - windowS * 1000) } }] : []),
        ],
      },
      select: { eventId: true, messageId: true },
      take: 3,
    });
    if (seen.some((r) => r.eventId === ev.eventId || (messageId !== null && r.messageId === messageId))) return null;
    const sameText = seen.length > 0;
    const { raw } = ev;
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
        outcome: sameText ? 'ignored' : 'processed',
        error: sameText ? 'same text from the same person moments ago (platform duplicate)' : null,
        raw: raw === undefined ? null : safeJson(raw),
      },
    });
    return sameText ? null : row;
  }

  /** Acts on a recorded event: one transaction with its record (or with its claim from the queue). */
  private async process(tx: Tx, ev: InboundEvent, row: Pick<InboundEventRow, 'id' | 'outcome'>, now: Date): Promise<ReceiveResult> {
    const log = this.deps.log.child({ event: ev.eventId, channel: ev.channel });
    const chat = await resolveChat(tx, this.deps.org, ev, now);
    const person = await resolvePerson(tx, this.deps.org, ev.channel, ev.sender, ev.senderRoleHint);
    const ctx = new Ctx(this.deps, tx, now, log, row.id, { chat, person });
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
   * queued event of a chat is taken, and the claim (queued → processed) is
   * made in the transaction that acts on it, so a crash leaves it queued and
   * two replicas never act on the same one. Returns how many were handled.
   */
  async processQueued(limit = 200): Promise<number> {
    let handled = 0;
    for (let round = 0; round < 1000; round++) {
      // The payload is read here, outside the claim: it is written once, with the row, and
      // never changes while the row is queued; the claim below decides who acts on it.
      const rows = await this.deps.db.inboundEvent.findMany({
        where: { outcome: 'queued' },
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, channel: true, chatPlatformId: true, payload: true },
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
          if (await this.processOne(head.id, head.payload)) progressed++;
        } catch (e) {
          progressed += await this.failQueued(head.id, e);
        }
        // Let the event loop run between two events: on SQLite no query waits for I/O, so a
        // long pass would otherwise hold it, and no webhook would be answered meanwhile.
        await yieldToLoop();
        // Answers first (pauseWhileArriving).
        const pause = this.pauseMs();
        if (pause) await new Promise((r) => setTimeout(r, pause));
      }
      handled += progressed;
      if (!progressed) break;
    }
    if (handled) this.deps.onOutbox?.();
    return handled;
  }

  private processOne(id: number, payload: string | null): Promise<boolean> {
    // A unique index hit: another replica inserted the same chat or person first; again, it is found.
    return withRetry(
      () =>
        transaction(this.deps.db, async (tx) => {
          const ev = reviveEvent(payload);
          // The claim takes the row out of the queue as processed (what most events become);
          // process() stores another outcome at its end. Nobody sees the row in between: a
          // crash or an error rolls the claim back, and the event stays queued.
          const claim = await tx.inboundEvent.updateMany({
            where: { id, outcome: 'queued' },
            data: ev ? { outcome: 'processed', payload: null } : { outcome: 'failed', error: 'queued event has no readable payload', payload: null },
          });
          if (claim.count !== 1) return false;
          if (!ev) return true;
          await this.process(tx, ev, { id, outcome: 'processed' }, this.deps.clock.now());
          return true;
        }),
      { retryUnique: true },
    );
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
      const q = await openQuestion(ctx, person.id);
      if (q && (await answerQuestion(ctx, q, msg, person))) return;
      const report = await readReport(ctx, msg);
      if (await openTicket(ctx, msg, person, report)) return;
      if (await thanksClosesConsultation(ctx, msg, person)) return;
      if (await answersProgressQuestion(ctx, msg, person)) return;
      if (await fillsRecentTicket(ctx, person, report.parsed)) return;
      ctx.outcome = isFragment(report.parsed) ? 'fragment' : 'ignored';
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
    const t = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id, { statuses: ['confirmed'] });
    if (!t) return false;
    await runCommand(ctx, msg, person, { type: 'rate', ref: { short: t.id }, score: r.score, ...(r.comment ? { comment: r.comment } : {}) });
    return true;
  }

  /** An engineer's reply to a consultation (quoting it, or @mentioning its reporter) is the answer. */
  private async answersConsultation(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
    if (person.role !== 'engineer' && person.role !== 'desk' && person.role !== 'manager') return false;
    const open = await ctx.tickets.openConsultations(ctx.chat.id);
    let target: Ticket | undefined;
    if (msg.replyToMessageId) {
      const quoted = await ctx.tickets.idAboutBotMessage(msg.replyToMessageId);
      target = open.find(({ ticket: t }) => t.sourceMessageId === msg.replyToMessageId || t.id === quoted)?.ticket;
    }
    target ??= open.find((c) => msg.mentions.some((m) => m.id === c.reporterPlatformId))?.ticket;
    if (!target) return false;
    const text = clip(msg.text.replace(/@\S+/g, ' '), 1000);
    await runCommand(ctx, msg, person, { type: 'answer', ref: { short: target.id }, text });
    return true;
  }

  private async keepAttachments(ctx: Ctx, ev: InboundMessage): Promise<void> {
    const ticket = await ctx.tickets.latestOfReporter(ctx.chat.id, ctx.person!.id);
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
   * Claims and fires timers that are due, a few to a transaction (fireBatch). The
   * claim (pending → fired) is conditional, so two replicas never fire the same one.
   */
  async fireDue(limit = 500): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.db.timer.findMany({
      where: { state: 'pending', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
    });
    let fired = 0;
    for (const batch of batchesOfDistinctTickets(spreadOrder(due), FIRE_BATCH)) {
      try {
        fired += await this.fireBatch(batch);
      } catch (e) {
        // One timer's failure must not hold back the others: each alone, in its own transaction.
        this.deps.log.warn({ err: e, timers: batch.map((t) => t.id) }, 'firing a batch of timers failed; firing them one by one');
        for (const timer of batch) {
          try {
            if (await this.fireOne(timer)) fired++;
          } catch (e2) {
            this.deps.log.error({ err: e2, timer: timer.id }, 'timer failed; it stays pending and is retried next tick');
          }
          await yieldToLoop();
        }
      }
      // As in processQueued: let webhooks be answered between two transactions.
      await yieldToLoop();
    }
    if (fired) this.deps.onOutbox?.();
    return fired;
  }

  /**
   * Fires a few timers in one transaction (one commit, one claim statement):
   * those another replica claimed first are left out. Each is fired as fireOne
   * fires it, its ticket read after the ones before it in the batch acted.
   */
  private async fireBatch(timers: Timer[]): Promise<number> {
    return transaction(
      this.deps.db,
      async (tx) => {
        const now = this.deps.clock.now();
        const claimed = await tx.timer.updateManyAndReturn({
          where: { id: { in: timers.map((t) => t.id) }, state: 'pending' },
          data: { state: 'fired', firedAt: now },
          select: { id: true },
        });
        const mine = new Set(claimed.map((c) => c.id));
        for (const timer of timers) if (mine.has(timer.id)) await this.fireClaimed(tx, timer, now);
        return mine.size;
      },
    );
  }

  /**
   * Fires one timer, read as it was when found due. Its row changes only by the
   * claim below (pending → fired) or by a re-plan (pending → cancelled); either
   * makes the claim fail, so what was read is what is fired.
   */
  private async fireOne(timer: Timer): Promise<boolean> {
    return transaction(
      this.deps.db,
      async (tx) => {
        const now = this.deps.clock.now();
        const claim = await tx.timer.updateMany({ where: { id: timer.id, state: 'pending' }, data: { state: 'fired', firedAt: now } });
        if (claim.count !== 1) return false;
        await this.fireClaimed(tx, timer, now);
        return true;
      },
    );
  }

  /** Acts on a timer this transaction has claimed. */
  private async fireClaimed(tx: Tx, timer: Timer, now: Date): Promise<void> {
    const tickets = new TicketStore(tx, this.deps.contracts);
    const found = await tickets.withChat(timer.ticketId);
    if (!found || found.ticket.status === 'closed' || found.ticket.status === 'cancelled') return;
    const { chat, ticket } = found;
    const log = this.deps.log.child({ timer: timer.id, ticket: ticket.number });
    const ctx = new Ctx(this.deps, tx, now, log, null, { chat, tickets });
    await fireTimer(ctx, { ...timer, state: 'fired', firedAt: now }, ticket);
    await flushTimers(ctx);
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

/**
 * Cuts the due timers into batches in their order, no ticket twice in a batch:
 * a timer that acts on a ticket may re-plan (cancel) that ticket's other timers,
 * which must then not be claimed in the same statement. A later batch claims
 * them only if they are still pending.
 */
export function batchesOfDistinctTickets<T extends { ticketId: number }>(timers: T[], size: number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let tickets = new Set<number>();
  for (const t of timers) {
    if (batch.length >= size || tickets.has(t.ticketId)) {
      batches.push(batch);
      batch = [];
      tickets = new Set();
    }
    batch.push(t);
    tickets.add(t.ticketId);
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** Resolves after the event loop had a turn (I/O callbacks, timers). */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function safeJson(v: unknown): string | null {
  try {
    const s = JSON.stringify(v);
    return s && s.length <= 200_000 ? s : s ? s.slice(0, 200_000) : null;
  } catch {
    return null;
  }
}
