/** 撤销 #12 [why]: a duplicate or a report the customer withdraws (before work has finished). */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';

export const cancel = ticketCommand<{ reason?: string }>({
  name: 'cancel',
  word: '撤销',
  parse: { pattern: /^(撤销|取消工单|撤单)/, args: (rest) => ({ reason: noteOf(rest) }) },
  roles: EVERYONE,
  customerCommand: true,
  customerAppliesTo: ['reported', 'level_known', 'awaiting_fee', 'accepted'],
  help: { customer: { line: '撤销 #12', order: 51, join: 'misc' }, staff: { line: '撤销 #12 重复报修', order: 110 } },
  async run({ ctx, ticket, args, tell, refuse }) {
    const { reason } = args;
    const r = await applyAction(ctx, ticket, { type: 'cancel', ...(reason ? { reason } : {}) }, { data: reason ? { summary: `撤销：${reason}` } : {} });
    if (!r.ok) return refuse(r.reason);
    await closeQuestions(ctx, ticket.id);
    await tell(RM.cancelled.text({ title: ticketTitle(ticket), ...(reason ? { reason } : {}) }));
  },
});
