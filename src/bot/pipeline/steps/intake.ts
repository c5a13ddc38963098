/** A new report — a fault, a consultation or a complaint — becomes a ticket (fragments merged): intake.ts. */
import { isProgressQuestion } from '../../follow-ups.js';
import { openTicket, readReport } from '../../intake.js';
import type { Step } from '../event-context.js';

export const intake: Step = {
  name: 'a new report',
  for: ['customer', 'desk'],
  async handle(ctx, next) {
    ctx.report = await readReport(ctx, ctx.message, ctx.preread);
    // "什么时候能来？" / "怎么还没人来" from someone with an open ticket asks how it stands (the follow-up step), not a new consultation or complaint.
    if ((ctx.report.parsed.kind === 'consultation' || ctx.report.parsed.kind === 'complaint') && isProgressQuestion(ctx.message.text) && (await ctx.tickets.latestOfReporter(ctx.chat.id, ctx.person!.id))) {
      return next();
    }
    if (await openTicket(ctx, ctx.message, ctx.person!, ctx.report)) return;
    await next();
  },
};
