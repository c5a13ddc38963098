/**
 * The business calendar: Chinese public holidays and make-up working days (调休)
 * from the chinese-days package, plus overrides from configuration for years the
 * package does not cover. Pure: no clock, no I/O; every instant is passed in.
 *
 * Two kinds of clocks are built on it: 7×24 clocks (plain elapsed minutes, see
 * addMinutes) and working-day clocks (addWorkingDays, addWorkingMinutes).
 */
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';

const require = createRequire(import.meta.url);
/** { holidays: { 'YYYY-MM-DD': 'English,中文,days' }, workdays: {...} } — bundled static data. */
const packageData = require('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};

/** Holiday data for one year, as configured by a deployment. */
export interface YearOverride {
  year: number;
  /** Days off that would otherwise be working days (YYYY-MM-DD). */
  holidays: string[];
  /** Make-up working days that fall on a weekend (YYYY-MM-DD). */
  workdays: string[];
}

export interface CalendarOptions {
  timezone: string;
  /** Working hours on a working day, "HH:mm". */
  workdayStart: string;
  workdayEnd: string;
  overrides?: YearOverride[];
}

export type DayReason = 'workday' | 'weekend' | 'holiday' | 'makeup';

export interface DayInfo {
  date: string;
  working: boolean;
  reason: DayReason;
  /** Holiday name in Chinese when known (国庆节). */
  name?: string;
  /** Where the answer came from: the package, a configured override, or only the weekday rule. */
  source: 'package' | 'override' | 'weekday-only';
}

/** A result computed from a calendar, with warnings when holiday data was missing. */
export interface CalendarResult<T> {
  value: T;
  /** One line per year without holiday data, in English (for logs) — never silently guessed. */
  warnings: string[];
}

const packageYears: ReadonlySet<number> = (() => {
  const years = new Set<number>();
  for (const table of [packageData.holidays, packageData.workdays]) {
    for (const date of Object.keys(table)) years.add(Number(date.slice(0, 4)));
  }
  return years;
})();

/** Years the chinese-days package has data for. */
export function packageCoverage(): { first: number; last: number } {
  const years = [...packageYears].sort((a, b) => a - b);
  return { first: years[0] ?? 0, last: years[years.length - 1] ?? 0 };
}

function parseHm(value: string, what: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`${what}: expected HH:mm, got "${value}"`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  // "24:00" (the end of the day) is the only time past 23:59; "24:30" would silently roll into the next day.
  if (hour > 24 || minute > 59 || (hour === 24 && minute !== 0)) throw new Error(`${what}: not a time of day: "${value}"`);
  return { hour, minute };
}

export class BusinessCalendar {
  readonly timezone: string;
  private readonly start: { hour: number; minute: number };
  private readonly end: { hour: number; minute: number };
  private readonly overrides = new Map<number, { holidays: Set<string>; workdays: Set<string> }>();

  constructor(opts: CalendarOptions) {
    if (!DateTime.now().setZone(opts.timezone).isValid) {
      throw new Error(`timezone: unknown IANA time zone "${opts.timezone}"`);
    }
    this.timezone = opts.timezone;
    this.start = parseHm(opts.workdayStart, 'workdayStart');
    this.end = parseHm(opts.workdayEnd, 'workdayEnd');
    if (this.end.hour * 60 + this.end.minute <= this.start.hour * 60 + this.start.minute) {
      throw new Error(`workdayEnd (${opts.workdayEnd}) must be after workdayStart (${opts.workdayStart})`);
    }
    for (const o of opts.overrides ?? []) {
      this.overrides.set(o.year, { holidays: new Set(o.holidays), workdays: new Set(o.workdays) });
    }
  }

  /** Whether holiday data exists for a year (package or override). */
  hasDataFor(year: number): boolean {
    return this.overrides.has(year) || packageYears.has(year);
  }

  /** The calendar day (YYYY-MM-DD) an instant falls on in the calendar's time zone. */
  dateOf(instant: Date): string {
    return DateTime.fromJSDate(instant, { zone: this.timezone }).toISODate()!;
  }

  day(date: string): DayInfo {
    // Only YYYY-MM-DD: the holiday tables are keyed by it, and luxon would also accept
    // "2026-W40-4" or "2026-10-01T08:00", which would then miss every holiday.
    const dt = /^\d{4}-\d{2}-\d{2}$/.test(date) ? DateTime.fromISO(date, { zone: this.timezone }) : null;
    if (!dt?.isValid) throw new Error(`not a date written YYYY-MM-DD: "${date}"`);
    const weekend = dt.weekday >= 6;
    const override = this.overrides.get(dt.year);
    if (override) {
      if (override.holidays.has(date)) return { date, working: false, reason: 'holiday', source: 'override' };
      if (override.workdays.has(date)) return { date, working: true, reason: 'makeup', source: 'override' };
      return { date, working: !weekend, reason: weekend ? 'weekend' : 'workday', source: 'override' };
    }
    if (packageYears.has(dt.year)) {
      const holiday = packageData.holidays[date];
      if (holiday) return { date, working: false, reason: 'holiday', name: holiday.split(',')[1], source: 'package' };
      const makeup = packageData.workdays[date];
      if (makeup) return { date, working: true, reason: 'makeup', name: makeup.split(',')[1], source: 'package' };
      return { date, working: !weekend, reason: weekend ? 'weekend' : 'workday', source: 'package' };
    }
    return { date, working: !weekend, reason: weekend ? 'weekend' : 'workday', source: 'weekday-only' };
  }

  isWorkingDay(date: string): boolean {
    return this.day(date).working;
  }

  /** A 7×24 clock: plain elapsed minutes. */
  addMinutes(instant: Date, minutes: number): Date {
    return new Date(instant.getTime() + minutes * 60_000);
  }

  /**
   * The end of the n-th working day after the day of `instant` (the day itself not
   * counted): "by the second working day" (第二个工作日) for a complaint received on
   * 2026-09-30 is 2026-10-09 at the end of working hours.
   */
  endOfNthWorkingDayAfter(instant: Date, n: number): CalendarResult<Date> {
    if (!Number.isInteger(n) || n < 1) throw new Error(`working days must be a whole number ≥ 1, got ${n}`);
    const missing = new Set<number>();
    let day = DateTime.fromJSDate(instant, { zone: this.timezone }).startOf('day');
    let counted = 0;
    // Bounded: even a year of holidays cannot hide n working days for more than ~n+400 days.
    for (let guard = 0; guard < 400 + n * 7 && counted < n; guard++) {
      day = day.plus({ days: 1 });
      const info = this.day(day.toISODate()!);
      if (info.source === 'weekday-only') missing.add(day.year);
      if (info.working) counted++;
    }
    if (counted < n) throw new Error(`no ${n} working days found after ${instant.toISOString()}: check calendar.overrides`);
    const due = day.set({ hour: this.end.hour, minute: this.end.minute, second: 0, millisecond: 0 });
    return { value: due.toJSDate(), warnings: missingWarnings(missing) };
  }

  /**
   * A working-hours clock: `minutes` of working time after `instant`, counting
   * only working hours of working days.
   */
  addWorkingMinutes(instant: Date, minutes: number): CalendarResult<Date> {
    if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`minutes must be a finite number ≥ 0, got ${minutes}`);
    const missing = new Set<number>();
    let cursor = DateTime.fromJSDate(instant, { zone: this.timezone });
    let left = minutes;
    for (let guard = 0; guard < 5000; guard++) {
      const info = this.day(cursor.toISODate()!);
      if (info.source === 'weekday-only') missing.add(cursor.year);
      const open = cursor.set({ hour: this.start.hour, minute: this.start.minute, second: 0, millisecond: 0 });
      const close = cursor.set({ hour: this.end.hour, minute: this.end.minute, second: 0, millisecond: 0 });
      if (info.working && cursor < close) {
        const from = cursor < open ? open : cursor;
        const available = close.diff(from, 'minutes').minutes;
        if (left <= available) {
          return { value: from.plus({ minutes: left }).toJSDate(), warnings: missingWarnings(missing) };
        }
        left -= available;
      }
      cursor = cursor.plus({ days: 1 }).startOf('day');
    }
    throw new Error(`no working time found within 5000 days of ${instant.toISOString()}`);
  }

  /** Working minutes between two instants (0 when b ≤ a). */
  workingMinutesBetween(a: Date, b: Date): CalendarResult<number> {
    const missing = new Set<number>();
    if (b <= a) return { value: 0, warnings: [] };
    let total = 0;
    let cursor = DateTime.fromJSDate(a, { zone: this.timezone });
    const stop = DateTime.fromJSDate(b, { zone: this.timezone });
    for (let guard = 0; guard < 5000 && cursor < stop; guard++) {
      const info = this.day(cursor.toISODate()!);
      if (info.source === 'weekday-only') missing.add(cursor.year);
      if (info.working) {
        const open = cursor.set({ hour: this.start.hour, minute: this.start.minute, second: 0, millisecond: 0 });
        const close = cursor.set({ hour: this.end.hour, minute: this.end.minute, second: 0, millisecond: 0 });
        const from = cursor < open ? open : cursor;
        const to = stop < close ? stop : close;
        if (to > from) total += to.diff(from, 'minutes').minutes;
      }
      cursor = cursor.plus({ days: 1 }).startOf('day');
    }
    return { value: total, warnings: missingWarnings(missing) };
  }
}

/**
 * What to add to the contract file for a year the holiday data does not cover:
 * the exact YAML, to fill in with the State Council's dates when they are
 * published (each year's are announced in the autumn of the year before).
 */
export function missingYearAdvice(year: number, contractFile: string): string {
  const jan1 = `${year}-01-01`;
  return [
    `no public-holiday data for ${year}: working-day limits (e.g. the complaint answer) count Saturdays and Sundays only until it is added.`,
    `When the State Council publishes the ${year} holidays (国务院办公厅关于${year}年部分节假日安排的通知), add them to ${contractFile}, then restart:`,
    '  calendar:',
    '    overrides:',
    `      - year: ${year}`,
    `        holidays: [${jan1}, …]   # every day off that falls on Monday–Friday (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆)`,
    `        workdays: [${year}-MM-DD, …]   # every make-up working day (调休) that falls on a Saturday or Sunday`,
    `(Or update the chinese-days package once a release covers ${year}: npm install chinese-days@latest.)`,
  ].join('\n');
}

function missingWarnings(years: Set<number>): string[] {
  return [...years]
    .sort()
    .map(
      (y) =>
        `no public-holiday data for ${y}: counted weekends only; add the ${y} holidays and make-up days under calendar.overrides in the contract file ({ year: ${y}, holidays: [...], workdays: [...] }; the start-up log shows the lines)`,
    );
}
