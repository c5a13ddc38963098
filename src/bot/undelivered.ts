/**
 * A message for the customer that the platform would not take now (UndeliverableError, e.g.
 * WeChat Customer Service's 48-hour / 5-message window) is not dropped: in one transaction the
 * outbox row is settled as failed, every managers' group on a running channel is told what the
 * customer should have read, and the ticket's history says so. Staff rows are never redirected
 * (the dispatcher passes only customer rows here), so this cannot loop.
 */
import type { Logger } from 'pino';
import { cardAsText } from '../core/plain-text.js';
import type { OutboundAction, UndeliverableError } from '../core/channel.js';
import type { Db, Outbox } from '../store/types.js';
import { managersGroups } from './directory.js';
import { deliveryMessages, undeliveredReason } from './messages/delivery.js';

export interface UndeliveredDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  /** The channels this service sends through (a managers' group elsewhere would wait for ever). */
  activeChannels?: () => string[];
}

/** What the customer would have read, in one line (cards as their text, images as their caption). */
function saidOf(actionJson: string): string {
  let a: OutboundAction;
  try {
    a = JSON.parse(actionJson) as OutboundAction;
  } catch {
    return '（无法读取）';
  }
  const text = a.kind === 'text' ? a.text : a.kind === 'card' ? cardAsText(a) : a.kind === 'image' ? (a.caption ?? '（图片）') : a.text;
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].length > 300 ? `${[...flat].slice(0, 300).join('')}…` : flat;
}

export async function tellStaffUndelivered(deps: UndeliveredDeps, row: Outbox, err: UndeliverableError): Promise<void> {
  const now = deps.now();
  const told = await deps.db.$transaction(async (tx) => {
    // Only the sender holding the row settles it (a second call for the same row does nothing).
    const r = await tx.outbox.updateMany({
      where: { id: row.id, status: 'sending' },
      data: { status: 'failed', claimedUntil: null, lastError: `${err.name} ${String(err.code ?? '')}: ${err.message}`.slice(0, 1000) },
    });
    if (r.count !== 1) return null;
    const ticket = row.ticketId ? await tx.ticket.findUnique({ where: { id: row.ticketId }, select: { id: true, number: true } }) : null;
    const chat = await tx.chat.findUnique({ where: { channel_platformId: { channel: row.channel, platformId: row.chatPlatformId } }, select: { title: true } });
    const text = deliveryMessages.undelivered.text({ ticket: ticket?.number ?? null, chat: chat?.title ?? row.chatPlatformId, reason: undeliveredReason(err.reason), said: saidOf(row.action) });
    const groups = await managersGroups(tx, deps.activeChannels?.());
    for (const g of groups) {
      await tx.outbox.create({
        data: {
          channel: g.channel,
          chatPlatformId: g.platformId,
          ticketId: ticket?.id ?? null,
          action: JSON.stringify({ kind: 'text', text, audience: 'staff' } satisfies OutboundAction),
          // Derived from the row: the staff are told once per undelivered message.
          idempotencyKey: `undelivered:${row.idempotencyKey}:${g.id}`,
          nextAttemptAt: new Date(0),
          createdAt: now,
        },
      });
    }
    if (ticket) {
      await tx.ticketEvent.create({
        data: { ticketId: ticket.id, at: now, action: 'message_undelivered', detail: JSON.stringify({ reason: undeliveredReason(err.reason), code: err.reason, channel: row.channel, outbox: row.id, staffTold: groups.length }) },
      });
    }
    return groups.length;
  });
  if (told === 0) deps.log.error({ outbox: row.id, channel: row.channel }, 'a message the customer could not receive, and no managers’ group to tell: add one to config/org.yaml (managersGroups)');
}
