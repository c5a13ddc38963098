/**
 * Recurring planned work (inspections, follow-up visits): the due dates of a
 * plan "every quarter from 2026-01-15", each with a period key that names the
 * occurrence for good, so that a job is made once per period however often the
 * schedule is swept. Pure: dates and the calendar are passed in.
 *
 * Months are counted from the plan's first date (from + k·n months, each
 * computed from `from`, so 31 January stays the last day of each month and
 * never drifts to the 28th). The period key is the occurrence's nominal month
 * (2026-04) or ISO week (2026-W15): moving the day within the period keeps the
 * key, so editing a plan's day does not make a second job for the same period.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BusinessCalendar } from './calendar.js';

export const FREQUENCY_WORDS = ['weekly', 'monthly', 'bimonthly', 'quarterly', 'semiannual', 'yearly'] as const;
export type FrequencyWord = (typeof FREQUENCY_WORDS)[number];

/** "quarterly", or { months: 2 } / { weeks: 2 }. */
export const FrequencySchema = z.union(
  [z.enum(FREQUENCY_WORDS), z.object({ months: z.number().int().min(1).max(60) }).strict(), z.object({ weeks: z.number().int().min(1).max(52) }).strict()],
  { error: `one of ${FREQUENCY_WORDS.join(', ')}, or { months: n } (1–60) / { weeks: n } (1–52)` },
);
export type Frequency = z.infer<typeof FrequencySchema>;

export interface Step {
  unit: 'week' | 'month';
  n: number;
}

const WORD_STEPS: Record<FrequencyWord, Step> = {
  weekly: { unit: 'week', n: 1 },
  monthly: { unit: 'month', n: 1 },
  bimonthly: { unit: 'month', n: 2 },
  quarterly: { unit: 'month', n: 3 },
  semiannual: { unit: 'month', n: 6 },
  yearly: { unit: 'month', n: 12 },
};

export function stepOf(f: Frequency): Step {
  if (typeof f === 'string') return WORD_STEPS[f];
  if ('months' in f) return { unit: 'month', n: f.months };
  return { unit: 'week', n: f.weeks };
}

/** 每周 / 每月 / 每两个月 / 每季度 / 每半年 / 每年 / 每 3 个月 / 每 2 周. */
export function frequencyLabel(f: Frequency): string {
  const s = stepOf(f);
  if (s.unit === 'week') return s.n === 1 ? '每周' : `每 ${s.n} 周`;
  const named: Record<number, string> = { 1: '每月', 2: '每两个月', 3: '每季度', 6: '每半年', 12: '每年' };
  return named[s.n] ?? `每 ${s.n} 个月`;
}

/** What to do with a due date that falls on a weekend or public holiday. */
export const NON_WORKING_DAY_RULES = ['next', 'previous', 'keep'] as const;
export type NonWorkingDayRule = (typeof NON_WORKING_DAY_RULES)[number];

export interface Recurrence {
  every: Frequency;
  /** The first due date, YYYY-MM-DD. */
  from: string;
  /** The last date an occurrence may fall on, YYYY-MM-DD. */
  until?: string | undefined;
}

export interface Occurrence {
  /** 0 for the first date. */
  index: number;
  /** 2026-04 (monthly units) or 2026-W15 (weekly units): unique per occurrence of a plan. */
  periodKey: string;
  /** The date the plan names, before moving off a non-working day. */
  nominalDate: string;
  /** The date the work is due (nominal, or the working day next to it). */
  dueDate: string;
  /** The end of working hours on dueDate: the work is overdue after it. */
  dueAt: Date;
}

function nominal(r: Recurrence, index: number, tz: string): DateTime {
  const from = DateTime.fromISO(r.from, { zone: tz });
  const s = stepOf(r.every);
  return s.unit === 'week' ? from.plus({ weeks: s.n * index }) : from.plus({ months: s.n * index });
}

function periodKey(d: DateTime, unit: Step['unit']): string {
  return unit === 'week' ? `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}` : d.toFormat('yyyy-MM');
}

/** The working day on or next to `date` as the rule says (bounded: a year without one is a configuration error). */
export function shiftToWorkingDay(date: string, rule: NonWorkingDayRule, calendar: BusinessCalendar): string {
  if (rule === 'keep' || calendar.isWorkingDay(date)) return date;
  let d = DateTime.fromISO(date, { zone: calendar.timezone });
  for (let i = 0; i < 60; i++) {
    d = d.plus({ days: rule === 'next' ? 1 : -1 });
    if (calendar.isWorkingDay(d.toISODate()!)) return d.toISODate()!;
  }
  throw new Error(`no working day within 60 days ${rule === 'next' ? 'after' : 'before'} ${date}: check calendar.overrides`);
}

/** The end of working hours on `date` (the calendar's workdayEnd), as an instant. */
export function endOfWorkOn(date: string, calendar: BusinessCalendar, workdayEnd: string): Date {
  const [h, m] = workdayEnd.split(':').map(Number);
  return DateTime.fromISO(date, { zone: calendar.timezone }).set({ hour: h!, minute: m!, second: 0, millisecond: 0 }).toJSDate();
}

export interface OccurrenceOptions {
  calendar: BusinessCalendar;
  workdayEnd: string;
  onNonWorkingDay: NonWorkingDayRule;
}

/**
 * The occurrences whose nominal date lies in [fromDate, toDate] (YYYY-MM-DD,
 * both inclusive), in order. Bounded by `limit` so a mistaken weekly plan over a
 * century cannot run away.
 */
export function occurrencesBetween(r: Recurrence, fromDate: string, toDate: string, o: OccurrenceOptions, limit = 1000): Occurrence[] {
  const tz = o.calendar.timezone;
  const unit = stepOf(r.every).unit;
  const out: Occurrence[] = [];
  const lo = fromDate < r.from ? r.from : fromDate;
  const hi = r.until && r.until < toDate ? r.until : toDate;
  if (lo > hi) return out;
  // Skip ahead to near `lo` instead of walking every occurrence since `from`.
  const s = stepOf(r.every);
  const start = DateTime.fromISO(r.from, { zone: tz });
  const target = DateTime.fromISO(lo, { zone: tz });
  const gap = s.unit === 'week' ? target.diff(start, 'weeks').weeks : target.diff(start, 'months').months;
  let index = Math.max(0, Math.floor(gap / s.n) - 1);
  for (; out.length < limit; index++) {
    const d = nominal(r, index, tz);
    const date = d.toISODate()!;
    if (date > hi) break;
    if (date < lo) continue;
    const dueDate = shiftToWorkingDay(date, o.onNonWorkingDay, o.calendar);
    out.push({ index, periodKey: periodKey(d, unit), nominalDate: date, dueDate, dueAt: endOfWorkOn(dueDate, o.calendar, o.workdayEnd) });
  }
  return out;
}
