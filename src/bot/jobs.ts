/**
 * Commands people give in the chat (and by button): engineers take and move
 * jobs, managers assign, customers confirm and rate. Every command is checked
 * against the sender's role and the ticket's chat by the state machine; a
 * refusal is answered politely and changes nothing.
 */
import type { Command, TicketRef } from '../domain/commands.js';
import type { Role } from '../domain/contract.js';
import { STATUS_LABELS, type TicketStatus } from '../domain/ticket.js';
import { KIND_LABELS, clip, formatTime, levelName, statusLabel, ticketTitle } from '../domain/wording.js';
import { deadlinesOf, type Ticket, type TicketScope } from '../store/tickets.js';
import type { Person } from '../store/types.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { personById, resolvePerson, updatePerson } from './directory.js';
import { acceptOrAskFee, announceAccepted } from './acceptance.js';
import { onDissatisfied, tellManagers } from './escalation.js';
import { RATING_LABELS, askConfirm, askRating, closeQuestions, openQuestion } from './questions.js';
import { applyAction, recordEvent } from './transitions.js';
import type { ChannelName, InboundMessage, Mention, PlatformUser } from '../core/channel.js';

const STAFF_ONLY = new Set<Command['type']>([
  'acknowledge', 'assign', 'transfer', 'arrive', 'resolve', 'request_spare', 'replace_part', 'medium_retained',
  'detection_report', 'waive_fee', 'answer', 'investigation', 'correction', 'bind_customer', 'set_role',
]);
const MANAGERS_ONLY = new Set<Command['type']>(['assign', 'waive_fee', 'set_role']);
const COMMAND_WORDS: Partial<Record<Command['type'], string>> = {
  acknowledge: '接单', assign: '派单', transfer: '转派', arrive: '到场', resolve: '已修复', request_spare: '申请备件',
  replace_part: '更换备件', medium_retained: '介质留存', detection_report: '检测报告', waive_fee: '免费处理',
  answer: '答复', investigation: '调查结果', correction: '整改', bind_customer: '绑定客户', set_role: '设置角色', set_level: '调整级别', cancel: '撤销',
};

/** The statuses a command can act on, to tell which of an engineer's jobs a bare command means. */
const APPLIES_TO: Partial<Record<Command['type'], TicketStatus[]>> = {
  acknowledge: ['assigned', 'reopened'],
  arrive: ['assigned', 'acknowledged', 'reopened'],
  resolve: ['acknowledged', 'on_site', 'replacing', 'reopened'],
  request_spare: ['acknowledged', 'on_site', 'replacing', 'reopened'],
  detection_report: ['replacing'],
  replace_part: ['acknowledged', 'on_site', 'replacing', 'reopened'],
};

type Source = Pick<InboundMessage, 'messageId' | 'mentions'> & { replyToMessageId?: string };

function say(ctx: Ctx, person: Person, text: string, ticket?: Ticket | null): Promise<number> {
  ctx.clickAnswer.toast ??= clip(text, 60);
  return ctx.text(text, [mentionOf(person)], { ticketId: ticket?.id ?? null });
}

/** The ticket a command means: named, quoted, or the only one that fits. */
async function resolveTicket(ctx: Ctx, src: Source, person: Person, cmd: Command): Promise<Ticket | null | 'ambiguous'> {
  const ref: TicketRef | undefined = 'ref' in cmd ? cmd.ref : undefined;
  if (ref) return ctx.tickets.byRef(ref);
  if (src.replyToMessageId) {
    const quoted = await ctx.tickets.aboutMessage(src.replyToMessageId);
    if (quoted) return quoted;
  }
  const role = person.role;
  if (role === 'customer') {
    const q = await openQuestion(ctx, person.id);
    if (q?.ticketId) return ctx.tickets.get(q.ticketId);
    const wanted: Partial<Record<Command['type'], TicketStatus[]>> = {
      confirm: ['resolved'], deny_fix: ['resolved'], rate: ['confirmed', 'resolved'], agree_fee: ['awaiting_fee'], cancel: ['reported', 'level_known', 'awaiting_fee', 'accepted'],
    };
    const statuses = wanted[cmd.type];
    if (!statuses) return null;
    const mine = await ctx.tickets.ofReporter(ctx.chat.id, person.id, statuses, 2);
    return mine.length === 1 ? mine[0]! : mine.length ? 'ambiguous' : null;
  }
  const jobs = await ctx.tickets.jobsOf(person.id);
  if (jobs.length === 1) return jobs[0]!;
  if (jobs.length > 1) {
    // Several jobs: the ones the command can apply to, and of those the ones in this chat
    // ("接单" in the chat of the job just assigned, while another job is in hand elsewhere).
    const fits = APPLIES_TO[cmd.type];
    const fitting = fits ? jobs.filter((j) => fits.includes(j.status)) : jobs;
    if (fitting.length === 1) return fitting[0]!;
    const here = fitting.filter((j) => j.chatId === ctx.chat.id);
    if (here.length === 1) return here[0]!;
    return 'ambiguous';
  }
  if (cmd.type === 'acknowledge' || cmd.type === 'arrive') {
    // Nobody's job yet: the one ticket in this chat waiting for an engineer.
    const waiting = await ctx.tickets.inChat(ctx.chat.id, ['accepted'], 2);
    if (waiting.length === 1) return waiting[0]!;
    if (waiting.length > 1) return 'ambiguous';
  }
  return null;
}

async function mentionedPeople(ctx: Ctx, mentions: PlatformUser[]): Promise<Person[]> {
  const out: Person[] = [];
  for (const m of mentions.slice(0, 10)) out.push(await resolvePerson(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, m));
  return out;
}

export async function runCommand(ctx: Ctx, src: Source, person: Person, cmd: Command): Promise<void> {
  const role = person.role;
  if (STAFF_ONLY.has(cmd.type) && role === 'customer') {
    await say(ctx, person, `抱歉，「${COMMAND_WORDS[cmd.type] ?? cmd.type}」是服务人员的操作。如需报修或咨询，请直接描述情况，我们会尽快处理。`);
    return;
  }
  if (MANAGERS_ONLY.has(cmd.type) && !['manager', 'vp', 'desk'].includes(role)) {
    await say(ctx, person, `抱歉，「${COMMAND_WORDS[cmd.type]}」需由部门经理或客服操作。`);
    return;
  }
  switch (cmd.type) {
    case 'help':
      await say(ctx, person, helpText(role));
      return;
    case 'my_tickets':
      return myTickets(ctx, person);
    case 'open_tickets':
      return openTickets(ctx, person);
    case 'bind_customer':
      return bindCustomer(ctx, person, cmd.name);
    case 'set_role':
      return setRole(ctx, person, cmd.role, await mentionedPeople(ctx, src.mentions));
  }

  const found = await resolveTicket(ctx, src, person, cmd);
  if (found === 'ambiguous') {
    await say(ctx, person, `您名下有多张工单，请带上工单号，例如「${COMMAND_WORDS[cmd.type] ?? '查询'} #12」。`);
    return;
  }
  if (!found) {
    await say(ctx, person, 'ref' in cmd && cmd.ref ? '没有找到这张工单，请核对工单号。' : `请带上工单号，例如「${COMMAND_WORDS[cmd.type] ?? '查询'} #12」。`);
    return;
  }
  const ticket = found;
  // A customer sees and acts on the tickets of their own chat only.
  if (role === 'customer' && ticket.chatId !== ctx.chat.id) {
    await say(ctx, person, '没有找到这张工单，请核对工单号。');
    return;
  }
  await onTicket(ctx, src, person, ticket, cmd);
}

async function onTicket(ctx: Ctx, src: Source, person: Person, ticket: Ticket, cmd: Command): Promise<void> {
  // Given elsewhere (the managers' group), a refusal names the ticket it is about.
  const refuse = (reason: string) => say(ctx, person, ticket.chatId === ctx.chat.id ? reason : `${ticketTitle(ticket)}：${reason}`, ticket);
  const entry = ticket.contract;
  const tz = entry.contract.timezone;
  const chat = await ctx.chatOf(ticket);
  let echoed = false;
  const inTicketChat = async (text: string, mentions: Mention[] = []) => {
    const id = await ctx.text(text, mentions, { chat, ticketId: ticket.id, ...(ticket.sourceMessageId ? { replyTo: ticket.sourceMessageId } : {}) });
    // A command given elsewhere (the managers' group, a private chat) is answered there too.
    if (chat.id !== ctx.chat.id && !echoed) {
      echoed = true;
      await ctx.text(`已处理 ${ticketTitle(ticket)}，已在「${chat.title ?? chat.platformId}」通知：${clip(text, 80)}`, [mentionOf(person)], { ticketId: ticket.id });
    }
    return id;
  };
  const reporter = (await personById(ctx.tx, ticket.reporterId))!;

  switch (cmd.type) {
    case 'query':
      await ctx.text(serviceRecord(ctx, ticket, reporter, await personById(ctx.tx, ticket.assigneeId)), [], { ticketId: ticket.id });
      ctx.clickAnswer.toast = '已发送工单详情';
      return;
    case 'acknowledge': {
      const r = await applyAction(ctx, ticket, { type: 'acknowledge' });
      if (!r.ok) return void (await refuse(r.reason));
      ctx.clickAnswer = { toast: '已接单', chosen: `${person.name} 已接单` };
      await inTicketChat(`工程师 ${person.name} 已接单 ${ticketTitle(ticket)}，将尽快与您联系。`, [mentionOf(reporter)]);
      return;
    }
    case 'assign':
    case 'transfer': {
      const [target] = (await mentionedPeople(ctx, src.mentions)).filter((p) => p.id !== person.id || cmd.type === 'assign');
      if (!target) return void (await refuse(`请 @ 要${cmd.type === 'assign' ? '派给' : '转给'}的工程师，例如「${COMMAND_WORDS[cmd.type]} #${ticket.id} @张工」。`));
      if (target.role !== 'engineer') return void (await refuse(`${target.name} 不是工程师，不能接收工单。`));
      const r = await applyAction(ctx, ticket, { type: cmd.type, assigneeId: target.id }, { detail: { to: target.name, note: 'note' in cmd ? cmd.note : undefined } });
      if (!r.ok) return void (await refuse(r.reason));
      await inTicketChat(`${ticketTitle(ticket)} 已${cmd.type === 'assign' ? '派给' : '转派给'} ${target.name}，请接单。`, [mentionOf(target)]);
      return;
    }
    case 'arrive': {
      const r = await applyAction(ctx, ticket, { type: 'arrive', ...(cmd.note ? { note: cmd.note } : {}) }, { data: cmd.note ? { arrivalState: cmd.note } : {} });
      if (!r.ok) return void (await refuse(r.reason));
      ctx.clickAnswer = { toast: '已记录到场', chosen: `${person.name} 已到场` };
      await inTicketChat(`工程师 ${person.name} 已到达现场（${ticketTitle(ticket)}）。`, [mentionOf(reporter)]);
      return;
    }
    case 'resolve': {
      const r = await applyAction(ctx, ticket, { type: 'resolve', ...(cmd.note ? { note: cmd.note } : {}) }, {
        data: cmd.note ? { resolutionNote: cmd.note, handling: cmd.note } : {},
      });
      if (!r.ok) return void (await refuse(r.reason));
      ctx.clickAnswer = { toast: '已报修复', chosen: `${person.name} 已报修复` };
      await closeQuestions(ctx, ticket.id);
      if (ticket.kind === 'fault') {
        await askConfirm(ctx, r.ticket, reporter);
        if (ticket.sparePart && !ticket.mediumRetained && entry.contract.magneticMedia.some((w) => ticket.sparePart!.includes(w))) {
          // Contract rule 5: a failed disk stays with the customer; the record needs it confirmed.
          await inTicketChat(`请确认更换下的${ticket.sparePart}已留存客户处，回复「介质已留存 #${ticket.id}」。`, [mentionOf(person)]);
        }
      } else if (ticket.kind === 'complaint') await askRating(ctx, r.ticket, reporter);
      else await inTicketChat(`咨询 ${ticketTitle(ticket)} 已答复${cmd.note ? `：${cmd.note}` : ''}。如还有疑问请继续提出。`, [mentionOf(reporter)]);
      return;
    }
    case 'answer': {
      if (ticket.kind !== 'consultation') return void (await refuse('「答复」用于咨询单；故障请用「已修复」。'));
      const r = await applyAction(ctx, ticket, { type: 'resolve', note: cmd.text }, { data: { handling: cmd.text, resolutionNote: cmd.text } });
      if (!r.ok) return void (await refuse(r.reason));
      await inTicketChat(`关于咨询 ${ticketTitle(ticket)}，工程师 ${person.name} 答复：${cmd.text}\n如已解决，回复「谢谢」即可办结。`, [mentionOf(reporter)]);
      return;
    }
    case 'investigation': {
      if (ticket.kind !== 'complaint') return void (await refuse('「调查结果」用于投诉单。'));
      const r = await applyAction(ctx, ticket, { type: 'resolve', note: cmd.text }, { data: { handling: cmd.text } });
      if (!r.ok) return void (await refuse(r.reason));
      await ctx.tx.complaint.update({ where: { ticketId: ticket.id }, data: { investigation: cmd.text, firstOpinion: cmd.text, answeredAt: ctx.now } });
      await inTicketChat(`关于您的投诉 ${ticketTitle(ticket)}，调查结果：${cmd.text}`, [mentionOf(reporter)]);
      await askRating(ctx, r.ticket, reporter);
      return;
    }
    case 'correction': {
      // The complaint record's correction process (投诉记录: 纠正过程), kept with the complaint.
      const complaint = ticket.kind === 'complaint' ? await ctx.tx.complaint.findUnique({ where: { ticketId: ticket.id } }) : null;
      if (!complaint) return void (await refuse('「整改」用于投诉单，例如「整改 #13 已更换工程师并复查设备」。'));
      const correction = complaint.correction ? `${complaint.correction}\n${cmd.text}` : cmd.text;
      await ctx.tx.complaint.update({ where: { id: complaint.id }, data: { correction: correction.slice(0, 4000) } });
      await recordEvent(ctx, ticket, 'correction', { text: cmd.text });
      await inTicketChat(`关于投诉 ${ticketTitle(ticket)}，整改情况：${cmd.text}`, [mentionOf(reporter)]);
      return;
    }
    case 'request_spare': {
      const part = cmd.part ?? '';
      const r = await applyAction(ctx, ticket, { type: 'request_spare', part }, { data: part ? { sparePart: part } : {} });
      if (!r.ok) return void (await refuse(r.reason));
      const limit = deadlinesOf(r.ticket, ctx.now).find((d) => d.clock === 'detection_report');
      await inTicketChat(
        `已登记备件申请${part ? `：${part}` : ''}（${ticketTitle(ticket)}）。更换件须为全新未使用件（客户书面同意的除外）。${limit ? `\n请于 ${formatTime(limit.dueAt, tz, ctx.now)} 前提交故障检测报告及维修费用（「检测报告 #${ticket.id} 内容 维修费用 X元」）。` : ''}`,
        [mentionOf(person)],
      );
      return;
    }
    case 'replace_part': {
      if (!['acknowledged', 'on_site', 'replacing', 'reopened'].includes(ticket.status)) return void (await refuse(`工单当前状态为「${statusLabel(ticket.status)}」，不能登记更换。`));
      const part = cmd.part ?? ticket.sparePart ?? '';
      const t = await ctx.tickets.update(ticket, { sparePart: part || null, spareNew: !cmd.used });
      await recordEvent(ctx, t, 'part_replaced', { part, new: !cmd.used });
      const magnetic = entry.contract.magneticMedia.some((w) => part.includes(w) || (ticket.device ?? '').includes(w));
      await inTicketChat(
        `已记录更换${part ? `：${part}` : '备件'}（${cmd.used ? '客户同意使用非全新件' : '全新未使用件'}）。` +
          (magnetic ? `\n按合同约定，损坏的硬盘等磁介质须留存客户处，不得带走。请确认后回复「介质已留存 #${ticket.id}」。` : ''),
        magnetic ? [mentionOf(person)] : [],
      );
      return;
    }
    case 'medium_retained': {
      const t = await ctx.tickets.update(ticket, { mediumRetained: true });
      await recordEvent(ctx, t, 'medium_retained', {});
      await inTicketChat(`已记录：损坏介质留存客户处（${ticketTitle(ticket)}）。`);
      return;
    }
    case 'detection_report': {
      const r = await applyAction(ctx, ticket, { type: 'detection_report', text: cmd.text, ...(cmd.cost ? { cost: cmd.cost } : {}) }, {
        data: { detectionReport: cmd.text, ...(cmd.cost ? { repairCost: cmd.cost, analysis: cmd.text } : { analysis: cmd.text }) },
      });
      if (!r.ok) return void (await refuse(r.reason));
      await inTicketChat(`故障检测报告已提交（${ticketTitle(ticket)}）：${cmd.text}${cmd.cost && !cmd.text.includes(cmd.cost) ? `；维修费用 ${cmd.cost}` : ''}。`, [mentionOf(reporter)]);
      return;
    }
    case 'set_level': {
      const r = await applyAction(ctx, ticket, { type: 'set_level', level: cmd.level }, {
        detail: { by: person.name },
        data: { levelEvidence: JSON.stringify([`${person.name} 选定${levelName(entry.contract, cmd.level)}`]) },
      });
      if (!r.ok) return void (await refuse(r.reason));
      await closeQuestions(ctx, ticket.id, ['level']);
      ctx.clickAnswer = { toast: `已选择 ${cmd.level}`, chosen: `已选择：${levelName(entry.contract, cmd.level)}` };
      if (r.ticket.status === 'level_known') {
        await acceptOrAskFee(ctx, r.ticket, reporter);
      } else {
        const dl = deadlinesOf(r.ticket, ctx.now).filter((d) => !d.stoppedAt);
        await inTicketChat(`${ticketTitle(ticket)} 故障级别调整为${levelName(entry.contract, cmd.level)}。${dl.length ? `时限：${dl.map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}前`).join('，')}。` : ''}`);
      }
      return;
    }
    case 'cancel': {
      const r = await applyAction(ctx, ticket, { type: 'cancel', ...(cmd.reason ? { reason: cmd.reason } : {}) }, { data: cmd.reason ? { summary: `撤销：${cmd.reason}` } : {} });
      if (!r.ok) return void (await refuse(r.reason));
      await closeQuestions(ctx, ticket.id);
      await inTicketChat(`${ticketTitle(ticket)} 已撤销${cmd.reason ? `（${cmd.reason}）` : ''}。`);
      return;
    }
    case 'confirm':
    case 'deny_fix':
    case 'rate': {
      const refusal = await customerMayAnswer(ctx, person, ticket);
      if (refusal) return void (await refuse(refusal));
      if (cmd.type === 'confirm') {
        const r = await applyAction(ctx, ticket, { type: 'confirm' });
        if (!r.ok) return void (await refuse(r.reason));
        await closeQuestions(ctx, ticket.id, ['confirm']);
        ctx.clickAnswer = { toast: '已确认修复', chosen: '已确认修复' };
        await askRating(ctx, r.ticket, person);
        return;
      }
      if (cmd.type === 'deny_fix') {
        const r = await applyAction(ctx, ticket, { type: 'deny_fix', ...(cmd.note ? { note: cmd.note } : {}) });
        if (!r.ok) return void (await refuse(r.reason));
        await closeQuestions(ctx, ticket.id, ['confirm']);
        ctx.clickAnswer = { toast: '已反馈未修好', chosen: '客户反馈：还没好' };
        const engineer = await personById(ctx.tx, ticket.assigneeId);
        await inTicketChat(`收到，${ticketTitle(ticket)} 已重新打开${engineer ? `，请 ${engineer.name} 继续处理` : ''}。`, engineer ? [mentionOf(engineer)] : []);
        await tellManagers(ctx, r.ticket, `客户反馈未修好，${ticketTitle(ticket)} 已返工${engineer ? `（工程师 ${engineer.name}）` : ''}${cmd.note ? `：${cmd.note}` : ''}。`, ['manager']);
        return;
      }
      const threshold = entry.contract.confirmation.dissatisfiedAtOrBelow;
      const r = await applyAction(ctx, ticket, { type: 'rate', score: cmd.score, dissatisfiedAtOrBelow: threshold }, {
        data: { feedback: cmd.comment ?? null },
        detail: { comment: cmd.comment },
      });
      if (!r.ok) return void (await refuse(r.reason));
      await ctx.tx.rating.create({ data: { ticketId: ticket.id, raterId: person.id, score: cmd.score, comment: cmd.comment ?? null, at: ctx.now } });
      await closeQuestions(ctx, ticket.id, ['rate']);
      ctx.clickAnswer = { toast: '感谢评价', chosen: `评分：${cmd.score} ${RATING_LABELS[cmd.score]}` };
      if (ticket.kind === 'complaint') {
        await ctx.tx.complaint.update({ where: { ticketId: ticket.id }, data: { satisfaction: cmd.score, customerOpinion: cmd.comment ?? null, ...(r.dissatisfied ? {} : { archivedAt: ctx.now }) } });
      }
      if (r.dissatisfied) {
        const engineer = await personById(ctx.tx, ticket.assigneeId);
        await inTicketChat(`非常抱歉没有让您满意。${ticketTitle(ticket)} 已重新打开并上报经理，我们会立即整改。`, engineer ? [mentionOf(engineer)] : []);
        await onDissatisfied(ctx, r.ticket, `评分 ${cmd.score} 分${cmd.comment ? `，意见：${cmd.comment}` : ''}`);
      } else {
        await ctx.tickets.update(ticket, { summary: r.ticket.summary ?? `客户评分 ${cmd.score} 分，已关闭归档` });
        await inTicketChat(`感谢您的评价（${cmd.score} 分）！${ticketTitle(ticket)} 已关闭。`);
      }
      return;
    }
    case 'agree_fee':
    case 'waive_fee': {
      const r = await applyAction(ctx, ticket, { type: cmd.type }, { detail: { by: person.name } });
      if (!r.ok) return void (await refuse(r.reason));
      await closeQuestions(ctx, ticket.id, ['fee']);
      ctx.clickAnswer = { toast: '已记录', chosen: cmd.type === 'agree_fee' ? '客户已同意收费' : '经理已批准免费处理' };
      await inTicketChat(cmd.type === 'agree_fee' ? `已记录 ${reporter.name} 同意收费（${ticketTitle(ticket)}），马上安排处理。` : `经理 ${person.name} 已批准免费处理 ${ticketTitle(ticket)}。`);
      await announceAccepted(ctx, r.ticket, reporter);
      return;
    }
    case 'other_engineer': {
      const complaint = await ctx.tx.complaint.findUnique({ where: { ticketId: ticket.id } });
      if (complaint) await ctx.tx.complaint.update({ where: { id: complaint.id }, data: { wantsOtherEngineer: true } });
      await recordEvent(ctx, ticket, 'other_engineer_requested', {});
      await say(ctx, person, '已记录您的要求，整改将由其他工程师负责。', ticket);
      await tellManagers(ctx, ticket, `客户要求更换工程师（${ticketTitle(ticket)}），请重新派单：「转派 #${ticket.id} @工程师」。`, ['manager']);
      return;
    }
  }
}

/** Only the reporter confirms or rates, or a customer of the chat once the reporter has been absent long enough. */
async function customerMayAnswer(ctx: Ctx, person: Person, ticket: Ticket): Promise<string | null> {
  if (person.id === ticket.reporterId) return null;
  if (person.role !== 'customer') return '请由报修客户确认或评价。';
  const entry = ticket.contract;
  const since = ticket.resolvedAt ?? ticket.confirmedAt;
  const absentMs = entry.contract.confirmation.reporterAbsentAfter.hours * 3_600_000;
  if (since && ctx.now.getTime() - since.getTime() >= absentMs && ticket.chatId === ctx.chat.id) return null;
  return '请由报修人确认或评价；如报修人不在，稍后可由本群其他同事代为确认。';
}

export function serviceRecord(ctx: Ctx, t: Ticket, reporter: Person, engineer: Person | null): string {
  const entry = t.contract;
  const tz = entry.contract.timezone;
  const at = (d: Date | null) => (d ? formatTime(d, tz, ctx.now) : '—');
  const dl = deadlinesOf(t, ctx.now);
  const lines = [
    `【客户服务记录】${t.number}（#${t.id}）${KIND_LABELS[t.kind]} · ${STATUS_LABELS[t.status] ?? t.status}`,
    `报修人：${t.contact ?? reporter.name}　电话：${t.phone ?? '—'}`,
    `报修时间：${at(t.reportedAt)}`,
    `内容：${clip(t.content, 200)}`,
    t.kind === 'fault' ? `级别：${levelName(entry.contract, t.level)}${t.levelProvisional ? '（暂定）' : ''}　站点：${t.site ?? '—'}　设备：${t.device ?? '—'}` : '',
    `工程师：${engineer ? `${engineer.name}${engineer.department ? `（${engineer.department}）` : ''}` : '未派单'}`,
    t.arrivalState ? `到场情况：${t.arrivalState}` : '',
    t.handling ? `处理：${t.handling}` : '',
    t.analysis ? `分析：${t.analysis}` : '',
    t.sparePart ? `备件：${t.sparePart}${t.spareNew === false ? '（非全新，客户同意）' : ''}${t.mediumRetained ? '；介质已留存客户处' : ''}` : '',
    `完成时间：${at(t.resolvedAt)}　客户确认：${t.confirmation === 'confirmed' ? `已确认 ${at(t.confirmedAt)}` : t.confirmation === 'unconfirmed' ? '未确认（无效记录）' : '待确认'}`,
    t.satisfaction ? `满意度：${t.satisfaction} 分${t.feedback ? `　意见：${t.feedback}` : ''}` : '',
    dl.length ? `时限：${dl.map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}${d.met === true ? ' ✅' : d.met === false ? ' ❌超时' : ''}`).join('；')}` : '',
  ];
  return lines.filter(Boolean).join('\n');
}

async function myTickets(ctx: Ctx, person: Person): Promise<void> {
  const rows = await ctx.tickets.unfinished(person.role === 'customer' ? { reporterId: person.id } : { assigneeId: person.id }, 20);
  await say(ctx, person, rows.length ? `您的未完成工单（${rows.length}）：\n${rows.map(line).join('\n')}` : '您目前没有未完成的工单。');
}

async function openTickets(ctx: Ctx, person: Person): Promise<void> {
  const scope: TicketScope = ctx.chat.purpose === 'managers' || (person.role !== 'customer' && ctx.chat.purpose === 'direct') ? {} : { chatId: ctx.chat.id };
  const rows = await ctx.tickets.unfinished(scope, 30);
  await say(ctx, person, rows.length ? `待处理工单（${rows.length}${rows.length === 30 ? '+' : ''}）：\n${rows.map(line).join('\n')}` : '目前没有待处理的工单。');
}

function line(t: Ticket): string {
  return `#${t.id} ${t.number} ${statusLabel(t.status)} ${[t.site, t.device].filter(Boolean).join(' ')}${t.level ? ` ${t.level}级` : ''}`;
}

async function bindCustomer(ctx: Ctx, person: Person, name: string): Promise<void> {
  if (!['desk', 'manager', 'vp'].includes(person.role)) {
    await say(ctx, person, '抱歉，绑定客户需由客服或部门经理操作。');
    return;
  }
  const clean = clip(name, 60);
  const existing =
    (await ctx.tx.customer.findUnique({ where: { name: clean } })) ??
    (await ctx.tx.customer.findFirst({ where: { name: { contains: clean } } }));
  const customer = existing ?? (await ctx.tx.customer.create({ data: { name: clean } }));
  await ctx.tx.chat.update({ where: { id: ctx.chat.id }, data: { customerId: customer.id, purpose: 'customer' } });
  await say(ctx, person, `本群已绑定客户「${customer.name}」${existing ? '' : '（新建）'}。`);
}

async function setRole(ctx: Ctx, person: Person, role: Role, targets: Person[]): Promise<void> {
  if (!['manager', 'vp'].includes(person.role)) {
    await say(ctx, person, '抱歉，设置角色需由部门经理操作。');
    return;
  }
  if (!targets.length) {
    await say(ctx, person, '请 @ 要设置的人，例如「设为工程师 @张工」。');
    return;
  }
  const names = { customer: '客户', engineer: '工程师', desk: '客服', manager: '部门经理', vp: '主管副总' } as const;
  for (const t of targets) await updatePerson(ctx.tx, t.id, { role });
  await say(ctx, person, `已将 ${targets.map((t) => t.name).join('、')} 设为${names[role]}。`);
}

export function helpText(role: Role): string {
  const customer = [
    '报修：直接描述故障，如「小寨站 3号闸机刷卡没反应 电话13800138000」',
    '咨询：直接提问，如「请问闸机交易数据怎么导出？」',
    '确认修复 / 还没好',
    '评价：「5分 处理及时」或 满意 / 基本满意 / 不满意',
    '同意收费 · 撤销 #12 · 更换工程师 #12（投诉整改）',
    '查询 #12 · 我的工单 · 待处理',
  ];
  const engineer = ['接单 [#12]', '到场 [#12]', '已修复 #12 更换电源模块', '转派 #12 @李工', '申请备件 #12 电源模块', '已更换 #12 电源模块', '检测报告 #12 主板故障 维修费用 1200元', '介质已留存 #12', '答复 #12 内容（咨询）', '#12 改为一级', '撤销 #12 重复报修', '查询 #12 · 我的工单 · 待处理'];
  const manager = ['派单 #12 @张工', '免费处理 #12', '调查结果 #12 内容（投诉）', '整改 #12 内容（投诉）', '绑定客户 西安地铁二号线', '设为工程师 @张工'];
  const lines = role === 'customer' ? customer : role === 'engineer' ? engineer : [...engineer, ...manager];
  return `可用命令：\n${lines.map((l) => `· ${l}`).join('\n')}`;
}
