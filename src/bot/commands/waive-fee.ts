/** 免费处理 #12: a manager waives the fee; the work starts. */
import { MANAGERS_AND_DESK, ticketCommand } from './command.js';
import { decideFee } from './fee.js';

export const waiveFee = ticketCommand({
  name: 'waive_fee',
  word: '免费处理',
  parse: { pattern: /^(免费处理|免收费用|免费)/, args: () => ({}) },
  roles: MANAGERS_AND_DESK,
  help: { managers: { line: '免费处理 #12', order: 201 } },
  run: (c) => decideFee(c, 'waive_fee'),
});
