/**
 * Follow-up visits: the scheduled ones a sweep makes (never twice), the one
 * after each closed level 1–2 fault, their reminders, and a visit's notes in
 * pieces for the report reader. 18:00 in Shanghai is 10:00Z.
 */
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import type { FollowUpTerms } from '../../src/domain/contract-duties.js';
import {
  faultVisitKey,
  followUpOverdue,
  followUpTimerPlan,
  scheduledVisitKey,
  scheduledVisitsToMake,
  visitAfterFault,
  visitNoteSegments,
} from '../../src/domain/follow-up.js';

const calendar = new BusinessCalendar({ timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' });
const terms: FollowUpTerms = {
  leadTime: { days: 7 },
  remindBefore: [{ days: 1 }],
  remind: ['assignee'],
  overdueNotify: ['manager'],
  onNonWorkingDay: 'next',
  owner: 'desk',
  afterFault: { levels: [1, 2], within: { workingDays: 5 }, owner: 'desk' },
};
const ctx = { terms, calendar, workdayEnd: '18:00' };
const due = (date: string) => new Date(`${date}T10:00:00Z`);

describe('scheduled visits', () => {
  const customer = { id: 3, followUps: { every: 'monthly' as const, from: '2026-01-10', owner: '客服小刘' } };

  it('monthly from 10 January (a Saturday: due Monday the 12th), made 7 days ahead, by the named owner', () => {
    const made = scheduledVisitsToMake(customer, ctx, new Date('2026-01-05T10:00:00Z'), new Set());
    expect(made).toEqual([
      { key: 'follow_up:3:2026-01', customerId: 3, reason: 'scheduled', ticketId: null, periodKey: '2026-01', dueAt: due('2026-01-12'), makeAt: due('2026-01-05'), owner: { staff: '客服小刘' } },
    ]);
    expect(scheduledVisitsToMake(customer, ctx, new Date('2026-01-05T09:59:00Z'), new Set())).toEqual([]);
  });

  it('a quarter: three visits, each made once however often swept', () => {
    const made = new Set<string>();
    for (let day = 1; day <= 90; day++) {
      const now = new Date(Date.UTC(2026, 0, day, 12));
      for (const v of scheduledVisitsToMake(customer, ctx, now, made)) {
        expect(made.has(v.key)).toBe(false);
        made.add(v.key);
      }
    }
    expect([...made]).toEqual([scheduledVisitKey(3, '2026-01'), scheduledVisitKey(3, '2026-02'), scheduledVisitKey(3, '2026-03')]);
  });

  it('without an owner in the schedule: the contract’s owner role', () => {
    const [v] = scheduledVisitsToMake({ id: 3, followUps: { every: 'monthly', from: '2026-01-10' } }, ctx, new Date('2026-01-06T00:00:00Z'), new Set());
    expect(v!.owner).toEqual({ role: 'desk' });
  });

  it('no schedule: none', () => {
    expect(scheduledVisitsToMake({ id: 3 }, ctx, new Date('2026-06-01T00:00:00Z'), new Set())).toEqual([]);
  });

  it('`since` leaves out visits due before it', () => {
    const made = scheduledVisitsToMake(customer, ctx, new Date('2026-03-05T00:00:00Z'), new Set(), new Date('2026-03-01T00:00:00Z'));
    expect(made.map((v) => v.periodKey)).toEqual(['2026-03']);
  });
});

describe('a visit after a closed fault', () => {
  const closedAt = new Date('2026-09-30T08:00:00Z'); // 16:00 on the eve of National Day
  const base = { id: 12, kind: 'fault' as const, level: 1 as const, status: 'closed', closedAt, customerId: 3, assigneeId: 5 };

  it('level 1, closed on 30 September: due by the end of the 5th working day after (National Day skipped)', () => {
    const v = visitAfterFault(base, terms, calendar);
    expect(v).toEqual({
      key: faultVisitKey(12),
      customerId: 3,
      reason: 'after_fault',
      ticketId: 12,
      periodKey: null,
      // Working days after 30 Sep: 8, 9, 10 (make-up Saturday), 12, 13 October.
      dueAt: due('2026-10-13'),
      makeAt: closedAt,
      owner: { role: 'desk' },
    });
  });

  const none: Array<[string, Partial<typeof base> & Record<string, unknown>]> = [
    ['level 3', { level: 3 as never }],
    ['level unknown', { level: null as never }],
    ['cancelled', { status: 'cancelled' }],
    ['still open', { status: 'resolved', closedAt: null as never }],
    ['a consultation', { kind: 'consultation' as never }],
    ['no customer', { customerId: null as never }],
  ];
  it.each(none)('none for a ticket %s', (_name, over) => {
    expect(visitAfterFault({ ...base, ...over } as typeof base, terms, calendar)).toBeNull();
  });

  it('none when the contract has no afterFault rule', () => {
    expect(visitAfterFault(base, { ...terms, afterFault: undefined }, calendar)).toBeNull();
  });

  it.each([
    ['engineer', 5, { engineerOfTicket: 12 }],
    ['engineer', null, { role: 'desk' }],
    ['manager', 5, { role: 'manager' }],
    ['desk', 5, { role: 'desk' }],
  ] as const)('owner %s (assignee %s) → %j', (owner, assigneeId, expected) => {
    const v = visitAfterFault({ ...base, assigneeId }, { ...terms, afterFault: { ...terms.afterFault!, owner } }, calendar);
    expect(v!.owner).toEqual(expected);
  });
});

describe('reminders and overdue', () => {
  const visit = { id: 4, dueAt: due('2026-01-12'), status: 'planned' as const };
  it('a day before and at the due time', () => {
    expect(followUpTimerPlan(visit, terms.remindBefore, calendar).map((p) => [p.subject, p.stage, p.dueAt.toISOString()])).toEqual([
      ['follow_up', 'remind_1d', '2026-01-11T10:00:00.000Z'],
      ['follow_up', 'overdue', '2026-01-12T10:00:00.000Z'],
    ]);
    expect(followUpTimerPlan({ ...visit, status: 'done' }, terms.remindBefore, calendar)).toEqual([]);
  });
  it.each([
    ['planned', '2026-01-12T10:00:01Z', true],
    ['assigned', '2026-01-12T09:00:00Z', false],
    ['done', '2026-02-01T00:00:00Z', false],
  ] as const)('%s at %s: overdue %s', (status, now, expected) => {
    expect(followUpOverdue({ dueAt: visit.dueAt, status }, new Date(now))).toBe(expected);
  });
});

describe('a visit’s notes in pieces for the report reader', () => {
  const cases: Array<[string, string[]]> = [
    ['客户反馈良好；希望增加一台备用交换机。3号闸机偶尔卡票', ['客户反馈良好', '希望增加一台备用交换机', '3号闸机偶尔卡票']],
    ['1. 对响应速度满意 2. 请问UPS电池多久更换一次？', ['对响应速度满意', '请问UPS电池多久更换一次']],
    ['好', []],
    ['客户对服务满意\n无其他需求', ['客户对服务满意', '无其他需求']],
  ];
  it.each(cases)('%s', (notes, expected) => {
    expect(visitNoteSegments(notes)).toEqual(expected);
  });
});
