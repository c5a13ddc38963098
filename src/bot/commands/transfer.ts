/** 转派 #12 @李工: the job goes to another engineer. */
import { noteOf, withoutMentions } from '../../domain/commands.js';
import { STAFF, ticketCommand } from './command.js';
import { handOver } from './hand-over.js';

export const transfer = ticketCommand<{ note?: string }>({
  name: 'transfer',
  word: '转派',
  parse: { pattern: /^(转派|转单|改派)/, args: (rest) => ({ note: noteOf(withoutMentions(rest)) }) },
  roles: STAFF,
  help: { staff: { line: '转派 #12 @李工', order: 103 } },
  run: (c) => handOver(c, 'transfer', '转派'),
});
