/**
 * Questions the bot asks and waits on. Each is a PendingQuestion row, so a
 * bare "2" from the person asked is understood as the answer, across restarts
 * and replicas. One open question per person and chat at a time: asking a new
 * one supersedes the old.
 */
import { buttonValue } from '../domain/commands.js';
import { levelChoices, ticketTitle } from '../domain/wording.js';
import type { Ticket } from '../store/tickets.js';
import type { PendingQuestion, Person } from '../store/types.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import type { Button, OutboundAction } from '../core/channel.js';
import { intakeMessages } from './messages/intake.js';
import { questionMessages as Q } from './messages/replies.js';

/** The message(s) a question about a report points back to: the message replied to, the inbound events read. */
export interface ReportSource {
  messageId: string;
  /** The inbound events whose texts make the report, oldest first (fragments, then the message). */
  eventIds: number[];
}

export type QuestionKind = 'level' | 'site' | 'phone' | 'confirm' | 'rate' | 'fee' | 'is_fault' | 'duplicate' | 'which_ticket';

/**
 * Questions about a message rather than a ticket (需要为此报修吗, 不是同一个?)
 * stand beside the person's other open question instead of superseding it: the
 * newest is tried first, then the older (pending-answer step).
 */
const BESIDE: readonly QuestionKind[] = ['is_fault', 'duplicate', 'which_ticket'];

/** How long a 需要为此报修吗 question or a duplicate notice waits for its answer: a shift's worth. */
const MESSAGE_QUESTION_MINUTES = 120;

export const RATING_LABELS: Record<number, string> = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '很不满意' };

/** Notes a question written in this transaction (for noStoredQuestions and askMissing). */
export function questionWritten(ctx: Ctx, q: { ticketId: number | null; personId: number; kind: string }): void {
  ctx.questionsAsked.push({ ticketId: q.ticketId, personId: q.personId, kind: q.kind });
}

/**
 * Whether a person certainly has no stored question of these kinds in any chat: created in
 * this transaction, and none such written in it. Then reading them is skipped.
 */
export function noStoredQuestions(ctx: Ctx, personId: number, kinds: (kind: string) => boolean = () => true): boolean {
  return ctx.newPeople.has(personId) && !ctx.questionsAsked.some((q) => q.personId === personId && kinds(q.kind));
}

async function ask(
  ctx: Ctx,
  ticket: Ticket,
  person: Person,
  kind: QuestionKind,
  card: { title: string; text: string; buttons: Button[] },
  expiresInMinutes: number,
  data: Record<string, unknown> = {},
): Promise<void> {
  // Nothing to supersede for someone who has no questions yet.
  if (!noStoredQuestions(ctx, person.id, (k) => !BESIDE.includes(k as QuestionKind))) {
    await ctx.tx.pendingQuestion.updateMany({
      where: { chatId: ticket.chatId, personId: person.id, state: 'open', kind: { notIn: [...BESIDE] } },
      data: { state: 'expired' },
    });
  }
  const replyTo = ticket.sourceMessageId && ticket.chatId === ctx.chat.id ? { replyTo: ticket.sourceMessageId } : {};
  const action: OutboundAction = card.buttons.length
    ? { kind: 'card', title: card.title, text: card.text, buttons: card.buttons, mentions: [mentionOf(person)], numbered: true, expectsAnswer: true, ...replyTo }
    : { kind: 'text', text: card.text, mentions: [mentionOf(person)], expectsAnswer: true, ...replyTo };
  const chat = await ctx.chatOf(ticket);
  const outboxId = await ctx.replyWithId(action, { ticketId: ticket.id, chat });
  questionWritten(ctx, { ticketId: ticket.id, personId: person.id, kind });
  await ctx.tx.pendingQuestion.create({
    data: {
      chatId: ticket.chatId,
      personId: person.id,
      ticketId: ticket.id,
      kind,
      data: JSON.stringify(data),
      askedAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + expiresInMinutes * 60_000),
      outboxId,
    },
  });
}

/**
 * The level question. `repeatOf`: the answer that made the ticket just now
 * ("1" to 需要为此报修吗); the same text again within moments is that answer
 * sent twice, not level 1 (answers.ts).
 */
export async function askLevel(ctx: Ctx, ticket: Ticket, reporter: Person, repeatOf?: string): Promise<void> {
  const entry = ticket.contract;
  const choices = levelChoices(entry.contract);
  await ask(
    ctx,
    ticket,
    reporter,
    'level',
    {
      title: Q.levelTitle.text({ title: ticketTitle(ticket) }),
      text: Q.level.text({ choices: choices.map((c) => `${c.level} ${c.label}`) }),
      buttons: choices.map((c) => ({ label: `${c.level} ${c.label}`, value: buttonValue('level', ticket.id, c.level) })),
    },
    entry.contract.intake.questionTimeout.minutes,
    repeatOf ? { repeatOf } : {},
  );
}

export async function askSite(ctx: Ctx, ticket: Ticket, reporter: Person): Promise<void> {
  const entry = ticket.contract;
  await ask(ctx, ticket, reporter, 'site', { title: '', text: Q.site.text({ title: ticketTitle(ticket) }), buttons: [] }, entry.contract.intake.questionTimeout.minutes);
}

export async function askPhone(ctx: Ctx, ticket: Ticket, reporter: Person): Promise<void> {
  const entry = ticket.contract;
  await ask(ctx, ticket, reporter, 'phone', { title: '', text: Q.phone.text({ title: ticketTitle(ticket) }), buttons: [] }, entry.contract.intake.questionTimeout.minutes);
}

/** Asks for the next missing essential of a fault (site, then phone), once each. */
export async function askMissing(ctx: Ctx, ticket: Ticket, reporter: Person): Promise<boolean> {
  if (ticket.kind !== 'fault') return false;
  // A ticket created in this transaction has only the questions asked in it.
  const asked = ctx.createdTickets.has(ticket.id)
    ? ctx.questionsAsked.filter((q) => q.ticketId === ticket.id)
    : await ctx.tx.pendingQuestion.findMany({ where: { ticketId: ticket.id }, select: { kind: true } });
  const was = new Set(asked.map((q) => q.kind));
  if (!ticket.site && !was.has('site')) {
    await askSite(ctx, ticket, reporter);
    return true;
  }
  if (!ticket.phone && !was.has('phone')) {
    await askPhone(ctx, ticket, reporter);
    return true;
  }
  return false;
}

export async function askConfirm(ctx: Ctx, ticket: Ticket, reporter: Person, again = false): Promise<void> {
  const entry = ticket.contract;
  await ask(
    ctx,
    ticket,
    reporter,
    'confirm',
    {
      title: Q.confirmTitle.text({ title: ticketTitle(ticket) }),
      text: Q.confirm.text({ again, ...(ticket.resolutionNote ? { note: ticket.resolutionNote } : {}) }),
      buttons: [
        { label: Q.confirmYes.text(), value: buttonValue('confirm', ticket.id), style: 'primary' },
        { label: Q.confirmNo.text(), value: buttonValue('deny', ticket.id), style: 'danger' },
      ],
    },
    entry.contract.confirmation.closeAfter.hours * 60,
  );
}

export async function askRating(ctx: Ctx, ticket: Ticket, reporter: Person, again = false): Promise<void> {
  const entry = ticket.contract;
  const scores = [5, 4, 3, 2, 1];
  await ask(
    ctx,
    ticket,
    reporter,
    'rate',
    {
      title: Q.rateTitle.text({ title: ticketTitle(ticket) }),
      text: Q.rate.text({ again }),
      buttons: scores.map((s) => ({ label: Q.rateButton.text({ score: s, label: RATING_LABELS[s] ?? '' }), value: buttonValue('rate', ticket.id, s) })),
    },
    entry.contract.confirmation.closeAfter.hours * 60,
  );
}

export async function askFee(ctx: Ctx, ticket: Ticket, reporter: Person, why: string): Promise<void> {
  await ask(
    ctx,
    ticket,
    reporter,
    'fee',
    {
      title: Q.feeTitle.text({ title: ticketTitle(ticket) }),
      text: Q.fee.text({ why, id: ticket.id }),
      buttons: [{ label: Q.feeButton.text(), value: buttonValue('fee', ticket.id), style: 'primary' }],
    },
    24 * 60,
  );
}

/**
 * 需要为此报修吗？ about one message of this person (the reader could not tell
 * whether it reports a fault): a card with two buttons, numbered text where
 * the channel has no cards. Asked at most once per message.
 */
export async function askIsFault(ctx: Ctx, person: Person, message: ReportSource): Promise<boolean> {
  const asked = noStoredQuestions(ctx, person.id, (k) => k === 'is_fault')
    ? null
    : await ctx.tx.pendingQuestion.findFirst({
        where: { chatId: ctx.chat.id, personId: person.id, kind: 'is_fault', data: { contains: JSON.stringify(message.messageId) } },
        select: { id: true },
      });
  if (asked) return false;
  const q = await ctx.tx.pendingQuestion.create({
    data: {
      chatId: ctx.chat.id,
      personId: person.id,
      ticketId: null,
      kind: 'is_fault',
      data: JSON.stringify(message),
      askedAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + MESSAGE_QUESTION_MINUTES * 60_000),
    },
  });
  questionWritten(ctx, { ticketId: null, personId: person.id, kind: 'is_fault' });
  const outboxId = await ctx.replyWithId({ ...isFaultCard(q.id), mentions: [mentionOf(person)], replyTo: message.messageId });
  await ctx.tx.pendingQuestion.update({ where: { id: q.id }, data: { outboxId } });
  return true;
}

/** The button action of the 需要为此报修吗 card (its id is the question's). */
export const IS_FAULT_BUTTON = 'isfault';

/** The 需要为此报修吗 card of a question: two buttons; a channel without cards shows the text, which lists the numbers. */
export function isFaultCard(questionId: number): Extract<OutboundAction, { kind: 'card' }> {
  const m = intakeMessages;
  return {
    kind: 'card',
    title: m.isFaultTitle.text(),
    text: m.isFaultQuestion.text(),
    buttons: [
      { label: m.isFaultYes.text(), value: buttonValue(IS_FAULT_BUTTON, questionId, 'yes'), style: 'primary' },
      { label: m.isFaultNo.text(), value: buttonValue(IS_FAULT_BUTTON, questionId, 'no') },
    ],
    numbered: true,
    expectsAnswer: true,
    audience: m.isFaultQuestion.audience,
  };
}

/**
 * After a duplicate notice: the reporter may answer 不是同一个, and the report
 * (the inbound event) then becomes a ticket of its own.
 */
export async function awaitNotSame(ctx: Ctx, dup: Ticket, person: Person, message: ReportSource): Promise<void> {
  await ctx.tx.pendingQuestion.create({
    data: {
      chatId: ctx.chat.id,
      personId: person.id,
      ticketId: dup.id,
      kind: 'duplicate',
      data: JSON.stringify(message),
      askedAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + MESSAGE_QUESTION_MINUTES * 60_000),
    },
  });
  questionWritten(ctx, { ticketId: dup.id, personId: person.id, kind: 'duplicate' });
}

/** The state of a level question that timed out: the level is provisional and a late answer still counts. */
export const TIMED_OUT = 'timed_out';

/** The person's level question that timed out on a ticket whose level is still provisional, newest first. */
export async function timedOutLevelQuestion(ctx: Ctx, personId: number): Promise<PendingQuestion | null> {
  if (noStoredQuestions(ctx, personId)) return null;
  return ctx.tx.pendingQuestion.findFirst({ where: { chatId: ctx.chat.id, personId, kind: 'level', state: TIMED_OUT }, orderBy: { id: 'desc' } });
}

/** The person's open, unexpired questions in this chat, newest first (a few). */
export async function openQuestions(ctx: Ctx, personId: number): Promise<PendingQuestion[]> {
  if (noStoredQuestions(ctx, personId)) return [];
  return ctx.tx.pendingQuestion.findMany({
    where: { chatId: ctx.chat.id, personId, state: 'open', expiresAt: { gt: ctx.now } },
    orderBy: { id: 'desc' },
    take: 3,
  });
}

/** The person's open, unexpired question about a ticket in this chat, if any (not one about a message). */
export async function openQuestion(ctx: Ctx, personId: number): Promise<PendingQuestion | null> {
  if (noStoredQuestions(ctx, personId)) return null;
  return ctx.tx.pendingQuestion.findFirst({
    where: { chatId: ctx.chat.id, personId, state: 'open', expiresAt: { gt: ctx.now }, kind: { notIn: [...BESIDE] } },
    orderBy: { id: 'desc' },
  });
}

export async function closeQuestions(ctx: Ctx, ticketId: number, kinds?: QuestionKind[]): Promise<void> {
  await ctx.tx.pendingQuestion.updateMany({
    where: { ticketId, state: 'open', ...(kinds ? { kind: { in: kinds } } : {}) },
    data: { state: 'answered' },
  });
}
