/** Outside customers' chats (the managers' group, private chats) only commands count; a greeting in a private chat gets the help. */
import { helpText } from '../../commands/index.js';
import type { Step } from '../event-context.js';

export const commandsOnlyOutsideCustomerChats: Step = {
  name: 'outside customers’ chats, commands only',
  async handle(ctx, next) {
    if (ctx.chat.purpose === 'customer') return next();
    if (ctx.chat.purpose === 'direct' && ctx.message.text.trim()) await ctx.text(helpText(ctx.role), []);
    else ctx.outcome = 'ignored';
  },
};
