/** 接单: the assigned engineer takes the job (stops the first-response clock). */
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { serviceMessages as S } from '../messages/service.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';

export const acknowledge = ticketCommand({
  name: 'acknowledge',
  word: '接单',
  parse: { pattern: /^(接单|接)(?=$|\s|#|[A-Z])/i, args: () => ({}) },
  button: { action: 'ack', args: () => ({}) },
  roles: STAFF,
  appliesTo: ['assigned', 'reopened'],
  waitingInChat: true,
  help: { staff: { line: '接单 [#12]', order: 100 } },
  async run({ ctx, person, ticket, reporter, tell, refuse }) {
    const r = await applyAction(ctx, ticket, { type: 'acknowledge' });
    if (!r.ok) return refuse(r.reason);
    ctx.clickAnswer = { toast: C.takenToast.text(), chosen: C.taken.text({ engineer: person.name }) };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'ack' }, C.taken.text({ engineer: person.name }));
    await tell(S.taken.text({ title: ticketTitle(ticket), engineer: person.name }), [mentionOf(reporter)]);
  },
});
