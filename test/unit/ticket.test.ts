/**
 * The ticket state machine: every action × actor × status, against a table
 * written from the contract's process (not from the code), then the patches.
 */
import { describe, expect, it } from 'vitest';
import {
  STATUSES,
  STATUS_LABELS,
  TERMINAL,
  isOpen,
  transition,
  type Actor,
  type TicketAction,
  type TicketState,
  type TicketStatus,
  type TransitionResult,
} from '../../src/domain/ticket.js';

const AT = new Date('2026-11-24T02:00:00Z');
const EARLIER = new Date('2026-11-24T01:00:00Z');

// People: reporter 1 in chat 10; customer 2 of chat 11; engineers 20 (the assignee) and 21.
const CHAT = 10;
const ACTORS = {
  customer: { personId: 1, role: 'customer', chatId: CHAT },
  otherChatCustomer: { personId: 2, role: 'customer', chatId: 11 },
  assignee: { personId: 20, role: 'engineer', chatId: CHAT },
  otherEngineer: { personId: 21, role: 'engineer', chatId: CHAT },
  desk: { personId: 30, role: 'desk', chatId: CHAT },
  manager: { personId: 40, role: 'manager', chatId: null },
  vp: { personId: 50, role: 'vp', chatId: null },
  system: { personId: null, role: 'system', chatId: null },
} satisfies Record<string, Actor>;
type ActorName = keyof typeof ACTORS;
const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];

/** A fault ticket as it would be in each status. */
function ticketIn(status: TicketStatus, over: Partial<TicketState> = {}): TicketState {
  const early = ['reported', 'level_known', 'awaiting_fee', 'accepted', 'cancelled'].includes(status);
  return {
    kind: 'fault',
    status,
    level: status === 'reported' ? null : 2,
    hardware: true,
    reporterId: 1,
    chatId: CHAT,
    assigneeId: early ? null : 20,
    feeStatus: status === 'awaiting_fee' ? 'required' : 'none',
    reopenCount: status === 'reopened' ? 1 : 0,
    spareRequestedAt: status === 'replacing' ? EARLIER : null,
    resolvedAt: status === 'resolved' || status === 'confirmed' ? EARLIER : null,
    ...over,
  };
}

const ACTIONS = {
  set_level: { type: 'set_level', level: 1 },
  accept: { type: 'accept' },
  require_fee: { type: 'require_fee' },
  agree_fee: { type: 'agree_fee' },
  waive_fee: { type: 'waive_fee' },
  assign: { type: 'assign', assigneeId: 21 },
  acknowledge: { type: 'acknowledge' },
  transfer: { type: 'transfer', assigneeId: 21 },
  arrive: { type: 'arrive' },
  request_spare: { type: 'request_spare', part: '电源模块' },
  detection_report: { type: 'detection_report', text: '电源模块烧毁', cost: '1200 元' },
  resolve: { type: 'resolve' },
  confirm: { type: 'confirm' },
  deny_fix: { type: 'deny_fix' },
  rate: { type: 'rate', score: 5, dissatisfiedAtOrBelow: 2 },
  close: { type: 'close' },
  cancel: { type: 'cancel', reason: '重复报修' },
} satisfies Record<TicketAction['type'], TicketAction>;
type ActionName = keyof typeof ACTIONS;

const STAFF: ActorName[] = ['assignee', 'otherEngineer', 'desk', 'manager', 'vp', 'system'];
const MANAGING: ActorName[] = ['desk', 'manager', 'vp', 'system'];
const ASSIGNEE_OR_MANAGING: ActorName[] = ['assignee', ...MANAGING];
const NON_TERMINAL = STATUSES.filter((s) => !TERMINAL.has(s));
/** Statuses in which the fixture's ticket is nobody's job yet (ticketIn). */
const UNASSIGNED: TicketStatus[] = ['reported', 'level_known', 'awaiting_fee', 'accepted'];
const STAFF_BUT_OTHERS: ActorName[] = STAFF.filter((a) => a !== 'otherEngineer');

/**
 * The allowed transitions of a fault ticket: action → status → who may, and the
 * status it leads to. Everything not listed is refused. In reported … accepted
 * nobody is assigned yet, so "assignee" is just one more engineer there.
 */
type Rule = { who: ActorName[]; to: TicketStatus };
const ALLOWED: Record<ActionName, Partial<Record<TicketStatus, Rule>>> = {
  // Staff may correct the level at any time; the customer only answers the question.
  // An engineer only on their own job or nobody's (the fixture's jobs are 20's from assigned on).
  set_level: Object.fromEntries(
    NON_TERMINAL.map((s) =>
      s === 'reported' ? [s, { who: ['customer', ...STAFF], to: 'level_known' }] : [s, { who: UNASSIGNED.includes(s) ? STAFF : STAFF_BUT_OTHERS, to: s }],
    ),
  ),
  accept: { level_known: { who: MANAGING, to: 'accepted' } },
  require_fee: {
    reported: { who: ['system'], to: 'awaiting_fee' },
    level_known: { who: ['system'], to: 'awaiting_fee' },
  },
  agree_fee: { awaiting_fee: { who: ['customer'], to: 'accepted' } },
  waive_fee: { awaiting_fee: { who: ['manager', 'vp', 'system'], to: 'accepted' } },
  assign: {
    accepted: { who: MANAGING, to: 'assigned' },
    assigned: { who: MANAGING, to: 'assigned' },
    reopened: { who: MANAGING, to: 'reopened' },
  },
  acknowledge: {
    accepted: { who: ['assignee', 'otherEngineer', 'manager', 'vp'], to: 'acknowledged' },
    assigned: { who: ['assignee'], to: 'acknowledged' },
    reopened: { who: ['assignee'], to: 'acknowledged' },
  },
  transfer: {
    accepted: { who: MANAGING, to: 'assigned' },
    assigned: { who: ASSIGNEE_OR_MANAGING, to: 'assigned' },
    acknowledged: { who: ASSIGNEE_OR_MANAGING, to: 'assigned' },
    on_site: { who: ASSIGNEE_OR_MANAGING, to: 'assigned' },
    replacing: { who: ASSIGNEE_OR_MANAGING, to: 'assigned' },
    reopened: { who: ASSIGNEE_OR_MANAGING, to: 'assigned' },
  },
  arrive: {
    accepted: { who: STAFF, to: 'on_site' },
    assigned: { who: ASSIGNEE_OR_MANAGING, to: 'on_site' },
    acknowledged: { who: ASSIGNEE_OR_MANAGING, to: 'on_site' },
    reopened: { who: ASSIGNEE_OR_MANAGING, to: 'on_site' },
  },
  request_spare: {
    acknowledged: { who: ASSIGNEE_OR_MANAGING, to: 'replacing' },
    on_site: { who: ASSIGNEE_OR_MANAGING, to: 'replacing' },
    replacing: { who: ASSIGNEE_OR_MANAGING, to: 'replacing' },
    reopened: { who: ASSIGNEE_OR_MANAGING, to: 'replacing' },
  },
  // Only after a spare was requested (the fixture has one in `replacing` only).
  detection_report: { replacing: { who: ASSIGNEE_OR_MANAGING, to: 'replacing' } },
  resolve: {
    acknowledged: { who: ASSIGNEE_OR_MANAGING, to: 'resolved' },
    on_site: { who: ASSIGNEE_OR_MANAGING, to: 'resolved' },
    replacing: { who: ASSIGNEE_OR_MANAGING, to: 'resolved' },
    reopened: { who: ASSIGNEE_OR_MANAGING, to: 'resolved' },
  },
  confirm: { resolved: { who: ['customer', 'system'], to: 'confirmed' } },
  deny_fix: { resolved: { who: ['customer'], to: 'reopened' } },
  rate: { confirmed: { who: ['customer'], to: 'closed' } },
  close: {
    resolved: { who: ['customer', ...MANAGING], to: 'closed' },
    confirmed: { who: ['customer', ...MANAGING], to: 'closed' },
  },
  // The reporter, the engineer whose job it is (any, while nobody's) or the desk side; not once a spare is being replaced or later.
  cancel: Object.fromEntries(
    (['reported', 'level_known', 'awaiting_fee', 'accepted', 'assigned', 'acknowledged', 'on_site'] as const).map((s) => [
      s,
      { who: UNASSIGNED.includes(s) ? ['customer', 'assignee', 'otherEngineer', ...MANAGING] : ['customer', ...ASSIGNEE_OR_MANAGING], to: 'cancelled' },
    ]),
  ),
};

const CHINESE = /[\u4e00-\u9fff]/;

function expectRefused(r: TransitionResult): asserts r is { ok: false; reason: string } {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.reason).toMatch(CHINESE);
  expect(r.reason.trim().length).toBeGreaterThan(4);
  // A refusal changes nothing: no patch at all.
  expect(Object.keys(r).sort()).toEqual(['ok', 'reason']);
}

function expectOk(r: TransitionResult): asserts r is Extract<TransitionResult, { ok: true }> {
  if (!r.ok) expect.fail(`refused: ${r.reason}`);
}

/** The ticket after a transition (as the store would write it). */
function apply(t: TicketState, r: TransitionResult): TicketState {
  expectOk(r);
  const next = { ...t } as TicketState & Record<string, unknown>;
  for (const [k, v] of Object.entries(r.patch)) next[k] = v;
  return next;
}

describe('every action × actor × status of a fault ticket', () => {
  const rows: Array<[ActionName, TicketStatus, ActorName, TicketStatus | null]> = [];
  for (const action of Object.keys(ACTIONS) as ActionName[]) {
    for (const status of STATUSES) {
      for (const actor of ACTOR_NAMES) {
        const rule = ALLOWED[action][status];
        rows.push([action, status, actor, rule && rule.who.includes(actor) ? rule.to : null]);
      }
    }
  }

  it('covers 17 actions × 13 statuses × 8 actors', () => {
    expect(rows).toHaveLength(17 * 13 * 8);
    expect(rows.filter((r) => r[3] !== null).length).toBeGreaterThan(100);
  });

  describe.each(Object.keys(ACTIONS) as ActionName[])('%s', (action) => {
    it.each(rows.filter((r) => r[0] === action).map((r) => [r[1], r[2], r[3] ?? 'refused', r[3]] as const))(
      'in %s by %s → %s',
      (status, actor, _label, to) => {
        const t = ticketIn(status);
        const before = structuredClone(t);
        const r = transition(t, ACTIONS[action], ACTORS[actor], AT);
        expect(t).toEqual(before); // pure
        if (to === null) {
          expectRefused(r);
        } else {
          expectOk(r);
          expect(r.from).toBe(status);
          expect(r.to).toBe(to);
          // The patch carries the status exactly when it changes.
          if (to === status) expect(r.patch).not.toHaveProperty('status');
          else expect(r.patch.status).toBe(to);
        }
      },
    );
  });
});

describe('refusals', () => {
  it.each([
    ['closed', '该工单已关闭，不能再操作。'],
    ['cancelled', '该工单已撤销，不能再操作。'],
  ] as const)('a %s ticket refuses everything, even the system: "%s"', (status, reason) => {
    for (const action of Object.values(ACTIONS)) {
      for (const actor of Object.values(ACTORS)) {
        expect(transition(ticketIn(status), action, actor, AT)).toEqual({ ok: false, reason });
      }
    }
  });

  // A sample of the words a chat user sees.
  it.each([
    ['accept', 'reported', 'desk', '工单当前状态为「待确认」，不能受理。'],
    ['set_level', 'level_known', 'customer', '故障级别已确定；如需调整请联系工程师或客服。'],
    ['set_level', 'reported', 'otherChatCustomer', '只有报修客户或服务人员可以确定故障级别。'],
    ['accept', 'level_known', 'assignee', '只有客服或部门经理可以受理。'],
    ['require_fee', 'reported', 'manager', '收费确认由系统根据合同范围发起。'],
    ['agree_fee', 'awaiting_fee', 'otherChatCustomer', '只有本群的报修客户可以同意收费。'],
    ['waive_fee', 'awaiting_fee', 'desk', '只有部门经理或主管副总可以免费处理。'],
    ['assign', 'acknowledged', 'manager', '工单当前状态为「处理中」，不能派单。'],
    ['acknowledge', 'assigned', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['acknowledge', 'assigned', 'desk', '只有工程师可以接单。'],
    ['transfer', 'acknowledged', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['transfer', 'accepted', 'assignee', '只有当前处理工程师或客服或部门经理可以转派。'],
    ['arrive', 'acknowledged', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['arrive', 'on_site', 'assignee', '工单当前状态为「已到场」，不能报到场。'],
    ['request_spare', 'on_site', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['request_spare', 'on_site', 'customer', '只有处理该工单的工程师可以申请备件。'],
    ['set_level', 'on_site', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['cancel', 'acknowledged', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['detection_report', 'on_site', 'assignee', '检测报告用于确认的硬件故障：请先「申请备件」。'],
    ['resolve', 'on_site', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['resolve', 'reopened', 'otherEngineer', '该工单已派给其他工程师；如需接手请让经理转派。'],
    ['resolve', 'assigned', 'assignee', '工单当前状态为「已派单」，不能报修复。'],
    ['confirm', 'resolved', 'otherChatCustomer', '只有本群的报修客户可以确认修复。'],
    ['confirm', 'resolved', 'assignee', '只有本群的报修客户可以确认修复。'],
    ['deny_fix', 'confirmed', 'customer', '工单当前状态为「待评价」，不能反馈未修好。'],
    ['rate', 'resolved', 'customer', '工单当前状态为「待客户确认」，不能评价。'],
    ['rate', 'confirmed', 'desk', '只有本群的报修客户可以评价。'],
    ['close', 'confirmed', 'assignee', '只有本群的报修客户或客服或部门经理可以关闭工单。'],
    ['close', 'on_site', 'manager', '工单当前状态为「已到场」，不能关闭。'],
    ['cancel', 'reported', 'otherChatCustomer', '只有报修人、工程师或客服或部门经理可以撤销工单。'],
    ['cancel', 'replacing', 'manager', '工单当前状态为「更换备件中」，不能撤销。'],
  ] as Array<[ActionName, TicketStatus, ActorName, string]>)('%s in %s by %s: "%s"', (action, status, actor, reason) => {
    expect(transition(ticketIn(status), ACTIONS[action], ACTORS[actor], AT)).toEqual({ ok: false, reason });
  });

  it('another customer of the same chat is not the reporter: may confirm, may not cancel', () => {
    const neighbour: Actor = { personId: 3, role: 'customer', chatId: CHAT };
    expect(transition(ticketIn('resolved'), ACTIONS.confirm, neighbour, AT).ok).toBe(true);
    expectRefused(transition(ticketIn('reported'), ACTIONS.cancel, neighbour, AT));
  });

  it.each([0, 6, 2.5, Number.NaN])('a rating of %s is refused', (score) => {
    expect(transition(ticketIn('confirmed'), { type: 'rate', score, dissatisfiedAtOrBelow: 2 }, ACTORS.customer, AT)).toEqual({
      ok: false,
      reason: '评分请用 1–5 分。',
    });
  });

  it('a transfer to the engineer who already has it is refused', () => {
    expect(transition(ticketIn('acknowledged'), { type: 'transfer', assigneeId: 20 }, ACTORS.manager, AT)).toEqual({
      ok: false,
      reason: '该工单已由这位工程师处理。',
    });
  });

  it('an unknown-fee ticket cannot be accepted while the fee question is open', () => {
    expectRefused(transition(ticketIn('awaiting_fee'), ACTIONS.accept, ACTORS.desk, AT));
  });
});

describe('patches', () => {
  it('set_level records when the level became known, once', () => {
    const first = transition(ticketIn('reported'), { type: 'set_level', level: 3 }, ACTORS.customer, AT);
    expectOk(first);
    expect(first.patch).toEqual({ status: 'level_known', level: 3, levelProvisional: false, levelKnownAt: AT });
    const provisional = transition(ticketIn('reported'), { type: 'set_level', level: 2, provisional: true }, ACTORS.system, AT);
    expectOk(provisional);
    expect(provisional.patch).toEqual({ status: 'level_known', level: 2, levelProvisional: true, levelKnownAt: AT });
    const again = transition(ticketIn('on_site'), { type: 'set_level', level: 1 }, ACTORS.manager, AT);
    expectOk(again);
    expect(again.patch).toEqual({ level: 1, levelProvisional: false });
  });

  it.each([
    ['accept', 'level_known', 'desk', { status: 'accepted', acceptedAt: AT }],
    ['require_fee', 'level_known', 'system', { status: 'awaiting_fee', feeStatus: 'required' }],
    ['agree_fee', 'awaiting_fee', 'customer', { status: 'accepted', feeStatus: 'agreed', acceptedAt: AT }],
    ['waive_fee', 'awaiting_fee', 'manager', { status: 'accepted', feeStatus: 'waived', acceptedAt: AT }],
    ['assign', 'accepted', 'manager', { status: 'assigned', assigneeId: 21, assignedAt: AT }],
    ['acknowledge', 'accepted', 'otherEngineer', { status: 'acknowledged', assigneeId: 21, acknowledgedAt: AT, assignedAt: AT }],
    ['acknowledge', 'assigned', 'assignee', { status: 'acknowledged', assigneeId: 20, acknowledgedAt: AT }],
    ['transfer', 'on_site', 'assignee', { status: 'assigned', assigneeId: 21, assignedAt: AT }],
    ['arrive', 'acknowledged', 'assignee', { status: 'on_site', onSiteAt: AT }],
    // Arriving without 接单 counts as taking the job.
    ['arrive', 'assigned', 'assignee', { status: 'on_site', onSiteAt: AT, acknowledgedAt: AT }],
    ['arrive', 'accepted', 'otherEngineer', { status: 'on_site', onSiteAt: AT, acknowledgedAt: AT, assigneeId: 21, assignedAt: AT }],
    // The desk reporting an arrival for someone does not become the assignee.
    ['arrive', 'accepted', 'desk', { status: 'on_site', onSiteAt: AT, acknowledgedAt: AT }],
    ['arrive', 'accepted', 'system', { status: 'on_site', onSiteAt: AT, acknowledgedAt: AT }],
    ['request_spare', 'on_site', 'assignee', { status: 'replacing', spareRequestedAt: AT }],
    ['request_spare', 'replacing', 'assignee', {}],
    ['detection_report', 'replacing', 'assignee', { detectionReportAt: AT }],
    ['resolve', 'on_site', 'assignee', { status: 'resolved', resolvedAt: AT }],
    ['confirm', 'resolved', 'customer', { status: 'confirmed', confirmedAt: AT, confirmation: 'confirmed' }],
    ['deny_fix', 'resolved', 'customer', { status: 'reopened', reopenCount: 1, resolvedAt: null, reopenedAt: AT, reopenAcknowledgedAt: null, reopenOnSiteAt: null }],
    ['rate', 'confirmed', 'customer', { status: 'closed', ratedAt: AT, satisfaction: 5, closedAt: AT }],
    ['close', 'confirmed', 'desk', { status: 'closed', closedAt: AT }],
    ['close', 'resolved', 'system', { status: 'closed', closedAt: AT }],
    ['cancel', 'assigned', 'customer', { status: 'cancelled', cancelledAt: AT }],
  ] as Array<[ActionName, TicketStatus, ActorName, object]>)('%s in %s by %s', (action, status, actor, patch) => {
    const r = transition(ticketIn(status), ACTIONS[action], ACTORS[actor], AT);
    expectOk(r);
    expect(r.patch).toEqual(patch);
    expect(r.dissatisfied).toBeUndefined();
  });

  it('the system closes an unconfirmed ticket as unconfirmed', () => {
    const r = transition(ticketIn('resolved'), { type: 'close', unconfirmed: true }, ACTORS.system, AT);
    expectOk(r);
    expect(r.patch).toEqual({ status: 'closed', closedAt: AT, confirmation: 'unconfirmed' });
    // Once confirmed, "unconfirmed" does not apply.
    const c = transition(ticketIn('confirmed'), { type: 'close', unconfirmed: true }, ACTORS.system, AT);
    expectOk(c);
    expect(c.patch).toEqual({ status: 'closed', closedAt: AT });
  });

  it('a detection report may follow once the ticket is resolved', () => {
    const t = ticketIn('resolved', { spareRequestedAt: EARLIER });
    const r = transition(t, ACTIONS.detection_report, ACTORS.assignee, AT);
    expectOk(r);
    expect(r.to).toBe('resolved');
    expect(r.patch).toEqual({ detectionReportAt: AT });
  });
});

describe('dissatisfaction reopens the ticket (contract rule 4)', () => {
  it.each([
    [1, 2, true],
    [2, 2, true],
    [3, 2, false],
    [5, 2, false],
    [3, 3, true],
    [1, 0, false],
  ])('score %i with dissatisfied at or below %i → reopened %s', (score, threshold, reopened) => {
    const t = ticketIn('confirmed', { reopenCount: 2 });
    const r = transition(t, { type: 'rate', score, dissatisfiedAtOrBelow: threshold }, ACTORS.customer, AT);
    expectOk(r);
    if (reopened) {
      expect(r.to).toBe('reopened');
      expect(r.dissatisfied).toBe(true);
      expect(r.patch).toEqual({
        status: 'reopened',
        ratedAt: AT,
        satisfaction: score,
        reopenCount: 3,
        resolvedAt: null,
        confirmedAt: null,
        // The confirmation is withdrawn, and the reopened clocks start afresh.
        confirmation: null,
        reopenedAt: AT,
        reopenAcknowledgedAt: null,
        reopenOnSiteAt: null,
      });
    } else {
      expect(r.to).toBe('closed');
      expect(r.dissatisfied).toBeUndefined();
      expect(r.patch.reopenCount).toBeUndefined();
    }
  });

  it('the reopened ticket goes back to its engineer, and can be resolved and rated again', () => {
    let t = ticketIn('confirmed');
    t = apply(t, transition(t, { type: 'rate', score: 1, dissatisfiedAtOrBelow: 2 }, ACTORS.customer, AT));
    expect(t).toMatchObject({ status: 'reopened', reopenCount: 1, assigneeId: 20, resolvedAt: null });
    t = apply(t, transition(t, ACTIONS.acknowledge, ACTORS.assignee, AT));
    t = apply(t, transition(t, ACTIONS.resolve, ACTORS.assignee, AT));
    t = apply(t, transition(t, ACTIONS.deny_fix, ACTORS.customer, AT));
    expect(t).toMatchObject({ status: 'reopened', reopenCount: 2 });
    t = apply(t, transition(t, ACTIONS.resolve, ACTORS.assignee, AT));
    t = apply(t, transition(t, ACTIONS.confirm, ACTORS.customer, AT));
    t = apply(t, transition(t, ACTIONS.rate, ACTORS.customer, AT));
    expect(t).toMatchObject({ status: 'closed', reopenCount: 2 });
  });
});

describe('a step keeps the time it first happened', () => {
  const T1 = new Date('2026-11-24T02:10:00Z');
  const T2 = new Date('2026-11-24T05:00:00Z');

  it('a transfer does not move the first response or the assignment', () => {
    let t = ticketIn('accepted');
    t = apply(t, transition(t, { type: 'assign', assigneeId: 20 }, ACTORS.manager, T1));
    t = apply(t, transition(t, ACTIONS.acknowledge, ACTORS.assignee, T1));
    expect(t).toMatchObject({ assignedAt: T1, acknowledgedAt: T1 });
    t = apply(t, transition(t, { type: 'transfer', assigneeId: 21 }, ACTORS.manager, T2));
    t = apply(t, transition(t, ACTIONS.acknowledge, ACTORS.otherEngineer, T2));
    expect(t).toMatchObject({ status: 'acknowledged', assigneeId: 21, assignedAt: T1, acknowledgedAt: T1 });
  });

  it('arriving again after a rework keeps the first arrival (and records the arrival again for the reopened clocks)', () => {
    let t: TicketState = { ...ticketIn('on_site'), acknowledgedAt: T1, onSiteAt: T1 };
    t = apply(t, transition(t, ACTIONS.resolve, ACTORS.assignee, T1));
    t = apply(t, transition(t, ACTIONS.deny_fix, ACTORS.customer, T2));
    const r = transition(t, ACTIONS.arrive, ACTORS.assignee, T2);
    expectOk(r);
    expect(r.patch).toEqual({ status: 'on_site', reopenAcknowledgedAt: T2, reopenOnSiteAt: T2 });
    expect(apply(t, r)).toMatchObject({ onSiteAt: T1, resolvedAt: null });
  });

  it('a second detection report keeps the first one\'s time', () => {
    const t: TicketState = { ...ticketIn('replacing'), detectionReportAt: T1 };
    const r = transition(t, ACTIONS.detection_report, ACTORS.assignee, T2);
    expectOk(r);
    expect(r.patch).toEqual({});
  });

  it('a second spare request keeps the first request time', () => {
    const r = transition(ticketIn('replacing'), ACTIONS.request_spare, ACTORS.assignee, T2);
    expectOk(r);
    expect(r.patch).toEqual({});
  });
});

describe('consultations and complaints', () => {
  const consultation = (status: TicketStatus, over: Partial<TicketState> = {}) =>
    ticketIn(status, { kind: 'consultation', level: null, hardware: false, ...over });
  const complaint = (status: TicketStatus, over: Partial<TicketState> = {}) =>
    ticketIn(status, { kind: 'complaint', level: null, hardware: false, ...over });

  it('have no fault level', () => {
    expect(transition(consultation('reported'), ACTIONS.set_level, ACTORS.desk, AT)).toEqual({ ok: false, reason: '只有故障工单有故障级别。' });
    expect(transition(complaint('reported'), ACTIONS.set_level, ACTORS.customer, AT)).toEqual({ ok: false, reason: '只有故障工单有故障级别。' });
  });

  it('are accepted straight from reported', () => {
    const r = transition(consultation('reported'), ACTIONS.accept, ACTORS.desk, AT);
    expectOk(r);
    expect(r.to).toBe('accepted');
  });

  it('get no spare parts', () => {
    expect(transition(consultation('acknowledged'), ACTIONS.request_spare, ACTORS.assignee, AT)).toEqual({
      ok: false,
      reason: '只有故障工单可以申请备件。',
    });
  });

  it.each(['reported', 'level_known', 'accepted', 'assigned', 'acknowledged', 'reopened'] as const)(
    'a consultation can be answered from %s by any engineer, who becomes its assignee if none',
    (status) => {
      const r = transition(consultation(status), ACTIONS.resolve, ACTORS.otherEngineer, AT);
      expectOk(r);
      expect(r.to).toBe('resolved');
      const unassigned = consultation(status).assigneeId === null;
      expect(r.patch).toEqual({ status: 'resolved', resolvedAt: AT, ...(unassigned ? { assigneeId: 21 } : {}) });
    },
  );

  it.each(['on_site', 'replacing', 'resolved', 'confirmed', 'awaiting_fee'] as const)('a complaint result cannot be given from %s', (status) => {
    const r = transition(complaint(status), ACTIONS.resolve, ACTORS.desk, AT);
    expectRefused(r);
    expect(r.reason).toContain('不能反馈调查结果');
  });

  it('a consultation is rated straight after the answer, which counts as confirmed', () => {
    const r = transition(consultation('resolved'), { type: 'rate', score: 4, dissatisfiedAtOrBelow: 2 }, ACTORS.customer, AT);
    expectOk(r);
    expect(r.patch).toEqual({ status: 'closed', ratedAt: AT, satisfaction: 4, closedAt: AT, confirmation: 'confirmed' });
  });

  it('a dissatisfied complainant reopens the complaint', () => {
    const r = transition(complaint('resolved'), { type: 'rate', score: 1, dissatisfiedAtOrBelow: 2 }, ACTORS.customer, AT);
    expectOk(r);
    expect(r.to).toBe('reopened');
    expect(r.dissatisfied).toBe(true);
    expect(r.patch.reopenCount).toBe(1);
  });
});

describe('the happy path of a fault', () => {
  it('reported → level known → accepted → assigned → acknowledged → on site → replacing → resolved → confirmed → closed', () => {
    const steps: Array<[TicketAction, Actor, TicketStatus]> = [
      [{ type: 'set_level', level: 1 }, ACTORS.customer, 'level_known'],
      [ACTIONS.accept, ACTORS.system, 'accepted'],
      [{ type: 'assign', assigneeId: 20 }, ACTORS.manager, 'assigned'],
      [ACTIONS.acknowledge, ACTORS.assignee, 'acknowledged'],
      [ACTIONS.arrive, ACTORS.assignee, 'on_site'],
      [ACTIONS.request_spare, ACTORS.assignee, 'replacing'],
      [ACTIONS.detection_report, ACTORS.assignee, 'replacing'],
      [ACTIONS.resolve, ACTORS.assignee, 'resolved'],
      [ACTIONS.confirm, ACTORS.customer, 'confirmed'],
      [ACTIONS.rate, ACTORS.customer, 'closed'],
    ];
    let t = ticketIn('reported');
    for (const [action, actor, to] of steps) {
      t = apply(t, transition(t, action, actor, AT));
      expect(t.status).toBe(to);
    }
    expect(t).toMatchObject({ level: 1, assigneeId: 20, spareRequestedAt: AT, resolvedAt: AT, reopenCount: 0 });
    expect(isOpen(t.status)).toBe(false);
  });

  it('every status has a Chinese label; only closed and cancelled are terminal', () => {
    for (const s of STATUSES) expect(STATUS_LABELS[s]).toMatch(CHINESE);
    expect([...TERMINAL].sort()).toEqual(['cancelled', 'closed']);
    expect(STATUSES.filter(isOpen)).toHaveLength(11);
  });
});
