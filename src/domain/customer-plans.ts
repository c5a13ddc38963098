/**
 * Per-customer planned work, written under each customer in the organisation
 * file: inspection plans (which systems, how often, which checklist) and the
 * follow-up visit schedule. The numbers common to a contract (lead time,
 * reminders, what to do on a holiday) are the contract's terms
 * (contract-duties.ts); a plan may override its lead time and reminders.
 */
import { z } from 'zod';
import type { Contract } from './contract.js';
import { FrequencySchema } from './recurrence.js';
import { LeadSchema } from './span.js';

/** A real calendar day written YYYY-MM-DD. */
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'a calendar date that exists');

export const InspectionPlanSchema = z
  .object({
    /** Names the plan in chats and keys its jobs: renaming a plan starts a new series. */
    name: z.string().min(1).max(40),
    /** Canonical device names (as in the lexicon): a problem found on them opens a fault about them. */
    systems: z.array(z.string().min(1)).min(1),
    every: FrequencySchema,
    /** The first due date; later ones follow every period after it. */
    from: calendarDate,
    until: calendarDate.optional(),
    /** What the inspector checks; the inspection record keeps a result per item. */
    checklist: z.array(z.string().min(1)).min(1),
    /** Staff name of the engineer who always does this plan (else by the contract's inspections.assignment). */
    engineer: z.string().min(1).optional(),
    leadTime: LeadSchema.optional(),
    remindBefore: z.array(LeadSchema).optional(),
  })
  .strict()
  .refine((p) => !p.until || p.until >= p.from, { path: ['until'], message: 'must not be before from' });
export type InspectionPlan = z.infer<typeof InspectionPlanSchema>;

export const FollowUpScheduleSchema = z
  .object({
    every: FrequencySchema,
    from: calendarDate,
    until: calendarDate.optional(),
    /** Staff name of who makes the visits (else the contract's followUps.owner role). */
    owner: z.string().min(1).optional(),
    remindBefore: z.array(LeadSchema).optional(),
  })
  .strict()
  .refine((p) => !p.until || p.until >= p.from, { path: ['until'], message: 'must not be before from' });
export type FollowUpSchedule = z.infer<typeof FollowUpScheduleSchema>;

/** The fields a customer entry of the organisation file takes for planned work. */
export const CUSTOMER_PLAN_FIELDS = {
  inspections: z.array(InspectionPlanSchema).default([]),
  followUps: FollowUpScheduleSchema.optional(),
};

interface PlannedCustomer {
  name: string;
  contract: string;
  inspections: InspectionPlan[];
  followUps?: FollowUpSchedule | undefined;
}

/** Within the organisation file: plan names unique per customer, named staff exist. */
export function checkCustomerPlans(
  org: { customers: PlannedCustomer[]; staff: Array<{ name: string; role: string }> },
  addIssue: (path: Array<string | number>, message: string) => void,
): void {
  const staff = new Map(org.staff.map((s) => [s.name, s.role]));
  org.customers.forEach((c, ci) => {
    const seen = new Set<string>();
    c.inspections.forEach((p, pi) => {
      if (seen.has(p.name)) addIssue(['customers', ci, 'inspections', pi, 'name'], `"${p.name}" is used by another plan of this customer`);
      seen.add(p.name);
      if (p.engineer !== undefined && !staff.has(p.engineer)) addIssue(['customers', ci, 'inspections', pi, 'engineer'], `"${p.engineer}" is not in staff`);
    });
    const owner = c.followUps?.owner;
    if (owner !== undefined && !staff.has(owner)) addIssue(['customers', ci, 'followUps', 'owner'], `"${owner}" is not in staff`);
  });
}

/**
 * Across files: a customer with inspection plans or a visit schedule needs the
 * matching terms in its contract. Returns one message per problem, each naming
 * the organisation file's field.
 */
export function plansWithoutTerms(customers: PlannedCustomer[], contracts: ReadonlyMap<string, Contract>): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  customers.forEach((c, ci) => {
    const contract = contracts.get(c.contract);
    if (!contract) return; // reported by the organisation schema
    if (c.inspections.length && !contract.inspections) {
      out.push({ path: ['customers', ci, 'inspections'], message: `contract "${c.contract}" has no inspections block (lead time, reminders, assignment): add it to the contract file` });
    }
    if (c.followUps && !contract.followUps) {
      out.push({ path: ['customers', ci, 'followUps'], message: `contract "${c.contract}" has no followUps block (reminders, owner): add it to the contract file` });
    }
  });
  return out;
}
