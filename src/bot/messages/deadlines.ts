/**
 * The contract's time limits as the supplier's staff hear them: one reminder
 * per ticket and moment naming every clock then due, breaches and escalations.
 * None of these is for the customer's chat.
 */
import { defineMessages } from './catalogue.js';

const T = '#12（GD-20261124-0001）';

export const deadlineMessages = defineMessages({
  /** One reminder for a ticket at one moment; `due` lists each clock, e.g. "首次响应还剩15分钟（10:30前）". */
  reminder: {
    audience: 'staff',
    text: (p: { title: string; due: string[]; late?: string }) => `⏰ ${p.late ? `（延迟 ${p.late}送达）` : ''}提醒：${p.title}${p.due.join('；')}。`,
    sample: { title: T, due: ['首次响应时限还剩15分钟，10:30前', '派单时限还剩15分钟，10:30前'] },
  },
  dueIn: { audience: 'staff', text: (p: { label: string; left: string; at: string }) => `${p.label}时限还剩${p.left}，${p.at}前`, sample: { label: '首次响应', left: '15分钟', at: '10:30' } },
  dueNow: { audience: 'staff', text: (p: { label: string; at: string }) => `${p.label}时限已到，${p.at}`, sample: { label: '首次响应', at: '10:30' } },
  breach: {
    audience: 'staff',
    text: (p: { title: string; label: string; step: number; overdue: string; at: string; level: string; assignee: string; where: string; late?: string }) =>
      `⚠️ ${p.late ? `（延迟 ${p.late}送达）` : ''}超时${p.step > 1 ? `升级（第 ${p.step} 级）` : ''}：${p.title}${p.label}已超时${p.step > 1 ? ` ${p.overdue}` : ''}（时限 ${p.at}）。${p.level}处理人：${p.assignee}；${p.where}`,
    sample: { title: T, label: '首次响应', step: 2, overdue: '1 小时', at: '10:30', level: '三级，', assignee: '张工', where: '小寨站·闸机' },
  },
  spareReplacement: {
    audience: 'staff',
    text: (p: { title: string; label: string; id: number }) =>
      `${p.title}已超过${p.label}时限仍未修复。按合同约定，请更换同档次或更高档次的备件/备机：回复「申请备件 #${p.id} 部件名称」，更换后回复「已更换 #${p.id} 部件名称」。`,
    sample: { title: T, label: '修复或更换备件', id: 12 },
  },
});
