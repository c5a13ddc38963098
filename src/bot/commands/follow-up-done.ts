/** 回访 #7 客户满意，希望增加巡检频次: the visit's notes; what they raise becomes tickets. */
import { mayRecordVisit, recordVisit, visitMeant } from '../duties/follow-ups.js';
import { chatCommand, STAFF } from './command.js';
import { bare, confirmToStaff, readDuty } from './duty.js';

export const followUpDone = chatCommand({
  name: 'follow_up_done',
  word: '回访',
  parse: { pattern: /^(回访记录|回访完成|回访)/, args: bare },
  roles: STAFF,
  help: { staff: { line: '回访 #7 客户满意，希望增加巡检频次', order: 152 } },
  async run({ ctx, person, say }) {
    const cmd = await readDuty(ctx, 'follow_up_done');
    if (typeof cmd === 'string') return say(cmd);
    const visit = await visitMeant(ctx, person, cmd.ref);
    if (typeof visit === 'string') return say(visit);
    const refusal = mayRecordVisit(visit, person);
    if (refusal) return say(refusal);
    await confirmToStaff(ctx, person, await recordVisit(ctx, person, visit, cmd.notes));
  },
});
