/**
 * The business calendar: Chinese public holidays and make-up working days
 * (调休) from chinese-days, configured overrides for later years, working-day
 * and working-minute arithmetic in the contract's time zone.
 *
 * Instants are written in UTC; Shanghai is UTC+8 (no summer time), so
 * 18:00 in Shanghai is 10:00Z and 09:00 is 01:00Z.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar, packageCoverage, type CalendarOptions, type YearOverride } from '../../src/domain/calendar.js';

const SHANGHAI: CalendarOptions = { timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' };
const cal = new BusinessCalendar(SHANGHAI);

/**
 * A made-up 2027 schedule in the shape the State Council publishes (the real
 * one did not exist when this was written): New Year and National Day off,
 * with two make-up Sundays/Saturdays.
 */
const OVERRIDE_2027: YearOverride = {
  year: 2027,
  holidays: ['2027-01-01', '2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05', '2027-10-06', '2027-10-07'],
  workdays: ['2027-09-26', '2027-10-09'],
};
const cal2027 = new BusinessCalendar({ ...SHANGHAI, overrides: [OVERRIDE_2027] });

const iso = (d: Date) => d.toISOString();

describe('package data', () => {
  it('covers up to 2026 and not 2027', () => {
    expect(packageCoverage().last).toBe(2026);
    expect(packageCoverage().first).toBeLessThanOrEqual(2020);
    expect(cal.hasDataFor(2026)).toBe(true);
    expect(cal.hasDataFor(2027)).toBe(false);
    expect(cal2027.hasDataFor(2027)).toBe(true);
    expect(cal2027.hasDataFor(2028)).toBe(false);
  });
});

describe('day()', () => {
  // date, weekday, working, reason, holiday name
  const days: Array<[string, string, boolean, string, string | undefined]> = [
    // Mid-autumn 2026: Fri 25 – Sun 27 September.
    ['2026-09-18', 'Fri', true, 'workday', undefined],
    ['2026-09-19', 'Sat', false, 'weekend', undefined],
    ['2026-09-20', 'Sun', true, 'makeup', '国庆节'],
    ['2026-09-24', 'Thu', true, 'workday', undefined],
    ['2026-09-25', 'Fri', false, 'holiday', '中秋'],
    ['2026-09-26', 'Sat', false, 'holiday', '中秋'],
    ['2026-09-27', 'Sun', false, 'holiday', '中秋'],
    ['2026-09-28', 'Mon', true, 'workday', undefined],
    ['2026-09-30', 'Wed', true, 'workday', undefined],
    // National Day 2026: 1–7 October, make-up Sat 10 October.
    ['2026-10-01', 'Thu', false, 'holiday', '国庆节'],
    ['2026-10-02', 'Fri', false, 'holiday', '国庆节'],
    ['2026-10-05', 'Mon', false, 'holiday', '国庆节'],
    ['2026-10-06', 'Tue', false, 'holiday', '国庆节'],
    ['2026-10-07', 'Wed', false, 'holiday', '国庆节'],
    ['2026-10-08', 'Thu', true, 'workday', undefined],
    ['2026-10-09', 'Fri', true, 'workday', undefined],
    ['2026-10-10', 'Sat', true, 'makeup', '国庆节'],
    ['2026-10-11', 'Sun', false, 'weekend', undefined],
    ['2026-10-12', 'Mon', true, 'workday', undefined],
    // Spring Festival 2026: 15–23 February, make-up Sat 14 and Sat 28 February.
    ['2026-02-13', 'Fri', true, 'workday', undefined],
    ['2026-02-14', 'Sat', true, 'makeup', '春节'],
    ['2026-02-15', 'Sun', false, 'holiday', '春节'],
    ['2026-02-17', 'Tue', false, 'holiday', '春节'],
    ['2026-02-23', 'Mon', false, 'holiday', '春节'],
    ['2026-02-24', 'Tue', true, 'workday', undefined],
    ['2026-02-28', 'Sat', true, 'makeup', '春节'],
    ['2026-03-01', 'Sun', false, 'weekend', undefined],
    // New Year 2026: 1–3 January, make-up Sun 4 January.
    ['2026-01-01', 'Thu', false, 'holiday', '元旦'],
    ['2026-01-04', 'Sun', true, 'makeup', '元旦'],
  ];

  it.each(days)('%s (%s): working %s, %s %s', (date, _weekday, working, reason, name) => {
    const d = cal.day(date);
    expect(d).toMatchObject({ date, working, reason, source: 'package' });
    expect(d.name).toBe(name);
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it('a year without data follows the weekday rule only, and says so', () => {
    // 2027-10-01 is a Friday: with no data it is (wrongly, but visibly) a working day.
    expect(cal.day('2027-10-01')).toEqual({ date: '2027-10-01', working: true, reason: 'workday', source: 'weekday-only' });
    expect(cal.day('2027-10-02')).toEqual({ date: '2027-10-02', working: false, reason: 'weekend', source: 'weekday-only' });
  });

  it.each([
    ['2027-10-01', false, 'holiday'],
    ['2027-09-26', true, 'makeup'], // a Sunday
    ['2027-10-09', true, 'makeup'], // a Saturday
    ['2027-10-08', true, 'workday'],
    ['2027-10-10', false, 'weekend'],
  ] as const)('with the 2027 override, %s is working %s (%s)', (date, working, reason) => {
    expect(cal2027.day(date)).toEqual({ date, working, reason, source: 'override' });
  });

  it('the override does not touch years the package covers', () => {
    expect(cal2027.day('2026-10-10')).toMatchObject({ working: true, reason: 'makeup', source: 'package' });
  });

  it.each(['2026-13-01', '2026-02-30', 'hello', '2026-W40-4', '2026-10-01T08:00', ''])('refuses "%s"', (date) => {
    expect(() => cal.day(date)).toThrow(/not a date/);
  });
});

describe('time zone', () => {
  it.each([
    ['2026-09-30T15:59:59Z', '2026-09-30'],
    ['2026-09-30T16:00:00Z', '2026-10-01'],
    ['2026-09-30T23:30:00Z', '2026-10-01'],
    ['2026-12-31T16:30:00Z', '2027-01-01'],
  ])('%s is %s in Shanghai', (instant, date) => {
    expect(cal.dateOf(new Date(instant))).toBe(date);
  });

  it('23:30 UTC on the eve of a working day is already that working day in Shanghai, not in UTC', () => {
    const utc = new BusinessCalendar({ ...SHANGHAI, timezone: 'UTC' });
    const instant = new Date('2026-10-07T23:30:00Z'); // 08:00 on Thursday 8 October in Shanghai
    expect(cal.dateOf(instant)).toBe('2026-10-08');
    expect(utc.dateOf(instant)).toBe('2026-10-07');
    // Two working days after Thursday 8 Oct: Fri 9, Sat 10 (make-up).
    expect(iso(cal.endOfNthWorkingDayAfter(instant, 2).value)).toBe('2026-10-10T10:00:00.000Z');
    // In UTC the day is the holiday of 7 Oct: Thu 8, Fri 9, at 18:00 UTC.
    expect(iso(utc.endOfNthWorkingDayAfter(instant, 2).value)).toBe('2026-10-09T18:00:00.000Z');
    // 30 working minutes: 09:30 the same Shanghai morning.
    expect(iso(cal.addWorkingMinutes(instant, 30).value)).toBe('2026-10-08T01:30:00.000Z');
  });

  it('working hours are read in the configured zone', () => {
    const berlin = new BusinessCalendar({ timezone: 'Europe/Berlin', workdayStart: '08:00', workdayEnd: '17:00' });
    // Monday 12 Oct 2026, 07:30 in Berlin (UTC+2 in summer time): opens at 08:00 local = 06:00Z.
    expect(iso(berlin.addWorkingMinutes(new Date('2026-10-12T05:30:00Z'), 0).value)).toBe('2026-10-12T06:00:00.000Z');
    // Working days still follow the Chinese calendar: 10 Oct 2026 (Sat) is a make-up day.
    expect(iso(berlin.endOfNthWorkingDayAfter(new Date('2026-10-09T10:00:00Z'), 1).value)).toBe('2026-10-10T15:00:00.000Z');
  });
});

describe('endOfNthWorkingDayAfter (第 n 个工作日, day of receipt not counted)', () => {
  // received (UTC), n, due (UTC: 18:00 Shanghai = 10:00Z)
  const cases: Array<[string, string, number, string]> = [
    ['complaint on the eve of National Day', '2026-09-30T02:00:00Z', 2, '2026-10-09T10:00:00.000Z'],
    ['… first working day after it', '2026-09-30T02:00:00Z', 1, '2026-10-08T10:00:00.000Z'],
    ['… received late in the evening', '2026-09-30T13:59:00Z', 2, '2026-10-09T10:00:00.000Z'],
    ['received on 9 Oct: 10 Oct (Sat) is a make-up working day', '2026-10-09T02:00:00Z', 2, '2026-10-12T10:00:00.000Z'],
    ['received on 9 Oct, n = 1: the make-up Saturday', '2026-10-09T02:00:00Z', 1, '2026-10-10T10:00:00.000Z'],
    ['received on the make-up Saturday itself', '2026-10-10T02:00:00Z', 2, '2026-10-13T10:00:00.000Z'],
    ['received during the holiday', '2026-10-03T02:00:00Z', 2, '2026-10-09T10:00:00.000Z'],
    ['received on the last holiday', '2026-10-07T02:00:00Z', 3, '2026-10-10T10:00:00.000Z'],
    ['before Mid-autumn: skips 25–27 Sep', '2026-09-24T02:00:00Z', 2, '2026-09-29T10:00:00.000Z'],
    ['Friday before the make-up Sunday 20 Sep', '2026-09-18T02:00:00Z', 1, '2026-09-20T10:00:00.000Z'],
    ['Friday, two days: Sun 20 (make-up), Mon 21', '2026-09-18T02:00:00Z', 2, '2026-09-21T10:00:00.000Z'],
    ['across Mid-autumn and National Day: 28, 29, 30 Sep, 8, 9 Oct', '2026-09-24T02:00:00Z', 5, '2026-10-09T10:00:00.000Z'],
    ['ordinary week: Tuesday → Thursday', '2026-11-24T02:00:00Z', 2, '2026-11-26T10:00:00.000Z'],
    ['ordinary weekend: Friday → Tuesday', '2026-11-27T02:00:00Z', 2, '2026-12-01T10:00:00.000Z'],
    ['Spring Festival: Fri 13 Feb → Sat 14 (make-up), Tue 24', '2026-02-13T02:00:00Z', 2, '2026-02-24T10:00:00.000Z'],
    ['Spring Festival: Thu 12 Feb → Fri 13, Sat 14 (make-up)', '2026-02-12T02:00:00Z', 2, '2026-02-14T10:00:00.000Z'],
    ['Spring Festival: received on the holiday', '2026-02-18T02:00:00Z', 1, '2026-02-24T10:00:00.000Z'],
    ['after Spring Festival: Fri 27 Feb → Sat 28 (make-up)', '2026-02-27T02:00:00Z', 1, '2026-02-28T10:00:00.000Z'],
    ['New Year: 31 Dec 2025 → Sun 4 Jan (make-up)', '2025-12-31T02:00:00Z', 1, '2026-01-04T10:00:00.000Z'],
  ];

  it.each(cases)('%s: %s + %i → %s', (_what, received, n, due) => {
    const r = cal.endOfNthWorkingDayAfter(new Date(received), n);
    expect(iso(r.value)).toBe(due);
    expect(r.warnings).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses n = %s', (n) => {
    expect(() => cal.endOfNthWorkingDayAfter(new Date('2026-09-30T02:00:00Z'), n)).toThrow(/working days must be a whole number ≥ 1/);
  });

  it('walks past a year the override makes all holidays, into a year without data (and warns about that one)', () => {
    const dates: string[] = [];
    for (let d = new Date('2027-01-01T00:00:00Z'); d.getUTCFullYear() === 2027; d = new Date(d.getTime() + 86_400_000)) {
      dates.push(d.toISOString().slice(0, 10));
    }
    const never = new BusinessCalendar({ ...SHANGHAI, overrides: [{ year: 2027, holidays: dates, workdays: [] }] });
    const r = never.endOfNthWorkingDayAfter(new Date('2026-12-31T02:00:00Z'), 1);
    expect(iso(r.value)).toBe('2028-01-03T10:00:00.000Z'); // the first Monday of 2028
    expect(r.warnings).toEqual([expect.stringMatching(/no public-holiday data for 2028/)]);
  });
});

describe('a year beyond the package data', () => {
  it('without an override: weekdays only, and a warning naming the year', () => {
    // Thu 30 Sep 2027 → Fri 1 Oct (a National Day holiday in reality), Mon 4 Oct.
    const r = cal.endOfNthWorkingDayAfter(new Date('2027-09-30T02:00:00Z'), 2);
    expect(iso(r.value)).toBe('2027-10-04T10:00:00.000Z');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/no public-holiday data for 2027/);
    expect(r.warnings[0]).toMatch(/calendar\.overrides/);
  });

  it('with an override: the override is used and nothing is warned', () => {
    // 1–7 Oct off; Fri 8, Sat 9 (make-up).
    const r = cal2027.endOfNthWorkingDayAfter(new Date('2027-09-30T02:00:00Z'), 2);
    expect(iso(r.value)).toBe('2027-10-09T10:00:00.000Z');
    expect(r.warnings).toEqual([]);
  });

  it('the override make-up Sunday counts', () => {
    // Fri 24 Sep 2027 → Sun 26 (make-up) in the override; Mon 27 without it.
    expect(iso(cal2027.endOfNthWorkingDayAfter(new Date('2027-09-24T02:00:00Z'), 1).value)).toBe('2027-09-26T10:00:00.000Z');
    expect(iso(cal.endOfNthWorkingDayAfter(new Date('2027-09-24T02:00:00Z'), 1).value)).toBe('2027-09-27T10:00:00.000Z');
  });

  it('crossing from 2026 into 2027 warns about 2027 only', () => {
    // Wed 30 Dec 2026 → Thu 31 Dec, Fri 1 Jan 2027 (no data: counted as working).
    const r = cal.endOfNthWorkingDayAfter(new Date('2026-12-30T02:00:00Z'), 2);
    expect(iso(r.value)).toBe('2027-01-01T10:00:00.000Z');
    expect(r.warnings).toEqual([expect.stringContaining('2027')]);
    expect(r.warnings[0]).not.toMatch(/2026/);
    const o = cal2027.endOfNthWorkingDayAfter(new Date('2026-12-30T02:00:00Z'), 2);
    expect(iso(o.value)).toBe('2027-01-04T10:00:00.000Z');
    expect(o.warnings).toEqual([]);
  });

  it('working-minute clocks warn too, and use the override when there is one', () => {
    // Thu 30 Sep 2027 17:00 + 2 working hours.
    const start = new Date('2027-09-30T09:00:00Z');
    const without = cal.addWorkingMinutes(start, 120);
    expect(iso(without.value)).toBe('2027-10-01T02:00:00.000Z');
    expect(without.warnings).toEqual([expect.stringMatching(/no public-holiday data for 2027/)]);
    const withOverride = cal2027.addWorkingMinutes(start, 120);
    expect(iso(withOverride.value)).toBe('2027-10-08T02:00:00.000Z');
    expect(withOverride.warnings).toEqual([]);

    const between = cal.workingMinutesBetween(start, new Date('2027-10-08T10:00:00Z'));
    // 60 (30 Sep) + 540 × 5 (1, 4, 5, 6, 7 Oct as weekdays) + 540 (8 Oct)
    expect(between.value).toBe(60 + 540 * 6);
    expect(between.warnings).toHaveLength(1);
    const betweenOverride = cal2027.workingMinutesBetween(start, new Date('2027-10-08T10:00:00Z'));
    expect(betweenOverride).toEqual({ value: 60 + 540, warnings: [] });
  });

  it('a 7×24 clock needs no holiday data', () => {
    expect(iso(cal.addMinutes(new Date('2027-10-01T02:00:00Z'), 24 * 60))).toBe('2027-10-02T02:00:00.000Z');
  });
});

describe('addWorkingMinutes', () => {
  // start (UTC), minutes, result (UTC)
  const cases: Array<[string, string, number, string]> = [
    ['inside working hours', '2026-11-24T02:00:00Z', 90, '2026-11-24T03:30:00.000Z'],
    ['zero minutes inside hours: the same instant', '2026-11-24T02:00:00Z', 0, '2026-11-24T02:00:00.000Z'],
    ['before opening: counts from 09:00', '2026-11-24T00:00:00Z', 30, '2026-11-24T01:30:00.000Z'],
    ['after closing: the next morning', '2026-11-24T12:00:00Z', 30, '2026-11-25T01:30:00.000Z'],
    ['exactly the rest of the day ends at closing', '2026-11-24T01:00:00Z', 540, '2026-11-24T10:00:00.000Z'],
    ['one minute more rolls to the next morning', '2026-11-24T01:00:00Z', 541, '2026-11-25T01:01:00.000Z'],
    ['over a weekend: Fri 17:30 + 60 → Mon 09:30', '2026-11-27T09:30:00Z', 60, '2026-11-30T01:30:00.000Z'],
    ['into National Day: Wed 30 Sep 17:00 + 120 → Thu 8 Oct 10:00', '2026-09-30T09:00:00Z', 120, '2026-10-08T02:00:00.000Z'],
    ['to the make-up Sunday: Fri 18 Sep 17:30 + 60 → Sun 20 Sep 09:30', '2026-09-18T09:30:00Z', 60, '2026-09-20T01:30:00.000Z'],
    ['to the make-up Saturday: Fri 9 Oct 17:00 + 120 → Sat 10 Oct 10:00', '2026-10-09T09:00:00Z', 120, '2026-10-10T02:00:00.000Z'],
    ['started during the holiday', '2026-10-03T04:00:00Z', 60, '2026-10-08T02:00:00.000Z'],
    ['Spring Festival: Fri 13 Feb 17:00 + 120 → Sat 14 Feb 10:00', '2026-02-13T09:00:00Z', 120, '2026-02-14T02:00:00.000Z'],
    ['Spring Festival: Sat 14 Feb 17:00 + 120 → Tue 24 Feb 10:00', '2026-02-14T09:00:00Z', 120, '2026-02-24T02:00:00.000Z'],
    ['two working days from a morning', '2026-11-24T01:00:00Z', 1080, '2026-11-25T10:00:00.000Z'],
    ['just after midnight in Shanghai (16:30Z the day before)', '2026-11-23T16:30:00Z', 60, '2026-11-24T02:00:00.000Z'],
  ];

  it.each(cases)('%s', (_what, start, minutes, expected) => {
    const r = cal.addWorkingMinutes(new Date(start), minutes);
    expect(iso(r.value)).toBe(expected);
    expect(r.warnings).toEqual([]);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s minutes', (m) => {
    expect(() => cal.addWorkingMinutes(new Date('2026-11-24T02:00:00Z'), m)).toThrow(/minutes must be a finite number ≥ 0/);
  });
});

describe('workingMinutesBetween', () => {
  const cases: Array<[string, string, string, number]> = [
    ['the same morning', '2026-11-24T02:00:00Z', '2026-11-24T03:30:00Z', 90],
    ['a night', '2026-11-24T09:00:00Z', '2026-11-25T02:00:00Z', 60 + 60],
    ['a whole weekend counts nothing', '2026-11-28T00:00:00Z', '2026-11-29T15:59:00Z', 0],
    ['Friday evening to Monday morning', '2026-11-27T09:00:00Z', '2026-11-30T02:00:00Z', 60 + 60],
    ['National Day, eve 10:00 to 9 Oct 18:00', '2026-09-30T02:00:00Z', '2026-10-09T10:00:00Z', 480 + 540 + 540],
    ['the holiday itself', '2026-10-01T00:00:00Z', '2026-10-07T15:59:00Z', 0],
    ['including the make-up Sunday 20 Sep', '2026-09-18T09:00:00Z', '2026-09-21T02:00:00Z', 60 + 540 + 60],
    ['Spring Festival', '2026-02-13T04:00:00Z', '2026-02-25T04:00:00Z', 360 + 540 + 540 + 180],
    ['reversed: 0', '2026-11-25T02:00:00Z', '2026-11-24T02:00:00Z', 0],
    ['equal: 0', '2026-11-25T02:00:00Z', '2026-11-25T02:00:00Z', 0],
  ];

  it.each(cases)('%s', (_what, a, b, minutes) => {
    expect(cal.workingMinutesBetween(new Date(a), new Date(b))).toEqual({ value: minutes, warnings: [] });
  });

  it('is the inverse of addWorkingMinutes across 2026', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const end = Date.parse('2026-12-20T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: start, max: end }), fc.integer({ min: 0, max: 10 * 540 }), (t, minutes) => {
        const a = new Date(Math.floor(t / 60_000) * 60_000);
        const b = cal.addWorkingMinutes(a, minutes).value;
        expect(cal.workingMinutesBetween(a, b).value).toBe(minutes);
      }),
      { numRuns: 300, seed: 20261001 },
    );
  });
});

describe('bad options', () => {
  it.each([
    [{ timezone: 'Mars/Olympus' }, /timezone: unknown IANA time zone "Mars\/Olympus"/],
    [{ timezone: '' }, /timezone: unknown IANA time zone ""/],
    [{ workdayStart: 'nine' }, /workdayStart: expected HH:mm, got "nine"/],
    [{ workdayEnd: '18' }, /workdayEnd: expected HH:mm, got "18"/],
    [{ workdayEnd: '25:00' }, /workdayEnd: not a time of day: "25:00"/],
    [{ workdayEnd: '24:30' }, /workdayEnd: not a time of day: "24:30"/],
    [{ workdayStart: '09:75' }, /workdayStart: not a time of day: "09:75"/],
    [{ workdayStart: '18:00', workdayEnd: '09:00' }, /workdayEnd \(09:00\) must be after workdayStart \(18:00\)/],
    [{ workdayStart: '09:00', workdayEnd: '09:00' }, /workdayEnd \(09:00\) must be after workdayStart \(09:00\)/],
  ] as Array<[Partial<CalendarOptions>, RegExp]>)('%j', (bad, message) => {
    expect(() => new BusinessCalendar({ ...SHANGHAI, ...bad })).toThrow(message);
  });

  it('"24:00" is the end of the day', () => {
    const allDay = new BusinessCalendar({ ...SHANGHAI, workdayStart: '00:00', workdayEnd: '24:00' });
    // Thu 8 Oct 23:00 Shanghai + 120 working minutes: Fri 9 Oct 01:00.
    expect(iso(allDay.addWorkingMinutes(new Date('2026-10-08T15:00:00Z'), 120).value)).toBe('2026-10-08T17:00:00.000Z');
  });
});
