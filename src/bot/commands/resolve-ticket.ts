/**
 * Which ticket a command means: the one it names (#12, GD-…), the one the
 * message quotes, the customer's open question's, or the only one that fits —
 * among the customer's own in the chat, or among the engineer's jobs (those
 * the command applies to, then those in this chat), or the one ticket in the
 * chat waiting for an engineer. 'ambiguous' when several fit.
 */
import type { TicketRef } from '../../domain/commands.js';
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { openQuestion } from '../questions.js';
import type { Source, TicketCommand } from './command.js';

export async function resolveTicket(ctx: Ctx, src: Source, person: Person, cmd: TicketCommand<unknown>, ref: TicketRef | undefined): Promise<Ticket | null | 'ambiguous'> {
  if (ref) return ctx.tickets.byRef(ref);
  if (src.replyToMessageId) {
    const quoted = await ctx.tickets.aboutMessage(src.replyToMessageId);
    if (quoted) return quoted;
  }
  if (person.role === 'customer') {
    const q = await openQuestion(ctx, person.id);
    if (q?.ticketId) return ctx.tickets.get(q.ticketId);
    if (!cmd.customerAppliesTo) return null;
    const mine = await ctx.tickets.ofReporter(ctx.chat.id, person.id, cmd.customerAppliesTo, 2);
    return mine.length === 1 ? mine[0]! : mine.length ? 'ambiguous' : null;
  }
  const jobs = await ctx.tickets.jobsOf(person.id);
  if (jobs.length === 1) return jobs[0]!;
  if (jobs.length > 1) {
    // Several jobs: the ones the command can apply to, and of those the ones in this chat
    // ("接单" in the chat of the job just assigned, while another job is in hand elsewhere).
    const fits = cmd.appliesTo;
    const fitting = fits ? jobs.filter((j) => fits.includes(j.status)) : jobs;
    if (fitting.length === 1) return fitting[0]!;
    const here = fitting.filter((j) => j.chatId === ctx.chat.id);
    if (here.length === 1) return here[0]!;
    return 'ambiguous';
  }
  if (cmd.waitingInChat) {
    // Nobody's job yet: the one ticket in this chat waiting for an engineer.
    const waiting = await ctx.tickets.inChat(ctx.chat.id, ['accepted'], 2);
    if (waiting.length === 1) return waiting[0]!;
    if (waiting.length > 1) return 'ambiguous';
  }
  return null;
}
