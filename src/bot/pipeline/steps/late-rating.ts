/** "满意" / "4分" after the rating question expired, while one of the customer's tickets still waits for its rating. */
import { parseRating } from '../../../domain/commands.js';
import { invoke } from '../../commands/index.js';
import { rate } from '../../commands/rate.js';
import type { Step } from '../event-context.js';

export const lateRating: Step = {
  name: 'a rating after the question expired',
  for: ['customer'],
  async handle(ctx, next) {
    const msg = ctx.message;
    const r = parseRating(msg.text);
    const t = r && msg.text.length <= 60 ? await ctx.tickets.latestOfReporter(ctx.chat.id, ctx.person!.id, { statuses: ['confirmed'] }) : null;
    if (!r || !t) return next();
    await invoke(ctx, msg, ctx.person!, rate, t.id, { score: r.score, ...(r.comment ? { comment: r.comment } : {}) });
  },
};
