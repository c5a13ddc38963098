/** 调查结果 #13 内容: the answer to a complaint; the complainant is then asked to rate. */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { askRating } from '../questions.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';

export const investigation = ticketCommand<{ text: string }>({
  name: 'investigation',
  word: '调查结果',
  parse: { pattern: /^(调查结果|投诉处理结果|处理结果)/, args: (rest) => (noteOf(rest) ? { text: noteOf(rest)! } : null) },
  roles: STAFF,
  help: { managers: { line: '调查结果 #12 内容（投诉）', order: 202 } },
  async run({ ctx, ticket, reporter, args, tell, refuse }) {
    if (ticket.kind !== 'complaint') return refuse(RM.investigationOnlyComplaints.text());
    const r = await applyAction(ctx, ticket, { type: 'resolve', note: args.text }, { data: { handling: args.text } });
    if (!r.ok) return refuse(r.reason);
    await ctx.tx.complaint.update({ where: { ticketId: ticket.id }, data: { investigation: args.text, firstOpinion: args.text, answeredAt: ctx.now } });
    await tell(RM.investigation.text({ title: ticketTitle(ticket), text: args.text }), [mentionOf(reporter)]);
    await askRating(ctx, r.ticket, reporter);
  },
});
