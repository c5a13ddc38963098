/** About a ticket the customer already has: thanks that close a consultation, "到场了吗", a missing site or phone (follow-ups.ts). */
import { answersProgressQuestion, fillsRecentTicket, thanksClosesConsultation } from '../../follow-ups.js';
import type { Step } from '../event-context.js';

export const followUp: Step = {
  name: 'thanks, a progress question, a missing detail',
  for: ['customer', 'desk'],
  async handle(ctx, next) {
    const msg = ctx.message;
    const person = ctx.person!;
    if (await thanksClosesConsultation(ctx, msg, person)) return;
    if (await answersProgressQuestion(ctx, msg, person)) return;
    if (ctx.report && (await fillsRecentTicket(ctx, person, ctx.report.parsed))) return;
    await next();
  },
};
