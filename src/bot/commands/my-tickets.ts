/** 我的工单: a customer's unfinished reports, an engineer's unfinished jobs. */
import { chatCommand, EVERYONE } from './command.js';
import { ticketLine } from './lists.js';
import { replyMessages as RM } from '../messages/replies.js';

export const myTickets = chatCommand({
  name: 'my_tickets',
  parse: { pattern: /^(我的工单|我的单)$/, args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  help: { customer: { line: '我的工单', order: 61, join: 'lists' }, staff: { line: '我的工单', order: 131, join: 'lists' } },
  async run({ ctx, person, say }) {
    const rows = await ctx.tickets.unfinished(person.role === 'customer' ? { reporterId: person.id } : { assigneeId: person.id }, 20);
    await say(rows.length ? RM.myTickets.text({ lines: rows.map(ticketLine) }) : RM.noTicketsOfMine.text());
  },
});
