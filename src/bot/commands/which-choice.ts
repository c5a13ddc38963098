/** The buttons of the "which ticket" card (到场了吗 with several open tickets). Typed numbers go through answers.ts. */
import { chooseWhichTicket, WHICH_BUTTON } from '../follow-ups.js';
import { intakeMessages as m } from '../messages/intake.js';
import { chatCommand, EVERYONE } from './command.js';

export const whichChoice = chatCommand<{ questionId: number; index: number }>({
  name: 'which_choice',
  button: {
    action: WHICH_BUTTON,
    args: (arg, id) => {
      const index = Number(arg);
      return Number.isInteger(index) && index >= 1 && index <= 9 ? { questionId: id, index } : null;
    },
  },
  // Anyone may click; only the person asked is answered (others see a toast, the chat stays quiet).
  roles: EVERYONE,
  async run({ ctx, person, args, src }) {
    const q = await ctx.tx.pendingQuestion.findUnique({ where: { id: args.questionId } });
    if (!q || q.kind !== 'which_ticket' || q.chatId !== ctx.chat.id || q.state !== 'open' || q.expiresAt <= ctx.now) {
      ctx.clickAnswer.toast = m.isFaultAnswered.text();
      return;
    }
    if (q.personId !== person.id) {
      ctx.clickAnswer.toast = m.isFaultNotYours.text();
      return;
    }
    if (!(await chooseWhichTicket(ctx, q, args.index, null, person, src.messageId))) ctx.clickAnswer.toast = m.isFaultAnswered.text();
  },
});
