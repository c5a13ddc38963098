/**
 * 删除个人信息 用户17 (or @王工): the desk or a manager erases one customer's personal
 * data, as `cli erase` does (src/store/privacy.ts), inside this event's transaction,
 * with an audit record naming who did it by internal id. Staff are not erased here:
 * their details are the organisation file's.
 */
import type { ChannelName } from '../../core/channel.js';
import { deleteErasedFiles, erasePersonIn } from '../../store/privacy.js';
import { mentionedPeople } from '../directory.js';
import { privacyMessages } from '../messages/privacy.js';
import { MANAGERS_AND_DESK, chatCommand } from './command.js';

export const erasePerson = chatCommand<{ personId?: number }>({
  name: 'erase_person',
  word: '删除个人信息',
  parse: {
    pattern: /^(?:删除个人信息|删除客户信息|删除用户信息)/,
    args: (rest) => {
      const id = /用户\s*(\d{1,9})/.exec(rest);
      return id ? { personId: Number(id[1]) } : {};
    },
  },
  roles: MANAGERS_AND_DESK,
  help: { managers: { line: '删除个人信息 用户17（客户申请删除时）', order: 214 } },
  async run({ ctx, src, person, args, say }) {
    const target =
      args.personId !== undefined
        ? await ctx.tx.person.findUnique({ where: { id: args.personId } })
        : (await mentionedPeople(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, src.mentions))[0];
    if (!target) return say(args.personId !== undefined ? privacyMessages.noSuchPerson.text({ ref: `用户${args.personId}` }) : privacyMessages.whom.text());
    if (target.role !== 'customer') return say(privacyMessages.notStaff.text({ who: target.name }));
    const files: string[] = [];
    // Replies kept so far in this transaction are written first, so the erasure reaches them too.
    await ctx.flushReplies();
    const r = await erasePersonIn(ctx.tx, { id: target.id }, { actor: `person:${person.id}`, now: ctx.now }, files);
    // Before the commit: should it roll back, a record points at a missing picture, never the other way round.
    await deleteErasedFiles(files);
    await say(
      privacyMessages.erased.text({ ref: `用户${target.id}`, tickets: r.counts.tickets, messages: r.counts.inboundEvents, attachments: r.counts.attachments, audit: r.auditId ?? 0 }),
    );
  },
});
