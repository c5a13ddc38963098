/**
 * Acceptance (受理): once a report's level is known it is checked against the
 * contract's scope and term, then accepted — or held for the customer's fee
 * consent or a manager's waiver — and announced with its limits, to the
 * engineer on duty or to the department manager for assignment.
 */
import { DateTime } from 'luxon';
import { buttonValue } from '../domain/commands.js';
import { KIND_LABELS, formatTime, levelName, ticketSummary, ticketTitle } from '../domain/wording.js';
import { deadlinesOf, type Ticket } from '../store/tickets.js';
import type { Person } from '../store/types.js';
import type { ContractEntry } from '../core/contracts.js';
import { CUSTOMER_ONLY_CHANNELS, type ChannelName } from '../core/channel.js';
import { mentionOf, type Ctx } from './context.js';
import { engineerNamed, firstWithRole, managersGroups, personById } from './directory.js';
import { oneToOneMessages } from './messages/one-to-one.js';
import { askFee, askMissing } from './questions.js';
import { SYSTEM, applyAction } from './transitions.js';

/** Where the customer's unit stands with the contract for this report. */
export async function scopeOf(ctx: Ctx, ticket: Ticket): Promise<{ status: 'ok' | 'out_of_scope' | 'out_of_term'; why?: string }> {
  if (!ticket.customerId) return { status: 'ok' };
  const c = await ctx.tickets.customer(ticket.customerId);
  if (!c) return { status: 'ok' };
  const tz = ticket.contract.contract.timezone;
  if (c.warrantyStart && ticket.reportedAt < c.warrantyStart) {
    return { status: 'out_of_term', why: `合同质保期自 ${DateTime.fromJSDate(c.warrantyStart, { zone: tz }).toISODate()} 开始，此前的维护由实施项目组负责` };
  }
  if (c.warrantyEnd && ticket.reportedAt > c.warrantyEnd) {
    return { status: 'out_of_term', why: `合同质保期已于 ${DateTime.fromJSDate(c.warrantyEnd, { zone: tz }).toISODate()} 结束` };
  }
  const scope = JSON.parse(c.scope) as string[];
  if (scope.length && ticket.device && !scope.includes(ticket.device)) {
    return { status: 'out_of_scope', why: `「${ticket.device}」不在合同服务范围内` };
  }
  return { status: 'ok' };
}

/** Limits shown when a ticket is accepted: "首次响应 11月24日 10:30前，到场 …前". */
export function limitsLine(ctx: Ctx, ticket: Ticket): string {
  const tz = ticket.contract.contract.timezone;
  return deadlinesOf(ticket, ctx.now)
    .filter((d) => d.stoppedAt === null && ['first_response', 'on_site', 'consultation_response', 'complaint_answer'].includes(d.clock))
    .map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}前`)
    .join('，');
}

/** Level known: check scope and term, then accept or wait for fee consent. */
export async function acceptOrAskFee(ctx: Ctx, ticket: Ticket, reporter: Person): Promise<Ticket> {
  const scope = await scopeOf(ctx, ticket);
  if (scope.status !== 'ok') {
    const r = await applyAction(ctx, ticket, { type: 'require_fee' }, { actor: SYSTEM, data: { scopeStatus: scope.status }, detail: { why: scope.why } });
    if (!r.ok) return ticket;
    await askFee(ctx, r.ticket, reporter, scope.why!);
    return r.ticket;
  }
  return accept(ctx, ticket, reporter);
}

/** Accepts the ticket (受理), tells the customer how it will be served, and gets it assigned. */
export async function accept(ctx: Ctx, ticket: Ticket, reporter: Person | null): Promise<Ticket> {
  const r = await applyAction(ctx, ticket, { type: 'accept' }, { actor: SYSTEM });
  if (!r.ok) return ticket;
  return announceAccepted(ctx, r.ticket, reporter);
}

/** After acceptance (directly, or after fee consent or waiver): the ticket card and assignment. */
export async function announceAccepted(ctx: Ctx, accepted: Ticket, reporter: Person | null): Promise<Ticket> {
  let t = accepted;
  const entry = t.contract;
  const chat = await ctx.chatOf(t);
  const grade = t.grade ? entry.contract.serviceGrades.find((g) => g.grade === t.grade) : undefined;
  const what = t.kind === 'fault' ? `${levelName(entry.contract, t.level)}故障` : KIND_LABELS[t.kind];
  const limits = limitsLine(ctx, t);
  const manager = await firstWithRole(ctx.tx, chat.channel, 'manager');

  const rotaEngineer = entry.contract.assignment.rota ? await onDutyEngineer(ctx, entry, chat.channel) : null;
  if (rotaEngineer) {
    const a = await applyAction(ctx, t, { type: 'assign', assigneeId: rotaEngineer.id }, { actor: SYSTEM, detail: { by: 'rota' } });
    if (a.ok) t = a.ticket;
  }
  const assignee = t.assigneeId ? await personById(ctx.tx, t.assigneeId) : null;
  if (CUSTOMER_ONLY_CHANNELS.includes(chat.channel as ChannelName)) {
    // The staff are not in this chat: the customer is told, the managers' groups get the card.
    await ctx.text(oneToOneMessages.accepted.text({ title: ticketTitle(t), what, limits: limits || null }), [], { ticketId: t.id, chat });
    for (const group of await managersGroups(ctx.tx, ctx.deps.activeChannels?.())) {
      const groupManager = await firstWithRole(ctx.tx, group.channel, 'manager');
      await ctx.reply({ ...ticketCard(t, what, limits, null, groupManager, grade?.handling), audience: 'staff' }, { ticketId: t.id, chat: group });
    }
    if (reporter) await askMissing(ctx, t, reporter);
    return t;
  }
  await ctx.reply(
    {
      ...ticketCard(t, what, limits, assignee, manager, grade?.handling),
      ...(t.sourceMessageId && chat.id === t.chatId ? { replyTo: t.sourceMessageId } : {}),
    },
    { ticketId: t.id, chat },
  );
  if (reporter) await askMissing(ctx, t, reporter);
  return t;
}

/** The ticket card: what was accepted, the limits, who is to take it or assign it, and the buttons. */
function ticketCard(t: Ticket, what: string, limits: string, assignee: Person | null, manager: Person | null, handling: string | undefined) {
  const lines = [
    `已受理 ${ticketTitle(t)}：${what}${handling ? `，${handling}` : ''}。`,
    limits ? `时限：${limits}。` : '',
    // The person is @mentioned by the channel already; the text names them without a second @.
    assignee ? `请值班工程师${assignee.name}接单。` : manager ? `请${manager.name}派单。` : '请部门经理派单。',
  ].filter(Boolean);
  const mentions = assignee ? [mentionOf(assignee)] : manager ? [mentionOf(manager)] : [];
  return {
    kind: 'card' as const,
    title: `工单 ${t.number}`,
    text: `${lines.join('\n')}\n${ticketSummary(t)}`,
    buttons: t.kind === 'fault'
      ? [
          { label: '接单', value: buttonValue('ack', t.id), style: 'primary' as const },
          { label: '到场', value: buttonValue('arrive', t.id) },
          { label: '已修复', value: buttonValue('resolve', t.id) },
        ]
      : [{ label: '接单', value: buttonValue('ack', t.id), style: 'primary' as const }],
    mentions,
  };
}

/** The engineer on duty today under the ticket's contract's time zone (org.yaml rota). */
async function onDutyEngineer(ctx: Ctx, entry: ContractEntry, channel: string): Promise<Person | null> {
  const weekday = DateTime.fromJSDate(ctx.now, { zone: entry.contract.timezone }).weekday;
  const duty = ctx.deps.org.rota.find((r) => r.weekday === weekday);
  if (!duty) return null;
  return engineerNamed(ctx.tx, channel, duty.engineer);
}
