/** 巡检完成 #5 正常 / 巡检完成 #5 发现问题 …: the inspection's result, its problems opening fault tickets. */
import { jobMeant, mayRecord, recordResult } from '../duties/inspections.js';
import { chatCommand, STAFF } from './command.js';
import { bare, confirmToStaff, readDuty } from './duty.js';

export const inspectionDone = chatCommand({
  name: 'inspection_done',
  word: '巡检完成',
  parse: { pattern: /^(巡检完成|巡检已完成|完成巡检)/, args: bare },
  roles: STAFF,
  help: { staff: { line: '巡检完成 #5 正常 / 巡检完成 #5 发现问题 交换机风扇告警', order: 150 } },
  async run({ ctx, person, say }) {
    const cmd = await readDuty(ctx, 'inspection_done');
    if (typeof cmd === 'string') return say(cmd);
    const job = await jobMeant(ctx, person, cmd.ref);
    if (typeof job === 'string') return say(job);
    const refusal = mayRecord(job, person);
    if (refusal) return say(refusal);
    await confirmToStaff(ctx, person, await recordResult(ctx, person, job, { outcome: cmd.outcome, problems: cmd.problems, note: cmd.note }));
  },
});
