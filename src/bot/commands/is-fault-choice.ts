/** The buttons of 需要为此报修吗？: 1 是，请登记 (the message becomes a fault ticket) or 2 不用 (nothing). Typed answers go through answers.ts. */
import { answerIsFault } from '../intake.js';
import { intakeMessages as m } from '../messages/intake.js';
import { IS_FAULT_BUTTON } from '../questions.js';
import { chatCommand, EVERYONE } from './command.js';

export const isFaultChoice = chatCommand<{ questionId: number; answer: 'yes' | 'no' }>({
  name: 'is_fault_choice',
  button: {
    action: IS_FAULT_BUTTON,
    args: (arg, id) => (arg === 'yes' || arg === 'no' ? { questionId: id, answer: arg } : null),
  },
  // Anyone may click; only the person asked is answered (others see a toast, the chat stays quiet).
  roles: EVERYONE,
  async run({ ctx, person, args }) {
    const q = await ctx.tx.pendingQuestion.findUnique({ where: { id: args.questionId } });
    if (!q || q.kind !== 'is_fault' || q.chatId !== ctx.chat.id) {
      ctx.clickAnswer.toast = m.isFaultAnswered.text();
      return;
    }
    if (q.personId !== person.id) {
      ctx.clickAnswer.toast = m.isFaultNotYours.text();
      return;
    }
    const fresh = q.state === 'open' && q.expiresAt > ctx.now && (await answerIsFault(ctx, q, args.answer, person));
    if (!fresh) {
      ctx.clickAnswer.toast = m.isFaultAnswered.text();
      return;
    }
    ctx.clickAnswer.chosen = args.answer === 'yes' ? m.isFaultYes.text() : m.isFaultNo.text();
    if (args.answer === 'no') ctx.clickAnswer.toast = m.isFaultDeclined.text();
  },
});
