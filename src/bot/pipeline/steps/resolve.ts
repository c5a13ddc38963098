/** Who wrote, in which chat: the chat and the person as the store knows them (roles from configuration, never from the event). */
import { resolveChat, resolvePerson } from '../../directory.js';
import type { Step } from '../event-context.js';

export const resolveChatAndPerson: Step = {
  name: 'resolve the chat and the person',
  async handle(ctx, next) {
    const ev = ctx.event;
    ctx.chat = await resolveChat(ctx.tx, ctx.deps.org, ev, ctx.now);
    ctx.person = await resolvePerson(ctx.tx, ctx.deps.org, ev.channel, ev.sender, ev.senderRoleHint, (p) => ctx.newPeople.add(p.id));
    await next();
  },
};
