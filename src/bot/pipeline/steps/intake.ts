/** A new report — a fault, a consultation or a complaint — becomes a ticket (fragments merged): intake.ts. */
import { openTicket, readReport } from '../../intake.js';
import type { Step } from '../event-context.js';

export const intake: Step = {
  name: 'a new report',
  for: ['customer', 'desk'],
  async handle(ctx, next) {
    ctx.report = await readReport(ctx, ctx.message);
    if (await openTicket(ctx, ctx.message, ctx.person!, ctx.report)) return;
    await next();
  },
};
