/** 申请备件 #12 部件: a confirmed hardware fault; the 8-hour detection-report clock starts. */
import { noteOf } from '../../domain/commands.js';
import { formatTime, ticketTitle } from '../../domain/wording.js';
import { deadlinesOf } from '../../store/tickets.js';
import { mentionOf } from '../context.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { commandMessages as CM } from '../messages/replies.js';

export const requestSpare = ticketCommand<{ part?: string }>({
  name: 'request_spare',
  word: '申请备件',
  parse: { pattern: /^申请备件/, args: (rest) => ({ part: noteOf(rest) }) },
  roles: STAFF,
  appliesTo: ['acknowledged', 'on_site', 'replacing', 'reopened'],
  help: { staff: { line: '申请备件 #12 电源模块', order: 104 } },
  async run({ ctx, person, ticket, args, tell, refuse }) {
    const part = args.part ?? '';
    const r = await applyAction(ctx, ticket, { type: 'request_spare', part }, { data: part ? { sparePart: part } : {} });
    if (!r.ok) return refuse(r.reason);
    const limit = deadlinesOf(r.ticket, ctx.now).find((d) => d.clock === 'detection_report');
    const tz = ticket.contract.contract.timezone;
    await tell(
      CM.spareRequested.text({ title: ticketTitle(ticket), ...(part ? { part } : {}), ...(limit ? { due: formatTime(limit.dueAt, tz, ctx.now) } : {}), id: ticket.id }),
      [mentionOf(person)],
    );
  },
});
