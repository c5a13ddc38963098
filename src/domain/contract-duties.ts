/**
 * The contract's terms for the services beside fault tickets ("Other services
 * the terms promise" in CONTRACT.md): periodic inspections, follow-up visits,
 * repair and return, the emergency response report, and what a declared
 * planned-maintenance window does to the SLA. Each block is optional in a
 * contract file: a contract without it does not carry that duty (and a
 * customer's inspection plan then needs the inspections block: src/config.ts
 * checks). Within a block every limit is required; none is written in code.
 *
 * Kept apart from contract.ts (which includes these schemas) so that the
 * concept modules can import their terms without an import cycle.
 */
import { z } from 'zod';
import { NON_WORKING_DAY_RULES } from './recurrence.js';
import { LeadSchema, SpanSchema } from './span.js';

/** Who is told about a duty: the person holding it (the ticket's engineer, the job's assignee), or a role. */
export const DUTY_AUDIENCES = ['assignee', 'desk', 'manager', 'vp'] as const;
export type DutyAudience = (typeof DUTY_AUDIENCES)[number];

const audiences = z.array(z.enum(DUTY_AUDIENCES)).min(1);
const fractions = z.array(z.number().gt(0).lt(1));
const level = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

export const InspectionTermsSchema = z
  .object({
    /** A job is made (and the customer told the planned date) this long before its due date. */
    leadTime: LeadSchema,
    /** Reminders to the assignee this long before the due time (the end of working hours on the due date). */
    remindBefore: z.array(LeadSchema).default([]),
    remind: audiences,
    /** Told when a job is not done by its due time. */
    overdueNotify: audiences,
    /** A due date on a weekend or public holiday moves to the next or previous working day, or stays. */
    onNonWorkingDay: z.enum(NON_WORKING_DAY_RULES),
    /** rota: the engineer on duty on the due date (else the manager is asked); manager: the manager assigns. */
    assignment: z.enum(['rota', 'manager']),
    /** The fault level of a ticket opened for a problem found, unless the report reader finds one. */
    problemLevel: level,
  })
  .strict();
export type InspectionTerms = z.infer<typeof InspectionTermsSchema>;

export const FollowUpTermsSchema = z
  .object({
    /** A scheduled visit is made (and its owner told) this long before its due date. */
    leadTime: LeadSchema,
    remindBefore: z.array(LeadSchema).default([]),
    remind: audiences,
    overdueNotify: audiences,
    onNonWorkingDay: z.enum(NON_WORKING_DAY_RULES),
    /** Who makes a scheduled visit when the customer's schedule names nobody. */
    owner: z.enum(['desk', 'manager']),
    /** A visit after every closed fault of these levels, due within `within` of the closure. */
    afterFault: z
      .object({
        levels: z.array(level).min(1),
        within: SpanSchema,
        /** desk: the service desk; engineer: the engineer who fixed it (the desk when none). */
        owner: z.enum(['desk', 'engineer', 'manager']),
      })
      .strict()
      .optional(),
  })
  .strict();
export type FollowUpTerms = z.infer<typeof FollowUpTermsSchema>;

/** The steps of a faulty part's repair and return, in the order they happen (see repair-return.ts). */
export const REPAIR_STEPS = ['received', 'sent', 'quoted', 'repaired', 'returned'] as const;
export type RepairStep = (typeof REPAIR_STEPS)[number];

const RepairLimitSchema = z
  .object({
    /** The step the limit runs from. */
    after: z.enum(REPAIR_STEPS),
    limit: SpanSchema,
    /** repaired only: the repair period given with the cost (维修费用 #N 1200元 周期10天) replaces the limit. */
    useQuotedPeriod: z.boolean().default(false),
  })
  .strict();

export const RepairTermsSchema = z
  .object({
    /** A limit per step (received starts the flow and has none). */
    limits: z.object({ sent: RepairLimitSchema, quoted: RepairLimitSchema, repaired: RepairLimitSchema, returned: RepairLimitSchema }).partial().strict(),
    /** Fractions of each step's window at which to remind; defaults to reminders.points. */
    reminders: fractions.optional(),
    remind: audiences,
    overdueNotify: audiences,
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const [step, l] of Object.entries(t.limits)) {
      if (!l) continue;
      if (REPAIR_STEPS.indexOf(l.after) >= REPAIR_STEPS.indexOf(step as RepairStep)) {
        ctx.addIssue({ code: 'custom', path: ['limits', step, 'after'], message: `must be a step before ${step} (${REPAIR_STEPS.slice(0, REPAIR_STEPS.indexOf(step as RepairStep)).join(', ')})` });
      }
      if (l.useQuotedPeriod && step !== 'repaired') {
        ctx.addIssue({ code: 'custom', path: ['limits', step, 'useQuotedPeriod'], message: 'only the repaired step can use the quoted repair period' });
      }
    }
  });
export type RepairTerms = z.infer<typeof RepairTermsSchema>;

export const EmergencyReportTermsSchema = z
  .object({
    /** Clocks whose breach (the fault not removed within its limit) calls for the report. */
    triggeredBy: z.array(z.string().min(1)).min(1),
    /** The report is due this long after the breach. */
    deadline: SpanSchema,
    reminders: fractions.optional(),
    remind: audiences,
    overdueNotify: audiences,
  })
  .strict();
export type EmergencyReportTerms = z.infer<typeof EmergencyReportTermsSchema>;

/**
 * A report about a system inside a declared maintenance window:
 * - run: the clocks run as for any report;
 * - start_at_end: the clocks of a report made inside the window start at its end;
 * - pause: the clocks of every ticket about the system stop while the window lasts
 *   (a report inside it therefore starts at its end; an open ticket's deadlines move by the overlap);
 * - exempt: a report made inside the window has no deadlines on those clocks.
 */
export const PLANNED_WORK_RULES = ['run', 'start_at_end', 'pause', 'exempt'] as const;
export type PlannedWorkRule = (typeof PLANNED_WORK_RULES)[number];

export const PlannedMaintenanceTermsSchema = z
  .object({
    sla: z.enum(PLANNED_WORK_RULES),
    /** The clocks the rule applies to; absent: every clock of faults. */
    clocks: z.array(z.string().min(1)).min(1).optional(),
    /** The longest window that may be declared. */
    maxWindow: SpanSchema,
  })
  .strict();
export type PlannedMaintenanceTerms = z.infer<typeof PlannedMaintenanceTermsSchema>;

/** The blocks ContractSchema takes, each optional. */
export const CONTRACT_DUTY_FIELDS = {
  inspections: InspectionTermsSchema.optional(),
  followUps: FollowUpTermsSchema.optional(),
  repairReturn: RepairTermsSchema.optional(),
  emergencyReport: EmergencyReportTermsSchema.optional(),
  plannedMaintenance: PlannedMaintenanceTermsSchema.optional(),
};

/** Checks the blocks against the rest of the contract: clock names must exist. */
export function checkContractDuties(
  c: { clocks: Record<string, { kinds: readonly string[] }>; emergencyReport?: EmergencyReportTerms | undefined; plannedMaintenance?: PlannedMaintenanceTerms | undefined },
  addIssue: (path: Array<string | number>, message: string) => void,
): void {
  const names = Object.keys(c.clocks);
  c.emergencyReport?.triggeredBy.forEach((name, i) => {
    if (!(name in c.clocks)) addIssue(['emergencyReport', 'triggeredBy', i], `no clock named "${name}" (clocks: ${names.join(', ')})`);
  });
  c.plannedMaintenance?.clocks?.forEach((name, i) => {
    if (!(name in c.clocks)) addIssue(['plannedMaintenance', 'clocks', i], `no clock named "${name}" (clocks: ${names.join(', ')})`);
  });
}
