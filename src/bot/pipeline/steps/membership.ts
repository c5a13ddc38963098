/** The bot added to a chat (a greeting in a customer's chat) or removed from one (the chat goes inactive). */
import type { Step } from '../event-context.js';
import { receiptMessages } from '../../messages/replies.js';

export const membership: Step = {
  name: 'the bot added to or removed from a chat',
  async handle(ctx, next) {
    const ev = ctx.event;
    if (ev.type === 'bot_added') {
      if (ctx.chat.purpose === 'customer') {
        await ctx.text(receiptMessages.greeting.text());
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
