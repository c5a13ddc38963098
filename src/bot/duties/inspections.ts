/**
 * Inspection results and assignment by command: the record (巡检记录) kept,
 * each problem found opening a fault ticket linked to its finding, the job's
 * timers cancelled, the summary told to the customer.
 */
import { faultsForFindings, inspectionRecord, type InspectionResult } from '../../domain/inspection.js';
import { parseReport } from '../../domain/report-parser.js';
import { formatTime, ticketTitle } from '../../domain/wording.js';
import { assignInspectionJob, findInspectionJob, linkFindingToTicket, openInspectionJobs, planDutyTimers, recordInspection, type InspectionJobRow } from '../../store/duties/index.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { dutyMeant, mayRecordDuty, tellCustomer } from './support.js';
import { openStaffReport } from './tickets.js';

const WHAT = '巡检任务';
const REASONS = { missing: dutyMessages.dutyNotFound.text({ what: WHAT }), done: dutyMessages.dutyAlreadyDone.text({ what: WHAT }), cancelled: dutyMessages.dutyCancelled.text({ what: WHAT }) } as const;

/** The job a command means: the one named, else the person's only open job. */
export function jobMeant(ctx: Ctx, person: Person, ref: { short: number } | { number: string } | undefined): Promise<InspectionJobRow | string> {
  return dutyMeant(ref, {
    what: WHAT,
    example: '巡检完成 #5 正常',
    missing: REASONS.missing,
    find: (id) => findInspectionJob(ctx.tx, id),
    mine: () => openInspectionJobs(ctx.tx, { assigneeId: person.id, take: 2 }),
  });
}

/** Only the job's engineer, the desk, managers and the vice-president record a result. */
export function mayRecord(job: InspectionJobRow, person: Person): string | null {
  return mayRecordDuty(WHAT, job, person);
}

/** Records the result; returns what to say to the person who gave it. */
export async function recordResult(ctx: Ctx, person: Person, job: InspectionJobRow, result: InspectionResult): Promise<string> {
  const entry = await ctx.tickets.contractOf(job.customerId);
  const terms = entry.contract.inspections;
  if (!terms) return dutyMessages.notInContract.text({ what: '定期巡检' });
  const draft = inspectionRecord(job, result, (text) => parseReport(text, ctx.deps.lexicon).device);
  const r = await recordInspection(ctx.tx, job.id, draft, { inspectorId: person.id, inspectorName: person.name, at: ctx.now, inboundEventId: ctx.inboundEventId });
  if (!r.ok) return REASONS[r.reason];
  const opened: string[] = [];
  const faults = faultsForFindings(job, draft, terms);
  for (const [i, fault] of faults.entries()) {
    const finding = r.record.findings.find((f) => f.seq === fault.findingSeq) ?? r.record.findings[i];
    const ticket = await openStaffReport(ctx, {
      customerId: job.customerId,
      reporter: person,
      content: fault.content,
      kind: 'fault',
      level: fault.level,
      device: fault.device,
      origin: { inspectionJobId: job.id, findingSeq: fault.findingSeq },
    });
    if (ticket && finding && (await linkFindingToTicket(ctx.tx, finding.id, ticket.id))) opened.push(ticketTitle(ticket));
  }
  await planDutyTimers(ctx.tx, 'inspection', job.id, [], ctx.now);
  const tickets = opened.join('、');
  await tellCustomer(ctx, job.customerId, dutyMessages.inspectionResult, { plan: job.plan, summary: draft.summary, tickets });
  return dutyMessages.inspectionRecorded.text({ job: job.id, summary: draft.summary, tickets });
}

/** A manager (or the desk) gives the job to an engineer; what to say, and whom to mention with it. */
export async function assignJob(ctx: Ctx, job: InspectionJobRow, engineer: Person): Promise<{ text: string; assigned: boolean }> {
  if (!(await assignInspectionJob(ctx.tx, job.id, { assigneeId: engineer.id, assigneeName: engineer.name, by: 'manager' }, ctx.now))) {
    return { text: job.status === 'done' ? REASONS.done : REASONS.cancelled, assigned: false };
  }
  const entry = await ctx.tickets.contractOf(job.customerId);
  const customer = (await ctx.tx.customer.findUnique({ where: { id: job.customerId }, select: { name: true } }))?.name ?? '';
  const due = formatTime(job.dueAt, entry.contract.timezone, ctx.now);
  return { text: dutyMessages.inspectionAssigned.text({ job: job.id, plan: job.plan, customer, due, who: engineer.name }), assigned: true };
}
