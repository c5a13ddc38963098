/**
 * Duty timers firing: the reminders and overdue points of inspection jobs,
 * follow-up visits, repair steps and emergency reports. Each is claimed
 * (pending → fired, in one statement: two replicas never fire one twice) and
 * fired in its own transaction; a reminder goes to the block's `remind`
 * audience, an overdue point to its `overdueNotify`, in the customer's staff
 * group (the managers' group when it has none: support.ts staffChatsFor).
 * Who is told and when comes from the contract's blocks, never from code.
 */
import type { Logger } from 'pino';
import type { ContractEntry } from '../../core/contracts.js';
import { transaction } from '../../core/transactions.js';
import type { DutyAudience } from '../../domain/contract-duties.js';
import { OVERDUE } from '../../domain/duty-timers.js';
import { REPAIR_STEP_LABELS, type RepairStep } from '../../domain/repair-return.js';
import { formatSpan, formatTime, ticketTitle } from '../../domain/wording.js';
import {
  claimDutyTimers,
  dueDutyTimers,
  findEmergencyReport,
  findFollowUpVisit,
  findInspectionJob,
  type DutyTimerRow,
} from '../../store/duties/index.js';
import { Ctx, type BotDeps } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { tellStaff } from './support.js';

/** Claims and fires the duty timers due now; returns how many fired. */
export async function fireDutyTimers(deps: BotDeps, log: Logger = deps.log, limit = 200): Promise<number> {
  const due = await dueDutyTimers(deps.db, deps.clock.now(), limit);
  let fired = 0;
  for (const t of due) {
    try {
      fired += await transaction(deps.db, async (tx) => {
        const now = deps.clock.now();
        const [claimed] = await claimDutyTimers(tx, [t.id], now);
        if (!claimed) return 0;
        await fireDutyTimer(new Ctx(deps, tx, now, log.child({ dutyTimer: t.id }), null), claimed);
        return 1;
      });
    } catch (e) {
      log.error({ err: e, dutyTimer: t.id }, 'duty timer failed; it stays pending and is retried next tick');
    }
  }
  if (fired) deps.onOutbox?.();
  return fired;
}

const isOverdue = (stage: string) => stage === OVERDUE || stage.endsWith(`:${OVERDUE}`);
const late = (ctx: Ctx, t: DutyTimerRow) => (t.late ? `（延迟 ${formatSpan(ctx.now.getTime() - t.dueAt.getTime())}送达）` : '');

async function fireDutyTimer(ctx: Ctx, t: DutyTimerRow): Promise<void> {
  switch (t.subject) {
    case 'inspection':
      return inspectionTimer(ctx, t);
    case 'follow_up':
      return visitTimer(ctx, t);
    case 'repair':
      return repairTimer(ctx, t);
    case 'emergency_report':
      return emergencyTimer(ctx, t);
  }
}

/** A job or a visit as its timers see it. */
interface PlannedWork {
  id: number;
  customerId: number;
  status: string;
  dueAt: Date;
  assigneeId: number | null;
  assigneeName: string | null;
}

/**
 * What a job's or visit's reminder or overdue point says and whom it tells:
 * null when the work is no longer open or its contract has no such terms.
 */
async function openWork<T extends { remind: readonly DutyAudience[]; overdueNotify: readonly DutyAudience[] }>(
  ctx: Ctx,
  t: DutyTimerRow,
  work: PlannedWork | null,
  termsOf: (c: ContractEntry['contract']) => T | undefined,
) {
  if (!work || (work.status !== 'planned' && work.status !== 'assigned')) return null;
  const entry = await ctx.tickets.contractOf(work.customerId);
  const terms = termsOf(entry.contract);
  if (!terms) return null;
  const customer = (await ctx.tx.customer.findUnique({ where: { id: work.customerId }, select: { name: true } }))?.name ?? '';
  return {
    about: { customerId: work.customerId },
    customer,
    due: late(ctx, t) + formatTime(work.dueAt, entry.contract.timezone, ctx.now),
    left: formatSpan(t.deadlineAt.getTime() - ctx.now.getTime()),
    overdue: isOverdue(t.stage),
    tell: { audiences: isOverdue(t.stage) ? terms.overdueNotify : terms.remind, holder: { id: work.assigneeId, name: work.assigneeName } },
  };
}

async function inspectionTimer(ctx: Ctx, t: DutyTimerRow): Promise<void> {
  const job = await findInspectionJob(ctx.tx, t.subjectId);
  const w = await openWork(ctx, t, job, (c) => c.inspections);
  if (!job || !w) return;
  const p = { job: job.id, plan: job.plan, customer: w.customer, due: w.due };
  if (w.overdue) await tellStaff(ctx, w.about, dutyMessages.inspectionOverdue, { ...p, who: job.assigneeName ?? '未派工' }, w.tell);
  else await tellStaff(ctx, w.about, dutyMessages.inspectionReminder, { ...p, left: w.left }, w.tell);
}

async function visitTimer(ctx: Ctx, t: DutyTimerRow): Promise<void> {
  const visit = await findFollowUpVisit(ctx.tx, t.subjectId);
  const w = await openWork(ctx, t, visit, (c) => c.followUps);
  if (!visit || !w) return;
  const p = { visit: visit.id, customer: w.customer, due: w.due };
  if (w.overdue) await tellStaff(ctx, w.about, dutyMessages.visitOverdue, { ...p, who: visit.assigneeName ?? '未派' }, w.tell);
  else await tellStaff(ctx, w.about, dutyMessages.visitReminder, { ...p, left: w.left }, w.tell);
}

/** The ticket a repair flow or a report is about, and its engineer. */
async function ticketAndEngineer(ctx: Ctx, ticketId: number) {
  const ticket = await ctx.tickets.get(ticketId);
  if (!ticket) return null;
  const engineer = ticket.assigneeId ? await ctx.tx.person.findUnique({ where: { id: ticket.assigneeId }, select: { id: true, name: true } }) : null;
  return { ticket, holder: { id: engineer?.id ?? null, name: engineer?.name ?? null } };
}

async function repairTimer(ctx: Ctx, t: DutyTimerRow): Promise<void> {
  const flow = await ctx.tx.repairFlow.findUnique({ where: { id: t.subjectId }, select: { ticketId: true, status: true } });
  if (!flow || flow.status === 'returned' || flow.status === 'cancelled') return;
  const found = await ticketAndEngineer(ctx, flow.ticketId);
  if (!found) return;
  const { ticket, holder } = found;
  const terms = ticket.contract.contract.repairReturn;
  if (!terms) return;
  const step = t.stage.slice(0, t.stage.indexOf(':')) as RepairStep;
  const label = REPAIR_STEP_LABELS[step] ?? step;
  const due = late(ctx, t) + formatTime(t.deadlineAt, ticket.contract.contract.timezone, ctx.now);
  const title = ticketTitle(ticket);
  const audiences: readonly DutyAudience[] = isOverdue(t.stage) ? terms.overdueNotify : terms.remind;
  if (isOverdue(t.stage)) await tellStaff(ctx, { ticket }, dutyMessages.repairOverdue, { title, step: label, due, who: holder.name ?? '未派单' }, { audiences, holder });
  else await tellStaff(ctx, { ticket }, dutyMessages.repairReminder, { title, step: label, due, left: formatSpan(t.deadlineAt.getTime() - ctx.now.getTime()) }, { audiences, holder });
}

async function emergencyTimer(ctx: Ctx, t: DutyTimerRow): Promise<void> {
  const report = await findEmergencyReport(ctx.tx, t.subjectId);
  if (!report || report.status !== 'requested') return;
  const found = await ticketAndEngineer(ctx, report.ticketId);
  if (!found) return;
  const { ticket, holder } = found;
  const terms = ticket.contract.contract.emergencyReport;
  if (!terms) return;
  const title = ticketTitle(ticket);
  const due = late(ctx, t) + formatTime(t.deadlineAt, ticket.contract.contract.timezone, ctx.now);
  if (isOverdue(t.stage)) {
    await tellStaff(ctx, { ticket }, dutyMessages.emergencyOverdue, { title, due, who: holder.name ?? '未派单' }, { audiences: terms.overdueNotify, holder });
  } else {
    await tellStaff(ctx, { ticket }, dutyMessages.emergencyReminder, { title, due, left: formatSpan(t.deadlineAt.getTime() - ctx.now.getTime()) }, { audiences: terms.remind, holder });
  }
}
