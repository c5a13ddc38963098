/**
 * Intake: a customer's message becomes a ticket (fault, consultation or
 * complaint), or adds to one, or is left alone. A report split over
 * consecutive messages is merged; a second report of an open fault is linked
 * to it; a missing level is asked for, one question at a time.
 */
import { parseLevelAnswer, parseReport, type ParsedReport } from '../domain/report-parser.js';
import { normalise, parseRating } from '../domain/commands.js';
import { deadlines } from '../domain/sla.js';
import { clip, formatTime, statusLabel, ticketTitle } from '../domain/wording.js';
import type { Person, Ticket } from '../store/types.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { acceptOrAskFee, askMissing, limitsLine, tellManagers, ticketSummary } from './process.js';
import { askLevel, closeQuestions, openQuestion } from './questions.js';
import { SYSTEM, allocateNumber, applyAction, contractOf, contractOfCustomer, markCreated, recordEvent, slaTicketOf, syncTimers } from './tickets.js';
import type { InboundMessage } from '../core/channel.js';
import { runCommand } from './jobs.js';

const MAX_CONTENT = 4000;

/** Earlier fragments ("小寨站") from the same person in this chat within the merge window. */
async function recentFragments(ctx: Ctx, msg: InboundMessage): Promise<Array<{ id: number; text: string; receivedAt: Date }>> {
  const windowMs = (await contractOfCustomer(ctx, ctx.chat.customerId)).contract.intake.mergeWindow.seconds * 1000;
  const rows = await ctx.tx.inboundEvent.findMany({
    where: {
      channel: msg.channel,
      chatPlatformId: msg.chat.id,
      senderPlatformId: msg.sender.id,
      outcome: 'fragment',
      receivedAt: { gte: new Date(ctx.now.getTime() - windowMs) },
    },
    orderBy: { id: 'asc' },
    take: 5,
    select: { id: true, text: true, receivedAt: true },
  });
  return rows.map((r) => ({ id: r.id, text: r.text ?? '', receivedAt: r.receivedAt }));
}

/** A message that carries a piece of a report (a site, a phone, a device) but is not one by itself. */
function isFragment(p: ParsedReport): boolean {
  return p.kind === 'other' && Boolean(p.site || p.device || p.phone) && !p.symptom;
}

export async function handleCustomerMessage(ctx: Ctx, msg: InboundMessage, person: Person): Promise<void> {
  const lex = ctx.deps.lexicon;
  const q = await openQuestion(ctx, person.id);
  if (q && (await answerQuestion(ctx, q, msg, person))) return;

  let parsed = parseReport(msg.text, lex);
  let content = msg.text;
  let reportedAt = ctx.now;
  const fragments = await recentFragments(ctx, msg);
  if (parsed.kind !== 'consultation' && parsed.kind !== 'complaint' && fragments.length) {
    const merged = [...fragments.map((f) => f.text), msg.text].join('\n');
    const mp = parseReport(merged, lex);
    if (mp.kind === 'fault') {
      parsed = mp;
      content = merged;
      reportedAt = fragments[0]!.receivedAt;
      // The fragments are now part of this report; they must not merge again.
      await ctx.tx.inboundEvent.updateMany({ where: { id: { in: fragments.map((f) => f.id) } }, data: { outcome: 'processed' } });
    }
  }

  switch (parsed.kind) {
    case 'fault':
      return reportFault(ctx, msg, person, parsed, content, reportedAt);
    case 'consultation':
      return openConsultation(ctx, msg, person, parsed, content);
    case 'complaint':
      return receiveComplaint(ctx, msg, person, parsed, content);
    default:
      if (await thanksClosesConsultation(ctx, msg, person)) return;
      if (await answersProgressQuestion(ctx, msg, person)) return;
      if (await fillsRecentTicket(ctx, person, parsed)) return;
      ctx.outcome = isFragment(parsed) ? 'fragment' : 'ignored';
  }
}

/** Fields of a new ticket common to every kind. */
async function newTicket(
  ctx: Ctx,
  msg: InboundMessage,
  person: Person,
  parsed: ParsedReport,
  kind: 'fault' | 'consultation' | 'complaint',
  content: string,
  reportedAt: Date,
): Promise<Ticket> {
  const entry = await contractOfCustomer(ctx, ctx.chat.customerId);
  const number = await allocateNumber(ctx, entry, reportedAt);
  const phone = parsed.phone ?? person.phone ?? null;
  if (parsed.phone && parsed.phone !== person.phone) {
    await ctx.tx.person.update({ where: { id: person.id }, data: { phone: parsed.phone } });
  }
  const ticket = await ctx.tx.ticket.create({
    data: {
      number,
      kind,
      status: 'reported',
      customerId: ctx.chat.customerId,
      chatId: ctx.chat.id,
      reporterId: person.id,
      grade: kind === 'consultation' ? 'B' : parsed.grade,
      site: parsed.site,
      device: parsed.device,
      symptom: parsed.symptom ? clip(parsed.symptom, 500) : null,
      contact: parsed.contact ?? person.name,
      phone,
      startedText: parsed.startedAt,
      content: content.slice(0, MAX_CONTENT),
      hardware: kind === 'fault' && parsed.hardware,
      levelEvidence: JSON.stringify(parsed.levelEvidence ?? []),
      sourceMessageId: msg.messageId,
      reportedAt,
      contractHash: entry.hash,
    },
  });
  markCreated(ctx, ticket);
  await recordEvent(ctx, ticket, 'reported', { kind, text: clip(content, 500) }, { to: 'reported' });
  syncTimers(ctx, ticket);
  return ticket;
}

async function reportFault(ctx: Ctx, msg: InboundMessage, person: Person, parsed: ParsedReport, content: string, reportedAt: Date): Promise<void> {
  const dup = await openDuplicate(ctx, parsed);
  if (dup) {
    await recordEvent(ctx, dup, 'duplicate_report', { text: clip(content, 500), reporter: person.name });
    await ctx.text(
      `该故障已有工单 ${ticketTitle(dup)} 正在处理（${dup.site ?? ''} ${dup.device ?? ''}），我们会在原工单跟进，不再重复建单。`,
      [mentionOf(person)],
      { ticketId: dup.id, replyTo: msg.messageId },
    );
    return;
  }
  let ticket = await newTicket(ctx, msg, person, parsed, 'fault', content, reportedAt);
  await ctx.text(
    `已收到报修，工单 ${ticketTitle(ticket)}。${ticketSummary(ticket) ? `\n${ticketSummary(ticket)}` : ''}`,
    [mentionOf(person)],
    { ticketId: ticket.id, replyTo: msg.messageId },
  );
  if (parsed.level !== null) {
    const r = await applyAction(ctx, ticket, { type: 'set_level', level: parsed.level }, { actor: SYSTEM, detail: { evidence: parsed.levelEvidence } });
    if (r.ok) ticket = r.ticket;
    await acceptOrAskFee(ctx, ticket, person);
  } else {
    await askLevel(ctx, ticket, person);
  }
}

/** An open fault with the same site and device in the same customer's chats. */
async function openDuplicate(ctx: Ctx, parsed: ParsedReport): Promise<Ticket | null> {
  if (!parsed.site || !parsed.device) return null;
  return ctx.tx.ticket.findFirst({
    where: {
      kind: 'fault',
      site: parsed.site,
      device: parsed.device,
      status: { notIn: ['closed', 'cancelled', 'resolved', 'confirmed'] },
      ...(ctx.chat.customerId ? { customerId: ctx.chat.customerId } : { chatId: ctx.chat.id }),
    },
    orderBy: { id: 'desc' },
  });
}

async function openConsultation(ctx: Ctx, msg: InboundMessage, person: Person, parsed: ParsedReport, content: string): Promise<void> {
  const ticket = await newTicket(ctx, msg, person, parsed, 'consultation', content, ctx.now);
  const r = await applyAction(ctx, ticket, { type: 'accept' }, { actor: SYSTEM });
  const t = r.ok ? r.ticket : ticket;
  const limits = await limitsLine(ctx, t);
  await ctx.text(
    `已收到您的咨询，编号 ${ticketTitle(t)}，工程师会尽快答复${limits ? `（${limits}）` : ''}。`,
    [mentionOf(person)],
    { ticketId: t.id, replyTo: msg.messageId },
  );
  await tellManagers(ctx, t, `新咨询 ${ticketTitle(t)}（${ctx.chat.title ?? ctx.chat.platformId}）：${clip(content, 120)}\n请安排工程师在群内答复（回复「答复 #${t.id} 内容」）。`, ['manager']);
}

async function receiveComplaint(ctx: Ctx, msg: InboundMessage, person: Person, parsed: ParsedReport, content: string): Promise<void> {
  const ticket = await newTicket(ctx, msg, person, parsed, 'complaint', content, ctx.now);
  const related = await ctx.tx.ticket.findFirst({
    where: { chatId: ctx.chat.id, kind: 'fault', reporterId: person.id },
    orderBy: { id: 'desc' },
  });
  const desk = await ctx.tx.person.findFirst({ where: { channel: ctx.chat.channel, role: 'desk' }, orderBy: { id: 'asc' } });
  await ctx.tx.complaint.create({
    data: {
      ticketId: ticket.id,
      receiver: desk?.name ?? '客户服务部',
      complainant: person.name,
      contact: parsed.phone ?? person.phone ?? null,
      content: content.slice(0, MAX_CONTENT),
      demand: extractDemand(content),
      relatedTicketId: related?.id ?? null,
      wantsOtherEngineer: /(换|更换)(个|一个)?(工程师|人)/.test(content),
    },
  });
  const r = await applyAction(ctx, ticket, { type: 'accept' }, { actor: SYSTEM });
  const t = r.ok ? r.ticket : ticket;
  const limits = await limitsLine(ctx, t);
  await ctx.text(
    `非常抱歉给您带来不便。您的投诉已登记，编号 ${ticketTitle(t)}，服务监督部门将调查处理${limits ? `，并于${limits.replace(/^[^ ]+ /, '')}反馈调查结果` : ''}。`,
    [mentionOf(person)],
    { ticketId: t.id, replyTo: msg.messageId },
  );
  await tellManagers(
    ctx,
    t,
    `📣 新投诉 ${ticketTitle(t)}（${ctx.chat.title ?? ctx.chat.platformId}，投诉人 ${person.name}）：${clip(content, 160)}${related ? `\n涉及工单 ${ticketTitle(related)}` : ''}\n时限：${limits}。处理后请回复「调查结果 #${t.id} 内容」。`,
    ['desk', 'manager'],
  );
}

/** "要求…" / "希望…" — the complainant's demand, when stated. */
function extractDemand(text: string): string | null {
  const m = /(要求|希望|请)([^。！!？?\n]{2,80})/.exec(text);
  return m ? `${m[1]}${m[2]}` : null;
}

/** A question (吗/呢/？/什么时候…), as opposed to a statement or a command. */
export function isQuestion(text: string): boolean {
  return /[吗么呢嘛][?？!！。~～]*$|[?？]|什么时候|啥时候|几点|多久|怎么样了|有没有|没有?[?？]?$/.test(text);
}

const PROGRESS = /(到了?[吗没]|到场了?[吗没]|来了?[吗没]|什么时候|啥时候|几点|多久|进展|进度|怎么样了|处理得?怎么样|修好了?[吗没]|好了[吗没]|有人(管|处理|跟进)[吗没]?|接单了?[吗没]|派单了?[吗没]|还要等)/;

/**
 * "工程师到场了吗" / "什么时候能来": the reporter asks how their open ticket stands.
 * Answered with its status, who has it and the next deadline; nothing changes.
 */
async function answersProgressQuestion(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  const text = normalise(msg.text);
  if (text.length > 60 || !PROGRESS.test(text)) return false;
  const t = await ctx.tx.ticket.findFirst({
    where: { chatId: ctx.chat.id, reporterId: person.id, status: { notIn: ['closed', 'cancelled'] } },
    orderBy: { id: 'desc' },
  });
  if (!t) return false;
  await ctx.text(await progressLine(ctx, t, t.assigneeId ? await ctx.tx.person.findUnique({ where: { id: t.assigneeId } }) : null), [mentionOf(person)], {
    ticketId: t.id,
    replyTo: msg.messageId,
  });
  return true;
}

async function progressLine(ctx: Ctx, t: Ticket, assignee: Person | null): Promise<string> {
  const entry = await contractOf(ctx, t);
  const tz = entry.contract.timezone;
  const running = deadlines(slaTicketOf(t), entry.contract, entry.calendar, ctx.now).filter((d) => !d.stoppedAt && ['first_response', 'on_site', 'consultation_response', 'complaint_answer', 'detection_report'].includes(d.clock));
  const who = assignee ? `工程师 ${assignee.name}${t.status === 'assigned' ? '（待接单）' : ''}` : '正在安排工程师';
  const next = running.length ? `；${running.map((d) => `${d.label}时限 ${formatTime(d.dueAt, tz, ctx.now)}`).join('，')}` : '';
  return `${ticketTitle(t)} 当前状态：${statusLabel(t.status)}，${who}${next}。如有变化我们会在群里通知您。`;
}

const FIXED = /^(好了|可以了|正常了|已?恢复(正常)?了?|没问题了?|修好了|已经好了|能用了|好使了)(?=$|[，,。.!！\s]|谢谢)/;
const NOT_FIXED = /^(还是?不行|不行|还没好|没好|还是坏的|还有问题)/;

const PLACE = /(站|中心|段|场|楼|层|室|机房|号线|出入口|口|厅|车辆|库|基地|大厦|公司)/;

const THANKS = /^(谢谢|多谢|感谢|好的谢谢|明白了|懂了|收到谢谢|ok|好的)/i;

async function thanksClosesConsultation(ctx: Ctx, msg: InboundMessage, person: Person): Promise<boolean> {
  if (!THANKS.test(normalise(msg.text))) return false;
  const t = await ctx.tx.ticket.findFirst({
    where: { chatId: ctx.chat.id, reporterId: person.id, kind: 'consultation', status: 'resolved' },
    orderBy: { id: 'desc' },
  });
  if (!t) return false;
  const r = await applyAction(ctx, t, { type: 'close' }, { actor: SYSTEM, detail: { by: 'customer_thanks' } });
  if (r.ok) await ctx.text(`不客气！咨询 ${ticketTitle(t)} 已办结。`, [], { ticketId: t.id });
  return r.ok;
}

/** A site or phone sent right after a report that lacked it. */
async function fillsRecentTicket(ctx: Ctx, person: Person, parsed: ParsedReport): Promise<boolean> {
  if (!parsed.site && !parsed.phone) return false;
  const windowMs = (await contractOfCustomer(ctx, ctx.chat.customerId)).contract.intake.mergeWindow.seconds * 1000;
  const t = await ctx.tx.ticket.findFirst({
    where: { chatId: ctx.chat.id, reporterId: person.id, kind: 'fault', reportedAt: { gte: new Date(ctx.now.getTime() - windowMs) } },
    orderBy: { id: 'desc' },
  });
  if (!t) return false;
  const data: { site?: string; phone?: string } = {};
  if (parsed.site && !t.site) data.site = parsed.site;
  if (parsed.phone && !t.phone) data.phone = parsed.phone;
  if (!Object.keys(data).length) return false;
  await ctx.tx.ticket.update({ where: { id: t.id }, data });
  await recordEvent(ctx, t, 'details_added', data);
  await ctx.text(`已补充到工单 ${ticketTitle(t)}：${Object.values(data).join('，')}。`, [], { ticketId: t.id });
  return true;
}

/**
 * Tries the message as the answer to the person's open question. Returns false
 * when it is not an answer (the message is then handled as anything else).
 */
async function answerQuestion(
  ctx: Ctx,
  q: { id: number; kind: string; ticketId: number | null },
  msg: InboundMessage,
  person: Person,
): Promise<boolean> {
  if (!q.ticketId) return false;
  const ticket = await ctx.tx.ticket.findUnique({ where: { id: q.ticketId } });
  if (!ticket) return false;
  const text = normalise(msg.text);
  const lex = ctx.deps.lexicon;
  const done = () => ctx.tx.pendingQuestion.update({ where: { id: q.id }, data: { state: 'answered' } });
  switch (q.kind) {
    case 'level': {
      const a = parseLevelAnswer(text, lex);
      if (!a) return false;
      await done();
      // An answer can carry details too ("小寨站全部刷不了").
      const extra = parseReport(text, lex);
      const data = {
        // The words that decided the level are now the answer's (shown to engineers with the ticket).
        levelEvidence: JSON.stringify(a.evidence),
        ...(extra.site && !ticket.site ? { site: extra.site } : {}),
        ...(extra.phone && !ticket.phone ? { phone: extra.phone } : {}),
      };
      const r = await applyAction(ctx, ticket, { type: 'set_level', level: a.level }, { data, detail: { evidence: a.evidence, answer: clip(text, 100) } });
      if (!r.ok) {
        await ctx.text(r.reason, [mentionOf(person)], { ticketId: ticket.id });
        return true;
      }
      await acceptOrAskFee(ctx, r.ticket, person);
      return true;
    }
    case 'site': {
      const p = parseReport(text, lex);
      // A place the lexicon does not know is taken as written, if it reads like one ("二号线三号机房"), not "好的".
      const site = p.site ?? (text.length <= 30 && p.kind === 'other' && !/[?？]/.test(text) && PLACE.test(text) ? text : null);
      if (!site) return false;
      await done();
      const t = await ctx.tx.ticket.update({ where: { id: ticket.id }, data: { site } });
      await recordEvent(ctx, t, 'details_added', { site });
      await ctx.text(`好的，位置：${site}。`, [], { ticketId: t.id });
      await askMissing(ctx, t, person);
      return true;
    }
    case 'phone': {
      const p = parseReport(text, lex);
      if (!p.phone) return false;
      await done();
      const t = await ctx.tx.ticket.update({ where: { id: ticket.id }, data: { phone: p.phone } });
      if (!person.phone) await ctx.tx.person.update({ where: { id: person.id }, data: { phone: p.phone } });
      await recordEvent(ctx, t, 'details_added', { phone: p.phone });
      await ctx.text(`好的，联系电话 ${p.phone} 已记录。`, [], { ticketId: t.id });
      return true;
    }
    case 'confirm': {
      // "1" / "2", or the way people answer: "正常了，谢谢", "可以了", "还是不行".
      const cmd = text === '1' || FIXED.test(text) ? 'confirm' : text === '2' || NOT_FIXED.test(text) ? 'deny_fix' : null;
      if (!cmd) return false;
      await runCommand(ctx, msg, person, { type: cmd, ref: { short: ticket.id } });
      return true;
    }
    case 'rate': {
      const r = parseRating(text);
      if (!r) return false;
      await runCommand(ctx, msg, person, { type: 'rate', ref: { short: ticket.id }, score: r.score, ...(r.comment ? { comment: r.comment } : {}) });
      return true;
    }
    case 'fee': {
      if (!/^(同意|可以|好的?|1)$/.test(text)) return false;
      await runCommand(ctx, msg, person, { type: 'agree_fee', ref: { short: ticket.id } });
      return true;
    }
  }
  return false;
}

/**
 * The most plausible level when the text did not decide it: from the service
 * grade where the parser saw one (system down → 1, degraded → 2, hidden danger → 4),
 * else 3, the most common case (one device in one place).
 */
export function plausibleLevel(p: ParsedReport): 1 | 2 | 3 | 4 {
  if (p.level !== null) return p.level;
  return p.grade === 'A' ? 1 : p.grade === 'C' ? 2 : p.grade === 'D' ? 4 : 3;
}

/** Question timed out: record the most plausible level as provisional and tell the desk. */
export async function levelQuestionTimedOut(ctx: Ctx, ticket: Ticket): Promise<void> {
  if (ticket.level !== null || ticket.status !== 'reported') return;
  const guess = plausibleLevel(parseReport(ticket.content, ctx.deps.lexicon));
  await closeQuestions(ctx, ticket.id, ['level']);
  const r = await applyAction(ctx, ticket, { type: 'set_level', level: guess, provisional: true }, { actor: SYSTEM, detail: { reason: 'question_timeout' } });
  if (!r.ok) return;
  const reporter = await ctx.tx.person.findUnique({ where: { id: ticket.reporterId } });
  await tellManagers(
    ctx,
    r.ticket,
    `工单 ${ticketTitle(r.ticket)} 客户未答复影响范围，已暂定为 ${guess} 级（待核实）。请客服确认，如需调整回复「#${r.ticket.id} 改为X级」。`,
    ['desk'],
  );
  await acceptOrAskFee(ctx, r.ticket, reporter!);
}
