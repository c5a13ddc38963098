/** What the bot says when someone opens a one-to-one chat with it (WeCom's enter_chat, 微信客服's enter_session). */
import { defineMessages } from './catalogue.js';

export const greetingMessages = defineMessages({
  /** The WeCom bot's single chat, opened by a user of the supplier's or the customer's WeCom. */
  wecomEnterChat: {
    audience: 'customer',
    text: () => '您好，我是售后服务助手。报修请直接描述故障（站点、设备、现象、联系电话），我会登记工单并跟进处理。发送「帮助」查看可用命令。',
  },
  /** A customer opening the 微信客服 account from a link or QR code. */
  wecomKfEnterSession: {
    audience: 'customer',
    text: () => '您好，我是售后服务助手。请直接描述故障（站点、设备、现象、联系电话），我会登记工单并跟进。',
  },
});
