/**
 * What the bot says about the planned duties: inspections, follow-up visits,
 * notices and maintenance windows, repair and return, emergency response
 * reports. Customer templates go to the customer's chat; staff templates to
 * the customer's staff group, the managers' group when it has none
 * (duties/support.ts staffChatsFor), or to whoever gave the command.
 */
import { defineMessages } from './catalogue.js';

export const dutyMessages = defineMessages({
  // Inspections
  inspectionPlanned: {
    audience: 'customer',
    text: (p: { plan: string; date: string; systems: string }) => `【巡检通知】我们计划于 ${p.date} 对贵单位的${p.systems}进行定期巡检（${p.plan}），届时请予配合，谢谢！`,
  },
  inspectionJobMade: {
    audience: 'staff',
    text: (p: { job: number; customer: string; plan: string; due: string; who: string | null; byRota: boolean }) =>
      `巡检任务 #${p.job}：${p.customer}「${p.plan}」，${p.due} 前完成。${p.who ? `由 ${p.who} 负责${p.byRota ? '（按值班表）' : ''}。` : `请经理派工：「派巡检 #${p.job} @工程师」。`}完成后回复「巡检完成 #${p.job} 正常」或「巡检完成 #${p.job} 发现问题 …」。`,
  },
  inspectionAssigned: {
    audience: 'staff',
    text: (p: { job: number; plan: string; customer: string; due: string; who: string }) => `巡检任务 #${p.job}（${p.customer}「${p.plan}」，${p.due} 前）已派给 ${p.who}。`,
  },
  inspectionReminder: {
    audience: 'staff',
    text: (p: { job: number; plan: string; customer: string; due: string; left: string }) => `⏰ 巡检提醒：#${p.job} ${p.customer}「${p.plan}」还剩 ${p.left}（${p.due} 前完成）。`,
  },
  inspectionOverdue: {
    audience: 'staff',
    text: (p: { job: number; plan: string; customer: string; due: string; who: string }) => `⚠️ 巡检超期：#${p.job} ${p.customer}「${p.plan}」应于 ${p.due} 前完成，尚未记录结果。负责人：${p.who}。`,
  },
  inspectionResult: {
    audience: 'customer',
    text: (p: { plan: string; summary: string; tickets: string }) => `【巡检结果】${p.plan}已完成：${p.summary}${p.tickets ? `。发现的问题已登记工单 ${p.tickets}，我们将尽快处理` : ''}。`,
  },
  inspectionRecorded: {
    audience: 'staff',
    text: (p: { job: number; summary: string; tickets: string }) => `巡检 #${p.job} 已记录：${p.summary}${p.tickets ? `；已开工单 ${p.tickets}` : ''}。`,
  },
  // Follow-up visits
  visitMade: {
    audience: 'staff',
    text: (p: { visit: number; customer: string; reason: string; due: string; who: string }) =>
      `回访任务 #${p.visit}：${p.customer}（${p.reason}），${p.due} 前完成，负责人：${p.who}。完成后回复「回访 #${p.visit} 回访记录」。`,
  },
  visitAssigned: {
    audience: 'staff',
    text: (p: { visit: number; customer: string; who: string }) => `回访任务 #${p.visit}（${p.customer}）已派给 ${p.who}。`,
  },
  visitReminder: {
    audience: 'staff',
    text: (p: { visit: number; customer: string; due: string; left: string }) => `⏰ 回访提醒：#${p.visit} ${p.customer} 还剩 ${p.left}（${p.due} 前完成）。`,
  },
  visitOverdue: {
    audience: 'staff',
    text: (p: { visit: number; customer: string; due: string; who: string }) => `⚠️ 回访超期：#${p.visit} ${p.customer} 应于 ${p.due} 前完成，尚未记录。负责人：${p.who}。`,
  },
  visitRecorded: {
    audience: 'staff',
    text: (p: { visit: number; tickets: string }) => `回访 #${p.visit} 已记录${p.tickets ? `；客户提出的问题已登记 ${p.tickets}` : ''}。`,
  },
  visitConsultation: {
    audience: 'staff',
    text: (p: { title: string; id: number; text: string }) => `新咨询 ${p.title}（回访中客户提出）：${p.text}\n请安排工程师在群内答复（回复「答复 #${p.id} 内容」）。`,
    sample: { title: '#12（GD-20261124-0001）', id: 12, text: '希望增加巡检频次' },
  },
  // Notices and maintenance windows
  notice: {
    audience: 'customer',
    text: (p: { label: string; text: string; window: string | null }) => `【${p.label}】${p.text}${p.window ? `\n检修时间：${p.window}` : ''}`,
  },
  noticePosted: {
    audience: 'staff',
    text: (p: { notice: number; label: string; chats: number }) => `${p.label} #${p.notice} 已发送至 ${p.chats} 个客户群。`,
  },
  noticeWithdrawn: {
    audience: 'customer',
    text: (p: { label: string; text: string; window: string | null }) =>
      p.window ? `【检修取消】原定 ${p.window} 的计划检修已取消，相关系统照常服务。` : `【通告撤回】此前发布的${p.label}「${p.text}」已撤回，请以最新通知为准。`,
    sample: { label: '安全通告', text: '请及时修补闸机读卡器固件漏洞', window: null },
  },
  windowEndedEarly: {
    audience: 'customer',
    text: (p: { window: string; at: string }) => `【检修结束】原定 ${p.window} 的计划检修已于 ${p.at} 提前结束，系统已恢复服务。如仍有异常，请直接在群里报修。`,
    sample: { window: '12月5日 01:00 至 12月5日 05:00', at: '12月5日 03:10' },
  },
  noticeEnded: {
    audience: 'staff',
    text: (p: { label: string; notice: number; done: string; chats: number }) => `${p.label} #${p.notice} ${p.done}，已通知 ${p.chats} 个客户群；此后的报修照常处理。`,
    sample: { label: '计划检修通告', notice: 3, done: '已撤回', chats: 2 },
  },
  reportInWindow: {
    audience: 'customer',
    text: (p: { window: string; notice: string }) => `温馨提示：${p.window} 为计划检修时间，相关系统可能暂停服务。${p.notice ? `检修通告：${p.notice}。` : ''}您的报修已登记，检修结束后仍未恢复的，我们会立即处理。`,
  },
  reportMaybeInWindow: {
    audience: 'customer',
    text: (p: { window: string }) => `温馨提示：${p.window} 正在进行计划检修。如您反映的问题与检修的系统有关，检修结束后将自动恢复；请补充是哪台设备，以便我们判断。`,
  },
  // Repair and return
  repairStepCustomer: {
    audience: 'customer',
    text: (p: { title: string; step: string; detail: string }) => `${p.title} 返修进度：${p.step}${p.detail ? `（${p.detail}）` : ''}。`,
  },
  repairStepStaff: {
    audience: 'staff',
    text: (p: { title: string; step: string; next: string }) => `${p.title} 已登记「${p.step}」${p.next ? `；${p.next}` : ''}。`,
  },
  repairReminder: {
    audience: 'staff',
    text: (p: { title: string; step: string; due: string; left: string }) => `⏰ 返修提醒：${p.title}「${p.step}」还剩 ${p.left}（${p.due} 前）。`,
  },
  repairOverdue: {
    audience: 'staff',
    text: (p: { title: string; step: string; due: string; who: string }) => `⚠️ 返修超时：${p.title}「${p.step}」应于 ${p.due} 前完成，尚未登记。负责人：${p.who}。`,
  },
  // Emergency response report
  emergencyRequested: {
    audience: 'staff',
    text: (p: { title: string; id: number; label: string; due: string }) =>
      `${p.title} 已超过${p.label}时限。按合同约定请提供应急响应报告，${p.due} 前回复「应急报告 #${p.id} 报告内容」。`,
  },
  emergencyReminder: {
    audience: 'staff',
    text: (p: { title: string; due: string; left: string }) => `⏰ 应急响应报告提醒：${p.title} 还剩 ${p.left}（${p.due} 前提交）。`,
  },
  emergencyOverdue: {
    audience: 'staff',
    text: (p: { title: string; due: string; who: string }) => `⚠️ 应急响应报告超期：${p.title} 应于 ${p.due} 前提交。负责人：${p.who}。`,
  },
  emergencySubmitted: {
    audience: 'staff',
    text: (p: { title: string; by: string; text: string; late: boolean; amend: boolean }) =>
      `📄 ${p.title} 应急响应报告已${p.amend ? '更新' : '提交'}（${p.by}${p.late ? '，逾期提交' : ''}）：${p.text}`,
  },
  // Ending a notice or its maintenance window early (结束维护 / 取消通告), said to the manager
  noticeNotFound: { audience: 'staff', text: () => '没有找到这条通告，请核对编号。' },
  noticeAlreadyWithdrawn: { audience: 'staff', text: (p: { notice: number; at: string }) => `通告 #${p.notice} 已于 ${p.at} 撤回。` },
  noticeWithdrawnMeanwhile: { audience: 'staff', text: (p: { notice: number }) => `通告 #${p.notice} 已撤回。` },
  noticeHasNoWindow: { audience: 'staff', text: (p: { notice: number }) => `通告 #${p.notice} 没有检修时间；如需撤回，请用「取消通告 #${p.notice}」。` },
  windowAlreadyEnded: { audience: 'staff', text: (p: { notice: number; at: string | null }) => `通告 #${p.notice} 的检修已${p.at ? `于 ${p.at} ` : ''}结束。` },
  windowNotStarted: { audience: 'staff', text: (p: { notice: number; window: string }) => `检修尚未开始（${p.window}）；如需取消，请用「取消通告 #${p.notice}」。` },
  windowOver: { audience: 'staff', text: (p: { at: string }) => `检修已于 ${p.at} 结束，无需再操作。` },
  noticeEndedHow: {
    audience: 'staff',
    text: (p: { ended: boolean; who: string; at: string }) => (p.ended ? `检修已提前结束（${p.who}，${p.at}）` : `已撤回（${p.who}，${p.at}）`),
    sample: { ended: true, who: '李经理', at: '12月5日 03:00' },
  },
  windowTimesMissing: { audience: 'staff', text: () => '请写明检修的开始和结束时间，如「12月5日 01:00-05:00」。' },
  noticeWhatMissing: { audience: 'staff', text: () => '请写明通告对象和内容，例如「全部 安全通告 …」。' },
  // Which job or visit a command means, and who may record it
  dutyNotFound: { audience: 'staff', text: (p: { what: string }) => `没有找到这个${p.what}，请核对编号。`, sample: { what: '巡检任务' } },
  dutyAlreadyDone: { audience: 'staff', text: (p: { what: string }) => `该${p.what}已记录结果。`, sample: { what: '巡检任务' } },
  dutyCancelled: { audience: 'staff', text: (p: { what: string }) => `该${p.what}已取消。`, sample: { what: '回访任务' } },
  dutyNumberNeeded: {
    audience: 'staff',
    text: (p: { what: string; example: string; several: boolean }) => (p.several ? `您有多个${p.what}，请带上编号，例如「${p.example}」。` : `请带上${p.what}编号，例如「${p.example}」。`),
    sample: { what: '巡检任务', example: '巡检完成 #5 正常', several: true },
  },
  dutyHeldByOther: { audience: 'staff', text: (p: { what: string; id: number; who: string | null }) => `${p.what} #${p.id} 由${p.who ?? '其他同事'}负责。`, sample: { what: '巡检任务', id: 5, who: '张工' } },
  notInContract: { audience: 'staff', text: (p: { what: string }) => `本合同未约定${p.what}。`, sample: { what: '定期巡检' } },
  // Usage and refusals shared by the duty commands
  usage: {
    audience: 'staff',
    text: (p: { problem: string; example: string }) => `${p.problem}。例如「${p.example}」。`,
  },
});
