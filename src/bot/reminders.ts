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
import { deadlineMessages as D } from './messages/deadlines.js';
import { serviceMessages as S } from './messages/service.js';
import { receiptMessages as R } from './messages/replies.js';
import { dutyCommandMessages } from './messages/replies.js';


/** The ticket's other reminders due at the same moment (within a minute), claimed so they fire once, here. */
async function claimSameMoment(ctx: Ctx, timer: Timer): Promise<Timer[]> {
  const others = await ctx.tx.timer.findMany({
    where: {
      ticketId: timer.ticketId,
      state: 'pending',
      id: { not: timer.id },
      stage: { startsWith: 'remind_' },
      dueAt: { gte: new Date(timer.dueAt.getTime() - 60_000), lte: ctx.now },
    },
    orderBy: { id: 'asc' },
  });
  if (!others.length) return [];
  const claimed = await ctx.tx.timer.updateMany({ where: { id: { in: others.map((o) => o.id) }, state: 'pending' }, data: { state: 'fired', firedAt: ctx.now } });
  return claimed.count === others.length ? others : ctx.tx.timer.findMany({ where: { id: { in: others.map((o) => o.id) }, firedAt: ctx.now } });
}

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
  const lateBy = formatSpan(ctx.now.getTime() - timer.dueAt.getTime());
  if (late) await ctx.tx.timer.update({ where: { id: timer.id }, data: { late: true } });
  const entry = ticket.contract;
  const tz = entry.contract.timezone;
  const chat = await ctx.chatOf(ticket);
  const clock: ClockConfig | undefined = entry.contract.clocks[timer.clock];
  /** A clock run again after the latest reopening (its timers were planned since). */
  const reworking = (t: Timer) =>
    ticket.reopenedAt !== null && t.createdAt >= ticket.reopenedAt && (entry.contract.reopening?.clocks.includes(t.clock) ?? false);
  const labelOf = (t: Timer, label: string) => (reworking(t) ? dutyCommandMessages.reworkLabel.text({ label }) : label);

  if (clock) {
    if (timer.stage.startsWith('remind_')) {
      // One reminder per ticket and moment: the other clocks' reminders due now are
      // claimed here and named in the same message, never sent as a parallel series.
      const together = await claimSameMoment(ctx, timer);
      const due = [timer, ...together].map((t) => {
        const c = entry.contract.clocks[t.clock];
        const label = labelOf(t, c?.label ?? t.clock);
        const left = t.deadlineAt.getTime() - ctx.now.getTime();
        const at = formatTime(t.deadlineAt, tz, ctx.now);
        return left > 0 ? D.dueIn.text({ label, left: formatSpan(left), at }) : D.dueNow.text({ label, at });
      });
      const who = [...new Set([timer, ...together].flatMap((t) => entry.contract.clocks[t.clock]?.remind ?? []))];
      const mentions = await audienceMentions(ctx, ticket, chat.channel, who);
      await ctx.text(D.reminder.text({ title: ticketTitle(ticket), due, ...(late ? { late: lateBy } : {}) }), mentions, { chat, ticketId: ticket.id, audience: 'staff' });
      for (const t of [timer, ...together]) {
        await recordEvent(ctx, ticket, 'reminder', { clock: t.clock, stage: t.stage, late, ...(reworking(t) ? { reopened: true } : {}) }, { actor: null });
      }
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
        D.breach.text({
          title: ticketTitle(ticket),
          label: labelOf(timer, clock.label),
          step: index + 1,
          overdue,
          at: formatTime(timer.deadlineAt, tz, ctx.now),
          level,
          assignee: assignee?.name ?? dutyCommandMessages.nobodyYet.text(),
          where: [ticket.site, ticket.device].filter(Boolean).join('·'),
          ...(late ? { late: lateBy } : {}),
        }),
        roles,
        extra,
      );
      await recordEvent(ctx, ticket, 'escalation', { clock: timer.clock, stage: timer.stage, to: step.notify, late, ...(reworking(timer) ? { reopened: true } : {}) }, { actor: null });
      // A limit the contract names for it calls for an emergency response report.
      if (index === 0) await requestEmergencyReport(ctx, ticket, timer.clock);
      if (index === 0 && clock.onBreach === 'spare_replacement') {
        const mentions = await audienceMentions(ctx, ticket, chat.channel, ['assignee']);
        await ctx.text(D.spareReplacement.text({ title: ticketTitle(ticket), label: clock.label, id: ticket.id }), mentions, { chat, ticketId: ticket.id, audience: 'staff' });
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
      await ctx.text(S.closedUnconfirmed.text({ title: ticketTitle(ticket) }), [], { chat, ticketId: ticket.id });
      const desk = await ctx.firstWithRole(chat.channel, 'desk');
      await ctx.text(S.closedUnconfirmedStaff.text({ title: ticketTitle(ticket) }), desk ? [mentionOf(desk)] : [], { chat, ticketId: ticket.id, audience: 'staff' });
      return;
    }
    case 'rating:close': {
      const r = await applyAction(ctx, ticket, { type: 'close' }, { actor: SYSTEM, data: { summary: '客户未评价，已关闭' } });
      if (!r.ok) return;
      await closeQuestions(ctx, ticket.id);
      if (ticket.kind === 'complaint') await ctx.tx.complaint.update({ where: { ticketId: ticket.id }, data: { archivedAt: ctx.now } });
      await ctx.text(R.closedUnrated.text({ title: ticketTitle(ticket) }), [], { chat, ticketId: ticket.id });
      return;
    }
    case 'consultation_close:close': {
      const r = await applyAction(ctx, ticket, { type: 'close' }, { actor: SYSTEM, data: { summary: '答复后无进一步问题，自动办结' } });
      if (r.ok) await ctx.text(R.consultationClosed.text({ title: ticketTitle(ticket) }), [], { chat, ticketId: ticket.id });
      return;
    }
  }
}
