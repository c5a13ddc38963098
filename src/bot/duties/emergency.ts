/**
 * The emergency response report (应急响应报告): requested when a ticket passes
 * a limit the contract names (emergencyReport.triggeredBy), due by its
 * deadline, reminded, and recorded on the ticket by the engineer's command.
 */
import { emergencyReportsOwed, emergencyReportTimerPlan } from '../../domain/emergency-report.js';
import { formatTime, ticketTitle } from '../../domain/wording.js';
import { planDutyTimers, requestEmergencyReports, submitEmergencyReportFor } from '../../store/duties/index.js';
import { deadlinesOf, type Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { recordEvent } from '../transitions.js';
import { tellStaff } from './support.js';

/** At a breach of a triggering clock: the reports the ticket owes now are requested (once per breach). */
export async function requestEmergencyReport(ctx: Ctx, ticket: Ticket, clock: string): Promise<void> {
  const terms = ticket.contract.contract.emergencyReport;
  if (!terms || !terms.triggeredBy.includes(clock)) return;
  // The escalation fires at the breach itself; a limit is passed just after its due time.
  const at = new Date(ctx.now.getTime() + 1);
  const owed = emergencyReportsOwed(ticket.id, deadlinesOf(ticket, at), terms, ticket.contract.calendar, at).filter((d) => d.clock === clock);
  const made = await requestEmergencyReports(ctx.tx, owed, ctx.now);
  const engineer = ticket.assigneeId ? await ctx.tx.person.findUnique({ where: { id: ticket.assigneeId }, select: { id: true, name: true } }) : null;
  for (const r of made) {
    await planDutyTimers(ctx.tx, 'emergency_report', r.id, emergencyReportTimerPlan({ ...r, breachAt: r.breachAt!, dueAt: r.dueAt! }, terms, ticket.contract.contract.reminders.points, ticket.contract.calendar), ctx.now);
    const label = owed.find((d) => d.key === r.key)?.label ?? clock;
    await tellStaff(
      ctx,
      { ticket },
      dutyMessages.emergencyRequested,
      { title: ticketTitle(ticket), id: ticket.id, label, due: formatTime(r.dueAt!, ticket.contract.contract.timezone, ctx.now) },
      { audiences: terms.remind, holder: { id: engineer?.id ?? null, name: engineer?.name ?? null } },
    );
    await recordEvent(ctx, ticket, 'emergency_report_requested', { clock, dueAt: r.dueAt!.toISOString() }, { actor: null });
  }
}

/** The engineer's report: recorded on the ticket, its timers cancelled, the staff's group told (the chats it went to). */
export async function submitReport(ctx: Ctx, person: Person, ticket: Ticket, text: string): Promise<{ refused: string } | { toldIn: number[] }> {
  const r = await submitEmergencyReportFor(ctx.tx, { ticketId: ticket.id, actor: { personId: person.id, name: person.name, role: person.role }, text, at: ctx.now, inboundEventId: ctx.inboundEventId });
  if (!r.ok) return { refused: r.reason };
  await planDutyTimers(ctx.tx, 'emergency_report', r.report.id, [], ctx.now);
  await recordEvent(ctx, ticket, 'emergency_report', { late: r.late, amend: r.amend, unprompted: r.unprompted });
  const told = await tellStaff(ctx, { ticket }, dutyMessages.emergencySubmitted, { title: ticketTitle(ticket), by: person.name, text: r.report.text ?? text, late: r.late, amend: r.amend }, { audiences: ['manager'] });
  return { toldIn: told.map((c) => c.id) };
}
