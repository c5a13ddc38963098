/** An engineer's or manager's reply to a consultation in the customer's chat (quoting it, or @mentioning who asked) is its answer. */
import { clip } from '../../../domain/wording.js';
import { answer } from '../../commands/answer.js';
import { invoke } from '../../commands/index.js';
import type { Step } from '../event-context.js';

export const consultationAnswer: Step = {
  name: 'an engineer’s reply to a consultation',
  for: ['engineer', 'manager'],
  async handle(ctx, next) {
    const msg = ctx.message;
    const open = await ctx.tickets.openConsultations(ctx.chat.id);
    let target = undefined as (typeof open)[number]['ticket'] | undefined;
    if (msg.replyToMessageId) {
      const quoted = await ctx.tickets.idAboutBotMessage(msg.replyToMessageId);
      target = open.find(({ ticket: t }) => t.sourceMessageId === msg.replyToMessageId || t.id === quoted)?.ticket;
    }
    target ??= open.find((c) => msg.mentions.some((m) => m.id === c.reporterPlatformId))?.ticket;
    if (!target) return next();
    const text = clip(msg.text.replace(/@\S+/g, ' '), 1000);
    await invoke(ctx, msg, ctx.person!, answer, target.id, { text });
  },
};
