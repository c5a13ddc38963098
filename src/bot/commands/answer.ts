/** 答复 #13 内容: an engineer answers a consultation (closed after the customer's thanks, or by itself). */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { commandMessages as CM } from '../messages/replies.js';

export const answer = ticketCommand<{ text: string }>({
  name: 'answer',
  word: '答复',
  parse: { pattern: /^(答复|回复咨询)/, args: (rest) => (noteOf(rest) ? { text: noteOf(rest)! } : null) },
  roles: STAFF,
  anyonesJob: true,
  help: { staff: { line: '答复 #12 内容（咨询）', order: 108 } },
  async run({ ctx, person, ticket, reporter, args, tell, refuse }) {
    if (ticket.kind !== 'consultation') return refuse(CM.consultationOnly.text());
    const r = await applyAction(ctx, ticket, { type: 'resolve', note: args.text }, { data: { handling: args.text, resolutionNote: args.text } });
    if (!r.ok) return refuse(r.reason);
    await tell(CM.consultationAnswer.text({ title: ticketTitle(ticket), engineer: person.name, text: args.text }), [mentionOf(reporter)]);
  },
});
