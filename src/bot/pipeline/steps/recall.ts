/**
 * A message withdrawn by its sender (Feishu recall). The platform does not say
 * who recalled it, so nobody is resolved; a chat the bot does not know has
 * nothing to recall and is not created for it (channel-events.ts).
 */
import { handleRecall } from '../../channel-events.js';
import type { Step } from '../event-context.js';

export const recall: Step = {
  name: 'a recalled message',
  async handle(ctx, next) {
    const ev = ctx.event;
    if (ev.type !== 'recall') return next();
    const known = await ctx.tx.chat.findUnique({ where: { channel_platformId: { channel: ev.channel, platformId: ev.chat.id } } });
    if (!known) {
      ctx.outcome = 'ignored';
      if (ctx.inboundEventId !== null) {
        await ctx.tx.inboundEvent.update({ where: { id: ctx.inboundEventId }, data: { error: 'recall in a chat the bot does not know' } });
      }
      return;
    }
    ctx.chat = known;
    await handleRecall(ctx, ev);
  },
};
