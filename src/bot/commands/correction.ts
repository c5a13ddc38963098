/** 整改 #13 内容: the correction process, kept on the complaint record (投诉记录: 纠正过程). */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { recordEvent } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';

export const correction = ticketCommand<{ text: string }>({
  name: 'correction',
  word: '整改',
  parse: { pattern: /^(整改措施|整改情况|整改)/, args: (rest) => (noteOf(rest) ? { text: noteOf(rest)! } : null) },
  roles: STAFF,
  help: { managers: { line: '整改 #12 内容（投诉）', order: 203 } },
  async run({ ctx, ticket, reporter, args, tell, refuse }) {
    const complaint = ticket.kind === 'complaint' ? await ctx.tx.complaint.findUnique({ where: { ticketId: ticket.id } }) : null;
    if (!complaint) return refuse(RM.correctionOnlyComplaints.text());
    const text = complaint.correction ? `${complaint.correction}\n${args.text}` : args.text;
    await ctx.tx.complaint.update({ where: { id: complaint.id }, data: { correction: text.slice(0, 4000) } });
    await recordEvent(ctx, ticket, 'correction', { text: args.text });
    await tell(RM.correction.text({ title: ticketTitle(ticket), text: args.text }), [mentionOf(reporter)]);
  },
});
