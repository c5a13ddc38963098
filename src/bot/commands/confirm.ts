/** 确认修复 (or "1", "正常了" to the question, or the button): the customer confirms the fix; the rating question follows. */
import { askRating, closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { customerMayAnswer } from './reporter-answers.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';

export const confirm = ticketCommand({
  name: 'confirm',
  parse: { pattern: /^(确认修复|确认已修复|已修好了|确认)$/, args: () => ({}) },
  button: { action: 'confirm', args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  customerAppliesTo: ['resolved'],
  mayAct: customerMayAnswer,
  help: { customer: { line: '确认修复 / 还没好', order: 30 } },
  async run({ ctx, person, ticket, refuse }) {
    const r = await applyAction(ctx, ticket, { type: 'confirm' });
    if (!r.ok) return refuse(r.reason);
    await closeQuestions(ctx, ticket.id, ['confirm']);
    ctx.clickAnswer = { toast: C.confirmed.text(), chosen: C.confirmed.text() };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'confirm' }, C.confirmed.text());
    await askRating(ctx, r.ticket, person);
  },
});
