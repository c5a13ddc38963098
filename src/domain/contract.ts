/**
 * The service contract as data. Every number the bot enforces comes from a
 * contract file validated by ContractSchema; nothing in the code repeats them.
 * Pure: parsing text into a file is the config loader's job (src/config.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CONTRACT_DUTY_FIELDS, checkContractDuties } from './contract-duties.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');
const hhmm = z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'a time of day written HH:mm');

/** A length of time: exactly one of minutes, hours or working days. */
export const DurationSchema = z
  .object({
    minutes: z.number().positive().optional(),
    hours: z.number().positive().optional(),
    /** Ends at the end of working hours on the n-th working day after the start day. */
    workingDays: z.number().int().positive().optional(),
  })
  .strict()
  .refine((d) => [d.minutes, d.hours, d.workingDays].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of minutes, hours or workingDays',
  });
export type Duration = z.infer<typeof DurationSchema>;

export const FAULT_LEVELS = [1, 2, 3, 4] as const;
export type FaultLevel = (typeof FAULT_LEVELS)[number];
export const SERVICE_GRADES = ['A', 'B', 'C', 'D'] as const;
export type ServiceGrade = (typeof SERVICE_GRADES)[number];
export const TICKET_KINDS = ['fault', 'consultation', 'complaint'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

const FaultLevelSchema = z
  .object({
    level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    name: z.string().min(1),
    definition: z.string().min(1),
    firstResponse: DurationSchema,
    onSite: DurationSchema,
    spareParts: z.boolean(),
    /** The short choice shown in the level question ("整个系统/车站业务中断"). */
    question: z.string().min(1),
  })
  .strict();

const GradeSchema = z
  .object({
    grade: z.enum(SERVICE_GRADES),
    situation: z.string(),
    handling: z.string(),
  })
  .strict();

/** Ticket timestamps a clock can start or stop on. */
export const TICKET_STEPS = [
  'reportedAt',
  'levelKnownAt',
  'acceptedAt',
  'assignedAt',
  'acknowledgedAt',
  'onSiteAt',
  'spareRequestedAt',
  'detectionReportAt',
  'resolvedAt',
  'confirmedAt',
  'ratedAt',
  'closedAt',
] as const;
export type TicketStep = (typeof TICKET_STEPS)[number];

export const ROLES = ['customer', 'engineer', 'desk', 'manager', 'vp'] as const;
export type Role = (typeof ROLES)[number];

/** Who is told at a point of a clock. "assignee" falls back to the manager while unassigned. */
export const AUDIENCES = ['assignee', 'reporter', 'desk', 'manager', 'vp'] as const;
export type Audience = (typeof AUDIENCES)[number];

const EscalationStepSchema = z
  .object({
    /** Time after the breach; 0 = at the breach. */
    after: z.object({ minutes: z.number().nonnegative() }).strict(),
    notify: z.array(z.enum(AUDIENCES)).min(1),
  })
  .strict();

const ClockSchema = z
  .object({
    /** Chinese label used in the chat and the digest (首次响应). */
    label: z.string().min(1),
    kinds: z.array(z.enum(TICKET_KINDS)).min(1),
    /** Only tickets about hardware (a part can fail). */
    hardwareOnly: z.boolean().default(false),
    startsAt: z.enum(TICKET_STEPS),
    /** The clock stops at the first of these steps. */
    stopsAt: z.array(z.enum(TICKET_STEPS)).min(1),
    /** A fixed limit, or the fault level table's column. */
    limit: z.union([DurationSchema, z.object({ levelColumn: z.enum(['firstResponse', 'onSite']) }).strict()]),
    /** Fractions of the window at which to remind; defaults to reminders.points. */
    reminders: z.array(z.number().gt(0).lt(1)).optional(),
    /** Who a reminder mentions. */
    remind: z.array(z.enum(AUDIENCES)).default(['assignee']),
    /** Escalation steps after a breach; defaults to escalation.steps. */
    escalation: z.array(EscalationStepSchema).optional(),
    /** What the bot prompts at the breach besides escalating (e.g. the spare-replacement step). */
    onBreach: z.enum(['escalate', 'spare_replacement']).default('escalate'),
  })
  .strict();
export type ClockConfig = z.infer<typeof ClockSchema>;

/** A real calendar day written YYYY-MM-DD (the regex alone lets 2027-02-30 through). */
const calendarDate = isoDate.refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}, 'a calendar date that exists');

const YearOverrideSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    holidays: z.array(calendarDate),
    workdays: z.array(calendarDate).default([]),
  })
  .strict()
  .superRefine((o, ctx) => {
    // The calendar looks a date up in the override of the date's own year: a date
    // filed under another year would be silently ignored.
    for (const key of ['holidays', 'workdays'] as const) {
      o[key].forEach((d, i) => {
        if (!d.startsWith(`${o.year}-`)) {
          ctx.addIssue({ code: 'custom', path: [key, i], message: `${d} is not in ${o.year}; list it under the override of its own year` });
        }
      });
    }
    const holidays = new Set(o.holidays);
    o.workdays.forEach((d, i) => {
      if (holidays.has(d)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: `${d} is listed both as a holiday and as a working day` });
    });
  });

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutesOfDay = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

export const ContractSchema = z
  .object({
    name: z.string().min(1),
    timezone: z.string().min(1).refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
    ticketNumberPrefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{0,7}$/, 'capital letters and digits, starting with a letter, at most 8')
      .default('GD'),
    calendar: z
      .object({
        workdayStart: hhmm.default('09:00'),
        workdayEnd: hhmm.default('18:00'),
        overrides: z.array(YearOverrideSchema).default([]),
      })
      .strict()
      .superRefine((cal, ctx) => {
        if (minutesOfDay(cal.workdayEnd) <= minutesOfDay(cal.workdayStart)) {
          ctx.addIssue({ code: 'custom', path: ['workdayEnd'], message: `must be after workdayStart (${cal.workdayStart})` });
        }
        const seen = new Set<number>();
        cal.overrides.forEach((o, i) => {
          if (seen.has(o.year)) ctx.addIssue({ code: 'custom', path: ['overrides', i, 'year'], message: `${o.year} has more than one override` });
          seen.add(o.year);
        });
      }),
    faultLevels: z
      .array(FaultLevelSchema)
      .length(4, 'the contract defines exactly four fault levels')
      .refine((ls) => ls.map((l) => l.level).join() === '1,2,3,4', 'levels must be listed in order 1, 2, 3, 4'),
    serviceGrades: z.array(GradeSchema).length(4),
    clocks: z.record(z.string().regex(/^[a-z_]+$/), ClockSchema).refine((c) => Object.keys(c).length > 0, 'at least one clock'),
    reminders: z.object({ points: z.array(z.number().gt(0).lt(1)) }).strict(),
    /**
     * A reopened ticket (not fixed, or a low rating): these clocks run again from the
     * reopening, with their own limits, reminders and escalation, each stopped by its
     * stop steps done after the reopening. Without it a reopened ticket has no clock.
     */
    reopening: z.object({ clocks: z.array(z.string()).min(1) }).strict().optional(),
    escalation: z
      .object({
        /** Who is told, in order, as a breach ages: engineer → manager → vice-president. */
        chain: z.array(z.enum(ROLES)).min(1),
        steps: z.array(EscalationStepSchema).min(1),
      })
      .strict(),
    intake: z
      .object({
        /** Consecutive messages from one person within this window make one report. */
        mergeWindow: z.object({ seconds: z.number().positive() }).strict(),
        /** An unanswered question times out and the most plausible level is recorded as provisional. */
        questionTimeout: z.object({ minutes: z.number().positive() }).strict(),
        /** The same text from the same person within this window is a platform duplicate. */
        duplicateTextWindow: z.object({ seconds: z.number().nonnegative() }).strict(),
      })
      .strict(),
    confirmation: z
      .object({
        /** Reminded once after this, then closed as unconfirmed after `closeAfter`. */
        remindAfter: z.object({ hours: z.number().positive() }).strict(),
        closeAfter: z.object({ hours: z.number().positive() }).strict(),
        /** After this, any customer of the same chat may confirm or rate in the reporter's place. */
        reporterAbsentAfter: z.object({ hours: z.number().positive() }).strict(),
        /** A rating at or below this is dissatisfaction. */
        dissatisfiedAtOrBelow: z.number().int().min(1).max(5),
      })
      .strict(),
    assignment: z
      .object({
        /** Assign automatically from the on-duty rota instead of waiting for the manager. */
        rota: z.boolean().default(false),
      })
      .strict(),
    /** Consultations close this long after the engineer's answer unless the customer writes again. */
    consultationCloseAfter: z.object({ hours: z.number().positive() }).strict(),
    /** Hotline answer-or-call-back limit: kept for the record; the bot has no hotline. */
    hotlineCallback: DurationSchema,
    /** Device names whose failed part is a magnetic medium that must stay with the customer. */
    magneticMedia: z.array(z.string()).default([]),
    /** Inspections, follow-up visits, repair and return, emergency reports, planned maintenance (contract-duties.ts). */
    ...CONTRACT_DUTY_FIELDS,
  })
  .strict()
  .superRefine((c, ctx) => {
    checkContractDuties(c, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    c.reopening?.clocks.forEach((name, i) => {
      if (!(name in c.clocks)) ctx.addIssue({ code: 'custom', path: ['reopening', 'clocks', i], message: `${name} is not one of the clocks (${Object.keys(c.clocks).join(', ')})` });
    });
    for (const [name, clock] of Object.entries(c.clocks)) {
      if ('levelColumn' in clock.limit && !clock.kinds.every((k) => k === 'fault')) {
        ctx.addIssue({
          code: 'custom',
          path: ['clocks', name, 'limit'],
          message: 'a limit taken from the fault level table applies to faults only (kinds: [fault])',
        });
      }
    }
  });

export type Contract = z.infer<typeof ContractSchema>;

/** A stable hash of a contract, kept on each ticket to know which numbers its deadlines came from. */
export function contractHash(contract: Contract): string {
  return createHash('sha256').update(stableJson(contract)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function levelInfo(contract: Contract, level: FaultLevel) {
  const info = contract.faultLevels.find((l) => l.level === level);
  if (!info) throw new Error(`fault level ${level} is not in the contract`);
  return info;
}

/** Minutes of a fixed duration (minutes or hours); working-day limits are computed by the calendar. */
export function durationMinutes(d: Duration): number | null {
  if (d.minutes !== undefined) return d.minutes;
  if (d.hours !== undefined) return d.hours * 60;
  return null;
}

/** "30 分钟", "24 小时", "2 个工作日". */
export function describeDuration(d: Duration): string {
  if (d.workingDays !== undefined) return `${d.workingDays} 个工作日`;
  const minutes = durationMinutes(d)!;
  if (minutes % 60 === 0) return `${minutes / 60} 小时`;
  return `${minutes} 分钟`;
}
