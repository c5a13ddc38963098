/**
 * 删除我的信息: a person asks that their personal data be deleted (个人信息保护法
 * 第四十七条). The request is recorded (a PrivacyAudit row with internal ids only)
 * and handed to the desk and the managers, who check it and erase with 删除个人信息;
 * the person is told what will go and what the contract keeps.
 */
import { tellManagers } from '../escalation.js';
import { privacyMessages } from '../messages/privacy.js';
import { EVERYONE, chatCommand } from './command.js';

export const eraseRequest = chatCommand({
  name: 'erase_request',
  parse: { pattern: /^(?:请|麻烦)?(?:帮我|给我)?(?:删除|删掉|清除|注销)(?:我的)(?:个人)?(?:信息|资料|数据|隐私)/, args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  help: { customer: { line: '删除我的信息（申请删除个人信息）', order: 70 } },
  async run({ ctx, person, say }) {
    await ctx.tx.privacyAudit.create({ data: { at: ctx.now, action: 'erase_requested', actor: `person:${person.id}`, subject: `person:${person.id}`, counts: '{}' } });
    const ref = `用户${person.id}`;
    await say(privacyMessages.requestReceived.text({ ref }));
    await tellManagers(ctx, null, privacyMessages.requestForDesk.text({ ref, chat: ctx.chat.title ?? ctx.chat.platformId }), ['desk', 'manager']);
  },
});
