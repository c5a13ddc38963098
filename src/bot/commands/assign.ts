/** 派单 #12 @张工: the manager (or the desk) assigns the job to an engineer. */
import { MANAGERS_AND_DESK, ticketCommand } from './command.js';
import { handOver } from './hand-over.js';

export const assign = ticketCommand<{ note?: string }>({
  name: 'assign',
  word: '派单',
  parse: { pattern: /^派单/, args: () => ({}) },
  roles: MANAGERS_AND_DESK,
  help: { managers: { line: '派单 #12 @张工', order: 200 } },
  run: (c) => handOver(c, 'assign', '派单'),
});
