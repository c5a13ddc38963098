/** 取消通告 #3 · 结束维护 #3: a manager withdraws a notice, or ends its maintenance window now. */
import { endNotice } from '../duties/notices.js';
import { chatCommand } from './command.js';
import { bare, confirmToStaff, readDuty } from './duty.js';
import { dutyCommandMessages as DM } from '../messages/replies.js';

export const noticeEnd = chatCommand({
  name: 'notice_end',
  word: '结束维护',
  // Before 撤销 (a ticket's cancellation) in the registry: 撤销通告 #3 is about notice #3, not ticket #3.
  parse: { pattern: /^(取消通告|撤回通告|撤销通告|取消检修|取消维护|结束维护|结束检修|提前结束检修|提前结束维护|维护已结束|检修已结束)/, args: bare },
  roles: ['manager', 'vp'],
  refusals: { engineer: DM.noticeEndByManager.text(), desk: DM.noticeEndByManager.text() },
  help: { managers: { line: '结束维护 #3（检修提前结束）· 取消通告 #3', order: 212.5 } },
  async run({ ctx, person, say }) {
    const cmd = await readDuty(ctx, 'notice_end');
    if (typeof cmd === 'string') return say(cmd);
    if (!('short' in cmd.ref)) return say(DM.noticeNumber.text());
    const r = await endNotice(ctx, { id: person.id, name: person.name }, cmd.ref.short, cmd.how);
    if (r.ok) await confirmToStaff(ctx, person, r.text);
    else await say(r.text);
  },
});
