/**
 * A ticket's audit trail as a manager reads it: who (name and role), when, and
 * what they did, in plain Chinese. The raw event (action names, ids, the
 * parser's evidence words) stays in the JSON API; nothing here shows a field
 * name. An action this file does not know is shown as 其他记录, never raw.
 */
import { deliveryMessages } from '../../bot/messages/delivery.js';
import { REPAIR_STEP_LABELS, type RepairStep } from '../../domain/repair-return.js';
import { STATUS_LABELS, type TicketStatus } from '../../domain/ticket.js';

export interface HistoryEvent {
  at: Date;
  action: string;
  actor: { name: string; role: string } | null;
  from: string | null;
  to: string | null;
  detail: Record<string, unknown>;
}

export interface HistoryContext {
  /** The ticket's kind: a fix reported on a consultation is its answer, on a complaint the investigation result. */
  kind: string;
  /** Clock names → their labels in the contract (first_response → 首次响应). */
  clockLabel: (clock: string) => string;
  /** A fault level → its name (3 → 三级). */
  levelName: (level: number) => string;
  /** A person's name by id (assignments made by the rota carry only the id). */
  personName: (id: number) => string | undefined;
}

export interface HistoryLine {
  at: Date;
  who: string;
  what: string;
  /** 已派单 → 已接单, when the status changed. */
  status: string | null;
}

const ROLE_LABELS: Record<string, string> = { customer: '客户', engineer: '工程师', desk: '客服', manager: '部门经理', vp: '主管副总' };

/** The people told of a breach, in the contract's escalation steps. */
const NOTIFY_LABELS: Record<string, string> = { assignee: '处理人', engineer: '工程师', manager: '部门经理', vp: '主管副总', desk: '客服' };

/** Follow-ups the desk does (not contract clocks). */
const FOLLOW_UPS: Record<string, string> = { intake: '级别询问', confirmation: '修复确认', rating: '服务评价', consultation_close: '咨询关闭' };

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const quote = (v: unknown): string => (str(v) ? `：${str(v)}` : '');

function status(s: string | null): string {
  return s ? (STATUS_LABELS[s as TicketStatus] ?? '其他状态') : '';
}

function notified(v: unknown): string {
  const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const names = [...new Set(list.map((x) => NOTIFY_LABELS[x] ?? '相关人员'))];
  return names.length ? `，已通知${names.join('、')}` : '';
}

function reminderText(d: Record<string, unknown>, ctx: HistoryContext): string {
  const clock = str(d.clock) ?? '';
  const stage = str(d.stage) ?? '';
  const late = d.late ? '（服务恢复后补发）' : '';
  if (FOLLOW_UPS[clock]) {
    if (clock === 'intake') return `级别询问无人回答${late}`;
    return stage === 'close' ? `${FOLLOW_UPS[clock]}期限已到${late}` : `提醒客户${clock === 'rating' ? '评价服务' : '确认修复'}${late}`;
  }
  const pct = /^remind_(\d+)$/.exec(stage)?.[1];
  return `提醒：${d.reopened ? '返工' : ''}${ctx.clockLabel(clock)}时限${pct ? `已过 ${pct}%` : '将到'}${late}`;
}

function escalationText(d: Record<string, unknown>, ctx: HistoryContext): string {
  if (d.reason === 'dissatisfied') return `客户不满意，上报${notified(d.to).replace(/^，已通知/, '') || '经理'}`;
  const clock = `${d.reopened ? '返工' : ''}${ctx.clockLabel(str(d.clock) ?? '')}`;
  const step = Number(/^escalate_(\d+)$/.exec(str(d.stage) ?? '')?.[1] ?? 1);
  const late = d.late ? '（服务恢复后补发）' : '';
  return step <= 1 ? `${clock}超时${notified(d.to)}${late}` : `${clock}超时升级（第 ${step} 级）${notified(d.to)}${late}`;
}

function detailsText(d: Record<string, unknown>): string {
  const parts: string[] = [];
  if (str(d.site)) parts.push(`站点 ${str(d.site)}`);
  if (str(d.device)) parts.push(`设备 ${str(d.device)}`);
  if (str(d.phone)) parts.push(`电话 ${str(d.phone)}`);
  if (str(d.contact)) parts.push(`联系人 ${str(d.contact)}`);
  if (str(d.symptom)) parts.push(`现象 ${str(d.symptom)}`);
  return parts.length ? `补充信息：${parts.join('，')}` : '补充信息';
}

const KIND_WORDS: Record<string, string> = { fault: '报修', consultation: '咨询', complaint: '投诉' };

/** What happened, in one Chinese sentence. */
export function describeEvent(e: HistoryEvent, ctx: HistoryContext): string {
  const d = e.detail;
  const level = typeof d.level === 'number' ? ctx.levelName(d.level) : '';
  const assignee = str(d.to) ?? (typeof d.assigneeId === 'number' ? ctx.personName(d.assigneeId) : undefined) ?? '工程师';
  switch (e.action) {
    case 'reported':
      return `${KIND_WORDS[str(d.kind) ?? ''] ?? '报修'}${quote(d.text)}`;
    case 'duplicate_report':
      return `${str(d.reporter) ?? '客户'}再次报告同一故障${quote(d.text)}`;
    case 'details_added':
      return detailsText(d);
    case 'set_level':
      if (d.provisional || d.reason === 'question_timeout') return `级别询问无人回答，暂定为${level}`;
      return e.actor ? `定为${level}${str(d.answer) ? `（回答：${str(d.answer)}）` : ''}` : `根据报修内容定为${level}`;
    case 'accept':
      return '受理';
    case 'require_fee':
      return `超出保修期或服务范围，等待客户同意收费${str(d.why) ? `（${str(d.why)}）` : ''}`;
    case 'agree_fee':
      return '客户同意收费';
    case 'waive_fee':
      return '批准免费处理';
    case 'assign':
      return d.by === 'rota' ? `按值班表派给 ${assignee}` : `派单给 ${assignee}`;
    case 'transfer':
      return `转派给 ${assignee}${str(d.note) ? `：${str(d.note)}` : ''}`;
    case 'acknowledge':
      return '接单';
    case 'arrive':
      return `到达现场${str(d.note) ? `，到场时状态：${str(d.note)}` : ''}`;
    case 'request_spare':
      return `申请备件${quote(d.part)}`;
    case 'part_replaced':
      return `更换备件${quote(d.part)}${d.new === false ? '（非全新，客户同意）' : ''}`;
    case 'medium_retained':
      return '确认更换下的存储介质已留存客户处';
    case 'detection_report':
      return `提交故障检测报告${quote(d.text)}${str(d.cost) ? `；费用 ${str(d.cost)}` : ''}`;
    case 'resolve':
      if (ctx.kind === 'consultation') return `答复${quote(d.note)}`;
      if (ctx.kind === 'complaint') return `反馈投诉调查结果${quote(d.note)}`;
      return `报告已修复${quote(d.note)}`;
    case 'confirm':
      return '客户确认修复';
    case 'deny_fix':
      return `客户反馈还没修好${quote(d.note)}`;
    case 'rate': {
      const score = typeof d.score === 'number' ? d.score : null;
      const low = score !== null && typeof d.dissatisfiedAtOrBelow === 'number' && score <= d.dissatisfiedAtOrBelow;
      // A low rating after the customer confirmed the fix withdraws that confirmation.
      const reopened = e.from === 'confirmed' ? '（不满意，撤回修复确认，工单重新打开）' : '（不满意，工单重新打开）';
      return `评价 ${score ?? '—'} 分${str(d.comment) ? `，意见：${str(d.comment)}` : ''}${low ? reopened : ''}`;
    }
    case 'close':
      if (d.unconfirmed) return '关闭：客户未在期限内确认（记录无效）';
      if (d.by === 'customer_thanks') return '客户致谢，咨询关闭';
      return '关闭';
    case 'cancel':
      return `撤销${str(d.reason) ? `：${str(d.reason)}` : ''}`;
    case 'reminder':
      return reminderText(d, ctx);
    case 'escalation':
      return escalationText(d, ctx);
    case 'non_conformance':
      return `记录不合格项${quote(d.reason)}`;
    case 'answer':
      return `答复${quote(d.text)}`;
    case 'investigation':
      return `投诉调查结果${quote(d.text)}`;
    case 'correction':
      return `整改${quote(d.text)}`;
    case 'other_engineer_requested':
      return '客户要求更换工程师';
    case 'note':
      return `附注${quote(d.note)}`;
    case 'report_recalled':
      return '客户撤回了报修消息';
    case 'recurrence':
      return `同一设备再次故障，前次工单${str(d.number) ? ` ${str(d.number)}` : ''}`;
    case 'emergency_report_requested':
      return '要求提交应急响应报告';
    case 'emergency_report':
      return `${d.amend ? '补充' : '提交'}应急响应报告${d.late ? '（逾期）' : ''}`;
    case 'repair_step': {
      const step = str(d.step);
      const label = step === 'cancel' ? '撤销返修' : step && step in REPAIR_STEP_LABELS ? REPAIR_STEP_LABELS[step as RepairStep] : '返修进展';
      return `返修：${label}${str(d.part) ? `（${str(d.part)}）` : ''}${str(d.note) ? `，${str(d.note)}` : ''}`;
    }
    case 'message_undelivered':
      return deliveryMessages.undeliveredHistory.text({ reason: typeof d.reason === 'string' ? d.reason : '平台拒收' });
    default:
      return '其他记录';
  }
}

export function historyLines(events: HistoryEvent[], ctx: HistoryContext): HistoryLine[] {
  return events.map((e) => ({
    at: e.at,
    who: e.actor ? `${e.actor.name}${ROLE_LABELS[e.actor.role] ? `（${ROLE_LABELS[e.actor.role]}）` : ''}` : '系统',
    what: describeEvent(e, ctx),
    status: e.from !== e.to && e.to ? `${e.from ? `${status(e.from)} → ` : ''}${status(e.to)}` : null,
  }));
}
