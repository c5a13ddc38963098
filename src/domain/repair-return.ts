/**
 * Repair and return (返修): the record that follows a faulty part through the
 * supplier, replacing the two-part paper form — received from the customer,
 * sent for repair, repair period and cost notified, repaired, returned to the
 * customer — with who did each step and when, a limit per step from the
 * contract, and which steps the customer is told about. Pure: a step takes the
 * flow as it is and returns the change or the reason it is refused, in words a
 * chat user understands.
 */
import type { BusinessCalendar } from './calendar.js';
import type { Role, TicketKind } from './contract.js';
import { REPAIR_STEPS, type RepairStep, type RepairTerms } from './contract-duties.js';
import { windowPlan, type DutyTimerPoint } from './duty-timers.js';
import { addSpan, describeSpan, type Span } from './span.js';
import { formatTime } from './wording.js';

export { REPAIR_STEPS, type RepairStep };

export const REPAIR_STEP_LABELS: Record<RepairStep, string> = {
  received: '收到故障件',
  sent: '送修',
  quoted: '维修周期和费用通告',
  repaired: '修复返回',
  returned: '已返还客户',
};

/**
 * The steps the customer is told about: they hand the part over, are told the
 * repair period and cost (维修周期和费用通告), and get the part back. Sending it
 * to the repairer and its coming back are the supplier's own business.
 */
export const CUSTOMER_STEPS: ReadonlySet<RepairStep> = new Set<RepairStep>(['received', 'quoted', 'returned']);

/** Where the part is: the last of the physical steps done. */
export const REPAIR_FLOW_STATUSES = ['received', 'sent', 'repaired', 'returned', 'cancelled'] as const;
export type RepairFlowStatus = (typeof REPAIR_FLOW_STATUSES)[number];
export const REPAIR_STATUS_LABELS: Record<RepairFlowStatus, string> = {
  received: '已收件',
  sent: '送修中',
  repaired: '已修复待返还',
  returned: '已返还',
  cancelled: '已撤销',
};

export const isOpenFlow = (status: RepairFlowStatus) => status !== 'returned' && status !== 'cancelled';

export interface RepairFlowState {
  status: RepairFlowStatus;
  receivedAt: Date;
  sentAt: Date | null;
  /** The first notice of period and cost (a later correction does not move it). */
  quotedAt: Date | null;
  repairedAt: Date | null;
  returnedAt: Date | null;
  /** In fen (分): 1200.50 元 is 120050. 0 when free (under warranty). */
  costCents: number | null;
  /** Repair period notified with the cost, in days. */
  periodDays: number | null;
}

export type RepairAction =
  | { step: 'received'; part?: string | undefined; note?: string | undefined }
  | { step: 'sent'; note?: string | undefined }
  | { step: 'quoted'; costCents: number; periodDays?: number | undefined; note?: string | undefined }
  | { step: 'repaired'; note?: string | undefined }
  | { step: 'returned'; note?: string | undefined }
  | { step: 'cancel'; reason?: string | undefined };

export interface RepairActor {
  personId: number | null;
  name: string;
  role: Role | 'system';
}

/** The row a step adds to the flow's history (who and when: the signature on the paper form). */
export interface RepairStepRecord {
  step: RepairStep | 'cancel';
  at: Date;
  actorId: number | null;
  actorName: string;
  note: string | null;
  costCents: number | null;
  periodDays: number | null;
  /** A second notice of cost corrects the first. */
  correction: boolean;
}

export type RepairDecision =
  | {
      ok: true;
      /** A new flow (received), or the fields to change on the open one. */
      create: boolean;
      set: Partial<RepairFlowState> & { part?: string | null };
      record: RepairStepRecord;
      /** Tell the customer's chat (CUSTOMER_STEPS). */
      tellCustomer: boolean;
    }
  | { ok: false; reason: string };

const refuse = (reason: string): RepairDecision => ({ ok: false, reason });

/** Contract rule 5: a failed disk or other magnetic medium is never taken away by the supplier. */
export function isMagneticMedium(text: string | null | undefined, magneticMedia: readonly string[]): boolean {
  if (!text) return false;
  return magneticMedia.some((m) => m && text.includes(m));
}

/**
 * Applies a step to a ticket's open flow (null when it has none). `ticket.ref`
 * is how the ticket is named in the reason ("#12").
 */
export function applyRepairStep(
  ticket: { ref: string; kind: TicketKind; device: string | null },
  flow: RepairFlowState | null,
  action: RepairAction,
  actor: RepairActor,
  at: Date,
  magneticMedia: readonly string[],
): RepairDecision {
  if (actor.role === 'customer') return refuse('返修流程由服务人员登记。');
  if (ticket.kind !== 'fault') return refuse(`${ticket.ref} 不是故障工单，无需返修登记。`);
  const record = (step: RepairStepRecord['step'], o: Partial<RepairStepRecord> = {}): RepairStepRecord => ({
    step,
    at,
    actorId: actor.personId,
    actorName: actor.name,
    note: null,
    costCents: null,
    periodDays: null,
    correction: false,
    ...o,
  });
  const note = (n: string | undefined) => (n?.trim() ? n.trim() : null);
  const open = flow && isOpenFlow(flow.status) ? flow : null;

  if (action.step === 'received') {
    if (open) return refuse(`${ticket.ref} 已有故障件在返修流程中（${REPAIR_STATUS_LABELS[open.status]}），请先完成或撤销。`);
    if (isMagneticMedium(action.part, magneticMedia) || (!action.part && isMagneticMedium(ticket.device, magneticMedia))) {
      return refuse('按合同约定，硬盘等磁介质不得带离客户现场，须在客户指定地点维修。');
    }
    return {
      ok: true,
      create: true,
      set: { status: 'received', receivedAt: at, part: action.part?.trim() || null },
      record: record('received', { note: note(action.note) ?? (action.part?.trim() || null) }),
      tellCustomer: CUSTOMER_STEPS.has('received'),
    };
  }
  if (!open) return refuse(`${ticket.ref} 没有进行中的返修，请先登记「收到故障件 ${ticket.ref}」。`);

  switch (action.step) {
    case 'sent':
      if (open.status !== 'received') return refuse(`${ticket.ref} 的故障件${REPAIR_STATUS_LABELS[open.status]}，不能再次送修。`);
      return { ok: true, create: false, set: { status: 'sent', sentAt: at }, record: record('sent', { note: note(action.note) }), tellCustomer: CUSTOMER_STEPS.has('sent') };
    case 'quoted': {
      if (!Number.isSafeInteger(action.costCents) || action.costCents < 0) return refuse('维修费用应为不小于 0 的金额，例如「维修费用 #12 1200元 周期10天」。');
      if (action.periodDays !== undefined && !(Number.isInteger(action.periodDays) && action.periodDays > 0 && action.periodDays <= 365)) {
        return refuse('维修周期应为 1 到 365 天。');
      }
      const correction = open.quotedAt !== null;
      return {
        ok: true,
        create: false,
        set: { quotedAt: open.quotedAt ?? at, costCents: action.costCents, periodDays: action.periodDays ?? (correction ? open.periodDays : null) },
        record: record('quoted', { note: note(action.note), costCents: action.costCents, periodDays: action.periodDays ?? null, correction }),
        tellCustomer: CUSTOMER_STEPS.has('quoted'),
      };
    }
    case 'repaired':
      if (open.status === 'received') return refuse(`${ticket.ref} 的故障件尚未送修，请先登记「送修 ${ticket.ref}」。`);
      if (open.status !== 'sent') return refuse(`${ticket.ref} 的故障件${REPAIR_STATUS_LABELS[open.status]}。`);
      return { ok: true, create: false, set: { status: 'repaired', repairedAt: at }, record: record('repaired', { note: note(action.note) }), tellCustomer: CUSTOMER_STEPS.has('repaired') };
    case 'returned':
      if (open.status !== 'repaired') return refuse(`${ticket.ref} 的故障件${REPAIR_STATUS_LABELS[open.status]}，修复返回后才能返还客户。`);
      return { ok: true, create: false, set: { status: 'returned', returnedAt: at }, record: record('returned', { note: note(action.note) }), tellCustomer: CUSTOMER_STEPS.has('returned') };
    case 'cancel':
      if (actor.role !== 'manager' && actor.role !== 'vp' && actor.role !== 'desk' && actor.role !== 'system') return refuse('撤销返修需由经理或客服操作。');
      return { ok: true, create: false, set: { status: 'cancelled' }, record: record('cancel', { note: note(action.reason) }), tellCustomer: false };
  }
}

// ---------------------------------------------------------------------------
// Limits per step

export interface RepairDeadline {
  step: Exclude<RepairStep, 'received'>;
  label: string;
  after: RepairStep;
  startedAt: Date;
  dueAt: Date;
  /** The limit applied: the contract's, or the repair period notified with the cost. */
  limit: Span;
  quotedPeriod: boolean;
  doneAt: Date | null;
  /** true met, false missed (done late, or still not done after the due time), null running. */
  met: boolean | null;
}

const timeOf = (f: RepairFlowState, s: RepairStep): Date | null =>
  ({ received: f.receivedAt, sent: f.sentAt, quoted: f.quotedAt, repaired: f.repairedAt, returned: f.returnedAt })[s];

/** Each configured step limit whose start step is done. */
export function repairDeadlines(flow: RepairFlowState, terms: RepairTerms, calendar: BusinessCalendar, now: Date): RepairDeadline[] {
  const out: RepairDeadline[] = [];
  for (const step of REPAIR_STEPS) {
    if (step === 'received') continue;
    const l = terms.limits[step];
    if (!l) continue;
    const startedAt = timeOf(flow, l.after);
    if (!startedAt) continue;
    const quotedPeriod = step === 'repaired' && l.useQuotedPeriod && flow.periodDays !== null;
    const limit: Span = quotedPeriod ? { days: flow.periodDays! } : l.limit;
    const dueAt = addSpan(calendar, startedAt, limit).value;
    const doneAt = timeOf(flow, step);
    let met: boolean | null;
    if (doneAt) met = doneAt <= dueAt;
    else if (!isOpenFlow(flow.status)) met = flow.status === 'cancelled' ? null : dueAt >= (flow.returnedAt ?? now) ? null : false;
    else met = now > dueAt ? false : null;
    out.push({ step, label: REPAIR_STEP_LABELS[step], after: l.after, startedAt, dueAt, limit, quotedPeriod, doneAt, met });
  }
  return out;
}

/** Steps past their limit and still not done at `now` (an open flow). */
export function overdueRepairSteps(flow: RepairFlowState, terms: RepairTerms, calendar: BusinessCalendar, now: Date): RepairDeadline[] {
  if (!isOpenFlow(flow.status)) return [];
  return repairDeadlines(flow, terms, calendar, now).filter((d) => d.doneAt === null && d.met === false);
}

/** Reminders and the overdue point of every running step limit, while the flow is open. */
export function repairTimerPlan(
  flow: RepairFlowState & { id: number },
  terms: RepairTerms,
  defaultPoints: readonly number[],
  calendar: BusinessCalendar,
): DutyTimerPoint[] {
  if (!isOpenFlow(flow.status)) return [];
  return repairDeadlines(flow, terms, calendar, flow.receivedAt)
    .filter((d) => d.doneAt === null)
    .flatMap((d) => windowPlan('repair', flow.id, d, terms.reminders ?? defaultPoints, d.step, d.limit.workingDays !== undefined ? calendar : undefined));
}

// ---------------------------------------------------------------------------
// Money and the record

/** 120050 → "1200.50 元"; 0 → "免费". */
export function formatCost(cents: number): string {
  if (cents === 0) return '免费';
  const yuan = Math.floor(cents / 100);
  const fen = cents % 100;
  return `${yuan}${fen ? `.${String(fen).padStart(2, '0')}` : ''} 元`;
}

/**
 * The flow for the service record and the export, one line:
 * 收到故障件 11月24日 10:00 张工 → 送修 11月25日 09:00 张工 → 维修周期和费用通告 1200 元、10 天 …
 * `customerOnly` keeps the steps the customer is told about.
 */
export function repairFlowLine(steps: readonly RepairStepRecord[], timezone: string, o: { customerOnly?: boolean; ref?: Date } = {}): string {
  return steps
    .filter((s) => !o.customerOnly || (s.step !== 'cancel' && CUSTOMER_STEPS.has(s.step)))
    .map((s) => {
      const label = s.step === 'cancel' ? '撤销' : REPAIR_STEP_LABELS[s.step];
      const money = s.step === 'quoted' && s.costCents !== null ? ` ${formatCost(s.costCents)}${s.periodDays ? `、周期 ${s.periodDays} 天` : ''}${s.correction ? '（更正）' : ''}` : '';
      return `${label}${money} ${formatTime(s.at, timezone, o.ref)} ${s.actorName}`;
    })
    .join(' → ');
}

/** "8 小时", "30 天", or "报价周期 10 天" — how a limit is shown beside its due time. */
export function describeRepairLimit(d: Pick<RepairDeadline, 'limit' | 'quotedPeriod'>): string {
  return d.quotedPeriod ? `报价周期 ${describeSpan(d.limit)}` : describeSpan(d.limit);
}
