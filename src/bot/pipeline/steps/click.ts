/** A click on a button of the bot's message is the command on the button (an unknown one: "该按钮已失效"). */
import { commandFromButton, parseButtonValue } from '../../../domain/commands.js';
import { runCommand } from '../../jobs.js';
import type { Step } from '../event-context.js';

export const buttonClick: Step = {
  name: 'a button click is its command',
  async handle(ctx, next) {
    const ev = ctx.event;
    if (ev.type !== 'click') return next();
    const b = parseButtonValue(ev.value);
    const cmd = b ? commandFromButton(b) : null;
    if (!cmd) {
      ctx.clickAnswer.toast = '该按钮已失效';
      ctx.outcome = 'ignored';
      return;
    }
    await runCommand(ctx, { messageId: ev.messageId, mentions: [] }, ctx.person!, cmd);
  },
};
