/** What the staff are told about the bot's own messages (a reply the platform would not take). */
import { defineMessages } from './catalogue.js';

/** Why a platform would not take a message now (UndeliverableError.reason), for the staff. */
export const UNDELIVERED_REASONS: Record<string, string> = {
  kf_expired: '客户最后一条消息已超过48小时，微信客服不能再主动回复',
  kf_five_sent: '客户最后一条消息后已回复满5条，微信客服不能再发送',
  kf_no_message: '客户尚未在微信客服中发过消息',
};

export function undeliveredReason(reason: string): string {
  return UNDELIVERED_REASONS[reason] ?? '平台拒收';
}

export const deliveryMessages = defineMessages({
  /** A message for the customer that the platform refused to deliver now (微信客服's window). */
  undelivered: {
    audience: 'staff',
    text: (p: { ticket: string | null; chat: string; reason: string; said: string }) =>
      `【消息未送达】${p.ticket ? `工单${p.ticket}：` : ''}给客户（${p.chat}）的消息未能送达，原因：${p.reason}。请电话或其他方式联系客户。原消息：${p.said}`,
  },
  /** What the ticket's history says. */
  undeliveredHistory: {
    audience: 'staff',
    text: (p: { reason: string }) => `给客户的消息未能送达（${p.reason}），已转告工作人员`,
  },
});
