/** 设为工程师 @张工 (设为经理/客服/副总/客户): a manager sets someone's role. */
import type { Role } from '../../domain/contract.js';
import type { ChannelName } from '../../core/channel.js';
import { mentionedPeople, updatePerson } from '../directory.js';
import { chatCommand } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';
import { dutyCommandMessages as DM } from '../messages/replies.js';


export const setRole = chatCommand<{ role: Role }>({
  name: 'set_role',
  word: '设置角色',
  parse: {
    pattern: /^设为(工程师|经理|部门经理|客服|副总|主管副总|客户)/,
    args: (_rest, m) => {
      const word = m[1]!;
      return { role: word.includes('工程师') ? 'engineer' : word.includes('副总') ? 'vp' : word.includes('经理') ? 'manager' : word === '客服' ? 'desk' : 'customer' };
    },
  },
  roles: ['manager', 'vp'],
  refusals: { desk: RM.roleRefused.text() },
  help: { managers: { line: '设为工程师 @张工', order: 205 } },
  async run({ ctx, src, args, say }) {
    const targets = await mentionedPeople(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, src.mentions);
    if (!targets.length) return say(RM.roleWhom.text());
    for (const t of targets) await updatePerson(ctx.tx, t.id, { role: args.role });
    await say(RM.roleSet.text({ names: targets.map((t) => t.name).join('、'), role: DM.roleName.text({ role: args.role }) }));
  },
});
