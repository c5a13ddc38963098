/**
 * Spans of time for the contract's planned duties (inspections, follow-up
 * visits, repair steps, emergency reports): how long after a step something is
 * due, or how long before a due time something happens. Unlike a clock's
 * Duration they may be written in calendar days (a repair period, a lead time).
 * Pure: the calendar and every instant are passed in.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BusinessCalendar, CalendarResult } from './calendar.js';

const positive = z.number().positive();

function exactlyOne(keys: readonly string[]) {
  return (d: Record<string, unknown>) => keys.filter((k) => d[k] !== undefined).length === 1;
}

/** A span after a moment: exactly one of minutes, hours, days (calendar days) or workingDays. */
export const SpanSchema = z
  .object({
    minutes: positive.optional(),
    hours: positive.optional(),
    days: positive.optional(),
    /** Ends at the end of working hours on the n-th working day after the start day. */
    workingDays: z.number().int().positive().optional(),
  })
  .strict()
  .refine(exactlyOne(['minutes', 'hours', 'days', 'workingDays']), { message: 'give exactly one of minutes, hours, days or workingDays' });
export type Span = z.infer<typeof SpanSchema>;

/** A span before a moment (a lead time, a reminder): exactly one of minutes, hours or days. */
export const LeadSchema = z
  .object({
    minutes: positive.optional(),
    hours: positive.optional(),
    days: positive.optional(),
  })
  .strict()
  .refine(exactlyOne(['minutes', 'hours', 'days']), { message: 'give exactly one of minutes, hours or days' });
export type Lead = z.infer<typeof LeadSchema>;

/** The moment `span` after `start`; a working-day span may warn about a year without holiday data. */
export function addSpan(calendar: BusinessCalendar, start: Date, span: Span): CalendarResult<Date> {
  if (span.workingDays !== undefined) return calendar.endOfNthWorkingDayAfter(start, span.workingDays);
  if (span.days !== undefined) {
    // Calendar days in the contract's time zone: "15 days" keeps the time of day across a DST change.
    return { value: DateTime.fromJSDate(start, { zone: calendar.timezone }).plus({ days: span.days }).toJSDate(), warnings: [] };
  }
  return { value: new Date(start.getTime() + plainMinutes(span)! * 60_000), warnings: [] };
}

/** The moment `lead` before `end`. */
export function subtractLead(calendar: BusinessCalendar, end: Date, lead: Lead): Date {
  if (lead.days !== undefined) return DateTime.fromJSDate(end, { zone: calendar.timezone }).minus({ days: lead.days }).toJSDate();
  return new Date(end.getTime() - plainMinutes(lead)! * 60_000);
}

function plainMinutes(s: { minutes?: number; hours?: number }): number | null {
  if (s.minutes !== undefined) return s.minutes;
  if (s.hours !== undefined) return s.hours * 60;
  return null;
}

/** "30 分钟", "8 小时", "15 天", "2 个工作日". */
export function describeSpan(s: Span | Lead): string {
  if ('workingDays' in s && s.workingDays !== undefined) return `${s.workingDays} 个工作日`;
  if (s.days !== undefined) return `${s.days} 天`;
  const minutes = plainMinutes(s)!;
  return minutes % 60 === 0 ? `${minutes / 60} 小时` : `${minutes} 分钟`;
}

/** How many days a lead reaches, rounded up (to bound a search for due dates). */
export function leadDays(l: Lead): number {
  if (l.days !== undefined) return Math.ceil(l.days);
  if (l.hours !== undefined) return Math.ceil(l.hours / 24);
  return Math.ceil((l.minutes ?? 0) / 1440);
}

/** A short, stable tag for a lead, used in timer stage names: "3d", "2h", "30m". */
export function leadTag(l: Lead): string {
  if (l.days !== undefined) return `${l.days}d`;
  if (l.hours !== undefined) return `${l.hours}h`;
  return `${l.minutes}m`;
}
