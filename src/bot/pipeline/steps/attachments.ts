/**
 * Pictures and files sent with a message are kept on the sender's latest open
 * ticket in the chat — after the rest of the router, so a report's own picture
 * lands on the ticket it just opened. Rows only; the download comes after
 * (src/bot/attachments.ts).
 */
import type { Step } from '../event-context.js';

export const keepAttachments: Step = {
  name: 'keep attachments on the ticket (after the rest)',
  async handle(ctx, next) {
    await next();
    const ev = ctx.event;
    if (ev.type !== 'message' || !ev.attachments?.length || !ctx.person) return;
    const ticket = await ctx.tickets.latestOfReporter(ctx.chat.id, ctx.person.id);
    if (!ticket) return;
    for (const a of ev.attachments.slice(0, 10)) {
      await ctx.tx.attachment.upsert({
        where: { channel_messageId_key: { channel: ev.channel, messageId: ev.messageId, key: a.key.slice(0, 200) } },
        update: {},
        create: { ticketId: ticket.id, channel: ev.channel, messageId: ev.messageId, key: a.key.slice(0, 200), kind: a.kind, createdAt: ctx.now },
      });
    }
  },
};
