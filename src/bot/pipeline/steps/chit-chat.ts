/**
 * Nothing to act on ("收到", "谢谢 辛苦了"): ignored — or kept as a fragment
 * ("小寨站") that the next message may complete. A customer's message addressed
 * to the bot (an @-mention of it, a reply to its message) is never left
 * unanswered: it gets a short, polite way forward.
 */
import { normalise } from '../../../domain/commands.js';
import { answerMessages } from '../../messages/answers.js';
import { mentionOf } from '../../context.js';
import { isFragment } from '../../intake.js';
import type { EventCtx, Step } from '../event-context.js';

/** An acknowledgement or thanks: answered briefly, not with the way forward. */
const ACK = /^(好的?|嗯+|哦|收到|谢谢|多谢|感谢|辛苦了?|ok|okay|thanks?( you)?)[。.!！~～]*$/i;

export const chitChat: Step = {
  name: 'chit-chat',
  async handle(ctx) {
    if (ctx.report && isFragment(ctx.report)) {
      ctx.outcome = 'fragment';
      return;
    }
    if (ctx.person?.role === 'customer' && (await addressedToBot(ctx))) {
      const m = ACK.test(normalise(ctx.message.text)) ? answerMessages.acknowledged : answerMessages.addressed;
      await ctx.reply({ kind: 'text', text: m.text(), mentions: [mentionOf(ctx.person)], replyTo: ctx.message.messageId, audience: m.audience });
      return;
    }
    ctx.outcome = 'ignored';
  },
};

/** An @-mention of the bot, or a reply to one of its messages. */
async function addressedToBot(ctx: EventCtx): Promise<boolean> {
  const msg = ctx.message;
  if (msg.mentionsBot) return true;
  if (!msg.replyToMessageId) return false;
  return Boolean(await ctx.tx.outbox.findFirst({ where: { platformMessageId: msg.replyToMessageId }, select: { id: true } }));
}
