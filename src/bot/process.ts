/**
 * The service process between the steps people take: acceptance against the
 * contract's scope and term, assignment, the follow-up questions, escalation
 * to the managers' group, dissatisfaction. Called by intake, commands and timers.
 */
import { DateTime } from 'luxon';
import { buttonValue } from '../domain/commands.js';
import type { Role } from '../domain/contract.js';
import { deadlines } from '../domain/sla.js';
import { KIND_LABELS, formatTime, levelName, ticketTitle } from '../domain/wording.js';
import type { Chat, Person, Ticket } from '../store/types.js';
import type { ContractEntry } from '../core/contracts.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { managersGroups, staffWithRole } from './directory.js';
import { askFee, askPhone, askSite } from './questions.js';
import { SYSTEM, applyAction, contractOf, customerOf, recordEvent, slaTicketOf } from './tickets.js';
import type { Mention } from '../core/channel.js';

/** The first person with a role on a channel (the department manager, the vice-president). */
export async function firstWithRole(ctx: Ctx, channel: string, role: Role): Promise<Person | null> {
  return (await staffWithRole(ctx.tx, channel, role))[0] ?? null;
}

export async function personById(ctx: Ctx, id: number | null): Promise<Person | null> {
  return id === null ? null : ctx.tx.person.findUnique({ where: { id } });
}

/** The chat a ticket lives in. */
export async function chatOf(ctx: Ctx, ticket: Ticket): Promise<Chat> {
  return ctx.chat.id === ticket.chatId ? ctx.chat : (await ctx.tx.chat.findUnique({ where: { id: ticket.chatId } }))!;
}

/** Posts to every managers' group, mentioning people of the given roles there. */
export async function tellManagers(ctx: Ctx, ticket: Ticket | null, text: string, roles: Role[], extra: Person[] = []): Promise<void> {
  for (const group of await managersGroups(ctx.tx, ctx.deps.activeChannels?.())) {
    const mentions: Mention[] = [];
    for (const role of roles) {
      for (const p of await staffWithRole(ctx.tx, group.channel, role)) mentions.push(mentionOf(p));
    }
    for (const p of extra) if (p.channel === group.channel) mentions.push(mentionOf(p));
    const unique = [...new Map(mentions.map((m) => [m.id, m])).values()];
    await ctx.text(text, unique, { chat: group, ticketId: ticket?.id ?? null });
  }
}

/** Where the customer's unit stands with the contract for this report. */
export async function scopeOf(ctx: Ctx, ticket: Ticket): Promise<{ status: 'ok' | 'out_of_scope' | 'out_of_term'; why?: string }> {
  if (!ticket.customerId) return { status: 'ok' };
  const c = await customerOf(ctx, ticket.customerId);
  if (!c) return { status: 'ok' };
  const tz = (await contractOf(ctx, ticket)).contract.timezone;
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

/** Limits shown when a ticket is accepted: "首次响应 30 分钟内（11月24日 10:30前）". */
export async function limitsLine(ctx: Ctx, ticket: Ticket): Promise<string> {
  const entry = await contractOf(ctx, ticket);
  const tz = entry.contract.timezone;
  return deadlines(slaTicketOf(ticket), entry.contract, entry.calendar, ctx.now)
    .filter((d) => d.stoppedAt === null && ['first_response', 'on_site', 'consultation_response', 'complaint_answer'].includes(d.clock))
    .map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}前`)
    .join('，');
}

/** Asks for the next missing essential (site, then phone), once each. */
export async function askMissing(ctx: Ctx, ticket: Ticket, reporter: Person): Promise<boolean> {
  if (ticket.kind !== 'fault') return false;
  const asked = await ctx.tx.pendingQuestion.findMany({ where: { ticketId: ticket.id }, select: { kind: true } });
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
  const entry = await contractOf(ctx, t);
  const chat = await chatOf(ctx, t);
  const grade = t.grade ? entry.contract.serviceGrades.find((g) => g.grade === t.grade) : undefined;
  const what = t.kind === 'fault' ? `${levelName(entry.contract, t.level as 1 | 2 | 3 | 4 | null)}故障` : KIND_LABELS[t.kind as 'fault'];
  const limits = await limitsLine(ctx, t);
  const manager = await firstWithRole(ctx, chat.channel, 'manager');

  const rotaEngineer = entry.contract.assignment.rota ? await onDutyEngineer(ctx, entry, chat.channel) : null;
  if (rotaEngineer) {
    const a = await applyAction(ctx, t, { type: 'assign', assigneeId: rotaEngineer.id }, { actor: SYSTEM, detail: { by: 'rota' } });
    if (a.ok) t = a.ticket;
  }
  const assignee = t.assigneeId ? await personById(ctx, t.assigneeId) : null;
  const lines = [
    `已受理 ${ticketTitle(t)}：${what}${grade ? `，${grade.handling}` : ''}。`,
    limits ? `时限：${limits}。` : '',
    // The person is @mentioned by the channel already; the text names them without a second @.
    assignee ? `请值班工程师${assignee.name}接单。` : manager ? `请${manager.name}派单。` : '请部门经理派单。',
  ].filter(Boolean);
  const mentions = assignee ? [mentionOf(assignee)] : manager ? [mentionOf(manager)] : [];
  await ctx.reply(
    {
      kind: 'card',
      title: `工单 ${t.number}`,
      text: `${lines.join('\n')}\n${ticketSummary(t)}`,
      buttons: t.kind === 'fault'
        ? [
            { label: '接单', value: buttonValue('ack', t.id), style: 'primary' },
            { label: '到场', value: buttonValue('arrive', t.id) },
            { label: '已修复', value: buttonValue('resolve', t.id) },
          ]
        : [{ label: '接单', value: buttonValue('ack', t.id), style: 'primary' }],
      mentions,
      ...(t.sourceMessageId && chat.id === t.chatId ? { replyTo: t.sourceMessageId } : {}),
    },
    { ticketId: t.id, chat },
  );
  if (reporter) await askMissing(ctx, t, reporter);
  return t;
}

async function onDutyEngineer(ctx: Ctx, entry: ContractEntry, channel: string): Promise<Person | null> {
  const weekday = DateTime.fromJSDate(ctx.now, { zone: entry.contract.timezone }).weekday;
  const duty = ctx.deps.org.rota.find((r) => r.weekday === weekday);
  if (!duty) return null;
  return ctx.tx.person.findFirst({ where: { channel, name: duty.engineer, role: 'engineer' } });
}

/** Site, device, symptom, phone in one line for cards and queries. */
export function ticketSummary(t: Ticket): string {
  const parts = [
    t.site ? `站点：${t.site}` : '',
    t.device ? `设备：${t.device}` : '',
    t.symptom ? `现象：${t.symptom}` : '',
    t.phone ? `电话：${t.phone}` : '',
  ].filter(Boolean);
  return parts.join('；');
}

/** Dissatisfaction: the work is corrected at once and escalated; a non-conformance is recorded. */
export async function onDissatisfied(ctx: Ctx, ticket: Ticket, reason: string): Promise<void> {
  const engineer = await personById(ctx, ticket.assigneeId);
  await ctx.tx.nonConformance.create({
    data: { ticketId: ticket.id, engineerId: engineer?.id ?? null, reason, at: ctx.now },
  });
  await recordEvent(ctx, ticket, 'non_conformance', { reason, engineer: engineer?.name ?? null });
  // "It happens again" counts dissatisfactions, not reopenings: a "还没好" before
  // the first rating is a rework, not a second dissatisfaction.
  const times = await ctx.tx.nonConformance.count({ where: { ticketId: ticket.id } });
  const again = times > 1;
  const roles: Role[] = again ? ['manager', 'vp'] : ['manager'];
  await tellManagers(
    ctx,
    ticket,
    `⚠️ 客户不满意 ${ticketTitle(ticket)}：${reason}。已返工${engineer ? `，处理工程师 ${engineer.name}` : ''}${again ? `（第 ${times} 次不满意，升级至主管副总）` : ''}。已记录不合格项。`,
    roles,
  );
  await recordEvent(ctx, ticket, 'escalation', { to: roles, reason: 'dissatisfied' });
}
