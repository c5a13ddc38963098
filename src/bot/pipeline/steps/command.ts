/**
 * A chat command (接单 #12, 查询, 改为一级 … — the registry, src/bot/commands)
 * from anyone; a customer's only when written as one: "到场了吗" starts like
 * the engineers' 到场 but is a question.
 */
import { meantAsCommand, parseCommand, runCommand } from '../../commands/index.js';
import type { Step } from '../event-context.js';

export const chatCommand: Step = {
  name: 'a chat command',
  async handle(ctx, next) {
    const msg = ctx.message;
    const parsed = parseCommand(msg.text);
    if (!parsed || !meantAsCommand(parsed, msg.text, ctx.role)) return next();
    await runCommand(ctx, msg, ctx.person!, parsed);
  },
};
