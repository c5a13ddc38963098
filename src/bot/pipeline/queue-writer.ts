/**
 * Writes arriving messages into the inbound queue (InboundEvent rows with
 * outcome "queued"): the whole of a webhook's answer path.
 *
 * One write is in flight at a time; whoever arrives meanwhile goes into the
 * next, several rows to one statement. So the check for the same text from the
 * same person moments ago (a platform duplicate under a new id) always sees
 * the rows written before it, on PostgreSQL too, where two statements running
 * at once would not see each other's rows; and under a burst the statement's
 * fixed cost is paid once per batch. A lone message is written at once.
 * (Across replicas the same text arriving at the same instant can still pass
 * twice: the id checks, which the unique indexes enforce, cannot.)
 */
import type { Db } from '../../store/client.js';
import type { InboundMessage, ReceiveResult } from '../../core/channel.js';

/** Rows per statement: 11 parameters each keeps one statement well under SQLite's 999. */
const MAX_BATCH = 50;

export interface QueuedRow {
  ev: InboundMessage;
  /** Sender and normalised text, hashed (inbound.ts textKey), or null. */
  textKey: string | null;
  /** The neutral event (JSON) the queue acts on later. */
  payload: string | null;
  /** The platform's raw event (JSON), kept for the record. */
  raw: string | null;
  /** Text as stored (clipped). */
  text: string;
}

export interface QueueWriterOptions {
  db: Db;
  postgres: boolean;
  now: () => Date;
  /** Seconds within which the same text from the same person is a platform duplicate. */
  duplicateWindowS: number;
  /** Tells a processing thread that answers are being written (processing/write-gate.ts). */
  gate?: { enter(): void; leave(): void };
}

const SAME_TEXT = 'same text from the same person moments ago (platform duplicate)';

type Waiter = { row: QueuedRow; resolve: (r: ReceiveResult) => void; reject: (e: unknown) => void };

export class QueueWriter {
  private waiting: Waiter[] = [];
  private writing = false;

  constructor(private readonly opts: QueueWriterOptions) {}

  /** Resolves queued (written), or duplicate (a redelivery; or the same text moments ago, stored as ignored). */
  write(row: QueuedRow): Promise<ReceiveResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    this.opts.gate?.enter();
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          const outcomes = await this.insert(batch.map((w) => w.row));
          batch.forEach((w, i) => w.resolve(statusOf(outcomes[i] ?? null)));
        } catch (e) {
          if (batch.length === 1) {
            batch[0]!.reject(e);
            continue;
          }
          // One bad row must not fail the others: each alone, so only its own request fails.
          for (const w of batch) {
            try {
              const [outcome] = await this.insert([w.row]);
              w.resolve(statusOf(outcome ?? null));
            } catch (e1) {
              w.reject(e1);
            }
          }
        }
      }
    } finally {
      this.writing = false;
      this.opts.gate?.leave();
    }
  }

  /**
   * One INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING for the batch: a row
   * whose event or message id is stored already (or earlier in the batch) is
   * not inserted (a redelivery); a row whose text the same person sent moments
   * ago (stored, or earlier in the batch) is stored as ignored. Returns each
   * row's outcome: queued, ignored, or null (not inserted).
   */
  private async insert(rows: QueuedRow[]): Promise<Array<string | null>> {
    const { postgres: pg } = this.opts;
    const now = this.opts.now();
    const since = new Date(now.getTime() - this.opts.duplicateWindowS * 1000);
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return pg ? `$${params.length}` : '?';
    };
    const ts = (v: Date) => (pg ? `CAST(${p(v)} AS timestamp(3))` : p(v));
    // Built in the order the text reads: SQLite binds "?" by position.
    const head =
      `INSERT INTO "InboundEvent" ("outcome", "error", "payload", "channel", "eventId", "messageId", "chatPlatformId", "senderPlatformId", "type", "text", "textKey", "receivedAt", "occurredAt", "raw") ` +
      `SELECT o.outcome, CASE WHEN o.outcome = 'ignored' THEN ${p(SAME_TEXT)} END, CASE WHEN o.outcome = 'queued' THEN o.column11 END, ` +
      `o.column2, o.column3, o.column4, o.column5, o.column6, 'message', o.column7, o.column8, ${ts(now)}, o.column9, o.column10 `;
    // VALUES columns are column1… on both databases: 1 seen earlier in the batch, 2 channel,
    // 3 eventId, 4 messageId, 5 chat, 6 sender, 7 text, 8 textKey, 9 occurredAt, 10 raw, 11 payload.
    const sameText =
      `v.column1 = 1 OR (v.column8 IS NOT NULL AND EXISTS (SELECT 1 FROM "InboundEvent" e ` +
      `WHERE e."channel" = v.column2 AND e."textKey" = v.column8 AND e."receivedAt" >= ${ts(since)}))`;
    const seenText = new Set<string>();
    const values = rows.map(({ ev, textKey, payload, raw, text }) => {
      // The same text twice in one batch: the second is the duplicate (EXISTS sees stored rows only).
      const k = `${ev.channel}\u0000${textKey}`;
      const textSeen = textKey !== null && seenText.has(k);
      if (textKey !== null) seenText.add(k);
      return `(${textSeen ? 1 : 0}, ${p(ev.channel)}, ${p(ev.eventId)}, ${p(ev.messageId)}, ${p(ev.chat.id)}, ${p(ev.sender.id)}, ${p(text)}, ${p(textKey)}, ${ts(ev.at)}, ${p(raw)}, ${p(payload)})`;
    });
    const sql =
      head +
      `FROM (SELECT CASE WHEN ${sameText} THEN 'ignored' ELSE 'queued' END AS outcome, v.* FROM (VALUES ${values.join(', ')}) AS v) AS o ` +
      // WHERE true: SQLite needs it before ON CONFLICT after a SELECT.
      `WHERE true ON CONFLICT DO NOTHING RETURNING "channel", "eventId", "outcome"`;
    const inserted = await this.opts.db.$queryRawUnsafe<Array<{ channel: string; eventId: string; outcome: string }>>(sql, ...params);
    const byEvent = new Map(inserted.map((r) => [`${r.channel}\u0000${r.eventId}`, r.outcome]));
    // The same event id twice in the batch: only the first is the inserted one.
    return rows.map(({ ev }) => {
      const k = `${ev.channel}\u0000${ev.eventId}`;
      const outcome = byEvent.get(k) ?? null;
      byEvent.delete(k);
      return outcome;
    });
  }
}

function statusOf(outcome: string | null): ReceiveResult {
  return { status: outcome === 'queued' ? 'queued' : 'duplicate' };
}
