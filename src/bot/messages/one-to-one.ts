/** What a customer alone with the bot (微信客服) reads where a group would show the staff's ticket card. */
import { defineMessages } from './catalogue.js';

export const oneToOneMessages = defineMessages({
  accepted: {
    audience: 'customer',
    text: (p: { title: string; what: string; limits: string | null }) =>
      `已受理 ${p.title}：${p.what}。${p.limits ? `时限：${p.limits}。` : ''}我们会尽快安排工程师与您联系。`,
  },
});
