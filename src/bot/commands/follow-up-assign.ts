/** 派回访 #7 @客服小刘: a manager or the desk gives a follow-up visit to someone. */
import type { ChannelName } from '../../core/channel.js';
import { mentionOf } from '../context.js';
import { mentionedPeople } from '../directory.js';
import { assignVisit, visitMeant } from '../duties/follow-ups.js';
import { chatCommand, MANAGERS_AND_DESK } from './command.js';
import { bare, readDuty } from './duty.js';

export const followUpAssign = chatCommand({
  name: 'follow_up_assign',
  word: '派回访',
  parse: { pattern: /^(派回访|回访派工)/, args: bare },
  roles: MANAGERS_AND_DESK,
  help: { managers: { line: '派回访 #7 @客服小刘', order: 211 } },
  async run({ ctx, src, person, say }) {
    const cmd = await readDuty(ctx, 'follow_up_assign');
    if (typeof cmd === 'string') return say(cmd);
    if (!cmd.ref) return say('请带上回访任务编号，例如「派回访 #7 @客服小刘」。');
    const visit = await visitMeant(ctx, person, cmd.ref);
    if (typeof visit === 'string') return say(visit);
    const [to] = await mentionedPeople(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, src.mentions);
    if (!to || to.role === 'customer') return say(`请 @ 负责回访的同事，例如「派回访 #${visit.id} @客服小刘」。`);
    await ctx.text(await assignVisit(ctx, visit, to), [mentionOf(person), mentionOf(to)]);
  },
});
