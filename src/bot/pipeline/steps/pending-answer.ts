/** The answer to the question the bot asked this person (level, site, phone, confirmation, rating, fee): answers.ts. */
import { answerQuestion } from '../../answers.js';
import { openQuestion } from '../../questions.js';
import type { Step } from '../event-context.js';

export const pendingAnswer: Step = {
  name: 'the answer to the bot’s open question',
  for: ['customer', 'desk'],
  async handle(ctx, next) {
    const q = await openQuestion(ctx, ctx.person!.id);
    if (q && (await answerQuestion(ctx, q, ctx.message, ctx.person!))) return;
    await next();
  },
};
