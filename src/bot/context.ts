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
  /** Questions about tickets asked in this transaction (questions.ts ask). */
  readonly questionsAsked: Array<{ ticketId: number; kind: string }> = [];
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
    opts: { chat?: Chat; person?: Person | null; tickets?: TicketStore; people?: ReadonlyMap<number, Person>; staff?: Map<string, Promise<Person | null>> } = {},
  ) {
    this.tickets = opts.tickets ?? new TicketStore(tx, deps.contracts);
    if (opts.chat) this.chat = opts.chat;
    this.person = opts.person ?? null;
    this.people = opts.people ?? null;
    this.staff = opts.staff ?? new Map();
  }

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
   * not sent (null), never shown to the customer.
   */
  async reply(action: OutboundAction, opts: ReplyOptions = {}): Promise<number | null> {
    const addressed = opts.chat ?? this.chat;
    const target = action.kind !== 'card_update' && action.audience === 'staff' ? await this.staffChat(addressed) : addressed;
    if (!target) {
      this.log.warn({ chat: addressed.platformId, channel: addressed.channel }, 'a staff message has no staff group or managers\' group on this channel; not sent');
      return null;
    }
    const row = await this.tx.outbox.create({
      data: {
        channel: target.channel,
        chatPlatformId: target.platformId,
        ticketId: opts.ticketId ?? null,
        action: JSON.stringify(action),
        idempotencyKey: randomUUID(),
        // Due at once. Retry times are on the wall clock (the dispatcher's), not on
        // this.now, which the sandbox's manual clock may have moved far ahead.
        nextAttemptAt: new Date(0),
        createdAt: this.now,
      },
    });
    this.outboxIds.push(row.id);
    return row.id;
  }

  text(text: string, mentions: Mention[] = [], opts: ReplyOptions & { replyTo?: string | null; audience?: Audience } = {}): Promise<number | null> {
    return this.reply(
      {
        kind: 'text',
        text,
        ...(mentions.length ? { mentions } : {}),
        ...(opts.replyTo ? { replyTo: opts.replyTo } : {}),
        ...(opts.audience ? { audience: opts.audience } : {}),
      },
      opts,
    );
  }

  /** The staff chat for a chat (itself unless it is a customer's), read once per transaction. */
  private async staffChat(chat: Pick<Chat, 'channel' | 'platformId'>): Promise<Pick<Chat, 'channel' | 'platformId'> | null> {
    const full = 'purpose' in chat ? (chat as Chat) : await this.tx.chat.findUnique({ where: { channel_platformId: { channel: chat.channel, platformId: chat.platformId } } });
    if (!full) return chat;
    return staffChatFor(this.tx, full, this.deps.activeChannels?.());
  }
}

export function mentionOf(p: Pick<Person, 'platformId' | 'name'>): Mention {
  return { id: p.platformId, name: p.name };
}

