/** What the intake says: the 需要为此报修吗 question, duplicate notices and their corrections. */
import { defineMessages } from './catalogue.js';

export const intakeMessages = defineMessages({
  /** The reader cannot tell whether the message reports a fault: asked once, of the customer who wrote it. */
  isFaultQuestion: { audience: 'customer', text: () => '需要为此报修吗？\n1 是，请登记  2 不用' },
  isFaultTitle: { audience: 'customer', text: () => '是否报修' },
  isFaultYes: { audience: 'customer', text: () => '1 是，请登记' },
  isFaultNo: { audience: 'customer', text: () => '2 不用' },
  /** A click on the question's buttons by someone it was not asked of (toast only). */
  isFaultNotYours: { audience: 'customer', text: () => '请由发消息的同事选择。' },
  /** A click after the question was answered or expired (toast only). */
  isFaultAnswered: { audience: 'customer', text: () => '该问题已处理。' },
  /** "不用" (toast only: the chat stays quiet). */
  isFaultDeclined: { audience: 'customer', text: () => '好的，不登记。' },
  /** A device that failed again: the new fault is linked to its earlier ticket. */
  recurrence: {
    audience: 'customer',
    text: (p: { earlier: string }) => `该设备此前已报修过${p.earlier}，本次按复发登记并关联原工单，工程师会一并查看。`,
    sample: { earlier: '#11（GD-20261120-0003）' },
  },
  /** A second report of an open fault: linked to it, with the way out when it is another device. */
  duplicateNotice: {
    audience: 'customer',
    text: (p: { title: string; where: string }) =>
      `该故障已有工单 ${p.title} 正在处理（${p.where}），我们会在原工单跟进，不再重复建单。如不是同一台设备，请回复「不是同一个」。`,
  },
});
