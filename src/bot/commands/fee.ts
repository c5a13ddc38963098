/** What 同意收费 and 免费处理 share: the fee decided, the question closed, the work starts (acceptance). */
import { ticketTitle } from '../../domain/wording.js';
import { announceAccepted } from '../acceptance.js';
import { closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import type { OnTicket } from './command.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';
import { replyMessages as RM } from '../messages/replies.js';

export async function decideFee(c: OnTicket<object>, how: 'agree_fee' | 'waive_fee'): Promise<void> {
  const { ctx, person, ticket, reporter, tell, refuse } = c;
  const r = await applyAction(ctx, ticket, { type: how }, { detail: { by: person.name } });
  if (!r.ok) return refuse(r.reason);
  await closeQuestions(ctx, ticket.id, ['fee']);
  ctx.clickAnswer = { toast: C.feeToast.text(), chosen: (how === 'agree_fee' ? C.feeAgreed : C.feeWaived).text() };
  cardAnswered(ctx, { ticketId: ticket.id, button: 'fee' }, ctx.clickAnswer.chosen!);
  await tell(how === 'agree_fee' ? RM.feeAgreed.text({ reporter: reporter.name, title: ticketTitle(ticket) }) : RM.feeWaived.text({ manager: person.name, title: ticketTitle(ticket) }));
  await announceAccepted(ctx, r.ticket, reporter);
}
