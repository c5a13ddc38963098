/**
 * The door: every inbound event (from a channel, the replay CLI, the tests) is
 * checked, deduplicated and recorded here, once. A platform with a short
 * answer deadline (Feishu: 3 s) defers: its message is only queued and
 * answered at once (the queue worker acts on it right after); anything else
 * is recorded and acted on in one transaction (act.ts). A redelivery — the
 * same event or message id, or the same text from the same person moments
 * ago — does nothing.
 */
import { createHash } from 'node:crypto';
import { CHANNELS, InvalidEventError, type InboundEvent, type InboundMessage, type ReceiveOptions, type ReceiveResult } from '../../core/channel.js';
import { isUniqueViolation, transaction, withRetry } from '../../core/transactions.js';
import { normalise } from '../../domain/commands.js';
import { parseCommand } from '../commands/index.js';
import type { InboundEventRow, Tx } from '../../store/types.js';
import type { BotDeps } from '../context.js';
import { act } from './act.js';
import { preread } from './preread.js';
import type { ArrivalPacing } from './pacing.js';
import { QueueWriter } from './queue-writer.js';

const MAX_TEXT = 20_000;
const MAX_ID = 200;

function checkEvent(ev: InboundEvent): void {
  const bad = (what: string) => {
    throw new InvalidEventError(`invalid inbound event: ${what}`);
  };
  if (!ev || typeof ev !== 'object') bad('not an object');
  if (!CHANNELS.includes(ev.channel)) bad(`unknown channel "${String(ev.channel)}"`);
  for (const [name, v] of [['eventId', ev.eventId], ['chat.id', ev.chat?.id], ['sender.id', ev.sender?.id]] as const) {
    if (typeof v !== 'string' || !v.trim() || v.length > MAX_ID) bad(`${name} must be a non-empty string of at most ${MAX_ID} characters`);
  }
  if (!(ev.at instanceof Date) || Number.isNaN(ev.at.getTime())) bad('at must be a valid Date');
  if (ev.type === 'message' || ev.type === 'click' || ev.type === 'recall') {
    if (typeof ev.messageId !== 'string' || !ev.messageId || ev.messageId.length > MAX_ID) bad('messageId must be a non-empty string');
  }
  if (ev.type === 'message' && typeof ev.text !== 'string') bad('text must be a string');
  if (ev.type === 'click' && (typeof ev.value !== 'string' || ev.value.length > 200)) bad('value must be a string');
}

/**
 * The event with NUL characters removed from its strings: PostgreSQL refuses
 * them in text columns (the insert would fail, and the platform redeliver for
 * ever), and no chat text needs them. The platform's raw event is left as it
 * came: it is stored as JSON, where a NUL is written as an escape.
 */
function withoutNul<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\u0000') ? v.replaceAll('\u0000', '') : v) as T;
  if (Array.isArray(v)) return v.map(withoutNul) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'raw' ? x : withoutNul(x);
    return out as T;
  }
  return v;
}

/** Sender and normalised text, hashed: the same text from the same person moments ago is a platform duplicate. */
function textKey(ev: InboundMessage): string | null {
  const t = normalise(ev.text);
  // Short texts ("1", "好的") legitimately repeat, and so do commands (a manager
  // re-sends 转派 after fixing a role); only other text is a platform duplicate.
  if (t.length < 4 || parseCommand(ev.text)) return null;
  return createHash('sha1').update(`${ev.chat.id}\u0000${ev.sender.id}\u0000${t}`).digest('hex');
}

function safeJson(v: unknown): string | null {
  try {
    const s = JSON.stringify(v);
    return s && s.length <= 200_000 ? s : s ? s.slice(0, 200_000) : null;
  } catch {
    return null;
  }
}

export class Inbound {
  /** Writes deferred messages into the inbound queue, one write at a time (queue-writer.ts). */
  private queueWriter: QueueWriter | null = null;

  constructor(
    private readonly deps: BotDeps,
    private readonly pacing: ArrivalPacing,
  ) {}

  private get duplicateWindowS(): number {
    return this.deps.contracts.default.contract.intake.duplicateTextWindow.seconds;
  }

  /**
   * Records an inbound event and acts on it. With `defer`, a message is only
   * recorded (queued) and answered at once; the queue worker acts on it right
   * after, in its own transaction. Clicks are never deferred: their answer is the result.
   */
  async receive(input: InboundEvent, opts: ReceiveOptions = {}): Promise<ReceiveResult> {
    const ev = withoutNul(input);
    checkEvent(ev);
    if (opts.defer === true && ev.type === 'message') {
      this.pacing.noteArrival();
      const result = await withRetry(() => this.enqueue(ev));
      if (result.status === 'queued') this.deps.onQueued?.();
      return result;
    }
    // The LLM reader (when on) is asked here, before the transaction: no network call inside one.
    const read = await preread(this.deps, ev);
    const result = await withRetry(
      async () => {
        try {
          return await transaction(this.deps.db, async (tx) => {
            const now = this.deps.clock.now();
            const recorded = await this.record(tx, ev, now);
            if (!recorded) return { status: 'duplicate' } as ReceiveResult;
            return act(this.deps, tx, ev, recorded, now, read);
          });
        } catch (e) {
          // The same event inserted by a concurrent delivery: a duplicate, not an error.
          if (isUniqueViolation(e) && (await this.alreadyRecorded(ev))) return { status: 'duplicate' } as ReceiveResult;
          throw e;
        }
      },
      { retryUnique: true },
    );
    if (result.status !== 'duplicate') this.deps.onOutbox?.();
    return result;
  }

  /**
   * Records a message to be acted on later (receive with defer): the whole
   * answer path. Inserted unless its event or message id is stored already (a
   * redelivery: duplicate); the same text from the same person moments ago (a
   * platform duplicate under a new id) is stored as ignored, as record() does.
   */
  private enqueue(ev: InboundMessage): Promise<ReceiveResult> {
    this.queueWriter ??= new QueueWriter({
      db: this.deps.db,
      postgres: this.deps.provider === 'postgresql',
      now: () => this.deps.clock.now(),
      duplicateWindowS: this.duplicateWindowS,
      ...(this.deps.writeGate ? { gate: this.deps.writeGate } : {}),
    });
    const { raw, ...neutral } = ev;
    return this.queueWriter.write({
      ev,
      textKey: textKey(ev),
      payload: safeJson(neutral),
      raw: raw === undefined ? null : safeJson(raw),
      text: ev.text.slice(0, MAX_TEXT),
    });
  }

  private async alreadyRecorded(ev: InboundEvent): Promise<boolean> {
    const hit = await this.deps.db.inboundEvent.findFirst({
      where: {
        channel: ev.channel,
        OR: [{ eventId: ev.eventId }, ...(ev.type === 'message' || ev.type === 'click' ? [{ messageId: ev.messageId }] : [])],
      },
      select: { id: true },
    });
    return hit !== null;
  }

  /** Stores the event once (null when it was seen before: same id, or same text moments ago). */
  private async record(tx: Tx, ev: InboundEvent, now: Date): Promise<InboundEventRow | null> {
    const messageId = ev.type === 'message' ? ev.messageId : ev.type === 'click' ? `click:${ev.eventId}` : ev.type === 'recall' ? `recall:${ev.messageId}` : null;
    const key = ev.type === 'message' ? textKey(ev) : null;
    const windowS = this.duplicateWindowS;
    // One lookup for both: the same delivery (event or message id) and the same text moments ago.
    // Rows of the second kind may hide one of the first beyond `take`: the insert below then hits
    // the unique index, and receive() answers duplicate all the same.
    // The channel is repeated in each branch: SQLite then searches the three indexes (a
    // MULTI-INDEX OR); with it outside, it scans the channel's rows.
    const { channel } = ev;
    const seen = await tx.inboundEvent.findMany({
      where: {
        OR: [
          { channel, eventId: ev.eventId },
          ...(messageId ? [{ channel, messageId }] : []),
          ...(key ? [{ channel, textKey: key, receivedAt: { gte: new Date(now.getTime() - windowS * 1000) } }] : []),
        ],
      },
      select: { eventId: true, messageId: true },
      take: 3,
    });
    if (seen.some((r) => r.eventId === ev.eventId || (messageId !== null && r.messageId === messageId))) return null;
    const sameText = seen.length > 0;
    const { raw } = ev;
    const row = await tx.inboundEvent.create({
      data: {
        channel: ev.channel,
        eventId: ev.eventId,
        messageId,
        chatPlatformId: ev.chat.id,
        senderPlatformId: ev.sender.id,
        type: ev.type,
        text: ev.type === 'message' ? ev.text.slice(0, MAX_TEXT) : ev.type === 'click' ? ev.value : null,
        textKey: key,
        receivedAt: now,
        occurredAt: ev.at,
        outcome: sameText ? 'ignored' : 'processed',
        error: sameText ? 'same text from the same person moments ago (platform duplicate)' : null,
        raw: raw === undefined ? null : safeJson(raw),
      },
    });
    return sameText ? null : row;
  }
}
