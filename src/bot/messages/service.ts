/**
 * A ticket's life as its two audiences hear it: the customer's chat (received,
 * accepted with the times that matter to them, who is coming, arrived, fixed →
 * please confirm, rating, reopening) and the supplier's staff (dispatch
 * requests, hand-overs, rework). Staff texts go to the customer's staff group,
 * or the managers' group when there is none (directory.ts staffChatFor).
 */
import { defineMessages } from './catalogue.js';

const T = '#12（GD-20261124-0001）';

export const serviceMessages = defineMessages({
  /** The ticket is accepted: what it is, when we respond and come. */
  accepted: {
    audience: 'customer',
    text: (p: { title: string; what: string; provisional: boolean; handling?: string; limits: string }) =>
      [
        `已受理 ${p.title}：${p.what}${p.provisional ? '（暂定，核实后如有调整会再告知）' : ''}${p.handling ? `，将安排${p.handling}` : ''}。`,
        p.limits ? `服务时限：${p.limits}。` : '',
        '工程师确定后会在群里告知您。',
      ].filter(Boolean).join('\n'),
    sample: { title: T, what: '三级故障', provisional: false, handling: '工程师到现场', limits: '首次响应10:30前，到场11月25日22:00前' },
  },
  /** The dispatch request: the staff group is asked to assign (or the rota's engineer to take it). */
  dispatch: {
    audience: 'staff',
    text: (p: { title: string; chat: string; what: string; limits: string; summary: string; ask: string }) =>
      [`新工单 ${p.title}，${p.chat}：${p.what}。`, p.summary, p.limits ? `时限：${p.limits}。` : '', p.ask].filter(Boolean).join('\n'),
    sample: { title: T, chat: '西安地铁二号线报修群', what: '三级故障', limits: '首次响应10:30前，到场11月25日22:00前', summary: '站点：小寨站；设备：闸机；现象：刷卡没反应；电话：13800138000', ask: '请李经理派单。' },
  },
  dispatchTitle: { audience: 'staff', text: (p: { number: string }) => `待派单 ${p.number}`, sample: { number: 'GD-20261124-0001' } },
  acceptedTitle: { audience: 'customer', text: (p: { number: string }) => `已受理 ${p.number}`, sample: { number: 'GD-20261124-0001' } },
  /** Assigned: the customer learns who is coming. */
  engineerAssigned: {
    audience: 'customer',
    text: (p: { title: string; engineer: string; phone?: string }) => `${p.title}已安排工程师${p.engineer}处理${p.phone ? `，电话${p.phone}` : ''}。`,
    sample: { title: T, engineer: '张工', phone: '13900000001' },
  },
  /** Assigned or handed over: the engineer is asked to take it. */
  pleaseTake: {
    audience: 'staff',
    text: (p: { title: string; engineer: string; handover: boolean }) => `${p.title}已${p.handover ? '转派' : '派'}给${p.engineer}，请接单。`,
    sample: { title: T, engineer: '张工', handover: false },
  },
  taken: {
    audience: 'customer',
    text: (p: { title: string; engineer: string }) => `工程师${p.engineer}已接单 ${p.title}，将尽快与您联系。`,
    sample: { title: T, engineer: '张工' },
  },
  arrived: {
    audience: 'customer',
    text: (p: { title: string; engineer: string }) => `${p.title}：工程师${p.engineer}已到达现场。`,
    sample: { title: T, engineer: '张工' },
  },
  /** "还是不行": the customer who spoke is answered; the engineer is asked to continue among staff. */
  reopenedAck: {
    audience: 'customer',
    text: (p: { title: string; limits?: string }) =>
      `收到，很抱歉还没修好。${p.title}已重新打开，工程师会继续处理。${p.limits ? `\n服务时限：${p.limits}。` : ''}`,
    sample: { title: T, limits: '首次响应 15:30前，到场 11月26日 03:30前' },
  },
  reworkRequested: {
    audience: 'staff',
    text: (p: { title: string; engineer?: string; note?: string; deadlines: string }) =>
      `客户反馈未修好，${p.title}已返工${p.note ? `：${p.note}` : ''}。${p.engineer ? `请${p.engineer}继续处理。` : '请经理派单。'}${p.deadlines ? `\n时限：${p.deadlines}。` : ''}`,
    sample: { title: T, engineer: '张工', note: '刷卡还是没反应', deadlines: '到场11月26日10:00前' },
  },
  /** A low rating: apologise to the customer who rated; the staff hear it as an escalation (escalation.ts). */
  dissatisfiedApology: {
    audience: 'customer',
    text: (p: { title: string; limits?: string }) =>
      `非常抱歉没有让您满意。${p.title}已重新打开，我们会安排专人尽快整改并与您联系。${p.limits ? `\n服务时限：${p.limits}。` : ''}`,
    sample: { title: T, limits: '首次响应 15:30前，到场 11月26日 03:30前' },
  },
  detectionReport: {
    audience: 'customer',
    text: (p: { title: string; text: string; cost?: string }) => `${p.title}故障检测报告已提交：${p.text}${p.cost ? `；维修费用 ${p.cost}` : ''}。`,
    sample: { title: T, text: '硬盘坏道', cost: '1200元' },
  },
  ratedThanks: {
    audience: 'customer',
    text: (p: { title: string; score: number }) => `感谢您的评价（${p.score} 分）！${p.title}已关闭。`,
    sample: { title: T, score: 5 },
  },
  /** Closed unconfirmed: the customer is thanked; the desk is asked to call them. */
  closedUnconfirmed: {
    audience: 'customer',
    text: (p: { title: string }) => `${p.title}暂未收到您的确认，工单先行关闭。如设备仍有问题，请随时在群里告诉我们。`,
    sample: { title: T },
  },
  closedUnconfirmedStaff: {
    audience: 'staff',
    text: (p: { title: string }) => `${p.title}客户未确认修复，已按未确认关闭。按合同约定，未经客户确认的服务记录无效，请客服回访。`,
    sample: { title: T },
  },
});
