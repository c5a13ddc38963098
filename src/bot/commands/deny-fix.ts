/** 还没好 (or "2", "还是不行"): not fixed; reopened to the same engineer, and the manager is told. */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { reopenedLimitsLine, staffLimitsLine } from '../acceptance.js';
import { firstWithRole, personById } from '../directory.js';
import { serviceMessages as S } from '../messages/service.js';
import { closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { customerMayAnswer } from './reporter-answers.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';

export const denyFix = ticketCommand<{ note?: string }>({
  name: 'deny_fix',
  parse: { pattern: /^(还没好|没修好|未修好|还是不行|没好)/, args: (rest) => ({ note: noteOf(rest) }) },
  button: { action: 'deny', args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  customerAppliesTo: ['resolved'],
  mayAct: customerMayAnswer,
  async run({ ctx, person, ticket, args, tell, staff, refuse }) {
    const r = await applyAction(ctx, ticket, { type: 'deny_fix', ...(args.note ? { note: args.note } : {}) });
    if (!r.ok) return refuse(r.reason);
    await closeQuestions(ctx, ticket.id, ['confirm']);
    ctx.clickAnswer = { toast: C.deniedToast.text(), chosen: C.denied.text() };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'confirm' }, C.denied.text());
    const engineer = await personById(ctx.tx, ticket.assigneeId);
    // The customer who said it is answered; the engineer and the manager hear it among the staff.
    await tell(S.reopenedAck.text({ title: ticketTitle(ticket), limits: reopenedLimitsLine(ctx, r.ticket) }), [mentionOf(person)]);
    const manager = await firstWithRole(ctx.tx, ctx.chat.channel, 'manager');
    await staff(
      S.reworkRequested.text({ title: ticketTitle(ticket), ...(engineer ? { engineer: engineer.name } : {}), ...(args.note ? { note: args.note } : {}), deadlines: staffLimitsLine(ctx, r.ticket) }),
      [...(engineer ? [mentionOf(engineer)] : []), ...(manager ? [mentionOf(manager)] : [])],
    );
  },
});
