/**
 * Repair and return: the state machine of a faulty part's flow (who may do
 * which step when, refused steps change nothing), the limit per step from the
 * contract with the quoted repair period, reminders, and the record line.
 *
 * T0 = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z).
 */
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import type { RepairTerms } from '../../src/domain/contract-duties.js';
import {
  applyRepairStep,
  CUSTOMER_STEPS,
  formatCost,
  overdueRepairSteps,
  repairDeadlines,
  repairFlowLine,
  repairTimerPlan,
  type RepairAction,
  type RepairActor,
  type RepairFlowState,
  type RepairFlowStatus,
  type RepairStepRecord,
} from '../../src/domain/repair-return.js';

const calendar = new BusinessCalendar({ timezone: 'Asia/Shanghai', workdayStart: '09:00', workdayEnd: '18:00' });
const terms: RepairTerms = {
  limits: {
    quoted: { after: 'received', limit: { hours: 8 }, useQuotedPeriod: false },
    sent: { after: 'received', limit: { workingDays: 2 }, useQuotedPeriod: false },
    repaired: { after: 'sent', limit: { days: 30 }, useQuotedPeriod: true },
    returned: { after: 'repaired', limit: { workingDays: 2 }, useQuotedPeriod: false },
  },
  remind: ['assignee'],
  overdueNotify: ['assignee', 'manager'],
};
const MEDIA = ['硬盘', '磁盘', '磁带', '存储'];
const T0 = new Date('2026-11-24T02:00:00Z');
const H = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * H);
const engineer: RepairActor = { personId: 5, name: '张工', role: 'engineer' };
const ticket = { ref: '#12', kind: 'fault' as const, device: '工作站' };

function flow(status: RepairFlowStatus, over: Partial<RepairFlowState> = {}): RepairFlowState {
  return { status, receivedAt: T0, sentAt: null, quotedAt: null, repairedAt: null, returnedAt: null, costCents: null, periodDays: null, ...over };
}

describe('the steps in order', () => {
  // flow before (null: none), action → status after, or the refusal
  const cases: Array<[string, RepairFlowState | null, RepairAction, RepairFlowStatus | RegExp]> = [
    ['received starts a flow', null, { step: 'received', part: '电源模块' }, 'received'],
    ['received again while one is open', flow('sent'), { step: 'received' }, /#12 已有故障件在返修流程中（送修中）/],
    ['received after the last one was returned', flow('returned'), { step: 'received', part: '主板' }, 'received'],
    ['sent', flow('received'), { step: 'sent', note: '寄原厂' }, 'sent'],
    ['sent twice', flow('sent'), { step: 'sent' }, /送修中，不能再次送修/],
    ['quoted while received (status stays)', flow('received'), { step: 'quoted', costCents: 120000, periodDays: 10 }, 'received'],
    ['quoted while sent', flow('sent'), { step: 'quoted', costCents: 0 }, 'sent'],
    ['repaired', flow('sent'), { step: 'repaired' }, 'repaired'],
    ['repaired before it was sent', flow('received'), { step: 'repaired' }, /尚未送修，请先登记「送修 #12」/],
    ['returned', flow('repaired'), { step: 'returned' }, 'returned'],
    ['returned before it was repaired', flow('sent'), { step: 'returned' }, /修复返回后才能返还客户/],
    ['any step without a flow', null, { step: 'sent' }, /#12 没有进行中的返修，请先登记「收到故障件 #12」/],
    ['any step after the return', flow('returned'), { step: 'repaired' }, /没有进行中的返修/],
    ['a negative cost', flow('received'), { step: 'quoted', costCents: -1 }, /不小于 0 的金额/],
    ['a repair period of 400 days', flow('received'), { step: 'quoted', costCents: 100, periodDays: 400 }, /1 到 365 天/],
  ];
  it.each(cases)('%s', (_name, before, action, expected) => {
    const d = applyRepairStep(ticket, before, action, engineer, at(1), MEDIA);
    if (expected instanceof RegExp) {
      expect(d.ok).toBe(false);
      if (!d.ok) expect(d.reason).toMatch(expected);
      return;
    }
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const status = d.set.status ?? before!.status;
    expect(status).toBe(expected);
    expect(d.record).toMatchObject({ step: action.step, at: at(1), actorId: 5, actorName: '张工' });
  });

  it('who and when: each step sets its own time; the first notice of cost stays, a second corrects it', () => {
    const first = applyRepairStep(ticket, flow('received'), { step: 'quoted', costCents: 120000, periodDays: 10 }, engineer, at(3), MEDIA);
    expect(first).toMatchObject({ ok: true, set: { quotedAt: at(3), costCents: 120000, periodDays: 10 }, record: { correction: false, costCents: 120000, periodDays: 10 } });
    const again = applyRepairStep(ticket, flow('sent', { quotedAt: at(3), costCents: 120000, periodDays: 10 }), { step: 'quoted', costCents: 90000 }, engineer, at(30), MEDIA);
    expect(again).toMatchObject({ ok: true, set: { quotedAt: at(3), costCents: 90000, periodDays: 10 }, record: { correction: true, costCents: 90000, periodDays: null } });
  });

  it('the customer is told at receipt, the cost notice and the return, not when it goes to or comes back from the repairer', () => {
    expect([...CUSTOMER_STEPS].sort()).toEqual(['quoted', 'received', 'returned']);
    const tell = (before: RepairFlowState | null, action: RepairAction) => {
      const d = applyRepairStep(ticket, before, action, engineer, at(1), MEDIA);
      return d.ok && d.tellCustomer;
    };
    expect(tell(null, { step: 'received' })).toBe(true);
    expect(tell(flow('received'), { step: 'sent' })).toBe(false);
    expect(tell(flow('sent'), { step: 'quoted', costCents: 1 })).toBe(true);
    expect(tell(flow('sent'), { step: 'repaired' })).toBe(false);
    expect(tell(flow('repaired'), { step: 'returned' })).toBe(true);
  });

  it.each([
    ['a customer', { personId: 9, name: '王工', role: 'customer' as const }, { step: 'received' as const }, /服务人员登记/],
    ['an engineer cancelling', engineer, { step: 'cancel' as const }, /经理或客服/],
  ])('refused for %s', (_n, actor, action, reason) => {
    const d = applyRepairStep(ticket, action.step === 'cancel' ? flow('sent') : null, action, actor as RepairActor, at(1), MEDIA);
    expect(d).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('a manager cancels an open flow', () => {
    const d = applyRepairStep(ticket, flow('sent'), { step: 'cancel', reason: '客户自行处理' }, { personId: 1, name: '李经理', role: 'manager' }, at(1), MEDIA);
    expect(d).toMatchObject({ ok: true, set: { status: 'cancelled' }, record: { step: 'cancel', note: '客户自行处理' }, tellCustomer: false });
  });

  it('not for consultations or complaints', () => {
    expect(applyRepairStep({ ...ticket, kind: 'consultation' }, null, { step: 'received' }, engineer, at(1), MEDIA)).toEqual({ ok: false, reason: '#12 不是故障工单，无需返修登记。' });
  });

  it.each([
    ['the part named is a disk', '工作站', '硬盘 600G SAS'],
    ['no part named, the ticket is about storage', '存储', undefined],
  ])('contract rule 5: a magnetic medium is never taken away (%s)', (_n, device, part) => {
    const d = applyRepairStep({ ...ticket, device }, null, { step: 'received', ...(part ? { part } : {}) }, engineer, at(1), MEDIA);
    expect(d).toEqual({ ok: false, reason: '按合同约定，硬盘等磁介质不得带离客户现场，须在客户指定地点维修。' });
  });

  it('a power module from a storage array may go (the part named decides)', () => {
    expect(applyRepairStep({ ...ticket, device: '存储' }, null, { step: 'received', part: '电源模块' }, engineer, at(1), MEDIA).ok).toBe(true);
  });
});

describe('limits per step', () => {
  const rows = (f: RepairFlowState, now: Date) =>
    repairDeadlines(f, terms, calendar, now).map((d) => [d.step, d.dueAt.toISOString(), d.doneAt?.toISOString() ?? null, d.met, d.quotedPeriod]);

  it('just received: cost notice within 8 hours, sent within 2 working days (end of Thursday)', () => {
    expect(rows(flow('received'), at(1))).toEqual([
      ['sent', '2026-11-26T10:00:00.000Z', null, null, false],
      ['quoted', '2026-11-24T10:00:00.000Z', null, null, false],
    ]);
  });

  it('sent with a quoted period of 10 days: repaired due 10 days after sending, not 30', () => {
    const f = flow('sent', { sentAt: at(20), quotedAt: at(5), costCents: 120000, periodDays: 10 });
    expect(rows(f, at(21))).toEqual([
      ['sent', '2026-11-26T10:00:00.000Z', at(20).toISOString(), true, false],
      ['quoted', '2026-11-24T10:00:00.000Z', at(5).toISOString(), true, false],
      ['repaired', new Date(at(20).getTime() + 10 * 24 * H).toISOString(), null, null, true],
    ]);
  });

  it('without a quoted period: the contract’s 30 days', () => {
    const f = flow('sent', { sentAt: at(20) });
    expect(repairDeadlines(f, terms, calendar, at(21)).find((d) => d.step === 'repaired')).toMatchObject({ dueAt: new Date(at(20).getTime() + 30 * 24 * H), quotedPeriod: false });
  });

  it('a late step: the quote not given after 8 hours is overdue; given late it is missed but no longer overdue', () => {
    expect(overdueRepairSteps(flow('received'), terms, calendar, at(9)).map((d) => d.step)).toEqual(['quoted']);
    const late = flow('received', { quotedAt: at(10), costCents: 1 });
    expect(overdueRepairSteps(late, terms, calendar, at(11))).toEqual([]);
    expect(repairDeadlines(late, terms, calendar, at(11)).find((d) => d.step === 'quoted')!.met).toBe(false);
  });

  it('a returned or cancelled flow has no overdue step', () => {
    const done = flow('returned', { sentAt: at(2), repairedAt: at(100), returnedAt: at(101) });
    expect(overdueRepairSteps(done, terms, calendar, at(500))).toEqual([]);
    expect(overdueRepairSteps(flow('cancelled'), terms, calendar, at(500))).toEqual([]);
  });

  it('a contract without limits has no deadlines', () => {
    expect(repairDeadlines(flow('received'), { ...terms, limits: {} }, calendar, at(100))).toEqual([]);
  });
});

describe('reminders', () => {
  it('at 50 % and 80 % of each running step (of its working time for working days), and overdue at its end; nothing once returned', () => {
    const f = { id: 3, ...flow('received') };
    const plan = repairTimerPlan(f, terms, [0.5, 0.8], calendar);
    expect(plan.map((p) => [p.subject, p.subjectId, p.stage, p.dueAt.toISOString()])).toEqual([
      // Tue 10:00 → Thu 18:00 is 480 + 540 + 540 = 1560 working minutes: 780 in is Wed 14:00, 1248 in is Thu 12:48.
      ['repair', 3, 'sent:remind_50', '2026-11-25T06:00:00.000Z'],
      ['repair', 3, 'sent:remind_80', '2026-11-26T04:48:00.000Z'],
      ['repair', 3, 'sent:overdue', '2026-11-26T10:00:00.000Z'],
      ['repair', 3, 'quoted:remind_50', at(4).toISOString()],
      ['repair', 3, 'quoted:remind_80', new Date(T0.getTime() + 6.4 * H).toISOString()],
      ['repair', 3, 'quoted:overdue', at(8).toISOString()],
    ]);
    expect(repairTimerPlan({ ...f, status: 'returned' }, terms, [0.5], calendar)).toEqual([]);
    expect(repairTimerPlan(f, { ...terms, reminders: [] }, [0.5], calendar).map((p) => p.stage)).toEqual(['sent:overdue', 'quoted:overdue']);
  });
});

describe('money and the record line', () => {
  it.each([
    [0, '免费'],
    [120000, '1200 元'],
    [120050, '1200.50 元'],
    [5, '0.05 元'],
  ])('%i fen reads %s', (cents, text) => {
    expect(formatCost(cents)).toBe(text);
  });

  const steps: RepairStepRecord[] = [
    { step: 'received', at: T0, actorId: 5, actorName: '张工', note: '电源模块', costCents: null, periodDays: null, correction: false },
    { step: 'sent', at: at(20), actorId: 5, actorName: '张工', note: null, costCents: null, periodDays: null, correction: false },
    { step: 'quoted', at: at(22), actorId: 7, actorName: '客服小刘', note: null, costCents: 120000, periodDays: 10, correction: false },
    { step: 'quoted', at: at(30), actorId: 7, actorName: '客服小刘', note: null, costCents: 90000, periodDays: null, correction: true },
  ];
  it('every step with who and when; the customer’s view leaves out sending', () => {
    expect(repairFlowLine(steps, 'Asia/Shanghai')).toBe(
      '收到故障件 11月24日 10:00 张工 → 送修 11月25日 06:00 张工 → 维修周期和费用通告 1200 元、周期 10 天 11月25日 08:00 客服小刘 → 维修周期和费用通告 900 元（更正） 11月25日 16:00 客服小刘',
    );
    expect(repairFlowLine(steps, 'Asia/Shanghai', { customerOnly: true })).not.toContain('送修');
  });
});
