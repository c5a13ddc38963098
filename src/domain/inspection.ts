/**
 * Periodic system inspections (定期系统巡检) as planned work: the jobs a
 * customer's plans call for by a given moment (each under a key that is never
 * made twice), who does each, its reminders, and the inspection record
 * (巡检记录) made from the inspector's result, with the problems found that
 * open fault tickets. Pure: time, calendar and existing keys are passed in.
 */
import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendar.js';
import type { FaultLevel } from './contract.js';
import type { InspectionTerms } from './contract-duties.js';
import type { InspectionPlan } from './customer-plans.js';
import { dueJobPlan, type DutyTimerPoint } from './duty-timers.js';
import { occurrencesBetween } from './recurrence.js';
import { leadDays, subtractLead, type Lead } from './span.js';

export const INSPECTION_STATUSES = ['planned', 'assigned', 'done', 'cancelled'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];
export const INSPECTION_STATUS_LABELS: Record<InspectionStatus, string> = { planned: '待派工', assigned: '已派工', done: '已完成', cancelled: '已取消' };

/** The job's idempotency key: one job per customer, plan and period, ever. */
export function inspectionJobKey(customerId: number, plan: string, periodKey: string): string {
  return `inspection:${customerId}:${plan}:${periodKey}`;
}

export interface InspectionJobDraft {
  key: string;
  customerId: number;
  plan: string;
  periodKey: string;
  /** The date the plan names, and the working day it is due on (YYYY-MM-DD). */
  nominalDate: string;
  dueDate: string;
  /** End of working hours on dueDate. */
  dueAt: Date;
  /** When the job is due to be made (dueAt − lead time). */
  makeAt: Date;
  systems: string[];
  checklist: string[];
  /** The plan's own engineer, if it names one. */
  engineer: string | null;
}

export interface PlanContext {
  terms: InspectionTerms;
  calendar: BusinessCalendar;
  /** The contract's calendar.workdayEnd ("18:00"). */
  workdayEnd: string;
}

export const leadOf = (plan: { leadTime?: Lead | undefined }, terms: { leadTime: Lead }): Lead => plan.leadTime ?? terms.leadTime;
export const remindersOf = (plan: { remindBefore?: Lead[] | undefined }, terms: { remindBefore: Lead[] }): Lead[] => plan.remindBefore ?? terms.remindBefore;

/**
 * The jobs the customer's plans call for by `now` that are not made yet: every
 * occurrence whose make time (due − lead) has come, except those whose key is in
 * `existingKeys`, and — when `since` is given — those already due before it (a
 * plan dated in the past does not flood a new deployment with overdue jobs).
 * A job the service should have made while it was down is made on the next sweep.
 */
export function inspectionJobsToMake(
  customer: { id: number; inspections: InspectionPlan[] },
  ctx: PlanContext,
  now: Date,
  existingKeys: ReadonlySet<string>,
  since?: Date,
): InspectionJobDraft[] {
  const out: InspectionJobDraft[] = [];
  const tz = ctx.calendar.timezone;
  for (const plan of customer.inspections) {
    const lead = leadOf(plan, ctx.terms);
    // A due date can move a few days off its nominal date (next/previous working day): search a month wider.
    const hi = DateTime.fromJSDate(now, { zone: tz }).plus({ days: leadDays(lead) + 31 }).toISODate()!;
    const lo = since ? DateTime.fromJSDate(since, { zone: tz }).minus({ days: 31 }).toISODate()! : plan.from;
    for (const o of occurrencesBetween(plan, lo, hi, { calendar: ctx.calendar, workdayEnd: ctx.workdayEnd, onNonWorkingDay: ctx.terms.onNonWorkingDay })) {
      const makeAt = subtractLead(ctx.calendar, o.dueAt, lead);
      if (makeAt > now) continue;
      if (since && o.dueAt < since) continue;
      const key = inspectionJobKey(customer.id, plan.name, o.periodKey);
      if (existingKeys.has(key)) continue;
      out.push({
        key,
        customerId: customer.id,
        plan: plan.name,
        periodKey: o.periodKey,
        nominalDate: o.nominalDate,
        dueDate: o.dueDate,
        dueAt: o.dueAt,
        makeAt,
        systems: [...plan.systems],
        checklist: [...plan.checklist],
        engineer: plan.engineer ?? null,
      });
    }
  }
  return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.key.localeCompare(b.key));
}

export type Assignment = { by: 'plan' | 'rota'; engineer: string } | { by: 'manager' };

/**
 * Who does a job: the plan's engineer; else, when the contract assigns by rota,
 * the engineer on duty on the due date's weekday; else the manager is asked.
 */
export function inspectionAssignment(
  job: { engineer: string | null; dueDate: string },
  terms: Pick<InspectionTerms, 'assignment'>,
  rota: ReadonlyArray<{ weekday: number; engineer: string }>,
  timezone: string,
): Assignment {
  if (job.engineer) return { by: 'plan', engineer: job.engineer };
  if (terms.assignment === 'rota') {
    const weekday = DateTime.fromISO(job.dueDate, { zone: timezone }).weekday;
    const duty = rota.find((r) => r.weekday === weekday);
    if (duty) return { by: 'rota', engineer: duty.engineer };
  }
  return { by: 'manager' };
}

/** Reminders before the due time and the overdue point, while the job is open. */
export function inspectionTimerPlan(
  job: { id: number; dueAt: Date; status: InspectionStatus },
  reminders: Lead[],
  calendar: BusinessCalendar,
): DutyTimerPoint[] {
  return dueJobPlan('inspection', { id: job.id, dueAt: job.dueAt, open: job.status === 'planned' || job.status === 'assigned' }, reminders, calendar);
}

/** Overdue: still open after its due time. */
export function inspectionOverdue(job: { dueAt: Date; status: InspectionStatus }, now: Date): boolean {
  return (job.status === 'planned' || job.status === 'assigned') && now > job.dueAt;
}

// ---------------------------------------------------------------------------
// The inspection record

export type InspectionOutcome = 'normal' | 'problems';

/** What the inspector reported (parsed from 巡检完成 #N 正常 / 发现问题 …, see duty-commands.ts). */
export interface InspectionResult {
  outcome: InspectionOutcome;
  problems: string[];
  note?: string | undefined;
}

export interface ChecklistItemResult {
  item: string;
  ok: boolean;
  /** The problem found on this item (the first one that names it). */
  problem?: string;
}

export interface InspectionFinding {
  /** 1, 2, … in the order reported. */
  seq: number;
  text: string;
  /** The job's system the problem is about, when it names one. */
  device: string | null;
  checklistItem: string | null;
}

export interface InspectionRecordDraft {
  outcome: InspectionOutcome;
  checklist: ChecklistItemResult[];
  findings: InspectionFinding[];
  note: string | null;
  /** One line for the customer's chat and the export: 巡检正常（6 项） / 发现 2 个问题：… */
  summary: string;
}

const squash = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/** Length of the longest common substring (the texts are short: a checklist line, a problem). */
function commonRun(a: string, b: string): number {
  let best = 0;
  const prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = a[i - 1] === b[j - 1] ? diag + 1 : 0;
      if (prev[j]! > best) best = prev[j]!;
      diag = up;
    }
  }
  return best;
}

/** The item a problem is about: the one sharing the longest run of at least two characters with it (first on a tie). */
function bestMatch(problem: string, items: readonly string[], minRun = 2): string | null {
  const p = squash(problem);
  let best: string | null = null;
  let bestRun = minRun - 1;
  for (const item of items) {
    const run = commonRun(p, squash(item));
    if (run > bestRun) {
      best = item;
      bestRun = run;
    }
  }
  return best;
}

/**
 * The inspection record of a job from the inspector's result: each checklist
 * item ok unless a problem is about it, and each problem as a finding with the
 * system it names (`readDevice`, e.g. the lexicon's device reader, else the
 * job's system names found in the text) — each finding opens a fault.
 */
export function inspectionRecord(
  job: { systems: readonly string[]; checklist: readonly string[] },
  result: InspectionResult,
  readDevice?: (text: string) => string | null,
): InspectionRecordDraft {
  const problems = result.outcome === 'problems' ? result.problems.map((p) => p.trim()).filter(Boolean) : [];
  const checklist: ChecklistItemResult[] = job.checklist.map((item) => ({ item, ok: true }));
  const findings = problems.map((text, i): InspectionFinding => {
    const item = bestMatch(text, job.checklist);
    const entry = item ? checklist.find((c) => c.item === item) : undefined;
    if (entry && entry.ok) {
      entry.ok = false;
      entry.problem = text;
    }
    const read = readDevice?.(text) ?? null;
    const device = read ?? job.systems.find((s) => squash(text).includes(squash(s))) ?? null;
    return { seq: i + 1, text, device, checklistItem: item };
  });
  const note = result.note?.trim() || null;
  const summary = findings.length
    ? `发现 ${findings.length} 个问题：${findings.map((f) => f.text).join('；')}`
    : `巡检正常（${job.checklist.length} 项）`;
  return { outcome: findings.length ? 'problems' : 'normal', checklist, findings, note, summary };
}

/** What a fault ticket opened for a finding carries. */
export interface FindingFault {
  customerId: number;
  inspectionJobId: number;
  findingSeq: number;
  device: string | null;
  /** The report text, as if the customer had written it. */
  content: string;
  /** The contract's inspections.problemLevel: the level unless the report reader reads a worse one. */
  level: FaultLevel;
}

/** One fault per finding, numbered so a repeated result never opens a second ticket for the same finding. */
export function faultsForFindings(
  job: { id: number; customerId: number; plan: string },
  record: Pick<InspectionRecordDraft, 'findings'>,
  terms: Pick<InspectionTerms, 'problemLevel'>,
): FindingFault[] {
  return record.findings.map((f) => ({
    customerId: job.customerId,
    inspectionJobId: job.id,
    findingSeq: f.seq,
    device: f.device,
    content: `巡检发现（${job.plan}）：${f.text}`,
    level: terms.problemLevel,
  }));
}
