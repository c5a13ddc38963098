/** 更换工程师 #13: the complainant asks that someone else does the correction (contract rule 6); the manager is asked to reassign. */
import { ticketTitle } from '../../domain/wording.js';
import { tellManagers } from '../escalation.js';
import { recordEvent } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';

export const otherEngineer = ticketCommand({
  name: 'other_engineer',
  parse: { pattern: /^(更换工程师|换个工程师|要求更换工程师)/, args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  help: { customer: { line: '更换工程师 #12（投诉整改）', order: 52, join: 'misc' } },
  async run({ ctx, ticket, say }) {
    const complaint = await ctx.tx.complaint.findUnique({ where: { ticketId: ticket.id } });
    if (complaint) await ctx.tx.complaint.update({ where: { id: complaint.id }, data: { wantsOtherEngineer: true } });
    await recordEvent(ctx, ticket, 'other_engineer_requested', {});
    await say('已记录您的要求，整改将由其他工程师负责。');
    await tellManagers(ctx, ticket, `客户要求更换工程师（${ticketTitle(ticket)}），请重新派单：「转派 #${ticket.id} @工程师」。`, ['manager']);
  },
});
