/**
 * After the rest of the router: voice messages held for a report are kept on
 * the ticket it just opened, and shared locations and cards are noted on the
 * sender's open ticket (channel-events.ts).
 */
import { keepVoiceForNewTicket, noteOnTicket } from '../../channel-events.js';
import type { Step } from '../event-context.js';

export const keepVoiceAndNotes: Step = {
  name: 'keep held voice and shared notes on the ticket (after the rest)',
  async handle(ctx, next) {
    await next();
    const ev = ctx.event;
    if (ev.type !== 'message' || !ctx.person) return;
    await keepVoiceForNewTicket(ctx, ev, ctx.person);
    await noteOnTicket(ctx, ev, ctx.person);
  },
};
