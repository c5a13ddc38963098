/**
 * Cards lose their buttons once answered: the level question, 需要为此报修吗,
 * the dispatch card once taken, the confirmation, rating and fee cards. A
 * handler says which card was answered and what was chosen (cardAnswered);
 * at the end of the event's transaction (pipeline/act.ts) each such card,
 * if it was sent, gets a card_update in the outbox: the same title and text,
 * the choice in place of the buttons. A channel that cannot update a card
 * posts nothing for it (core/plain-text.ts: the answer text is the fallback).
 *
 * - A card the click came from is updated by the click's answer (the Feishu
 *   callback, the WeCom click window, the sandbox): its card_update is written
 *   as already sent, a record that the card is done, so it is not updated twice.
 * - A card already updated is left alone; one not sent yet (its platform id
 *   unknown) is skipped with a log line. Neither fails the transaction.
 */
import type { OutboundAction } from '../core/channel.js';
import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.js';

/** Which card: an outbox row (a question's), or the ticket's cards carrying a button action ("ack", "level", …). */
export type AnsweredCard = { outboxId: number } | { ticketId: number; button: string };

export interface CardAnswer {
  card: AnsweredCard;
  chosen: string;
}

/** Records that a card was answered; the card is updated at the end of the transaction (retireAnsweredCards). */
export function cardAnswered(ctx: Ctx, card: AnsweredCard, chosen: string): void {
  ctx.cardsAnswered.push({ card, chosen });
}

type Card = Extract<OutboundAction, { kind: 'card' }>;

/** Writes the card_update of each card answered in this transaction (see the module comment). */
export async function retireAnsweredCards(ctx: Ctx, clicked: { channel: string; messageId: string } | null): Promise<void> {
  const done = new Set<number>();
  for (const { card, chosen } of ctx.cardsAnswered) {
    const rows = await cardRows(ctx, card);
    for (const row of rows) {
      if (done.has(row.id)) continue;
      done.add(row.id);
      let sent: Card;
      try {
        sent = JSON.parse(row.action) as Card;
      } catch {
        continue;
      }
      if (sent.kind !== 'card' || !sent.buttons?.length) continue;
      if (!row.platformMessageId) {
        ctx.log.info({ outbox: row.id, status: row.status }, 'an answered card has no platform message id yet; left as it is');
        continue;
      }
      const update: Extract<OutboundAction, { kind: 'card_update' }> = { kind: 'card_update', messageId: row.platformMessageId, title: sent.title, text: sent.text, chosen };
      const already = await ctx.tx.outbox.findFirst({
        where: { channel: row.channel, action: { startsWith: `{"kind":"card_update","messageId":${JSON.stringify(row.platformMessageId)},` } },
        select: { id: true },
      });
      if (already) continue;
      const byClick = clicked !== null && clicked.channel === row.channel && clicked.messageId === row.platformMessageId;
      if (byClick) {
        // The click's answer shows it (act.ts): recorded as sent, never sent again.
        if (!ctx.clickAnswer.chosen) ctx.clickAnswer.chosen = chosen;
        const rec = await ctx.tx.outbox.create({
          data: {
            channel: row.channel,
            chatPlatformId: row.chatPlatformId,
            ticketId: row.ticketId,
            action: JSON.stringify({ ...update, chosen: ctx.clickAnswer.chosen }),
            idempotencyKey: randomUUID(),
            status: 'sent',
            nextAttemptAt: new Date(0),
            createdAt: ctx.now,
            sentAt: ctx.now,
          },
        });
        ctx.outboxIds.push(rec.id);
        continue;
      }
      await ctx.reply(update, { ticketId: row.ticketId, chat: { channel: row.channel, platformId: row.chatPlatformId } });
    }
  }
}

/** The sent cards a CardAnswer names, oldest first (a question asked again has several). */
async function cardRows(ctx: Ctx, card: AnsweredCard) {
  const select = { id: true, channel: true, chatPlatformId: true, ticketId: true, action: true, status: true, platformMessageId: true } as const;
  if ('outboxId' in card) return ctx.tx.outbox.findMany({ where: { id: card.outboxId }, select });
  const value = `"value":"${card.button}:${card.ticketId}`;
  return ctx.tx.outbox.findMany({
    where: { ticketId: card.ticketId, action: { startsWith: '{"kind":"card",' }, OR: [{ action: { contains: `${value}"` } }, { action: { contains: `${value}:` } }] },
    orderBy: { id: 'asc' },
    select,
  });
}
