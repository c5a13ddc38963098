/** Answers to messages addressed to the bot: how a ticket stands, which ticket is meant, a polite reply to anything else. */
import { defineMessages } from './catalogue.js';

const T = '#12（GD-20261124-0001）';

export const answerMessages = defineMessages({
  /** "到场了吗" / "怎么还没人来": the ticket's status, who is coming and the times that matter. A chase is apologised to first. */
  progress: {
    audience: 'customer',
    text: (p: { title: string; status: string; who: string; limits: string; chase: boolean }) =>
      `${p.chase ? '抱歉让您久等了。' : ''}${p.title}当前状态：${p.status}，${p.who}${p.limits ? `；${p.limits}` : ''}。如有变化会在群里通知您。`,
    sample: { title: T, status: '处理中', who: '工程师张工正在赶往现场', limits: '到场时限 11月25日 22:00前', chase: true },
  },
  /** Who is on it, for the progress answer. */
  engineerOnIt: { audience: 'customer', text: (p: { engineer: string }) => `工程师${p.engineer}负责处理`, sample: { engineer: '张工' } },
  engineerToTake: { audience: 'customer', text: (p: { engineer: string }) => `已安排工程师${p.engineer}`, sample: { engineer: '张工' } },
  arranging: { audience: 'customer', text: () => '正在安排工程师' },
  /** A status question from someone with several open tickets: which one, by number. */
  whichTicket: {
    audience: 'customer',
    text: (p: { choices: string[] }) => `您有${p.choices.length}张工单在处理中，请问是哪一张？\n${p.choices.map((c, i) => `${i + 1} ${c}`).join('\n')}\n请回复序号。`,
    sample: { choices: ['#12 小寨站闸机', '#13 钟楼站TVM'] },
  },
  whichTicketTitle: { audience: 'customer', text: () => '请选择工单' },
  /** A message addressed to the bot that is nothing it can act on: a short, polite way forward. */
  addressed: {
    audience: 'customer',
    text: () => '您好，消息已收到。报修请说明车站、设备和故障现象；查询进度可直接问「到场了吗」，我们会尽快回复您。',
  },
  /** "好的" / "谢谢" said to the bot. */
  acknowledged: { audience: 'customer', text: () => '好的，如有需要随时在群里告诉我们。' },
});
