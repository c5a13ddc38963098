/**
 * A rating, 1–5 (an answer to the rating question, "满意" after it expired, or
 * a button): 3–5 closes and archives; at or below the contract's threshold
 * the work reopens, is escalated and a non-conformance is recorded.
 */
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { serviceMessages as S } from '../messages/service.js';
import { onDissatisfied } from '../escalation.js';
import { reopenedLimitsLine } from '../acceptance.js';
import { RATING_LABELS, closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { customerMayAnswer } from './reporter-answers.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';
import { replyMessages as RM } from '../messages/replies.js';

export const rate = ticketCommand<{ score: number; comment?: string }>({
  name: 'rate',
  button: {
    action: 'rate',
    args: (arg) => {
      const score = Number(arg);
      return score >= 1 && score <= 5 ? { score } : null;
    },
  },
  roles: EVERYONE,
  customerCommand: true,
  customerAppliesTo: ['confirmed', 'resolved'],
  mayAct: customerMayAnswer,
  help: { customer: { line: '评价：「5分 处理及时」或 满意 / 基本满意 / 不满意', order: 40 } },
  async run({ ctx, person, ticket, args, tell, refuse }) {
    const { score, comment } = args;
    const threshold = ticket.contract.contract.confirmation.dissatisfiedAtOrBelow;
    const r = await applyAction(ctx, ticket, { type: 'rate', score, dissatisfiedAtOrBelow: threshold }, {
      data: { feedback: comment ?? null },
      detail: { comment },
    });
    if (!r.ok) return refuse(r.reason);
    await ctx.tx.rating.create({ data: { ticketId: ticket.id, raterId: person.id, score, comment: comment ?? null, at: ctx.now } });
    await closeQuestions(ctx, ticket.id, ['rate']);
    ctx.clickAnswer = { toast: C.ratedToast.text(), chosen: C.rated.text({ score, label: RATING_LABELS[score] ?? '' }) };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'rate' }, ctx.clickAnswer.chosen!);
    if (ticket.kind === 'complaint') {
      await ctx.tx.complaint.update({ where: { ticketId: ticket.id }, data: { satisfaction: score, customerOpinion: comment ?? null, ...(r.dissatisfied ? {} : { archivedAt: ctx.now }) } });
    }
    if (r.dissatisfied) {
      // The apology goes to the customer who rated; the engineer hears of it in the escalation.
      await tell(S.dissatisfiedApology.text({ title: ticketTitle(ticket), limits: reopenedLimitsLine(ctx, r.ticket) }), [mentionOf(person)]);
      await onDissatisfied(ctx, r.ticket, RM.ratingReason.text({ score, ...(comment ? { comment } : {}) }));
    } else {
      await ctx.tickets.update(ticket, { summary: r.ticket.summary ?? RM.ratedSummary.text({ score }) });
      await tell(S.ratedThanks.text({ title: ticketTitle(ticket), score }));
    }
  },
});
