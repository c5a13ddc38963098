/** 到场 [#12] [what was found]: the engineer is on site; the note is the state found on arrival (service record). */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { serviceMessages as S } from '../messages/service.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';

export const arrive = ticketCommand<{ note?: string }>({
  name: 'arrive',
  word: '到场',
  parse: { pattern: /^(已到场|到场|到达现场|已到达)/, args: (rest) => ({ note: noteOf(rest) }) },
  button: { action: 'arrive', args: () => ({}) },
  roles: STAFF,
  appliesTo: ['assigned', 'acknowledged', 'reopened'],
  waitingInChat: true,
  help: { staff: { line: '到场 [#12]', order: 101 } },
  async run({ ctx, person, ticket, reporter, args, tell, refuse }) {
    const r = await applyAction(ctx, ticket, { type: 'arrive', ...(args.note ? { note: args.note } : {}) }, { data: args.note ? { arrivalState: args.note } : {} });
    if (!r.ok) return refuse(r.reason);
    ctx.clickAnswer = { toast: C.arrivedToast.text(), chosen: C.arrived.text({ engineer: person.name }) };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'ack' }, C.arrived.text({ engineer: person.name }));
    await tell(S.arrived.text({ title: ticketTitle(ticket), engineer: person.name }), [mentionOf(reporter)]);
  },
});
