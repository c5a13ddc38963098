/**
 * Speech the channel could not turn into text: the customer is asked to type
 * the report, and the audio is kept for the ticket it opens (channel-events.ts).
 */
import { askToTypeVoice } from '../../channel-events.js';
import type { Step } from '../event-context.js';

export const untranscribedVoice: Step = {
  name: 'voice nobody could read: ask to type',
  async handle(ctx, next) {
    const ev = ctx.event;
    if (ev.type === 'message' && ev.untranscribedAudio && !ev.text.trim() && ctx.chat.purpose === 'customer' && ctx.person) {
      await askToTypeVoice(ctx, ev, ctx.person);
      return;
    }
    await next();
  },
};
