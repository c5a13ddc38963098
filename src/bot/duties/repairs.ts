/**
 * Repair and return (返修) by command: each step recorded with who and when,
 * the customer told at the steps that concern them, the flow's remaining
 * limits planned as timers from the contract's repairReturn block.
 */
import { formatCost, REPAIR_STEP_LABELS, repairDeadlines, repairTimerPlan, type RepairAction } from '../../domain/repair-return.js';
import { formatTime, ticketTitle } from '../../domain/wording.js';
import { planDutyTimers, recordRepairStep } from '../../store/duties/index.js';
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { recordEvent } from '../transitions.js';

export type RepairOutcome = { ok: false; reason: string } | { ok: true; customer: { title: string; step: string; detail: string } | null; staff: string };

export async function repairStep(ctx: Ctx, person: Person, ticket: Ticket, action: RepairAction): Promise<RepairOutcome> {
  const entry = ticket.contract;
  const terms = entry.contract.repairReturn;
  if (!terms) return { ok: false, reason: dutyMessages.notInContract.text({ what: '返修流程' }) };
  const title = ticketTitle(ticket);
  const r = await recordRepairStep(ctx.tx, {
    ticket: { id: ticket.id, ref: title, kind: ticket.kind, device: ticket.device },
    action,
    actor: { personId: person.id, name: person.name, role: person.role },
    at: ctx.now,
    magneticMedia: entry.contract.magneticMedia,
    inboundEventId: ctx.inboundEventId,
  });
  if (!r.ok) return r;
  const { flow, record } = r;
  await planDutyTimers(ctx.tx, 'repair', flow.id, repairTimerPlan(flow, terms, entry.contract.reminders.points, entry.calendar), ctx.now);
  await recordEvent(ctx, ticket, 'repair_step', { step: record.step, part: flow.part, costCents: record.costCents, periodDays: record.periodDays, note: record.note, correction: record.correction });
  const tz = entry.contract.timezone;
  const label = record.step === 'cancel' ? '撤销返修' : REPAIR_STEP_LABELS[record.step];
  const detail =
    record.step === 'quoted' && record.costCents !== null
      ? `维修费用 ${formatCost(record.costCents)}${record.periodDays ? `，维修周期 ${record.periodDays} 天` : ''}${record.correction ? '（更正）' : ''}`
      : record.step === 'received'
        ? (flow.part ?? '')
        : '';
  const next = repairDeadlines(flow, terms, entry.calendar, ctx.now)
    .filter((d) => d.doneAt === null && (flow.status !== 'returned' && flow.status !== 'cancelled'))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
    .map((d) => `「${d.label}」请于 ${formatTime(d.dueAt, tz, ctx.now)} 前完成`)
    .join('，');
  return {
    ok: true,
    customer: r.tellCustomer ? { title, step: label, detail } : null,
    staff: dutyMessages.repairStepStaff.text({ title, step: label, next }),
  };
}
