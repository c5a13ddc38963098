/** 应急报告 #12 …: the engineer's emergency response report after a limit was passed. */
import { submitReport } from '../duties/emergency.js';
import { STAFF, ticketCommand } from './command.js';
import { bare, readDuty } from './duty.js';
import { commandMessages as CM } from '../messages/replies.js';

export const emergencyReport = ticketCommand({
  name: 'emergency_report',
  word: '应急报告',
  parse: { pattern: /^(应急响应报告|应急报告)/, args: bare },
  roles: STAFF,
  help: { staff: { line: '应急报告 #12 已启用备机恢复业务，原因为…', order: 156 } },
  async mayAct(_ctx, person, ticket) {
    return person.role === 'engineer' && ticket.assigneeId !== person.id ? CM.emergencyByEngineer.text() : null;
  },
  async run({ ctx, person, ticket, say, refuse }) {
    const cmd = await readDuty(ctx, 'emergency_report');
    if (typeof cmd === 'string') return say(cmd);
    const r = await submitReport(ctx, person, ticket, cmd.text);
    if ('refused' in r) return refuse(r.refused);
    // The staff's group has the report; anywhere else but the customer's chat, the engineer is told it went.
    if (ctx.chat.purpose !== 'customer' && !r.toldIn.includes(ctx.chat.id)) await say(CM.emergencySubmitted.text());
  },
});
