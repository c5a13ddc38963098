/**
 * A chat command (接单 #12, 查询, 改为一级 …) from anyone; a customer's only when
 * written as one: "到场了吗" starts like the engineers' 到场 but is a question.
 */
import { normalise, parseCommand, type Command } from '../../../domain/commands.js';
import type { Role } from '../../../domain/contract.js';
import { isQuestion } from '../../follow-ups.js';
import { runCommand } from '../../jobs.js';
import type { Step } from '../event-context.js';

/**
 * A customer's "到场了吗" starts like an engineer's command; it is taken as a
 * command (and politely refused) only when it is written as one.
 */
function meantAsCommand(cmd: Command, text: string, role: Role): boolean {
  if (role !== 'customer') return true;
  const customerCommands: Command['type'][] = ['confirm', 'deny_fix', 'agree_fee', 'query', 'my_tickets', 'open_tickets', 'help', 'cancel', 'other_engineer', 'rate'];
  if (customerCommands.includes(cmd.type)) return true;
  const t = normalise(text).replace(/@\S+/g, '').trim();
  if (/#\d|[A-Z]{1,8}-\d{8}-\d{4}/i.test(t)) return true;
  // "到场了吗" / "接单了没" is a question about the ticket, not an attempt at the command.
  if (isQuestion(t)) return false;
  return t.length <= 12;
}

export const chatCommand: Step = {
  name: 'a chat command',
  async handle(ctx, next) {
    const msg = ctx.message;
    const cmd = parseCommand(msg.text);
    if (!cmd || !meantAsCommand(cmd, msg.text, ctx.role)) return next();
    await runCommand(ctx, msg, ctx.person!, cmd);
  },
};
