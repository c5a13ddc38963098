/** 更换工程师 #13: the complainant asks that someone else does the correction (contract rule 6); the manager is asked to reassign. */
import { ticketTitle } from '../../domain/wording.js';
import { tellManagers } from '../escalation.js';
import { recordEvent } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';

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
    await say(RM.otherEngineerNoted.text());
    await tellManagers(ctx, ticket, RM.otherEngineerForStaff.text({ title: ticketTitle(ticket), id: ticket.id }), ['manager']);
  },
});
