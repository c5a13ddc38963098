/**
 * Acts on one recorded event in its transaction (the one that recorded it, or
 * the one that claimed it from the queue): the router, then the timers of the
 * tickets it changed and its audit events, the event's outcome, and for a
 * click what the clicker sees at once.
 */
import type { InboundEvent, ReceiveResult } from '../../core/channel.js';
import type { ParsedReport } from '../../domain/report-parser.js';
import type { InboundEventRow, Tx } from '../../store/types.js';
import type { BotDeps } from '../context.js';
import { retireAnsweredCards } from '../cards.js';
import { flushTimers } from '../transitions.js';
import { EventCtx } from './event-context.js';
import { route } from './router.js';

export async function act(
  deps: BotDeps,
  tx: Tx,
  ev: InboundEvent,
  row: Pick<InboundEventRow, 'id' | 'outcome'>,
  now: Date,
  /** The message read before the transaction (the LLM reader's, preread.ts), if any. */
  read?: ParsedReport,
): Promise<ReceiveResult> {
  const log = deps.log.child({ event: ev.eventId, channel: ev.channel });
  const ctx = new EventCtx(deps, tx, now, log, row.id, ev, read);
  await route(ctx);
  await retireAnsweredCards(ctx, ev.type === 'click' ? { channel: ev.channel, messageId: ev.messageId } : null);
  await flushTimers(ctx);
  if (ctx.outcome !== row.outcome) await tx.inboundEvent.update({ where: { id: row.id }, data: { outcome: ctx.outcome, payload: null } });
  const result: ReceiveResult = { status: ctx.outcome === 'processed' ? 'processed' : 'ignored' };
  if (ev.type === 'click') {
    if (ctx.clickAnswer.toast) result.toast = ctx.clickAnswer.toast;
    if (ctx.clickAnswer.chosen) {
      // The card keeps its title and text; the choice replaces the buttons.
      const sent = await tx.outbox.findFirst({ where: { channel: ev.channel, platformMessageId: ev.messageId }, orderBy: { id: 'asc' }, select: { action: true } });
      const card = sent ? (JSON.parse(sent.action) as { kind: string; title?: string; text?: string }) : null;
      result.card = {
        kind: 'card_update',
        messageId: ev.messageId,
        title: card?.kind === 'card' ? (card.title ?? '') : '',
        text: card?.kind === 'card' ? (card.text ?? '') : '',
        chosen: ctx.clickAnswer.chosen,
      };
    }
  }
  return result;
}
