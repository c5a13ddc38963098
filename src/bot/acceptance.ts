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
import { mentionOf, type Ctx } from './context.js';
import { serviceMessages as S } from './messages/service.js';
import { engineerNamed, firstWithRole, personById } from './directory.js';
import { askFee, askMissing } from './questions.js';
import { SYSTEM, applyAction } from './transitions.js';
import { questionMessages as Q, replyMessages as RM } from './messages/replies.js';

/** Where the customer's unit stands with the contract for this report. */
export async function scopeOf(ctx: Ctx, ticket: Pick<Ticket, 'customerId' | 'reportedAt' | 'device' | 'contract'>): Promise<{ status: 'ok' | 'out_of_scope' | 'out_of_term'; why?: string }> {
  if (!ticket.customerId) return { status: 'ok' };
  const c = await ctx.tickets.customer(ticket.customerId);
  if (!c) return { status: 'ok' };
  const tz = ticket.contract.contract.timezone;
  if (c.warrantyStart && ticket.reportedAt < c.warrantyStart) {
    return { status: 'out_of_term', why: Q.beforeWarranty.text({ date: DateTime.fromJSDate(c.warrantyStart, { zone: tz }).toISODate() ?? '' }) };
  }
  if (c.warrantyEnd && ticket.reportedAt > c.warrantyEnd) {
    return { status: 'out_of_term', why: Q.afterWarranty.text({ date: DateTime.fromJSDate(c.warrantyEnd, { zone: tz }).toISODate() ?? '' }) };
  }
  const scope = JSON.parse(c.scope) as string[];
  if (scope.length && ticket.device && !scope.includes(ticket.device)) {
    return { status: 'out_of_scope', why: Q.outOfScope.text({ device: ticket.device }) };
  }
  return { status: 'ok' };
}

/** Limits shown when a ticket is accepted: "首次响应 11月24日 10:30前，到场 …前". */
export function limitsLine(ctx: Ctx, ticket: Ticket): string {
  const tz = ticket.contract.contract.timezone;
  return deadlinesOf(ticket, ctx.now)
    .filter((d) => d.stoppedAt === null && CUSTOMER_CLOCKS.includes(d.clock))
    .map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}前`)
    .join('，');
}

/**
 * The limits of a reopened ticket the customer hears (the same clocks as at
 * acceptance, run again from the reopening): "首次响应 15:30前，到场 …前". Named
 * as the contract names them; the staff's 返工 label is theirs.
 */
export function reopenedLimitsLine(ctx: Ctx, ticket: Ticket): string {
  const contract = ticket.contract.contract;
  return deadlinesOf(ticket, ctx.now)
    .filter((d) => d.reopened && d.stoppedAt === null && CUSTOMER_CLOCKS.includes(d.clock))
    .map((d) => `${contract.clocks[d.clock]?.label ?? d.label} ${formatTime(d.dueAt, contract.timezone, ctx.now)}前`)
    .join('，');
}

/** The clocks a customer is told of: when we respond and when we come. */
const CUSTOMER_CLOCKS = ['first_response', 'on_site', 'consultation_response', 'complaint_answer'];

/** The limits the staff work to, the assignment's included. */
export function staffLimitsLine(ctx: Ctx, ticket: Ticket): string {
  const tz = ticket.contract.contract.timezone;
  return deadlinesOf(ticket, ctx.now)
    .filter((d) => d.stoppedAt === null)
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
  const title = ticketTitle(t);
  const replyTo = t.sourceMessageId && chat.id === t.chatId ? { replyTo: t.sourceMessageId } : {};
  // The customer hears what was accepted and when we respond and come; no buttons, no staff names.
  await ctx.reply(
    {
      kind: 'text',
      text: S.accepted.text({ title, what, provisional: t.kind === 'fault' && t.levelProvisional, ...(grade && t.kind === 'fault' ? { handling: grade.handling } : {}), limits }),
      ...(reporter ? { mentions: [mentionOf(reporter)] } : {}),
      ...replyTo,
    },
    { ticketId: t.id, chat },
  );
  if (assignee) await ctx.text(S.engineerAssigned.text({ title, engineer: assignee.name, ...(assignee.phone ? { phone: assignee.phone } : {}) }), [], { ticketId: t.id, chat });
  // The staff hear it as a dispatch request, with the buttons, in their own group.
  const ask = assignee ? RM.askEngineer.text({ engineer: assignee.name }) : manager ? RM.askManager.text({ manager: manager.name }) : RM.askAnyManager.text();
  await ctx.reply(
    {
      kind: 'card',
      title: S.dispatchTitle.text({ number: t.number }),
      text: S.dispatch.text({ title, chat: chat.title ?? chat.platformId, what: `${what}${t.levelProvisional ? RM.provisional.text() : ''}`, limits: staffLimitsLine(ctx, t), summary: ticketSummary(t), ask }),
      buttons: t.kind === 'fault'
        ? [
            { label: RM.buttonTake.text(), value: buttonValue('ack', t.id), style: 'primary' },
            { label: RM.buttonArrive.text(), value: buttonValue('arrive', t.id) },
            { label: RM.buttonResolve.text(), value: buttonValue('resolve', t.id) },
          ]
        : [{ label: RM.buttonTake.text(), value: buttonValue('ack', t.id), style: 'primary' }],
      mentions: assignee ? [mentionOf(assignee)] : manager ? [mentionOf(manager)] : [],
      audience: 'staff',
    },
    { ticketId: t.id, chat },
  );
  if (reporter) await askMissing(ctx, t, reporter);
  return t;
}

/** The engineer on duty today under the ticket's contract's time zone (org.yaml rota). */
async function onDutyEngineer(ctx: Ctx, entry: ContractEntry, channel: string): Promise<Person | null> {
  const weekday = DateTime.fromJSDate(ctx.now, { zone: entry.contract.timezone }).weekday;
  const duty = ctx.deps.org.rota.find((r) => r.weekday === weekday);
  if (!duty) return null;
  return engineerNamed(ctx.tx, channel, duty.engineer);
}
