/** Personal data (个人信息): a person's request to delete theirs, and the desk's erasure. */
import { defineMessages } from './catalogue.js';

/** What stays of an erased person's tickets: the service record the contract keeps, without them in it. */
const KEPT = '工单编号、时间、站点、设备和服务时限等服务记录按合同保留，但不再含有您的姓名、电话和留言内容';

export const privacyMessages = defineMessages({
  requestReceived: {
    audience: 'customer',
    text: (p: { ref: string }) => `已收到您删除个人信息的申请（${p.ref}），客服核实后会尽快处理并告知结果。${KEPT}。`,
  },
  // Names the person by internal id only: an erasure cannot find their name in other texts.
  requestForDesk: {
    audience: 'staff',
    text: (p: { ref: string; chat: string }) =>
      `个人信息删除申请（${p.ref}），来自「${p.chat}」群的客户。核实后回复「删除个人信息 ${p.ref}」执行，并告知本人处理结果。`,
  },
  whom: {
    audience: 'staff',
    text: () => '请指明要删除谁的个人信息：「删除个人信息 用户17」（编号见删除申请），或在命令后 @ 该客户。',
  },
  noSuchPerson: { audience: 'staff', text: (p: { ref: string }) => `没有找到${p.ref}，请核对编号。` },
  notStaff: {
    audience: 'staff',
    text: (p: { who: string }) => `${p.who} 是公司员工，员工信息请在组织文件中修改；客户的个人信息才在此删除。`,
  },
  erased: {
    audience: 'staff',
    text: (p: { ref: string; tickets: number; messages: number; attachments: number; audit: number }) =>
      `已删除${p.ref}的个人信息：姓名和电话，${p.tickets} 张工单中的个人内容，${p.messages} 条消息的原文，${p.attachments} 个附件。服务记录（编号、时间、设备、时限）保留。审计记录 #${p.audit}。`,
  },
});
