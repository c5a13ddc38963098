/**
 * What the bot says outside the message kinds of the other areas: the questions
 * it asks about a ticket (level, site, phone, confirmation, rating, fee), the
 * receipts of a report, a consultation and a complaint, the answers to the
 * staff's commands, and what it says about channel events (a recalled report, a
 * voice clip, joining a group).
 */
import { defineMessages } from './catalogue.js';

const T = '#12（GD-20261124-0001）';

export const questionMessages = defineMessages({
  levelTitle: { audience: 'customer', text: (p: { title: string }) => `请确认影响范围 ${p.title}`, sample: { title: T } },
  level: {
    audience: 'customer',
    text: (p: { choices: string[] }) => `为尽快安排处理，请问影响范围？\n${p.choices.join('\n')}\n请回复数字，或直接描述情况。`,
    sample: { choices: ['1 全线或多个车站无法使用', '2 一个车站无法使用', '3 个别设备异常', '4 暂不影响使用'] },
  },
  site: { audience: 'customer', text: (p: { title: string }) => `请问故障在哪个车站或位置？工单 ${p.title}`, sample: { title: T } },
  phone: { audience: 'customer', text: (p: { title: string }) => `请留一个联系电话，方便工程师与您联系。工单 ${p.title}`, sample: { title: T } },
  confirmTitle: { audience: 'customer', text: (p: { title: string }) => `请确认修复 ${p.title}`, sample: { title: T } },
  confirm: {
    audience: 'customer',
    text: (p: { again: boolean; note?: string }) => `${p.again ? '⏰ 再次确认：' : ''}工程师已报修复${p.note ? `：${p.note}` : ''}。\n请确认设备是否恢复正常：1 确认修复  2 还没好`,
    sample: { again: true, note: '更换读卡器' },
  },
  confirmYes: { audience: 'customer', text: () => '1 确认修复' },
  confirmNo: { audience: 'customer', text: () => '2 还没好' },
  rateTitle: { audience: 'customer', text: (p: { title: string }) => `服务评价 ${p.title}`, sample: { title: T } },
  rate: {
    audience: 'customer',
    text: (p: { again: boolean }) => `${p.again ? '⏰ 再次确认：' : ''}请为本次服务打分（1–5 分，5 分最满意），也欢迎留下意见，例如「5分 处理很及时」。`,
    sample: { again: false },
  },
  rateButton: { audience: 'customer', text: (p: { score: number; label: string }) => `${p.score} ${p.label}`, sample: { score: 5, label: '非常满意' } },
  feeTitle: { audience: 'customer', text: (p: { title: string }) => `需确认收费 ${p.title}`, sample: { title: T } },
  fee: {
    audience: 'customer',
    text: (p: { why: string; id: number }) => `${p.why}，本次服务需收费，报价不高于合同价格，另计人工。\n同意请回复「同意收费」或点击按钮；也可由经理回复「免费处理 #${p.id}」。`,
    sample: { why: '「UPS」不在合同服务范围内', id: 12 },
  },
  feeButton: { audience: 'customer', text: () => '同意收费' },
  /** Why a ticket needs the customer's consent to a fee (scope and term of the contract). */
  beforeWarranty: {
    audience: 'customer',
    text: (p: { date: string }) => `合同质保期自 ${p.date} 开始，此前的维护由实施项目组负责`,
    sample: { date: '2027-01-01' },
  },
  afterWarranty: { audience: 'customer', text: (p: { date: string }) => `合同质保期已于 ${p.date} 结束`, sample: { date: '2026-06-30' } },
  outOfScope: { audience: 'customer', text: (p: { device: string }) => `「${p.device}」不在合同服务范围内`, sample: { device: 'UPS' } },
});

export const receiptMessages = defineMessages({
  /** A fault report became a ticket: what the bot understood. */
  faultReceived: {
    audience: 'customer',
    text: (p: { title: string; summary: string }) => `已收到报修，工单 ${p.title}。${p.summary ? `\n${p.summary}` : ''}`,
    sample: { title: T, summary: '站点：小寨站；设备：闸机；现象：刷卡没反应；电话：13800138000' },
  },
  consultationReceived: {
    audience: 'customer',
    text: (p: { title: string; limits: string }) => `已收到您的咨询，编号 ${p.title}，工程师会尽快答复${p.limits ? `，${p.limits}` : ''}。`,
    sample: { title: T, limits: '咨询答复 11月25日 10:00前' },
  },
  consultationForStaff: {
    audience: 'staff',
    text: (p: { title: string; chat: string; content: string; id: number }) => `新咨询 ${p.title}，来自${p.chat}：${p.content}\n请安排工程师在群内答复，回复「答复 #${p.id} 内容」。`,
    sample: { title: T, chat: '西安地铁二号线', content: '请问闸机的交易数据怎么导出？', id: 12 },
  },
  /** The complaint desk's name when no desk person is known. */
  complaintReceiver: { audience: 'staff', text: () => '客户服务部' },
  complaintReceived: {
    audience: 'customer',
    text: (p: { title: string; due?: string }) => `非常抱歉给您带来不便。您的投诉已登记，编号 ${p.title}，服务监督部门将调查处理${p.due ? `，并于${p.due}反馈调查结果` : ''}。`,
    sample: { title: T, due: '11月26日 18:00前' },
  },
  complaintForStaff: {
    audience: 'staff',
    text: (p: { title: string; chat: string; complainant: string; content: string; related?: string; limits: string; id: number }) =>
      `📣 新投诉 ${p.title}，来自${p.chat}，投诉人${p.complainant}：${p.content}${p.related ? `\n涉及工单 ${p.related}` : ''}\n时限：${p.limits}。处理后请回复「调查结果 #${p.id} 内容」。`,
    sample: { title: T, chat: '西安地铁二号线', complainant: '王工', content: '工程师拖了三天才来', related: '#11（GD-20261123-0002）', limits: '投诉调查结果反馈 11月26日 18:00前', id: 12 },
  },
  levelProvisional: {
    audience: 'staff',
    text: (p: { title: string; level: string; id: number }) => `工单 ${p.title} 客户未答复影响范围，已暂定为${p.level}，待核实。请客服确认，如需调整回复「#${p.id} 改为X级」。`,
    sample: { title: T, level: '三级', id: 12 },
  },
  siteNoted: { audience: 'customer', text: (p: { site: string }) => `好的，位置：${p.site}。`, sample: { site: '小寨站' } },
  phoneNoted: { audience: 'customer', text: (p: { phone: string }) => `好的，联系电话 ${p.phone} 已记录。`, sample: { phone: '13800138000' } },
  detailsAdded: { audience: 'customer', text: (p: { title: string; details: string }) => `已补充到工单 ${p.title}：${p.details}。`, sample: { title: T, details: '小寨站，13800138000' } },
  consultationThanks: { audience: 'customer', text: (p: { title: string }) => `不客气！咨询 ${p.title} 已办结。`, sample: { title: T } },
  consultationClosed: { audience: 'customer', text: (p: { title: string }) => `咨询 ${p.title} 已办结。如还有问题欢迎随时提出。`, sample: { title: T } },
  closedUnrated: { audience: 'customer', text: (p: { title: string }) => `${p.title} 未收到评价，工单已关闭。感谢您的支持！`, sample: { title: T } },
  /** Joining a group. */
  greeting: {
    audience: 'customer',
    text: () => '大家好，我是售后服务助手。报修请直接描述故障，包括站点、设备、现象和联系电话，我会登记工单并跟进处理。发送「帮助」查看可用命令。',
  },
  /** A report withdrawn (Feishu recall) before work started: the ticket is cancelled. */
  recalledCancelled: {
    audience: 'customer',
    text: (p: { title: string }) => `报修消息已撤回，工单 ${p.title} 已撤销。如仍需处理，请重新描述故障。`,
    sample: { title: T },
  },
  recalledCancelledForStaff: { audience: 'staff', text: (p: { title: string }) => `工单 ${p.title} 的报修消息已被撤回，工单已撤销。`, sample: { title: T } },
  recalledInHand: {
    audience: 'staff',
    text: (p: { title: string; chat: string; id: number }) =>
      `客户撤回了工单 ${p.title} 的报修消息，来自${p.chat}。工单已在处理中，保留不变，请与客户确认是否仍需处理；如需撤销请回复「撤销 #${p.id}」。`,
    sample: { title: T, chat: '西安地铁二号线', id: 12 },
  },
  /** A voice clip the bot cannot read. */
  voiceSavedTo: { audience: 'customer', text: (p: { title: string }) => `语音已保存到工单 ${p.title}。`, sample: { title: T } },
  voiceSaved: { audience: 'customer', text: () => '语音已保存。' },
  voiceUnreadable: {
    audience: 'customer',
    text: (p: { saved: string }) => `抱歉，暂时无法识别语音。${p.saved}请用文字说明故障情况，包括车站或位置、设备、现象和联系电话。`,
    sample: { saved: '语音已保存。' },
  },
});

export const replyMessages = defineMessages({
  /** The level changed by a command: the new deadlines. */
  levelChanged: {
    audience: 'customer',
    text: (p: { title: string; level: string; limits: string }) => `${p.title} 故障级别调整为${p.level}。${p.limits ? `时限：${p.limits}。` : ''}`,
    sample: { title: T, level: '二级', limits: '到场 11月25日 22:00前' },
  },
  /** Who is asked to take the job on the dispatch card. */
  askEngineer: { audience: 'staff', text: (p: { engineer: string }) => `请值班工程师${p.engineer}接单。`, sample: { engineer: '张工' } },
  askManager: { audience: 'staff', text: (p: { manager: string }) => `请${p.manager}派单。`, sample: { manager: '李经理' } },
  askAnyManager: { audience: 'staff', text: () => '请部门经理派单。' },
  provisional: { audience: 'staff', text: () => '（暂定）' },
  buttonTake: { audience: 'staff', text: () => '接单' },
  buttonArrive: { audience: 'staff', text: () => '到场' },
  buttonResolve: { audience: 'staff', text: () => '已修复' },
  feeAgreed: { audience: 'customer', text: (p: { reporter: string; title: string }) => `已记录${p.reporter}同意收费，工单 ${p.title}，马上安排处理。`, sample: { reporter: '王工', title: T } },
  feeWaived: { audience: 'customer', text: (p: { manager: string; title: string }) => `经理${p.manager}已批准免费处理 ${p.title}。`, sample: { manager: '李经理', title: T } },
  cancelled: { audience: 'customer', text: (p: { title: string; reason?: string }) => `${p.title} 已撤销${p.reason ? `，原因：${p.reason}` : ''}。`, sample: { title: T, reason: '重复报修' } },
  consultationAnswered: {
    audience: 'customer',
    text: (p: { title: string; note?: string }) => `咨询 ${p.title} 已答复${p.note ? `：${p.note}` : ''}。如还有疑问请继续提出。`,
    sample: { title: T, note: '在管理界面导出即可' },
  },
  mediumToKeep: {
    audience: 'staff',
    text: (p: { part: string; id: number }) => `请确认更换下的${p.part}已留存客户处，回复「介质已留存 #${p.id}」。`,
    sample: { part: '硬盘', id: 12 },
  },
  mediumKept: { audience: 'customer', text: (p: { title: string }) => `已记录：损坏介质留存客户处，工单 ${p.title}。`, sample: { title: T } },
  correction: { audience: 'customer', text: (p: { title: string; text: string }) => `关于投诉 ${p.title}，整改情况：${p.text}`, sample: { title: T, text: '已更换工程师并复查设备' } },
  correctionOnlyComplaints: { audience: 'staff', text: () => '「整改」用于投诉单，例如「整改 #13 已更换工程师并复查设备」。' },
  investigation: { audience: 'customer', text: (p: { title: string; text: string }) => `关于您的投诉 ${p.title}，调查结果：${p.text}`, sample: { title: T, text: '工程师路上堵车，已提醒提前出发' } },
  investigationOnlyComplaints: { audience: 'staff', text: () => '「调查结果」用于投诉单。' },
  otherEngineerNoted: { audience: 'customer', text: () => '已记录您的要求，整改将由其他工程师负责。' },
  otherEngineerForStaff: {
    audience: 'staff',
    text: (p: { title: string; id: number }) => `客户要求更换工程师，工单 ${p.title}，请重新派单：「转派 #${p.id} @工程师」。`,
    sample: { title: T, id: 12 },
  },
  myTickets: { audience: 'staff', text: (p: { lines: string[] }) => `您的未完成工单（${p.lines.length}）：\n${p.lines.join('\n')}`, sample: { lines: ['#12 GD-20261124-0001 处理中', '#13 GD-20261124-0002 待派单'] } },
  noTicketsOfMine: { audience: 'staff', text: () => '您目前没有未完成的工单。' },
  openTickets: {
    audience: 'staff',
    text: (p: { lines: string[]; more: boolean }) => `待处理工单（${p.lines.length}${p.more ? '+' : ''}）：\n${p.lines.join('\n')}`,
    sample: { lines: ['#12 GD-20261124-0001 待派单'], more: true },
  },
  noOpenTickets: { audience: 'staff', text: () => '目前没有待处理的工单。' },
  roleSet: { audience: 'staff', text: (p: { names: string; role: string }) => `已将${p.names}设为${p.role}。`, sample: { names: '张工、李工', role: '工程师' } },
  roleWhom: { audience: 'staff', text: () => '请 @ 要设置的人，例如「设为工程师 @张工」。' },
  roleRefused: { audience: 'staff', text: () => '抱歉，设置角色需由部门经理操作。' },
  handOverWhom: {
    audience: 'staff',
    text: (p: { to: string; word: string; id: number }) => `请 @ 要${p.to}的工程师，例如「${p.word} #${p.id} @张工」。`,
    sample: { to: '派给', word: '派单', id: 12 },
  },
  /** A low rating or a second 还没好: reopened, escalated, a non-conformance recorded. */
  dissatisfied: {
    audience: 'staff',
    text: (p: { title: string; reason: string; engineer?: string; times: number; limits: string }) =>
      `⚠️ 客户不满意 ${p.title}：${p.reason}。已返工${p.engineer ? `，处理工程师${p.engineer}` : ''}${p.times > 1 ? `，第 ${p.times} 次不满意，升级至主管副总` : ''}。已记录不合格项。${p.limits ? `时限：${p.limits}。` : ''}`,
    sample: { title: T, reason: '评分 2 分，意见：太慢', engineer: '张工', times: 2, limits: '返工首次响应 15:30前' },
  },
  /** Why the customer is dissatisfied: the rating and the comment. */
  ratingReason: {
    audience: 'staff',
    text: (p: { score: number; comment?: string }) => `评分 ${p.score} 分${p.comment ? `，意见：${p.comment}` : ''}`,
    sample: { score: 2, comment: '太慢' },
  },
  ratedSummary: { audience: 'staff', text: (p: { score: number }) => `客户评分 ${p.score} 分，已关闭归档`, sample: { score: 5 } },
  notEngineer: { audience: 'staff', text: (p: { name: string }) => `${p.name}不是工程师，不能接收工单。`, sample: { name: '客服小刘' } },
});

/** What the command dispatcher itself says: help, refusals, which ticket is meant. */
export const commandMessages = defineMessages({
  help: { audience: 'customer', text: (p: { lines: string[] }) => `可用命令：\n${p.lines.map((l) => `· ${l}`).join('\n')}`, sample: { lines: ['确认修复 / 还没好', '查询 #12'] } },
  staffOnly: {
    audience: 'customer',
    text: (p: { word: string }) => `抱歉，「${p.word}」是服务人员的操作。如需报修或咨询，请直接描述情况，我们会尽快处理。`,
    sample: { word: '接单' },
  },
  managersOnly: { audience: 'staff', text: (p: { word: string }) => `抱歉，「${p.word}」需由部门经理或客服操作。`, sample: { word: '删除个人信息' } },
  whichOfYours: { audience: 'customer', text: (p: { word: string }) => `您名下有多张工单，请带上工单号，例如「${p.word} #12」。`, sample: { word: '查询' } },
  noSuchTicket: { audience: 'customer', text: () => '没有找到这张工单，请核对工单号。' },
  whichTicket: { audience: 'customer', text: (p: { word: string }) => `请带上工单号，例如「${p.word} #12」。`, sample: { word: '查询' } },
  /** A command given elsewhere (the managers' group): what was said in the ticket's chat. */
  doneElsewhere: {
    audience: 'staff',
    text: (p: { title: string; chat: string; text: string }) => `已处理 ${p.title}，已在「${p.chat}」通知：${p.text}`,
    sample: { title: T, chat: '西安地铁二号线', text: '工程师张工已接单' },
  },
  detailsSent: { audience: 'customer', text: () => '已发送工单详情' },
  consultationOnly: { audience: 'staff', text: () => '「答复」用于咨询单；故障请用「已修复」。' },
  consultationAnswer: {
    audience: 'customer',
    text: (p: { title: string; engineer: string; text: string }) => `关于咨询 ${p.title}，工程师${p.engineer}答复：${p.text}\n如已解决，回复「谢谢」即可办结。`,
    sample: { title: T, engineer: '张工', text: '在管理界面导出即可' },
  },
  bindRefused: { audience: 'staff', text: () => '抱歉，绑定客户需由客服或部门经理操作。' },
  bound: { audience: 'staff', text: (p: { customer: string; created: boolean }) => `本群已绑定客户「${p.customer}」${p.created ? '，已新建' : ''}。`, sample: { customer: '西安地铁二号线', created: true } },
  reporterAnswersStaff: { audience: 'staff', text: () => '请由报修客户确认或评价。' },
  reporterAnswers: { audience: 'customer', text: () => '请由报修人确认或评价；如报修人不在，稍后可由本群其他同事代为确认。' },
  /** Said in the ticket's chat: the customer reads that the part will be new. */
  spareRequested: {
    audience: 'customer',
    text: (p: { title: string; part?: string; due?: string; id: number }) =>
      `已登记备件申请${p.part ? `：${p.part}` : ''}，工单 ${p.title}。更换件须为全新未使用件，客户书面同意的除外。${p.due ? `\n请于 ${p.due} 前提交故障检测报告及维修费用：「检测报告 #${p.id} 内容 维修费用 X元」。` : ''}`,
    sample: { title: T, part: '硬盘 600G SAS', due: '11月24日 18:00', id: 12 },
  },
  partReplaced: {
    audience: 'customer',
    text: (p: { part?: string; used: boolean; magnetic: boolean; id: number }) =>
      `已记录更换${p.part ? `：${p.part}` : '备件'}，${p.used ? '客户同意使用非全新件' : '全新未使用件'}。${p.magnetic ? `\n按合同约定，损坏的硬盘等磁介质须留存客户处，不得带走。请确认后回复「介质已留存 #${p.id}」。` : ''}`,
    sample: { part: '硬盘', used: false, magnetic: true, id: 12 },
  },
  cannotReplace: { audience: 'staff', text: (p: { status: string }) => `工单当前状态为「${p.status}」，不能登记更换。`, sample: { status: '待派单' } },
  emergencyByEngineer: { audience: 'staff', text: () => '应急响应报告由该工单的处理工程师或经理提交。' },
  emergencySubmitted: { audience: 'staff', text: () => '应急响应报告已提交。' },
});

/** 查询 #12: the ticket's service record (客户服务记录表), as anyone in the chat may read it. */
export const recordMessages = defineMessages({
  record: {
    audience: 'customer',
    text: (p: {
      number: string;
      id: number;
      kind: string;
      status: string;
      contact: string;
      phone: string;
      reportedAt: string;
      content: string;
      fault?: { level: string; provisional: boolean; site: string; device: string };
      engineer?: string;
      department?: string;
      arrival?: string;
      handling?: string;
      analysis?: string;
      spare?: { part: string; used: boolean; mediumKept: boolean };
      resolvedAt: string;
      confirmation: 'confirmed' | 'unconfirmed' | 'pending';
      confirmedAt: string;
      satisfaction?: number;
      feedback?: string;
      deadlines: Array<{ label: string; due: string; met: boolean | null }>;
    }) =>
      [
        `【客户服务记录】${p.number}，#${p.id} ${p.kind} · ${p.status}`,
        `报修人：${p.contact}　电话：${p.phone}`,
        `报修时间：${p.reportedAt}`,
        `内容：${p.content}`,
        p.fault ? `级别：${p.fault.level}${p.fault.provisional ? '，暂定' : ''}　站点：${p.fault.site}　设备：${p.fault.device}` : '',
        `工程师：${p.engineer ? `${p.engineer}${p.department ? `，${p.department}` : ''}` : '待安排'}`,
        p.arrival ? `到场情况：${p.arrival}` : '',
        p.handling ? `处理：${p.handling}` : '',
        p.analysis ? `分析：${p.analysis}` : '',
        p.spare ? `备件：${p.spare.part}${p.spare.used ? '，非全新，客户同意' : ''}${p.spare.mediumKept ? '；介质已留存客户处' : ''}` : '',
        `完成时间：${p.resolvedAt}　客户确认：${p.confirmation === 'confirmed' ? `已确认 ${p.confirmedAt}` : p.confirmation === 'unconfirmed' ? '未确认' : '待确认'}`,
        p.satisfaction ? `满意度：${p.satisfaction} 分${p.feedback ? `　意见：${p.feedback}` : ''}` : '',
        p.deadlines.length ? `时限：${p.deadlines.map((d) => `${d.label} ${d.due}${d.met === true ? ' ✅' : d.met === false ? ' ❌未按时' : ''}`).join('；')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    // A ticket just taken (a complete record is a record, longer than a chat message's 160 characters).
    sample: {
      number: 'GD-20261124-0001',
      id: 12,
      kind: '故障',
      status: '处理中',
      contact: '王工',
      phone: '13800138000',
      reportedAt: '10:00',
      content: '3号闸机刷卡没反应',
      fault: { level: '三级', provisional: true, site: '小寨站', device: '闸机' },
      engineer: '张工',
      resolvedAt: '—',
      confirmation: 'unconfirmed',
      confirmedAt: '—',
      deadlines: [{ label: '到场', due: '11月25日 22:00', met: false }],
    },
  },
  /** A deadline of a reopened ticket, in the record (the staff's 返工 label is theirs). */
  reopenedDeadline: { audience: 'customer', text: (p: { label: string }) => `${p.label}，重新打开后`, sample: { label: '首次响应' } },
});

/** The staff's duty commands (通告, 结束维护, 巡检, 回访…): malformed or not theirs. */
export const dutyCommandMessages = defineMessages({
  typeIt: { audience: 'staff', text: () => '请在聊天中输入该命令。' },
  notUnderstood: { audience: 'staff', text: () => '没有读懂这条命令。' },
  noticeByManager: { audience: 'staff', text: () => '抱歉，通告需由部门经理发布。' },
  noticeEndByManager: { audience: 'staff', text: () => '抱歉，通告需由部门经理撤回或结束。' },
  noticeNumber: { audience: 'staff', text: () => '请带上通告编号，例如「结束维护 #3」。' },
  /** A role as the staff name it (设为…). */
  roleName: {
    audience: 'staff',
    text: (p: { role: 'customer' | 'engineer' | 'desk' | 'manager' | 'vp' }) => ({ customer: '客户', engineer: '工程师', desk: '客服', manager: '部门经理', vp: '主管副总' })[p.role],
    sample: { role: 'vp' },
  },
  /** Who holds a ticket in a reminder, when nobody does yet. */
  nobodyYet: { audience: 'staff', text: () => '未派单' },
  /** A reopened ticket's clock in a reminder. */
  reworkLabel: { audience: 'staff', text: (p: { label: string }) => `返工${p.label}`, sample: { label: '首次响应' } },
});

