/**
 * What a timer point does when it comes due: a reminder in the ticket's chat,
 * an escalation to the managers' group and up the chain, the spare-replacement
 * prompt, the follow-ups of the desk (question timeout, confirmation, rating).
 */
import type { Audience, ClockConfig } from '../domain/contract.js';
import { formatSpan, formatTime, levelName, ticketTitle } from '../domain/wording.js';
import type { Ticket } from '../store/tickets.js';
import type { Person, Timer } from '../store/types.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { tellManagers } from './escalation.js';
import { requestEmergencyReport } from './duties/emergency.js';
import { levelQuestionTimedOut } from './intake.js';
import { askConfirm, askRating, closeQuestions } from './questions.js';
import { SYSTEM, applyAction, recordEvent } from './transitions.js';
import type { Mention } from '../core/channel.js';

/** A point that fires this long after its due time is marked late (the service was down or behind). */
export const LATE_AFTER_MS = 60_000;

async function audienceMentions(ctx: Ctx, ticket: Ticket, channel: string, audiences: Audience[]): Promise<Mention[]> {
  const people: Person[] = [];
  for (const a of audiences) {
    if (a === 'assignee') {
      const assignee = await ctx.personById(ticket.assigneeId);
      const p = assignee && assignee.channel === channel ? assignee : await ctx.firstWithRole(channel, 'manager');
      if (p) people.push(p);
    } else if (a === 'reporter') {
      const r = await ctx.personById(ticket.reporterId);
      if (r) people.push(r);
    } else {
      const p = await ctx.firstWithRole(channel, a);
      if (p) people.push(p);
    }
  }
  return [...new Map(people.map((p) => [p.id, mentionOf(p)])).values()];
}

export async function fireTimer(ctx: Ctx, timer: Timer, ticket: Ticket): Promise<void> {
  const late = ctx.now.getTime() - timer.dueAt.getTime() > LATE_AFTER_MS;
  const latePrefix = late ? `（延迟 ${formatSpan(ctx.now.getTime() - timer.dueAt.getTime())}送达）` : '';
  if (late) await ctx.tx.timer.update({ where: { id: timer.id }, data: { late: true } });
  const entry = ticket.contract;
  const tz = entry.contract.timezone;
  const chat = await ctx.chatOf(ticket);
  const clock: ClockConfig | undefined = entry.contract.clocks[timer.clock];

  if (clock) {
    if (timer.stage.startsWith('remind_')) {
      const left = timer.deadlineAt.getTime() - ctx.now.getTime();
      const mentions = await audienceMentions(ctx, ticket, chat.channel, clock.remind);
      const text = left > 0
        ? `⏰ ${latePrefix}提醒：${ticketTitle(ticket)} ${clock.label}时限还剩 ${formatSpan(left)}（${formatTime(timer.deadlineAt, tz, ctx.now)} 前）。`
        : `⏰ ${latePrefix}提醒：${ticketTitle(ticket)} ${clock.label}时限已到（${formatTime(timer.deadlineAt, tz, ctx.now)}）。`;
      await ctx.text(text, mentions, { chat, ticketId: ticket.id });
      await recordEvent(ctx, ticket, 'reminder', { clock: timer.clock, stage: timer.stage, late }, { actor: null });
      return;
    }
    if (timer.stage.startsWith('escalate_')) {
      const index = Number(timer.stage.slice('escalate_'.length)) - 1;
      const steps = clock.escalation ?? entry.contract.escalation.steps;
      const step = steps[index];
      if (!step) return;
      const assignee = await ctx.personById(ticket.assigneeId);
      const roles = step.notify.filter((a): a is 'manager' | 'vp' | 'desk' => a === 'manager' || a === 'vp' || a === 'desk');
      const extra = step.notify.includes('assignee') && assignee ? [assignee] : [];
      const overdue = formatSpan(ctx.now.getTime() - timer.deadlineAt.getTime());
      const level = ticket.level ? `${levelName(entry.contract, ticket.level)}，` : '';
      await tellManagers(
        ctx,
        ticket,
        `⚠️ ${latePrefix}超时${index > 0 ? `升级（第 ${index + 1} 级）` : ''}：${ticketTitle(ticket)} ${clock.label}已超时${index > 0 ? ` ${overdue}` : ''}（时限 ${formatTime(timer.deadlineAt, tz, ctx.now)}）。${level}处理人：${assignee?.name ?? '未派单'}；${[ticket.site, ticket.device].filter(Boolean).join(' ')}`,
        roles,
        extra,
      );
      await recordEvent(ctx, ticket, 'escalation', { clock: timer.clock, stage: timer.stage, to: step.notify, late }, { actor: null });
      // A limit the contract names for it calls for an emergency response report.
      if (index === 0) await requestEmergencyReport(ctx, ticket, timer.clock);
      if (index === 0 && clock.onBreach === 'spare_replacement') {
        const mentions = await audienceMentions(ctx, ticket, chat.channel, ['assignee']);
        await ctx.text(
          `${ticketTitle(ticket)} 已超过 ${clock.label}时限仍未修复。按合同约定，请更换同档次或更高档次的备件/备机：回复「申请备件 #${ticket.id} 部件名称」，更换后回复「已更换 #${ticket.id} 部件名称」。`,
          mentions,
          { chat, ticketId: ticket.id },
        );
      }
      return;
    }
    return;
  }

  switch (`${timer.clock}:${timer.stage}`) {
    case 'intake:timeout':
      return levelQuestionTimedOut(ctx, ticket);
    case 'confirmation:remind':
    case 'rating:remind': {
      const reporter = await ctx.personById(ticket.reporterId);
      if (!reporter) return;
      await recordEvent(ctx, ticket, 'reminder', { clock: timer.clock, stage: timer.stage, late }, { actor: null });
      if (timer.clock === 'confirmation') await askConfirm(ctx, ticket, reporter, true);
      else await askRating(ctx, ticket, reporter, true);
      return;
    }
    case 'confirmation:close': {
      const r = await applyAction(ctx, ticket, { type: 'close', unconfirmed: true }, { actor: SYSTEM, data: { summary: '客户未确认，按未确认关闭（无效记录）' } });
      if (!r.ok) return;
      await closeQuestions(ctx, ticket.id);
      await ctx.text(`${ticketTitle(ticket)} 未收到客户确认，已按「未确认」关闭。按合同约定，未经客户确认的服务记录无效，请客服跟进。`, [], { chat, ticketId: ticket.id });
      await tellManagers(ctx, r.ticket, `${ticketTitle(ticket)} 客户未确认修复，已按未确认关闭（无效记录），请客服回访。`, ['desk']);
      return;
    }
    case 'rating:close': {
      const r = await applyAction(ctx, ticket, { type: 'close' }, { actor: SYSTEM, data: { summary: '客户未评价，已关闭' } });
      if (!r.ok) return;
      await closeQuestions(ctx, ticket.id);
      if (ticket.kind === 'complaint') await ctx.tx.complaint.update({ where: { ticketId: ticket.id }, data: { archivedAt: ctx.now } });
      await ctx.text(`${ticketTitle(ticket)} 未收到评价，工单已关闭。感谢您的支持！`, [], { chat, ticketId: ticket.id });
      return;
    }
    case 'consultation_close:close': {
      const r = await applyAction(ctx, ticket, { type: 'close' }, { actor: SYSTEM, data: { summary: '答复后无进一步问题，自动办结' } });
      if (r.ok) await ctx.text(`咨询 ${ticketTitle(ticket)} 已办结。如还有问题欢迎随时提出。`, [], { chat, ticketId: ticket.id });
      return;
    }
  }
}
