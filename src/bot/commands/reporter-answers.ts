/** Who may confirm a fix or rate it: the reporter, or — once the reporter has been away long enough — another customer of the chat. */
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';

export async function customerMayAnswer(ctx: Ctx, person: Person, ticket: Ticket): Promise<string | null> {
  if (person.id === ticket.reporterId) return null;
  if (person.role !== 'customer') return '请由报修客户确认或评价。';
  const since = ticket.resolvedAt ?? ticket.confirmedAt;
  const absentMs = ticket.contract.contract.confirmation.reporterAbsentAfter.hours * 3_600_000;
  if (since && ctx.now.getTime() - since.getTime() >= absentMs && ticket.chatId === ctx.chat.id) return null;
  return '请由报修人确认或评价；如报修人不在，稍后可由本群其他同事代为确认。';
}
