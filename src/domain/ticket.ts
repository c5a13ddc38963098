/**
 * The ticket state machine. Pure: a transition takes the ticket as it is, who
 * asks, what they ask and when, and returns either the change to make or the
 * reason it is refused, in words a chat user understands. A refused transition
 * changes nothing.
 */
import type { FaultLevel, Role, TicketKind } from './contract.js';

export const STATUSES = [
  'reported', // received; the fault level or an essential is still missing
  'level_known', // level known, waiting to be accepted
  'awaiting_fee', // out of scope or term: waits for the customer's fee consent or a manager's waiver
  'accepted', // accepted (受理); waits for the department manager to assign
  'assigned', // an engineer was assigned and has not acknowledged yet
  'acknowledged', // the engineer took the job (first response)
  'on_site', // the engineer is on site
  'replacing', // a spare part is being replaced (hardware)
  'resolved', // the engineer says it is fixed; waits for the customer's confirmation
  'confirmed', // the customer confirmed the fix; waits for the rating
  'reopened', // the customer said it is not fixed, or was dissatisfied
  'closed',
  'cancelled',
] as const;
export type TicketStatus = (typeof STATUSES)[number];

export const TERMINAL: ReadonlySet<TicketStatus> = new Set(['closed', 'cancelled']);
/** Statuses in which an engineer is working on the ticket. */
export const IN_HAND: ReadonlySet<TicketStatus> = new Set(['acknowledged', 'on_site', 'replacing', 'reopened']);

export const STATUS_LABELS: Record<TicketStatus, string> = {
  reported: '待确认',
  level_known: '待受理',
  awaiting_fee: '待确认收费',
  accepted: '待派单',
  assigned: '已派单',
  acknowledged: '处理中',
  on_site: '已到场',
  replacing: '更换备件中',
  resolved: '待客户确认',
  confirmed: '待评价',
  reopened: '返工中',
  closed: '已关闭',
  cancelled: '已撤销',
};

/** What the state machine needs to know of a ticket. */
export interface TicketState {
  kind: TicketKind;
  status: TicketStatus;
  level: FaultLevel | null;
  /** Set by the bot when the level question timed out; the customer may still answer it. */
  levelProvisional?: boolean;
  hardware: boolean;
  reporterId: number;
  chatId: number;
  assigneeId: number | null;
  feeStatus: 'none' | 'required' | 'agreed' | 'waived';
  reopenCount: number;
  spareRequestedAt: Date | null;
  resolvedAt: Date | null;
  /**
   * Step times already recorded. A step keeps the time it FIRST happened: the SLA
   * clocks stop at it, so a transfer or a rework must not move a met first response,
   * assignment or arrival past its deadline. Optional for callers that do not track
   * them (then the step is written again, as before).
   */
  assignedAt?: Date | null;
  acknowledgedAt?: Date | null;
  onSiteAt?: Date | null;
  detectionReportAt?: Date | null;
  /** The latest reopening and the steps done again since (see sla.ts, reopened clocks). */
  reopenedAt?: Date | null;
  reopenAcknowledgedAt?: Date | null;
  reopenOnSiteAt?: Date | null;
}

/** Who asks. `system` is the bot itself (timers, automatic acceptance). */
export interface Actor {
  personId: number | null;
  role: Role | 'system';
  /** The chat the request came from (a customer may act only on their chat's tickets). */
  chatId: number | null;
}

export type TicketAction =
  | { type: 'set_level'; level: FaultLevel; provisional?: boolean }
  | { type: 'accept' }
  | { type: 'require_fee' }
  | { type: 'agree_fee' }
  | { type: 'waive_fee' }
  | { type: 'assign'; assigneeId: number }
  | { type: 'acknowledge' }
  | { type: 'transfer'; assigneeId: number }
  | { type: 'arrive'; note?: string }
  | { type: 'request_spare'; part: string }
  | { type: 'detection_report'; text: string; cost?: string }
  | { type: 'resolve'; note?: string }
  | { type: 'confirm' }
  | { type: 'deny_fix'; note?: string }
  | { type: 'rate'; score: number; dissatisfiedAtOrBelow: number }
  | { type: 'close'; unconfirmed?: boolean }
  | { type: 'cancel'; reason?: string };

export type TicketPatch = Partial<{
  status: TicketStatus;
  level: FaultLevel;
  levelProvisional: boolean;
  feeStatus: TicketState['feeStatus'];
  assigneeId: number | null;
  reopenCount: number;
  /** null: a confirmation withdrawn by a low rating. */
  confirmation: 'confirmed' | 'unconfirmed' | null;
  satisfaction: number;
  levelKnownAt: Date;
  acceptedAt: Date;
  assignedAt: Date;
  acknowledgedAt: Date;
  onSiteAt: Date;
  spareRequestedAt: Date;
  detectionReportAt: Date;
  resolvedAt: Date | null;
  confirmedAt: Date | null;
  ratedAt: Date;
  closedAt: Date;
  cancelledAt: Date;
  reopenedAt: Date;
  reopenAcknowledgedAt: Date | null;
  reopenOnSiteAt: Date | null;
}>;

export type TransitionResult =
  | { ok: true; patch: TicketPatch; from: TicketStatus; to: TicketStatus; dissatisfied?: boolean }
  | { ok: false; reason: string };

const STAFF: ReadonlySet<Actor['role']> = new Set(['engineer', 'desk', 'manager', 'vp']);
const MANAGING: ReadonlySet<Actor['role']> = new Set(['desk', 'manager', 'vp']);
/** Who may take a job themselves (接单). */
const TAKES_JOBS: ReadonlySet<Actor['role']> = new Set(['engineer', 'manager', 'vp']);

function refuse(reason: string): TransitionResult {
  return { ok: false, reason };
}

const ROLE_WORDS: Record<string, string> = {
  staff: '服务人员',
  managing: '客服或部门经理',
  manager: '部门经理或主管副总',
  engineer: '工程师',
  customer: '报修客户',
};

/** What an engineer hears when the job is another engineer's. */
export const ANOTHER_ENGINEERS_JOB = '该工单已派给其他工程师；如需接手请让经理转派。';
/** …and when a fault nobody took is to be fixed without taking it first. */
const NOT_YOUR_JOB = '该工单不是派给您的；如需接手请让经理转派。';

/**
 * An engineer acts only on their own jobs and on nobody's: a job another
 * engineer holds is theirs until a manager or the desk transfers it. Managers,
 * the vice-president, the desk and customers are not limited by this (their
 * own rules apply). A refusal, or null.
 */
export function notTheirJob(t: Pick<TicketState, 'assigneeId'>, actor: Pick<Actor, 'personId' | 'role'>): string | null {
  if (actor.role !== 'engineer' || t.assigneeId === null || actor.personId === t.assigneeId) return null;
  return ANOTHER_ENGINEERS_JOB;
}

/**
 * Applies an action to a ticket. The rules are an explicit ordered chain per
 * action: who may, then from which statuses; the first failing check gives the reason.
 */
export function transition(t: TicketState, action: TicketAction, actor: Actor, at: Date): TransitionResult {
  const from = t.status;
  if (TERMINAL.has(from)) {
    return refuse(`该工单已${STATUS_LABELS[from].replace('已', '')}，不能再操作。`);
  }
  // A consultation is a question any engineer may answer, whoever it went to first.
  const notMine = t.kind === 'consultation' && action.type === 'resolve' ? null : notTheirJob(t, actor);
  if (notMine) return refuse(notMine);
  const isSystem = actor.role === 'system';
  const isStaff = isSystem || STAFF.has(actor.role);
  const isManaging = isSystem || MANAGING.has(actor.role);
  const isAssignee = actor.personId !== null && actor.personId === t.assigneeId;
  const isCustomerOfChat = actor.role === 'customer' && actor.chatId === t.chatId;
  const ok = (to: TicketStatus, patch: TicketPatch = {}): TransitionResult => ({
    ok: true,
    from,
    to,
    patch: to === from ? patch : { ...patch, status: to },
  });
  /** Sets a step's time unless it already happened (see TicketState). */
  const first = <K extends 'assignedAt' | 'acknowledgedAt' | 'onSiteAt' | 'detectionReportAt'>(step: K): Partial<Record<K, Date>> =>
    t[step] ? {} : ({ [step]: at } as Record<K, Date>);
  /** Taking the job again or arriving again, once per reopening. */
  const again = <K extends 'reopenAcknowledgedAt' | 'reopenOnSiteAt'>(step: K): Partial<Record<K, Date>> =>
    t.reopenedAt && !t[step] ? ({ [step]: at } as Record<K, Date>) : {};
  /** A reopening starts the reopened clocks afresh. */
  const reopening: TicketPatch = { reopenedAt: at, reopenAcknowledgedAt: null, reopenOnSiteAt: null };
  const inStatus = (allowed: TicketStatus[], what: string): TransitionResult | null =>
    allowed.includes(from) ? null : refuse(`工单当前状态为「${STATUS_LABELS[from]}」，不能${what}。`);

  switch (action.type) {
    case 'set_level': {
      if (!isStaff && !isCustomerOfChat) return refuse(`只有${ROLE_WORDS.customer}或${ROLE_WORDS.staff}可以确定故障级别。`);
      if (t.kind !== 'fault') return refuse('只有故障工单有故障级别。');
      // A provisional level (the question timed out) is still the customer's to answer.
      if (actor.role === 'customer' && from !== 'reported' && !t.levelProvisional) {
        return refuse('故障级别已确定；如需调整请联系工程师或客服。');
      }
      const patch: TicketPatch = { level: action.level, levelProvisional: action.provisional ?? false };
      if (t.level === null) patch.levelKnownAt = at;
      return ok(from === 'reported' ? 'level_known' : from, patch);
    }
    case 'accept': {
      if (!isManaging) return refuse(`只有${ROLE_WORDS.managing}可以受理。`);
      const wrong = inStatus(t.kind === 'fault' ? ['level_known'] : ['reported', 'level_known'], '受理');
      if (wrong) return wrong;
      if (t.feeStatus === 'required') return refuse('该工单需先确认收费或由经理免费处理。');
      return ok('accepted', { acceptedAt: at });
    }
    case 'require_fee': {
      if (!isSystem) return refuse('收费确认由系统根据合同范围发起。');
      const wrong = inStatus(['reported', 'level_known'], '发起收费确认');
      if (wrong) return wrong;
      return ok('awaiting_fee', { feeStatus: 'required' });
    }
    case 'agree_fee': {
      if (!isCustomerOfChat) return refuse(`只有本群的${ROLE_WORDS.customer}可以同意收费。`);
      const wrong = inStatus(['awaiting_fee'], '确认收费');
      if (wrong) return wrong;
      return ok('accepted', { feeStatus: 'agreed', acceptedAt: at });
    }
    case 'waive_fee': {
      if (!(isSystem || actor.role === 'manager' || actor.role === 'vp')) {
        return refuse(`只有${ROLE_WORDS.manager}可以免费处理。`);
      }
      const wrong = inStatus(['awaiting_fee'], '免费处理');
      if (wrong) return wrong;
      return ok('accepted', { feeStatus: 'waived', acceptedAt: at });
    }
    case 'assign': {
      if (!isManaging) return refuse(`只有${ROLE_WORDS.managing}可以派单。`);
      const wrong = inStatus(['accepted', 'assigned', 'reopened'], '派单');
      if (wrong) return wrong;
      return ok(from === 'reopened' ? 'reopened' : 'assigned', { assigneeId: action.assigneeId, ...first('assignedAt') });
    }
    case 'acknowledge': {
      if (actor.role !== 'engineer' && !(actor.role === 'manager' || actor.role === 'vp')) {
        return refuse(`只有${ROLE_WORDS.engineer}可以接单。`);
      }
      const wrong = inStatus(['accepted', 'assigned', 'reopened'], '接单');
      if (wrong) return wrong;
      // A manager's 接单 takes the job themselves: not one an engineer holds.
      if (t.assigneeId !== null && !isAssignee && from !== 'accepted') return refuse(ANOTHER_ENGINEERS_JOB);
      return ok('acknowledged', {
        assigneeId: actor.personId,
        ...first('acknowledgedAt'),
        ...again('reopenAcknowledgedAt'),
        ...(t.assigneeId === null ? first('assignedAt') : {}),
      });
    }
    case 'transfer': {
      if (!(isManaging || (actor.role === 'engineer' && isAssignee))) {
        return refuse(`只有当前处理工程师或${ROLE_WORDS.managing}可以转派。`);
      }
      const wrong = inStatus(['accepted', 'assigned', 'acknowledged', 'on_site', 'replacing', 'reopened'], '转派');
      if (wrong) return wrong;
      if (action.assigneeId === t.assigneeId) return refuse('该工单已由这位工程师处理。');
      return ok('assigned', { assigneeId: action.assigneeId, ...first('assignedAt') });
    }
    case 'arrive': {
      if (actor.role !== 'engineer' && !isManaging) return refuse(`只有${ROLE_WORDS.engineer}可以报到场。`);
      const wrong = inStatus(['accepted', 'assigned', 'acknowledged', 'reopened'], '报到场');
      if (wrong) return wrong;
      const patch: TicketPatch = { ...first('onSiteAt'), ...again('reopenOnSiteAt') };
      // Arriving without a 接单 first still counts as taking the job (again, after a reopening).
      if (from === 'accepted' || from === 'assigned' || from === 'reopened') Object.assign(patch, again('reopenAcknowledgedAt'));
      if (from === 'accepted' || from === 'assigned') {
        Object.assign(patch, first('acknowledgedAt'));
        // Only someone who may take the job becomes its assignee (not the desk or the bot).
        if (t.assigneeId === null && TAKES_JOBS.has(actor.role)) {
          patch.assigneeId = actor.personId;
          Object.assign(patch, first('assignedAt'));
        }
      }
      return ok('on_site', patch);
    }
    case 'request_spare': {
      if (!(actor.role === 'engineer' && isAssignee) && !isManaging) {
        return refuse(`只有处理该工单的${ROLE_WORDS.engineer}可以申请备件。`);
      }
      if (t.kind !== 'fault') return refuse('只有故障工单可以申请备件。');
      const wrong = inStatus(['acknowledged', 'on_site', 'reopened', 'replacing'], '申请备件');
      if (wrong) return wrong;
      return ok('replacing', t.spareRequestedAt ? {} : { spareRequestedAt: at });
    }
    case 'detection_report': {
      if (!(actor.role === 'engineer' && isAssignee) && !isManaging) {
        return refuse(`只有处理该工单的${ROLE_WORDS.engineer}可以提交检测报告。`);
      }
      if (!t.spareRequestedAt) return refuse('检测报告用于确认的硬件故障：请先「申请备件」。');
      return ok(from, first('detectionReportAt'));
    }
    case 'resolve': {
      if (!(actor.role === 'engineer' || isManaging)) return refuse(`只有${ROLE_WORDS.engineer}可以报修复。`);
      const allowed: TicketStatus[] =
        t.kind === 'fault'
          ? ['acknowledged', 'on_site', 'replacing', 'reopened']
          : ['reported', 'level_known', 'accepted', 'assigned', 'acknowledged', 'reopened'];
      const wrong = inStatus(allowed, t.kind === 'complaint' ? '反馈调查结果' : t.kind === 'consultation' ? '答复' : '报修复');
      if (wrong) return wrong;
      // A fault is fixed by the engineer who took it (接单 first, even when nobody had it).
      if (t.kind === 'fault' && actor.role === 'engineer' && !isAssignee) return refuse(NOT_YOUR_JOB);
      return ok('resolved', {
        resolvedAt: at,
        ...(t.kind !== 'fault' && actor.personId !== null && t.assigneeId === null ? { assigneeId: actor.personId } : {}),
      });
    }
    case 'confirm': {
      if (!isCustomerOfChat && !isSystem) return refuse(`只有本群的${ROLE_WORDS.customer}可以确认修复。`);
      const wrong = inStatus(['resolved'], '确认修复');
      if (wrong) return wrong;
      return ok('confirmed', { confirmedAt: at, confirmation: 'confirmed' });
    }
    case 'deny_fix': {
      if (!isCustomerOfChat) return refuse(`只有本群的${ROLE_WORDS.customer}可以反馈未修好。`);
      const wrong = inStatus(['resolved'], '反馈未修好');
      if (wrong) return wrong;
      return ok('reopened', { reopenCount: t.reopenCount + 1, resolvedAt: null, ...reopening });
    }
    case 'rate': {
      if (!isCustomerOfChat) return refuse(`只有本群的${ROLE_WORDS.customer}可以评价。`);
      if (!Number.isInteger(action.score) || action.score < 1 || action.score > 5) {
        return refuse('评分请用 1–5 分。');
      }
      const wrong = inStatus(t.kind === 'fault' ? ['confirmed'] : ['resolved', 'confirmed'], '评价');
      if (wrong) return wrong;
      if (action.score <= action.dissatisfiedAtOrBelow) {
        // Dissatisfaction: the work is corrected at once (contract rule 4).
        return {
          // The customer's confirmation is withdrawn: the record no longer says it was fixed.
          ...ok('reopened', { ratedAt: at, satisfaction: action.score, reopenCount: t.reopenCount + 1, resolvedAt: null, confirmedAt: null, confirmation: null, ...reopening }),
          dissatisfied: true,
        } as TransitionResult;
      }
      return ok('closed', { ratedAt: at, satisfaction: action.score, closedAt: at, ...(t.kind !== 'fault' ? { confirmation: 'confirmed' as const } : {}) });
    }
    case 'close': {
      if (!isSystem && !isManaging && !isCustomerOfChat) return refuse(`只有本群的${ROLE_WORDS.customer}或${ROLE_WORDS.managing}可以关闭工单。`);
      const wrong = inStatus(['resolved', 'confirmed'], '关闭');
      if (wrong) return wrong;
      const patch: TicketPatch = { closedAt: at };
      if (from === 'resolved' && action.unconfirmed) patch.confirmation = 'unconfirmed';
      return ok('closed', patch);
    }
    case 'cancel': {
      const isReporter = actor.personId !== null && actor.personId === t.reporterId;
      if (!isManaging && !isReporter && actor.role !== 'engineer') {
        return refuse(`只有报修人、工程师或${ROLE_WORDS.managing}可以撤销工单。`);
      }
      const wrong = inStatus(['reported', 'level_known', 'awaiting_fee', 'accepted', 'assigned', 'acknowledged', 'on_site'], '撤销');
      if (wrong) return wrong;
      return ok('cancelled', { cancelledAt: at });
    }
  }
}

/** Whether the ticket is still being worked on (not closed or cancelled). */
export function isOpen(status: TicketStatus): boolean {
  return !TERMINAL.has(status);
}
