/** 待处理: the chat's unfinished tickets; its customer's in a staff group; all of them in the managers' group (and for staff in a private chat). */
import type { TicketScope } from '../../store/tickets.js';
import { chatCommand, EVERYONE } from './command.js';
import { ticketLine } from './lists.js';
import { replyMessages as RM } from '../messages/replies.js';

export const openTickets = chatCommand({
  name: 'open_tickets',
  parse: { pattern: /^(待处理|待办|未完成工单|未关闭工单)$/, args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  help: { customer: { line: '待处理', order: 62, join: 'lists' }, staff: { line: '待处理', order: 132, join: 'lists' } },
  async run({ ctx, person, say }) {
    const all = ctx.chat.purpose === 'managers' || (person.role !== 'customer' && ctx.chat.purpose === 'direct');
    const staffGroup = ctx.chat.purpose === 'staff' && ctx.chat.customerId !== null;
    const scope: TicketScope = all ? {} : staffGroup ? { customerId: ctx.chat.customerId! } : { chatId: ctx.chat.id };
    const rows = await ctx.tickets.unfinished(scope, 30);
    await say(rows.length ? RM.openTickets.text({ lines: rows.map(ticketLine), more: rows.length === 30 }) : RM.noOpenTickets.text());
  },
});
