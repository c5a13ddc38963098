/**
 * The planned-work sweep: the inspection jobs and scheduled follow-up visits
 * the customers' plans call for by now are made, assigned, given their timers
 * and announced. Idempotent: a job or visit is made once per key (the store's
 * upsert), announced once (a claim), so a second run, or two replicas at once,
 * make nothing twice. One transaction per customer.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { transaction } from '../../core/transactions.js';
import { inspectionAssignment, inspectionJobsToMake, inspectionTimerPlan, remindersOf, type InspectionJobDraft, type PlanContext } from '../../domain/inspection.js';
import { FOLLOW_UP_REASON_LABELS, followUpTimerPlan, scheduledVisitsToMake, type FollowUpVisitDraft, type VisitContext } from '../../domain/follow-up.js';
import { formatTime } from '../../domain/wording.js';
import {
  assignFollowUpVisit,
  assignInspectionJob,
  claimInspectionAnnouncement,
  createFollowUpVisits,
  createInspectionJobs,
  inspectionKeysOf,
  planDutyTimers,
  visitKeysOf,
  type FollowUpVisitRow,
} from '../../store/duties/index.js';
import type { Db } from '../../store/types.js';
import { Ctx, type BotDeps } from '../context.js';
import { firstWithRole } from '../directory.js';
import { dutyMessages } from '../messages/duties.js';
import { customerChats, staffNamed, tellCustomer, tellStaff } from './support.js';

/** When the sweeps began: plans dated before it do not flood a new deployment with overdue jobs. */
const SINCE_SETTING = 'duties.since';

async function sweepSince(db: Db, now: Date): Promise<Date> {
  // A non-empty update makes Prisma's upsert one INSERT … ON CONFLICT (see createInspectionJobs): two first sweeps at once do not fail.
  const row = await db.setting.upsert({ where: { key: SINCE_SETTING }, update: { key: SINCE_SETTING }, create: { key: SINCE_SETTING, value: now.toISOString() } });
  const at = new Date(row.value);
  return Number.isNaN(at.getTime()) ? now : at;
}

interface PlannedCustomer {
  id: number;
  name: string;
  entry: ReturnType<BotDeps['contracts']['get']>;
  org: BotDeps['org']['customers'][number];
}

async function plannedCustomers(deps: BotDeps): Promise<PlannedCustomer[]> {
  const out: PlannedCustomer[] = [];
  for (const c of deps.org.customers) {
    if (!c.inspections.length && !c.followUps) continue;
    const row = await deps.db.customer.findUnique({ where: { name: c.name }, select: { id: true } });
    if (row) out.push({ id: row.id, name: c.name, entry: deps.contracts.get(c.contract), org: c });
  }
  return out;
}

function planContexts(c: PlannedCustomer): { inspections: PlanContext | null; visits: VisitContext | null } {
  const { contract, calendar } = c.entry;
  const workdayEnd = contract.calendar.workdayEnd;
  return {
    inspections: contract.inspections && c.org.inspections.length ? { terms: contract.inspections, calendar, workdayEnd } : null,
    visits: contract.followUps && c.org.followUps ? { terms: contract.followUps, calendar, workdayEnd } : null,
  };
}

/** What the customer's plans call for by `now` and is not made yet. */
async function drafts(db: Db, c: PlannedCustomer, now: Date, since: Date): Promise<{ jobs: InspectionJobDraft[]; visits: FollowUpVisitDraft[] }> {
  const p = planContexts(c);
  return {
    jobs: p.inspections ? inspectionJobsToMake({ id: c.id, inspections: c.org.inspections }, p.inspections, now, await inspectionKeysOf(db, c.id), since) : [],
    visits: p.visits ? scheduledVisitsToMake({ id: c.id, followUps: c.org.followUps }, p.visits, now, await visitKeysOf(db, c.id), since) : [],
  };
}

/** Makes what is due for every customer with plans; returns how many jobs and visits were made. */
export async function sweepPlannedWork(deps: BotDeps, log: Logger = deps.log): Promise<number> {
  const now = deps.clock.now();
  const customers = await plannedCustomers(deps);
  if (!customers.length) return 0;
  let since: Date;
  try {
    since = await sweepSince(deps.db, now);
  } catch (e) {
    log.error({ err: e }, 'planned-work sweep could not start; retried next tick');
    return 0;
  }
  let made = 0;
  for (const c of customers) {
    const todo = await drafts(deps.db, c, now, since);
    if (!todo.jobs.length && !todo.visits.length) continue;
    try {
      made += await transaction(deps.db, async (tx) => {
        const ctx = new Ctx(deps, tx, now, log.child({ customer: c.name }), null);
        return (await makeJobs(ctx, c, todo.jobs)) + (await makeVisits(ctx, c, todo.visits));
      });
    } catch (e) {
      log.error({ err: e, customer: c.name }, 'planned-work sweep failed for a customer; retried next tick');
    }
  }
  if (made) deps.onOutbox?.();
  return made;
}

async function makeJobs(ctx: Ctx, c: PlannedCustomer, drafts: InspectionJobDraft[]): Promise<number> {
  const terms = c.entry.contract.inspections!;
  const tz = c.entry.contract.timezone;
  const channel = (await customerChats(ctx, c.id))[0]?.channel ?? 'sandbox';
  const made = await createInspectionJobs(ctx.tx, drafts, ctx.now);
  let mine = 0;
  for (const job of made) {
    // Two sweeps at the same instant both see a job as just made: the announcement's claim decides whose it is.
    if (!(await claimInspectionAnnouncement(ctx.tx, job.id, ctx.now))) continue;
    mine++;
    const draft = drafts.find((d) => d.key === job.key)!;
    const plan = c.org.inspections.find((p) => p.name === job.plan)!;
    const a = inspectionAssignment(draft, terms, ctx.deps.org.rota, tz);
    let who: string | null = null;
    if (a.by !== 'manager') {
      const p = await staffNamed(ctx, channel, a.engineer);
      await assignInspectionJob(ctx.tx, job.id, { assigneeId: p?.id ?? null, assigneeName: a.engineer, by: a.by }, ctx.now);
      who = a.engineer;
    }
    await planDutyTimers(ctx.tx, 'inspection', job.id, inspectionTimerPlan(job, remindersOf(plan, terms), c.entry.calendar), ctx.now);
    await tellCustomer(ctx, c.id, dutyMessages.inspectionPlanned, { plan: job.plan, date: DateTime.fromISO(job.dueDate).toFormat('M月d日'), systems: job.systems.join('、') });
    const due = formatTime(job.dueAt, tz, ctx.now);
    await tellStaff(ctx, { customerId: c.id }, dutyMessages.inspectionJobMade, { job: job.id, customer: c.name, plan: job.plan, due, who, byRota: a.by === 'rota' }, { audiences: ['assignee'], holder: { name: who } });
  }
  return mine;
}

/** Who makes a visit: the named staff member, the role's first person, or the fixed ticket's engineer. */
async function visitOwner(ctx: Ctx, v: FollowUpVisitRow, channel: string): Promise<{ id: number | null; name: string } | null> {
  const o = v.owner;
  if (!o) return null;
  if ('staff' in o) return { id: (await staffNamed(ctx, channel, o.staff))?.id ?? null, name: o.staff };
  if ('role' in o) {
    const p = await firstWithRole(ctx.tx, channel, o.role);
    return p ? { id: p.id, name: p.name } : null;
  }
  const t = await ctx.tickets.get(o.engineerOfTicket);
  const p = t?.assigneeId ? await ctx.tx.person.findUnique({ where: { id: t.assigneeId } }) : null;
  if (p) return { id: p.id, name: p.name };
  const desk = await firstWithRole(ctx.tx, channel, 'desk');
  return desk ? { id: desk.id, name: desk.name } : null;
}

/** Makes the visits, assigns them to their owners, plans their timers and tells the owners. */
export async function makeVisits(ctx: Ctx, c: { id: number; name: string; entry: PlannedCustomer['entry']; org?: PlannedCustomer['org'] }, drafts: FollowUpVisitDraft[]): Promise<number> {
  const terms = c.entry.contract.followUps;
  if (!terms || !drafts.length) return 0;
  const tz = c.entry.contract.timezone;
  const channel = (await customerChats(ctx, c.id))[0]?.channel ?? 'sandbox';
  const made = await createFollowUpVisits(ctx.tx, drafts, ctx.now);
  let mine = 0;
  for (const visit of made) {
    // As for jobs: of two sweeps at the same instant, the one whose claim sets assignedAt first takes the visit on.
    const claim = await ctx.tx.followUpVisit.updateMany({ where: { id: visit.id, assignedAt: null, status: 'planned' }, data: { assignedAt: ctx.now } });
    if (claim.count !== 1) continue;
    mine++;
    const owner = await visitOwner(ctx, visit, channel);
    if (owner) await assignFollowUpVisit(ctx.tx, visit.id, { assigneeId: owner.id, assigneeName: owner.name }, ctx.now);
    const reminders = (visit.reason === 'scheduled' ? c.org?.followUps?.remindBefore : undefined) ?? terms.remindBefore;
    await planDutyTimers(ctx.tx, 'follow_up', visit.id, followUpTimerPlan(visit, reminders, c.entry.calendar), ctx.now);
    await tellStaff(
      ctx,
      { customerId: c.id },
      dutyMessages.visitMade,
      { visit: visit.id, customer: c.name, reason: FOLLOW_UP_REASON_LABELS[visit.reason], due: formatTime(visit.dueAt, tz, ctx.now), who: owner?.name ?? '待派' },
      { audiences: ['assignee'], holder: owner ?? {} },
    );
  }
  return mine;
}

/**
 * The next moment a plan calls for a job or visit, after `after` and by
 * `until` (the manual clock steps to it, so jobs are made on their day).
 */
export async function nextPlannedWorkAt(deps: BotDeps, after: Date, until: Date): Promise<Date | null> {
  const customers = await plannedCustomers(deps);
  if (!customers.length) return null;
  const saved = await deps.db.setting.findUnique({ where: { key: SINCE_SETTING } });
  const since = saved ? new Date(saved.value) : after;
  let next: Date | null = null;
  for (const c of customers) {
    const d = await drafts(deps.db, c, until, since);
    for (const x of [...d.jobs, ...d.visits]) {
      if (x.makeAt > after && (!next || x.makeAt < next)) next = x.makeAt;
    }
  }
  return next;
}
