/**
 * What the bot's handlers share for one inbound event or one timer (Ctx): the
 * transaction, the time, the logger, the configuration, the chat and the
 * person, the ticket store, and reply(), which writes an outbox row (nothing
 * is sent inside the transaction). BotDeps: what the bot is built from.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ContractRegistry } from '../core/contracts.js';
import type { CompiledLexicon } from '../domain/lexicon.js';
import type { Org } from '../domain/org.js';
import type { LlmReader } from '../reader/llm.js';
import type { Chat, Db, Person, Prisma, Tx } from '../store/types.js';
import { TicketStore, type Ticket } from '../store/tickets.js';
import { chatById, firstWithRole, personById, staffChatFor } from './directory.js';
import type { Role } from '../domain/contract.js';
import type { WriteGate } from './processing/write-gate.js';
import type { Clock } from '../core/clock.js';
import type { Audience, Mention, OutboundAction } from '../core/channel.js';
import type { CardAnswer } from './cards.js';

export interface BotDeps {
  db: Db;
  provider: 'sqlite' | 'postgresql';
  clock: Clock;
  log: Logger;
  contracts: ContractRegistry;
  lexicon: CompiledLexicon;
  org: Org;
  /** Called after a transaction wrote outbox rows, to wake the dispatcher. */
  onOutbox?: () => void;
  /** The channels this service runs (sends through); unset means all. */
  activeChannels?: () => string[];
  /** Called after an event was queued (ReceiveOptions.defer), to wake the inbound processor. */
  onQueued?: () => void;
  /**
   * With a processing thread (processing/thread.ts): the answering side counts its
   * queue writes here, and the processing side waits for them before each of its
   * transactions (processing/write-gate.ts).
   */
  writeGate?: WriteGate;
  /**
   * The optional LLM reader (src/reader/llm.ts), for messages the local reader
   * is unsure about; called before an event's transaction (pipeline/preread.ts),
   * never inside one. Unset: off.
   */
  llm?: Pick<LlmReader, 'read'> | null;
}

export interface ReplyOptions {
  ticketId?: number | null;
  /** Another chat (the managers' group); default: the chat of the event. */
  chat?: Pick<Chat, 'channel' | 'platformId'>;
}

export class Ctx {
  readonly outboxIds: number[] = [];
  /** What became of the inbound event: stored on its row at the end of the transaction. */
  outcome: 'processed' | 'ignored' | 'fragment' = 'processed';
  /** Tickets changed in this transaction whose timers are re-planned at its end (transitions.ts flushTimers). */
  readonly ticketsToPlan = new Map<number, Ticket>();
  /** Tickets created in this transaction: they have no Timer rows to reconcile yet. */
  readonly createdTickets = new Set<number>();
  /** Questions (PendingQuestion rows) written in this transaction, of every kind (questions.ts questionWritten). */
  readonly questionsAsked: Array<{ ticketId: number | null; personId: number; kind: string }> = [];
  /**
   * People created in this transaction (the router's resolve step): nothing of theirs is stored
   * but what it wrote, so their questions and earlier messages need not be read (questions.ts
   * noStoredQuestions, intake.ts recentFragments).
   */
  readonly newPeople = new Set<number>();
  /** Audit events recorded in this transaction, written all at once at its end (transitions.ts flushTimers). */
  readonly auditEvents: Prisma.TicketEventCreateManyInput[] = [];
  /** For clicks: what the clicker sees at once (Feishu toast / the card as it is now). */
  clickAnswer: { toast?: string; chosen?: string } = {};
  /** Cards answered in this transaction, updated without their buttons at its end (cards.ts). */
  readonly cardsAnswered: CardAnswer[] = [];
  /** The chat the event came from (for timers: the ticket's chat): set at construction, or by the router's resolve step. */
  chat!: Chat;
  /** Who acted; null for timers. */
  person: Person | null = null;
  /** The tickets of this transaction: typed, each with its own contract (src/store/tickets.ts). */
  readonly tickets: TicketStore;
  constructor(
    readonly deps: BotDeps,
    readonly tx: Tx,
    readonly now: Date,
    readonly log: Logger,
    /** The inbound event row, for the audit trail; null for timers and digests. */
    readonly inboundEventId: number | null,
    opts: {
      chat?: Chat;
      person?: Person | null;
      tickets?: TicketStore;
      people?: ReadonlyMap<number, Person>;
      staff?: Map<string, Promise<Person | null>>;
      /** Replies kept and written together (reply()); whoever makes the Ctx then calls flushTimers (or flushReplies) last. */
      batchReplies?: boolean;
    } = {},
  ) {
    this.batchReplies = opts.batchReplies ?? false;
    this.tickets = opts.tickets ?? new TicketStore(tx, deps.contracts);
    if (opts.chat) this.chat = opts.chat;
    this.person = opts.person ?? null;
    this.people = opts.people ?? null;
    this.staff = opts.staff ?? new Map();
  }

  /** See the constructor's batchReplies. */
  private readonly batchReplies: boolean;

  /** The first person of a role on a channel, read once per Ctx (or per batch of timers sharing the map). */
  private readonly staff: Map<string, Promise<Person | null>>;

  firstWithRole(channel: string, role: Role): Promise<Person | null> {
    const key = `${channel}\u0000${role}`;
    let p = this.staff.get(key);
    if (!p) {
      // A real promise (run once): a Prisma query runs again on every then().
      p = (async () => firstWithRole(this.tx, channel, role))();
      this.staff.set(key, p);
    }
    return p;
  }

  /** People read ahead for this work (a batch of timers reads its tickets' people at once); not changed by it. */
  private readonly people: ReadonlyMap<number, Person> | null;

  /** A person by id: from the people read ahead, else read. */
  personById(id: number | null): Promise<Person | null> {
    const known = id === null ? undefined : this.people?.get(id);
    return known ? Promise.resolve(known) : personById(this.tx, id);
  }

  /** The chat a ticket lives in (this one, or read). */
  chatOf(ticket: Pick<Ticket, 'chatId'>): Promise<Chat> {
    return this.chat?.id === ticket.chatId ? Promise.resolve(this.chat) : chatById(this.tx, ticket.chatId);
  }

  /**
   * Writes one reply to the outbox; it is sent after the transaction commits.
   * A staff message addressed to a customer's chat goes to that customer's
   * staff group instead (directory.ts staffChatFor); with nowhere to go it is
   * not sent (false), never shown to the customer.
   *
   * With `batchReplies` (the event path: pipeline/act.ts) the row is kept and
   * written with the others of the transaction in one statement, in the order
   * written, when an id is needed (replyWithId) or at the end (flushTimers):
   * nothing in the transaction reads its own replies back. True: written or
   * to be written.
   */
  async reply(action: OutboundAction, opts: ReplyOptions = {}): Promise<boolean> {
    const row = await this.outboxRow(action, opts);
    if (!row) return false;
    if (this.batchReplies) {
      this.pendingReplies.push(row);
      return true;
    }
    const created = await this.tx.outbox.create({ data: row, select: { id: true } });
    this.outboxIds.push(created.id);
    return true;
  }

  /** As reply(), and the row's id (a question or a delivery points to its message); null: not sent. */
  async replyWithId(action: OutboundAction, opts: ReplyOptions = {}): Promise<number | null> {
    const row = await this.outboxRow(action, opts);
    if (!row) return null;
    this.pendingReplies.push(row);
    const ids = await this.flushReplies();
    return ids.get(row.idempotencyKey) ?? null;
  }

  /**
   * Writes the replies kept so far (batchReplies), in the order written: one statement.
   * Returns their ids by idempotency key (read back only when asked for one: replyWithId).
   */
  async flushReplies(): Promise<Map<string, number>> {
    const rows = this.pendingReplies.splice(0);
    const ids = new Map<string, number>();
    if (!rows.length) return ids;
    if (rows.length === 1) {
      const created = await this.tx.outbox.create({ data: rows[0]!, select: { id: true } });
      ids.set(rows[0]!.idempotencyKey, created.id);
    } else {
      // One multi-row INSERT: ids follow the order of the rows (matched by key all the same).
      for (const r of await this.tx.outbox.createManyAndReturn({ data: rows, select: { id: true, idempotencyKey: true } })) ids.set(r.idempotencyKey, r.id);
    }
    for (const r of rows) {
      const id = ids.get(r.idempotencyKey);
      if (id !== undefined) this.outboxIds.push(id);
    }
    return ids;
  }

  /** Replies kept for one statement at the end of the transaction (batchReplies). */
  private readonly pendingReplies: Prisma.OutboxCreateManyInput[] = [];

  /** The outbox row of a reply, or null when a staff message has nowhere to go. */
  private async outboxRow(action: OutboundAction, opts: ReplyOptions): Promise<(Prisma.OutboxCreateManyInput & { idempotencyKey: string }) | null> {
    const addressed = opts.chat ?? this.chat;
    const target = action.kind !== 'card_update' && action.audience === 'staff' ? await this.staffChat(addressed) : addressed;
    if (!target) {
      this.log.warn({ chat: addressed.platformId, channel: addressed.channel }, 'a staff message has no staff group or managers\' group on this channel; not sent');
      return null;
    }
    return {
      channel: target.channel,
      chatPlatformId: target.platformId,
      ticketId: opts.ticketId ?? null,
      action: JSON.stringify(action),
      idempotencyKey: randomUUID(),
      // Due at once. Retry times are on the wall clock (the dispatcher's), not on
      // this.now, which the sandbox's manual clock may have moved far ahead.
      nextAttemptAt: new Date(0),
      createdAt: this.now,
    };
  }

  text(text: string, mentions: Mention[] = [], opts: ReplyOptions & { replyTo?: string | null; audience?: Audience } = {}): Promise<boolean> {
    return this.reply(textAction(text, mentions, opts), opts);
  }

  /** As text(), and the row's id (replyWithId). */
  textWithId(text: string, mentions: Mention[] = [], opts: ReplyOptions & { replyTo?: string | null; audience?: Audience } = {}): Promise<number | null> {
    return this.replyWithId(textAction(text, mentions, opts), opts);
  }

  /** The staff chat for a chat (itself unless it is a customer's). */
  private async staffChat(chat: Pick<Chat, 'channel' | 'platformId'>): Promise<Pick<Chat, 'channel' | 'platformId'> | null> {
    const full = 'purpose' in chat ? (chat as Chat) : await this.tx.chat.findUnique({ where: { channel_platformId: { channel: chat.channel, platformId: chat.platformId } } });
    if (!full) return chat;
    return staffChatFor(this.tx, full, this.deps.activeChannels?.());
  }
}

function textAction(text: string, mentions: Mention[], opts: { replyTo?: string | null; audience?: Audience }): OutboundAction {
  return {
    kind: 'text',
    text,
    ...(mentions.length ? { mentions } : {}),
    ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
    ...(opts.audience ? { audience: opts.audience } : {}),
  };
}

export function mentionOf(p: Pick<Person, 'platformId' | 'name'>): Mention {
  return { id: p.platformId, name: p.name };
}

