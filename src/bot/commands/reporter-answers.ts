/** Who may confirm a fix or rate it: the reporter, or — once the reporter has been away long enough — another customer of the chat. */
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { commandMessages as CM } from '../messages/replies.js';

export async function customerMayAnswer(ctx: Ctx, person: Person, ticket: Ticket): Promise<string | null> {
  if (person.id === ticket.reporterId) return null;
  if (person.role !== 'customer') return CM.reporterAnswersStaff.text();
  const since = ticket.resolvedAt ?? ticket.confirmedAt;
  const absentMs = ticket.contract.contract.confirmation.reporterAbsentAfter.hours * 3_600_000;
  if (since && ctx.now.getTime() - since.getTime() >= absentMs && ticket.chatId === ctx.chat.id) return null;
  return CM.reporterAnswers.text();
}
