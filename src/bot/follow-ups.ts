/**
 * What a customer says about a ticket they already have, when it is not a
 * report, a command or the answer to a question: thanks that close an
 * answered consultation, "到场了吗" about how it stands, a site or phone sent
 * right after a report that lacked it.
 */
import { normalise } from '../domain/commands.js';
import type { ParsedReport } from '../domain/report-parser.js';
import { formatTime, statusLabel, ticketTitle } from '../domain/wording.js';
import { deadlinesOf, type Ticket } from '../store/tickets.js';
import type { Person } from '../store/types.js';
import type { InboundMessage } from '../core/channel.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { personById } from './directory.js';
import { SYSTEM, applyAction, recordEvent } from './transitions.js';

/** A question (吗/呢/？/什么时候…), as opposed to a statement or a command. */
export function isQuestion(text: string): boolean {
  return /[吗么呢嘛][?？!！。~～]*$|[?？]|什么时候|啥时候|几点|多久|怎么样了|有没有|没有?[?？]?$/.test(text);
}

const PROGRESS = /(到了?[吗没]|到场了?[吗没]|来了?[吗没]|什么时候|啥时候|几点|多久|进展|进度|怎么样了|处理得?怎么样|修好了?[吗没]|好了[吗没]|有人(管|处理|跟进)[吗没]?|接单了?[吗没]|派单了?[吗没]|还要等)/;

/** A short question about how things stand ("到场了吗", "什么时候能来"), not a new report or consultation. */
export function isProgressQuestion(text: string): boolean {
  const t = normalise(text);
  return t.length <= 60 && PROGRESS.test(t);
}

const THANKS = /^(谢谢|多谢|感谢|好的谢谢|明白了|懂了|收到谢谢|ok|好的)/i;

/** "谢谢" after a consultation was answered closes it. */
export async function thanksClosesConsultation(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  if (!THANKS.test(normalise(msg.text))) return false;
  const t = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id, { kind: 'consultation', statuses: ['resolved'] });
  if (!t) return false;
  const r = await applyAction(ctx, t, { type: 'close' }, { actor: SYSTEM, detail: { by: 'customer_thanks' } });
  if (r.ok) await ctx.text(`不客气！咨询 ${ticketTitle(t)} 已办结。`, [], { ticketId: t.id });
  return r.ok;
}

/**
 * "工程师到场了吗" / "什么时候能来": the reporter asks how their open ticket stands.
 * Answered with its status, who has it and the next deadline; nothing changes.
 */
export async function answersProgressQuestion(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  if (!isProgressQuestion(msg.text)) return false;
  const t = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id);
  if (!t) return false;
  await ctx.text(progressLine(ctx, t, await personById(ctx.tx, t.assigneeId)), [mentionOf(person)], {
    ticketId: t.id,
    replyTo: msg.messageId,
  });
  return true;
}

function progressLine(ctx: Ctx, t: Ticket, assignee: Person | null): string {
  const tz = t.contract.contract.timezone;
  const running = deadlinesOf(t, ctx.now).filter((d) => !d.stoppedAt && ['first_response', 'on_site', 'consultation_response', 'complaint_answer', 'detection_report'].includes(d.clock));
  const who = assignee ? `工程师 ${assignee.name}${t.status === 'assigned' ? '（待接单）' : ''}` : '正在安排工程师';
  const next = running.length ? `；${running.map((d) => `${d.label}时限 ${formatTime(d.dueAt, tz, ctx.now)}`).join('，')}` : '';
  return `${ticketTitle(t)} 当前状态：${statusLabel(t.status)}，${who}${next}。如有变化我们会在群里通知您。`;
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
  await ctx.text(`已补充到工单 ${ticketTitle(t)}：${Object.values(data).join('，')}。`, [], { ticketId: t.id });
  return true;
}
