/** The bot's own message, echoed back by a platform that could not drop it at its door: nothing to do. */
import type { Step } from '../event-context.js';

export const skipOwnMessages: Step = {
  name: 'skip the bot’s own messages',
  async handle(ctx, next) {
    if (ctx.event.fromSelf) {
      ctx.outcome = 'ignored';
      return;
    }
    await next();
  },
};
