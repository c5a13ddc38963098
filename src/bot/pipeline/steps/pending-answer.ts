/** The answer to a question the bot asked this person (level, site, phone, confirmation, rating, fee, 需要为此报修吗, 不是同一个): answers.ts. */
import { answerQuestion, lateLevelAnswer } from '../../answers.js';
import { openQuestions } from '../../questions.js';
import type { Step } from '../event-context.js';

export const pendingAnswer: Step = {
  name: 'the answer to the bot’s open question',
  for: ['customer', 'desk'],
  async handle(ctx, next) {
    // The newest question first; a question about a message (需要为此报修吗) stands beside one about a ticket.
    for (const q of await openQuestions(ctx, ctx.person!.id)) {
      if (await answerQuestion(ctx, q, ctx.message, ctx.person!)) return;
    }
    if (await lateLevelAnswer(ctx, ctx.message, ctx.person!)) return;
    await next();
  },
};
