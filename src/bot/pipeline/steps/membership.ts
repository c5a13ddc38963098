/** The bot added to a chat (a greeting in a customer's chat) or removed from one (the chat goes inactive). */
import type { Step } from '../event-context.js';

export const membership: Step = {
  name: 'the bot added to or removed from a chat',
  async handle(ctx, next) {
    const ev = ctx.event;
    if (ev.type === 'bot_added') {
      if (ctx.chat.purpose === 'customer') {
        await ctx.text('大家好，我是售后服务助手。报修请直接描述故障（站点、设备、现象、联系电话），我会登记工单并跟进处理。发送「帮助」查看可用命令。');
      }
      return;
    }
    if (ev.type === 'bot_removed') {
      await ctx.tx.chat.update({ where: { id: ctx.chat.id }, data: { active: false } });
      return;
    }
    await next();
  },
};
