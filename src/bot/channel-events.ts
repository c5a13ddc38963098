/**
 * What the bot does with the platform events that are not plain text: a
 * recalled report, a voice message nobody could turn into text, and things
 * shared in a message (a location, a group or contact card). Called by the
 * router's steps recall.ts, voice.ts and shared-notes.ts.
 *
 *  - recall: a report nobody has started on (reported … accepted) is cancelled
 *    with a note in the chat; one already in work keeps its ticket, and the
 *    desk is told in the managers' group. A recalled message still waiting in
 *    the inbound queue is dropped before the bot reads it.
 *  - voice without text: the sender is asked to type; the audio is kept on
 *    their open ticket, or, if they have none yet, on the ticket their typed
 *    report opens (within the merge window).
 *  - notes: recorded on the sender's open ticket in this chat.
 */
import type { InboundMessage, InboundRecall } from '../core/channel.js';
import { ticketTitle } from '../domain/wording.js';
import type { Person } from '../store/types.js';
import type { Ctx } from './context.js';
import { mentionOf } from './context.js';
import { tellManagers } from './escalation.js';
import { closeQuestions, noStoredQuestions, questionWritten } from './questions.js';
import { SYSTEM, applyAction, recordEvent } from './transitions.js';
import { receiptMessages as R } from './messages/replies.js';

/** Statuses in which nobody has started on a ticket yet (a customer may still withdraw it). */
const NOT_STARTED: readonly string[] = ['reported', 'level_known', 'awaiting_fee', 'accepted'];

/** PendingQuestion kind that holds a voice message until its sender's typed report opens a ticket. */
const VOICE = 'voice';

export async function handleRecall(ctx: Ctx, ev: InboundRecall): Promise<void> {
  // Still queued (answered, not read yet): the bot never reads it.
  const dropped = await ctx.tx.inboundEvent.updateMany({
    where: { channel: ev.channel, messageId: ev.messageId, outcome: 'queued' },
    data: { outcome: 'ignored', error: 'recalled by its sender before the bot read it', payload: null },
  });
  const ticket = await ctx.tickets.openFromMessage(ctx.chat.id, ev.messageId);
  if (!ticket) {
    ctx.outcome = dropped.count ? 'processed' : 'ignored';
    return;
  }
  await recordEvent(ctx, ticket, 'report_recalled', { messageId: ev.messageId });
  if (NOT_STARTED.includes(ticket.status)) {
    const r = await applyAction(ctx, ticket, { type: 'cancel', reason: '报修消息已撤回' }, { actor: SYSTEM, data: { summary: '撤销：报修消息已被撤回' } });
    if (r.ok) {
      await closeQuestions(ctx, ticket.id);
      await ctx.text(R.recalledCancelled.text({ title: ticketTitle(ticket) }), [], { ticketId: ticket.id });
      await tellManagers(ctx, r.ticket, R.recalledCancelledForStaff.text({ title: ticketTitle(ticket) }), ['desk']);
      return;
    }
  }
  // Work has started: the ticket stays; the desk confirms with the customer.
  await tellManagers(
    ctx,
    ticket,
    R.recalledInHand.text({ title: ticketTitle(ticket), chat: ctx.chat.title ?? ctx.chat.platformId, id: ticket.id }),
    ['desk'],
  );
}

/** A voice message with no text: ask the sender to type; keep the audio for their ticket. */
export async function askToTypeVoice(ctx: Ctx, msg: InboundMessage, person: Person): Promise<void> {
  const open = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id);
  const audio = (msg.attachments ?? []).filter((a) => a.kind === 'audio').slice(0, 3);
  if (!open && audio.length) {
    // No ticket yet: remembered until the typed report opens one (keepVoiceForNewTicket).
    await ctx.tx.pendingQuestion.create({
      data: {
        chatId: ctx.chat.id,
        personId: person.id,
        ticketId: null,
        kind: VOICE,
        data: JSON.stringify({ messageId: msg.messageId, keys: audio.map((a) => a.key.slice(0, 200)) }),
        askedAt: ctx.now,
        // Never an open question to answer (openQuestion looks at unexpired ones only).
        expiresAt: ctx.now,
        state: 'open',
      },
    });
    questionWritten(ctx, { ticketId: null, personId: person.id, kind: VOICE });
  }
  const where = open ? R.voiceSavedTo.text({ title: ticketTitle(open) }) : R.voiceSaved.text();
  await ctx.reply(
    { kind: 'text', text: R.voiceUnreadable.text({ saved: where }), mentions: [mentionOf(person)], replyTo: msg.messageId, expectsAnswer: true },
    { ...(open ? { ticketId: open.id } : {}) },
  );
}

/** After a ticket was opened in this transaction: the voice messages its reporter sent just before are kept on it. */
export async function keepVoiceForNewTicket(ctx: Ctx, msg: InboundMessage, person: Person): Promise<void> {
  if (!ctx.createdTickets.size || noStoredQuestions(ctx, person.id, (k) => k === VOICE)) return;
  const ticketId = Math.max(...ctx.createdTickets);
  const { contract } = await ctx.tickets.contractOf(ctx.chat.customerId);
  const windowMs = contract.intake.mergeWindow.seconds * 1000 * 5;
  const voices = await ctx.tx.pendingQuestion.findMany({
    where: { chatId: ctx.chat.id, personId: person.id, kind: VOICE, state: { not: 'answered' }, askedAt: { gte: new Date(ctx.now.getTime() - windowMs) } },
    orderBy: { id: 'asc' },
    take: 5,
  });
  for (const v of voices) {
    let data: { messageId?: unknown; keys?: unknown };
    try {
      data = JSON.parse(v.data) as typeof data;
    } catch {
      data = {};
    }
    const keys = Array.isArray(data.keys) ? data.keys.filter((k): k is string => typeof k === 'string') : [];
    if (typeof data.messageId === 'string') {
      for (const key of keys) {
        await ctx.tx.attachment.upsert({
          where: { channel_messageId_key: { channel: msg.channel, messageId: data.messageId, key } },
          update: {},
          create: { ticketId, channel: msg.channel, messageId: data.messageId, key, kind: 'audio', createdAt: ctx.now },
        });
      }
    }
    await ctx.tx.pendingQuestion.update({ where: { id: v.id }, data: { state: 'answered', ticketId } });
  }
}

/** Shared locations and cards, noted on the sender's open ticket in this chat. */
export async function noteOnTicket(ctx: Ctx, msg: InboundMessage, person: Person): Promise<void> {
  const notes = (msg.notes ?? []).slice(0, 5);
  if (!notes.length) return;
  const ticket = await ctx.tickets.latestOfReporter(ctx.chat.id, person.id);
  if (!ticket) return;
  for (const note of notes) await recordEvent(ctx, ticket, 'note', { note: note.slice(0, 200), messageId: msg.messageId });
  if (ctx.outcome === 'ignored') ctx.outcome = 'processed';
}
