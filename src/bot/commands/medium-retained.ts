/** 介质已留存 #12: the failed disk (or other magnetic medium) stays with the customer (contract rule 5). */
import { ticketTitle } from '../../domain/wording.js';
import { recordEvent } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';

export const mediumRetained = ticketCommand({
  name: 'medium_retained',
  word: '介质留存',
  parse: { pattern: /^(介质已留存|硬盘已留存|介质留存|磁盘已留存|已留存)/, args: () => ({}) },
  roles: STAFF,
  help: { staff: { line: '介质已留存 #12', order: 107 } },
  async run({ ctx, ticket, tell }) {
    const t = await ctx.tickets.update(ticket, { mediumRetained: true });
    await recordEvent(ctx, t, 'medium_retained', {});
    await tell(RM.mediumKept.text({ title: ticketTitle(ticket) }));
  },
});
