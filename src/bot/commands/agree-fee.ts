/** 同意收费 (or "同意" to the question, or the button): the customer agrees to a fee out of warranty or scope. */
import { EVERYONE, ticketCommand } from './command.js';
import { decideFee } from './fee.js';

export const agreeFee = ticketCommand({
  name: 'agree_fee',
  parse: { pattern: /^同意收费/, args: () => ({}) },
  button: { action: 'fee', args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  customerAppliesTo: ['awaiting_fee'],
  help: { customer: { line: '同意收费', order: 50, join: 'misc' } },
  run: (c) => decideFee(c, 'agree_fee'),
});
