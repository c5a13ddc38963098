/**
 * What a chat command is: its words, its button, who may give it, what it
 * applies to, its help line and its handler — all in its own file in this
 * folder, listed once in index.ts. The parser, the role check, the help text
 * and the dispatch are built from that list.
 */
import type { Chat } from '../../store/types.js';
import type { InboundMessage, Mention } from '../../core/channel.js';
import type { CommandRule } from '../../domain/commands.js';
import type { Role } from '../../domain/contract.js';
import type { TicketStatus } from '../../domain/ticket.js';
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';

/** Where a command came from: a message (its id, whom it mentions, what it quotes), or a button (no mentions). */
export type Source = Pick<InboundMessage, 'messageId' | 'mentions'> & { replyToMessageId?: string };

/** Who a help line is for: customers, every staff member, or managers, the vice-president and the desk on top. */
export type HelpAudience = 'customer' | 'staff' | 'managers';

/**
 * One line of the help text. Lines are sorted by `order`; lines that share a
 * `join` key are shown as one line, joined by " · " ("查询 #12 · 我的工单 · 待处理").
 */
export interface HelpLine {
  line: string;
  order: number;
  join?: string;
}

interface CommandBase<A> {
  /** The command's name in code, the audit trail and logs. */
  readonly name: string;
  /** The word people know it by, in refusals and examples ("「接单」是服务人员的操作"). */
  readonly word?: string;
  /** How it is typed; none: it comes only from a button or as an answer to the bot's question. */
  readonly parse?: CommandRule<A>;
  /** The button on the bot's cards that gives it: the button's action word, and its argument read (with the id the button names: a ticket's, or a question's). */
  readonly button?: { action: string; args(arg: string | undefined, id: number): A | null };
  /** Who may give it; anyone else is refused politely and nothing changes. */
  readonly roles: readonly Role[];
  /** The refusal for a role that may not (default: customers hear it is the staff's, staff that it is the managers' or the desk's). */
  readonly refusals?: Partial<Record<Role, string>>;
  /** A customer means it even when it reads like a question ("确认修复?", "查询 到场了吗"). */
  readonly customerCommand?: boolean;
  readonly help?: Partial<Record<HelpAudience, HelpLine>>;
}

/** What a command that acts on a ticket gets: the ticket, its chat and reporter, and how to answer. */
export interface OnTicket<A> {
  ctx: Ctx;
  src: Source;
  person: Person;
  args: A;
  ticket: Ticket;
  /** The chat the ticket lives in (the command may come from the managers' group). */
  chat: Chat;
  reporter: Person;
  /** Says something in the ticket's chat; a command given elsewhere is confirmed there too, once. */
  tell(text: string, mentions?: Mention[]): Promise<boolean>;
  /** Says something to the supplier's staff about the ticket: its customer's staff group, else the managers' group. */
  staff(text: string, mentions?: Mention[]): Promise<void>;
  /** Refuses politely (naming the ticket when given in another chat); nothing changed. */
  refuse(reason: string): Promise<void>;
  /** Answers the person who gave the command, where they gave it. */
  say(text: string): Promise<void>;
}

/** What a command that acts on no ticket gets. */
export interface InChat<A> {
  ctx: Ctx;
  src: Source;
  person: Person;
  args: A;
  say(text: string): Promise<void>;
  /** The help text for this person's role (from every command's help line). */
  helpText: string;
}

export interface TicketCommand<A> extends CommandBase<A> {
  readonly target: 'ticket';
  /** The statuses it acts on: which of an engineer's jobs a bare command means. */
  readonly appliesTo?: readonly TicketStatus[];
  /** For a customer who names no ticket: which of their own tickets in the chat it can mean. */
  readonly customerAppliesTo?: readonly TicketStatus[];
  /** Nobody's job yet: the one ticket in this chat waiting for an engineer (接单, 到场). */
  readonly waitingInChat?: boolean;
  /**
   * Any staff member may give it, whoever's job the ticket is: it only reads the ticket
   * (查询), or answers a question any engineer may answer (答复). Every other ticket
   * command changes a job, and an engineer may give it only on their own jobs or on
   * nobody's (notTheirJob in src/domain/ticket.ts).
   */
  readonly anyonesJob?: boolean;
  /** A check on the ticket itself, after the role check (who may confirm or rate): a refusal, or null. */
  mayAct?(ctx: Ctx, person: Person, ticket: Ticket): Promise<string | null>;
  run(c: OnTicket<A>): Promise<void>;
}

export interface ChatCommand<A> extends CommandBase<A> {
  readonly target: 'chat';
  run(c: InChat<A>): Promise<void>;
}

export type Command<A = unknown> = TicketCommand<A> | ChatCommand<A>;

/** A command on a ticket, its argument type inferred from its parse/button. */
export function ticketCommand<A extends object>(spec: Omit<TicketCommand<A>, 'target'>): TicketCommand<A> {
  return { target: 'ticket', ...spec };
}

/** A command on no ticket (help, lists, the chat's customer, roles). */
export function chatCommand<A extends object>(spec: Omit<ChatCommand<A>, 'target'>): ChatCommand<A> {
  return { target: 'chat', ...spec };
}

export const STAFF: readonly Role[] = ['engineer', 'desk', 'manager', 'vp'];
export const EVERYONE: readonly Role[] = ['customer', ...STAFF];
/** Managers, the vice-president and the desk (assignment, waivers). */
export const MANAGERS_AND_DESK: readonly Role[] = ['manager', 'vp', 'desk'];
