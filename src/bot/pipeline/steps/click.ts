/** A click on a button of the bot's message is the command on the button (an unknown one: "该按钮已失效"). */
import { commandFromButton, runCommand } from '../../commands/index.js';
import type { Step } from '../event-context.js';
import { cardMessages } from '../../messages/cards.js';

export const buttonClick: Step = {
  name: 'a button click is its command',
  async handle(ctx, next) {
    const ev = ctx.event;
    if (ev.type !== 'click') return next();
    const parsed = commandFromButton(ev.value);
    if (!parsed) {
      ctx.clickAnswer.toast = cardMessages.staleButton.text();
      ctx.outcome = 'ignored';
      return;
    }
    await runCommand(ctx, { messageId: ev.messageId, mentions: [] }, ctx.person!, parsed);
  },
};
