/** 派巡检 #5 @张工: a manager or the desk gives an inspection job to an engineer. */
import type { ChannelName } from '../../core/channel.js';
import { mentionOf } from '../context.js';
import { mentionedPeople } from '../directory.js';
import { assignJob, jobMeant } from '../duties/inspections.js';
import { chatCommand, MANAGERS_AND_DESK } from './command.js';
import { bare, readDuty } from './duty.js';

export const inspectionAssign = chatCommand({
  name: 'inspection_assign',
  word: '派巡检',
  parse: { pattern: /^(派巡检|巡检派工)/, args: bare },
  roles: MANAGERS_AND_DESK,
  help: { managers: { line: '派巡检 #5 @张工', order: 210 } },
  async run({ ctx, src, person, say }) {
    const cmd = await readDuty(ctx, 'inspection_assign');
    if (typeof cmd === 'string') return say(cmd);
    if (!cmd.ref) return say('请带上巡检任务编号，例如「派巡检 #5 @张工」。');
    const job = await jobMeant(ctx, person, cmd.ref);
    if (typeof job === 'string') return say(job);
    const [engineer] = await mentionedPeople(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, src.mentions);
    if (!engineer || engineer.role !== 'engineer') return say(`请 @ 要派给的工程师，例如「派巡检 #${job.id} @张工」。`);
    const r = await assignJob(ctx, job, engineer);
    await ctx.text(r.text, [mentionOf(person), ...r.mentions], { ticketId: null });
  },
});
