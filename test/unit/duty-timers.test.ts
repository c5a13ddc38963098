/**
 * Spans of the planned duties and their timer points: adding and subtracting
 * spans on the calendar, the points of a due job and of a running limit, and
 * reconciling stored timers (with a limit's name in the stage).
 */
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import { dueJobPlan, reconcileDutyTimers, windowPlan, type ExistingDutyTimer } from '../../src/domain/duty-timers.js';
import { addSpan, describeSpan, leadTag, subtractLead, type Lead, type Span } from '../../src/domain/span.js';

const calendar = new BusinessCalendar({ timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' });
const T0 = new Date('2026-11-24T02:00:00Z'); // Tuesday 10:00 in Shanghai
const H = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * H);

describe('spans', () => {
  const adds: Array<[Span, string, string]> = [
    [{ minutes: 90 }, '2026-11-24T03:30:00.000Z', '90 分钟'],
    [{ hours: 8 }, '2026-11-24T10:00:00.000Z', '8 小时'],
    [{ days: 15 }, '2026-12-09T02:00:00.000Z', '15 天'],
    [{ workingDays: 2 }, '2026-11-26T10:00:00.000Z', '2 个工作日'],
  ];
  it.each(adds)('%j after T0 is %s (%s)', (span, iso, label) => {
    expect(addSpan(calendar, T0, span).value.toISOString()).toBe(iso);
    expect(describeSpan(span)).toBe(label);
  });

  const leads: Array<[Lead, string, string]> = [
    [{ minutes: 30 }, '2026-11-24T01:30:00.000Z', '30m'],
    [{ hours: 2 }, '2026-11-24T00:00:00.000Z', '2h'],
    [{ days: 3 }, '2026-11-21T02:00:00.000Z', '3d'],
  ];
  it.each(leads)('%j before T0 is %s (stage tag %s)', (lead, iso, tag) => {
    expect(subtractLead(calendar, T0, lead).toISOString()).toBe(iso);
    expect(leadTag(lead)).toBe(tag);
  });
});

describe('timer points', () => {
  it('a due job: a reminder per lead, overdue at the due time; none when closed', () => {
    expect(dueJobPlan('follow_up', { id: 2, dueAt: at(48), open: true }, [{ days: 1 }, { hours: 2 }], calendar).map((p) => [p.stage, (p.dueAt.getTime() - T0.getTime()) / H])).toEqual([
      ['remind_1d', 24],
      ['remind_2h', 46],
      ['overdue', 48],
    ]);
    expect(dueJobPlan('follow_up', { id: 2, dueAt: at(48), open: false }, [{ days: 1 }], calendar)).toEqual([]);
  });

  it('a running limit: shares of the window, named by the limit', () => {
    expect(windowPlan('repair', 3, { startedAt: T0, dueAt: at(10) }, [0.5, 0.8], 'quoted').map((p) => [p.stage, (p.dueAt.getTime() - T0.getTime()) / H, p.deadlineAt])).toEqual([
      ['quoted:remind_50', 5, at(10)],
      ['quoted:remind_80', 8, at(10)],
      ['quoted:overdue', 10, at(10)],
    ]);
  });
});

describe('reconciling stored timers', () => {
  const plan = windowPlan('repair', 3, { startedAt: T0, dueAt: at(10) }, [0.5, 0.8], 'quoted');
  const row = (id: number, stage: string, hours: number, state: ExistingDutyTimer['state']): ExistingDutyTimer => ({ id, stage, dueAt: at(hours), state });

  it('past reminders of a named limit are skipped; its overdue point is made even when past', () => {
    expect(reconcileDutyTimers(plan, [], at(9)).create.map((p) => p.stage)).toEqual(['quoted:overdue']);
    expect(reconcileDutyTimers(plan, [], at(11)).create.map((p) => p.stage)).toEqual(['quoted:overdue']);
  });

  it('stored and fired points stay; a point no longer planned is cancelled; a cancelled one planned again is revived', () => {
    const stored = [row(1, 'quoted:remind_50', 5, 'fired'), row(2, 'quoted:remind_80', 8, 'cancelled'), row(3, 'quoted:overdue', 10, 'pending'), row(4, 'sent:overdue', 50, 'pending')];
    expect(reconcileDutyTimers(plan, stored, at(6))).toEqual({ create: [], cancel: [4], revive: [2] });
  });

  it('a moved deadline: the old points cancelled, the new ones made', () => {
    const moved = windowPlan('repair', 3, { startedAt: T0, dueAt: at(20) }, [0.5], 'repaired');
    const stored = [row(1, 'repaired:remind_50', 5, 'pending'), row(2, 'repaired:overdue', 10, 'pending')];
    const r = reconcileDutyTimers(moved, stored, at(1));
    expect(r.cancel).toEqual([1, 2]);
    expect(r.create.map((p) => [p.stage, (p.dueAt.getTime() - T0.getTime()) / H])).toEqual([
      ['repaired:remind_50', 10],
      ['repaired:overdue', 20],
    ]);
  });
});
