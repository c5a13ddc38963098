/**
 * What a customer says about a ticket they already have, when it is not a
 * report, a command or the answer to a question: thanks that close an
 * answered consultation, "到场了吗" about how it stands, a site or phone sent
 * right after a report that lacked it.
 */
import { buttonValue, normalise } from '../domain/commands.js';
import { cardAnswered } from './cards.js';
import { cardMessages } from './messages/cards.js';
import type { ParsedReport } from '../domain/report-parser.js';
import { clip, formatTime, statusLabel, ticketTitle } from '../domain/wording.js';
import { deadlinesOf, type Ticket } from '../store/tickets.js';
import type { PendingQuestion, Person } from '../store/types.js';
import { answerMessages } from './messages/answers.js';
import type { InboundMessage } from '../core/channel.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { personById } from './directory.js';
import { SYSTEM, applyAction, recordEvent } from './transitions.js';
import { receiptMessages as R } from './messages/replies.js';
import { questionWritten } from './questions.js';

/** A question (吗/呢/？/什么时候…), as opposed to a statement or a command. */
export function isQuestion(text: string): boolean {
  return /[吗么呢嘛][?？!！。~～]*$|[?？]|什么时候|啥时候|几点|多久|怎么样了|有没有|没有?[?？]?$/.test(text);
}

const PROGRESS = /(到了?[吗没]|到场了?[吗没]|来了?[吗没]|什么时候|啥时候|几点|多久|进展|进度|怎么样了|处理得?怎么样|修好了?[吗没]|好了[吗没]|有人(管|处理|跟进)[吗没]?|接单了?[吗没]|派单了?[吗没]|还要等)/;

/** A chase: the customer has waited and says so ("还没到？", "怎么还没人来", "都两个小时了"). */
const CHASE = /(还没(有)?(人)?(到|来)|怎么还没|还不来|没人(来|管|理)|等了?(很久|好久|半天|这么久)|都[\d一两二三四五六七八九十几半]+个?(多)?(小时|钟头|分钟|天)了)/;

/** The same questions in English (answered in Chinese). */
const PROGRESS_EN = /\b(arriv\w*|coming|come|status|progress|update|eta|when will|how long|still waiting|anyone)\b/i;

/** A short question about how things stand ("到场了吗", "什么时候能来"), or a chase, not a new report or consultation. */
export function isProgressQuestion(text: string): boolean {
  const t = normalise(text);
  return t.length <= 60 && (PROGRESS.test(t) || CHASE.test(t) || PROGRESS_EN.test(t));
}

/** A chase ("怎么还没人来"): answered with an apology first. */
export function isChase(text: string): boolean {
  return CHASE.test(normalise(text));
}

const THANKS = /^(谢谢|多谢|感谢|好的谢谢|明白了|懂了|收到谢谢|ok|好的)/i;

/** "谢谢" after a consultation was answered closes it. */
export async function thanksClosesConsultation(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  if (!THANKS.test(normalise(msg.text))) return false;
  const t = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id, { kind: 'consultation', statuses: ['resolved'] });
  if (!t) return false;
  const r = await applyAction(ctx, t, { type: 'close' }, { actor: SYSTEM, detail: { by: 'customer_thanks' } });
  if (r.ok) await ctx.text(R.consultationThanks.text({ title: ticketTitle(t) }), [], { ticketId: t.id });
  return r.ok;
}

/**
 * "工程师到场了吗" / "什么时候能来" / "怎么还没人来": the reporter asks how their
 * open ticket stands. One open ticket: answered with its status, who has it and
 * the next deadline. Several: asked which one, by number (answered by
 * answerWhichTicket). Nothing changes on the tickets.
 */
export async function answersProgressQuestion(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  if (!isProgressQuestion(msg.text)) return false;
  const open = await ctx.tickets.unfinished({ chatId: ctx.chat.id, reporterId: person.id }, MAX_CHOICES);
  if (!open.length) return false;
  const chase = isChase(msg.text);
  if (open.length === 1) {
    await tellProgress(ctx, open[0]!, person, msg.messageId, chase);
    return true;
  }
  await askWhichTicket(ctx, person, open, msg.messageId, chase);
  return true;
}

/** At most this many tickets are offered as numbered choices. */
const MAX_CHOICES = 9;
/** How long the "which one" question waits for its number. */
const WHICH_MINUTES = 30;

async function askWhichTicket(ctx: Ctx, person: Person, open: Ticket[], messageId: string, chase: boolean): Promise<void> {
  const m = answerMessages.whichTicket;
  const choices = open.map(choiceOf);
  const q = await ctx.tx.pendingQuestion.create({
    data: {
      chatId: ctx.chat.id,
      personId: person.id,
      ticketId: null,
      kind: 'which_ticket',
      data: JSON.stringify({ ticketIds: open.map((t) => t.id), chase }),
      askedAt: ctx.now,
      expiresAt: new Date(ctx.now.getTime() + WHICH_MINUTES * 60_000),
    },
  });
  questionWritten(ctx, { ticketId: null, personId: person.id, kind: 'which_ticket' });
  // A card: a button per ticket, and the numbers to type where the channel has no buttons.
  const outboxId = await ctx.replyWithId({
    kind: 'card',
    title: answerMessages.whichTicketTitle.text(),
    text: m.text({ choices }),
    buttons: choices.map((c, i) => ({ label: `${i + 1} ${c}`, value: buttonValue(WHICH_BUTTON, q.id, i + 1) })),
    mentions: [mentionOf(person)],
    replyTo: messageId,
    numbered: true,
    expectsAnswer: true,
    audience: m.audience,
  });
  await ctx.tx.pendingQuestion.update({ where: { id: q.id }, data: { outboxId } });
}

/** The button action of the "which ticket" card (its id is the question's, its argument the choice's number). */
export const WHICH_BUTTON = 'which';

/** The ticket chosen by its number (1-based) or its id, or undefined. */
function chosenTicket(ticketIds: number[], index: number | null, id: number | null): number | undefined {
  if (index !== null) return ticketIds[index - 1];
  return id !== null && ticketIds.includes(id) ? id : undefined;
}

/** The number (or #id) answering "which one": that ticket's progress. False when the text is not one of the choices. */
export async function answerWhichTicket(ctx: Ctx, q: Pick<PendingQuestion, 'id' | 'data'>, msg: InboundMessage, person: Person): Promise<boolean> {
  const text = normalise(msg.text);
  const byIndex = /^(\d{1,2})$/.exec(text);
  const byId = /^#\s?(\d{1,9})$/.exec(text);
  return chooseWhichTicket(ctx, q, byIndex ? Number(byIndex[1]) : null, byId ? Number(byId[1]) : null, person, msg.messageId);
}

/** The choice made (by number, id or button): that ticket's progress, the question answered and its card updated. */
export async function chooseWhichTicket(
  ctx: Ctx,
  q: Pick<PendingQuestion, 'id' | 'data'>,
  index: number | null,
  ticketId: number | null,
  person: Person,
  replyTo: string,
): Promise<boolean> {
  const { ticketIds, chase } = JSON.parse(q.data) as { ticketIds: number[]; chase?: boolean };
  const id = chosenTicket(ticketIds, index, ticketId);
  if (id === undefined) return false;
  const t = await ctx.tickets.get(id);
  if (!t) return false;
  const claim = await ctx.tx.pendingQuestion.updateMany({ where: { id: q.id, state: 'open' }, data: { state: 'answered' } });
  if (claim.count !== 1) return false;
  const asked = await ctx.tx.pendingQuestion.findUnique({ where: { id: q.id }, select: { outboxId: true } });
  if (asked?.outboxId) cardAnswered(ctx, { outboxId: asked.outboxId }, cardMessages.whichChosen.text({ choice: choiceOf(t) }));
  await tellProgress(ctx, t, person, replyTo, Boolean(chase));
  return true;
}

/** How a ticket reads among the choices: "#12 小寨站闸机". */
function choiceOf(t: Ticket): string {
  return `#${t.id} ${[t.site, t.device].filter(Boolean).join('') || clip(t.symptom ?? t.content, 20)}`;
}

async function tellProgress(ctx: Ctx, t: Ticket, person: Person, replyTo: string, chase: boolean): Promise<void> {
  const m = answerMessages.progress;
  await ctx.reply(
    { kind: 'text', text: progressLine(ctx, t, await personById(ctx.tx, t.assigneeId), chase), mentions: [mentionOf(person)], replyTo, audience: m.audience },
    { ticketId: t.id },
  );
}

function progressLine(ctx: Ctx, t: Ticket, assignee: Person | null, chase: boolean): string {
  const tz = t.contract.contract.timezone;
  const running = deadlinesOf(t, ctx.now).filter((d) => !d.stoppedAt && ['first_response', 'on_site', 'consultation_response', 'complaint_answer', 'detection_report'].includes(d.clock));
  const m = answerMessages;
  const who = assignee ? (t.status === 'assigned' ? m.engineerToTake : m.engineerOnIt).text({ engineer: assignee.name }) : m.arranging.text();
  const limits = running.map((d) => `${d.label}时限 ${formatTime(d.dueAt, tz, ctx.now)}`).join('，');
  return m.progress.text({ title: ticketTitle(t), status: statusLabel(t.status), who, limits, chase });
}

/** A site or phone sent right after a report that lacked it. */
export async function fillsRecentTicket(ctx: Ctx, person: Person, parsed: ParsedReport): Promise<boolean> {
  if (!parsed.site && !parsed.phone) return false;
  const windowMs = (await ctx.tickets.contractOf(ctx.chat.customerId)).contract.intake.mergeWindow.seconds * 1000;
  const t = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id, { kind: 'fault', statuses: 'any', reportedSince: new Date(ctx.now.getTime() - windowMs) });
  if (!t) return false;
  const data: { site?: string; phone?: string } = {};
  if (parsed.site && !t.site) data.site = parsed.site;
  if (parsed.phone && !t.phone) data.phone = parsed.phone;
  if (!Object.keys(data).length) return false;
  await ctx.tickets.update(t, data);
  await recordEvent(ctx, t, 'details_added', data);
  await ctx.text(R.detailsAdded.text({ title: ticketTitle(t), details: Object.values(data).join('，') }), [], { ticketId: t.id });
  return true;
}
