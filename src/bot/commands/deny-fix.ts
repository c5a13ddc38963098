/** 还没好 (or "2", "还是不行"): not fixed; reopened to the same engineer, and the manager is told. */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { personById } from '../directory.js';
import { tellManagers } from '../escalation.js';
import { closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { customerMayAnswer } from './reporter-answers.js';

export const denyFix = ticketCommand<{ note?: string }>({
  name: 'deny_fix',
  parse: { pattern: /^(还没好|没修好|未修好|还是不行|没好)/, args: (rest) => ({ note: noteOf(rest) }) },
  button: { action: 'deny', args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  customerAppliesTo: ['resolved'],
  mayAct: customerMayAnswer,
  async run({ ctx, ticket, args, tell, refuse }) {
    const r = await applyAction(ctx, ticket, { type: 'deny_fix', ...(args.note ? { note: args.note } : {}) });
    if (!r.ok) return refuse(r.reason);
    await closeQuestions(ctx, ticket.id, ['confirm']);
    ctx.clickAnswer = { toast: '已反馈未修好', chosen: '客户反馈：还没好' };
    const engineer = await personById(ctx.tx, ticket.assigneeId);
    await tell(`收到，${ticketTitle(ticket)} 已重新打开${engineer ? `，请 ${engineer.name} 继续处理` : ''}。`, engineer ? [mentionOf(engineer)] : []);
    await tellManagers(ctx, r.ticket, `客户反馈未修好，${ticketTitle(ticket)} 已返工${engineer ? `（工程师 ${engineer.name}）` : ''}${args.note ? `：${args.note}` : ''}。`, ['manager']);
  },
});
