/**
 * 收到故障件 #12 电源模块 · 送修 #12 · 维修费用 #12 1200元 周期10天 · 修复返回 #12 ·
 * 已返还客户 #12 · 取消返修 #12: the steps of a faulty part's repair and return.
 * One command: the steps share their ticket, roles and record (the state machine
 * in repair-return.ts refuses a step out of order, and 取消返修 to engineers).
 */
import { mentionOf } from '../context.js';
import { send } from '../duties/support.js';
import { repairStep } from '../duties/repairs.js';
import { dutyMessages } from '../messages/duties.js';
import { STAFF, ticketCommand } from './command.js';
import { bare, readDuty } from './duty.js';

export const repair = ticketCommand({
  name: 'repair',
  word: '返修',
  parse: { pattern: /^(收到故障件|已收到故障件|收到坏件|故障件已收到|已收故障件|已送修|送修|已寄修|寄修|送厂维修|维修费用|返修费用|维修报价|费用通告|修复返回|维修完成返回|返修完成|修好返回|已返还客户|返还客户|已归还客户|已交还客户|取消返修|返修撤销)/, args: bare },
  roles: STAFF,
  help: {
    staff: { line: '返修：收到故障件 #12 电源模块 → 送修 #12 → 维修费用 #12 1200元 周期10天 → 修复返回 #12 → 已返还客户 #12', order: 154 },
    managers: { line: '取消返修 #12', order: 213 },
  },
  async run({ ctx, person, ticket, chat, say, staff, refuse }) {
    const cmd = await readDuty(ctx, 'repair');
    if (typeof cmd === 'string') return say(cmd);
    const r = await repairStep(ctx, person, ticket, cmd.action);
    if (!r.ok) return refuse(r.reason);
    if (r.customer) await send(ctx, chat, dutyMessages.repairStepCustomer, r.customer, { ticketId: ticket.id });
    // The next limits are the staff's: given in the customer's chat, they go to its staff group.
    if (ctx.chat.purpose === 'customer') await staff(r.staff, [mentionOf(person)]);
    else await say(r.staff);
  },
});
