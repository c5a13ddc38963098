/**
 * The outbox dispatcher: sends what the bot wrote, in order per chat, through
 * the channels; what a channel cannot show is turned into plain text first
 * (fitToChannel: a card becomes numbered choices). A row is marked sent only after the platform accepted
 * it; rate limits and platform errors back off and retry; a permanent error is
 * recorded on the row and skipped. A crash loses nothing: rows still pending,
 * or claimed by a sender that died, go on the next pass. The row's idempotency
 * key keeps a retried send from posting twice where the platform supports it.
 */
import type { Logger } from 'pino';
import type { Db, Outbox } from '../store/types.js';
import { WorkLoop } from '../core/work-loop.js';
import { PermanentSendError, RetryableSendError, UndeliverableError, type Channel, type ChannelName, type OutboundAction } from '../core/channel.js';
import { fitToChannel } from '../core/plain-text.js';

/** What the dispatcher needs of a channel. */
export type SendingChannel = Pick<Channel, 'send' | 'capabilities'> & Partial<Pick<Channel, 'sendsHere'>>;

export interface DispatcherOptions {
  db: Db;
  log: Logger;
  channels: Map<ChannelName, SendingChannel>;
  /**
   * How long a claimed row belongs to this sender before another may take it (default 30 s: well
   * above one send, whose platform requests time out after 10 s). After a crash, the rows the dead
   * process had claimed wait this long; their chats' later rows wait behind them, in order.
   */
  claimMs?: number;
  /** Retries before a row is given up as failed. */
  maxAttempts?: number;
  /** Chats sent to at the same time. */
  concurrency?: number;
  /** Wall clock for backoff (tests inject one). */
  now?: () => number;
  /** Called after each row is settled (metrics). */
  onSettled?: (row: Outbox, outcome: 'sent' | 'retry' | 'failed', error?: Error) => void;
  /**
   * A message for the customer the platform will not take now (UndeliverableError): settles the
   * row as failed and tells the staff, in one transaction (bot/undelivered.ts). Unset: the row
   * just fails.
   */
  onUndeliverable?: (row: Outbox, error: UndeliverableError) => Promise<void>;
}

export function backoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, 15 * 60_000);
  const base = Math.min(1000 * 2 ** (attempt - 1), 10 * 60_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export class Dispatcher {
  private readonly claimMs: number;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly loop: WorkLoop;

  constructor(private readonly opts: DispatcherOptions) {
    this.claimMs = opts.claimMs ?? 30_000;
    this.maxAttempts = opts.maxAttempts ?? 30;
    this.concurrency = opts.concurrency ?? 8;
    this.now = opts.now ?? Date.now;
    this.loop = new WorkLoop('dispatcher', () => this.drain(), opts.log);
  }

  /** The head of each chat's queue that may be sent now (public for the sla-tick benchmark). */
  async heads(): Promise<Outbox[]> {
    const now = new Date(this.now());
    const rows = await this.opts.db.outbox.findMany({
      where: { status: { in: ['pending', 'sending'] } },
      orderBy: { id: 'asc' },
      take: 1000,
    });
    const seen = new Set<string>();
    const out: Outbox[] = [];
    for (const r of rows) {
      const chat = `${r.channel}\u0000${r.chatPlatformId}`;
      if (seen.has(chat)) continue;
      seen.add(chat);
      const claimable = r.status === 'pending' ? r.nextAttemptAt <= now : (r.claimedUntil ?? now) < now;
      const channel = this.opts.channels.get(r.channel as ChannelName);
      // A replica on standby for a one-connection platform leaves the row to the one connected.
      if (claimable && channel && channel.sendsHere?.() !== false) out.push(r);
    }
    return out;
  }

  private async claim(row: Outbox): Promise<boolean> {
    const now = new Date(this.now());
    const r = await this.opts.db.outbox.updateMany({
      where: {
        id: row.id,
        OR: [
          { status: 'pending', nextAttemptAt: { lte: now } },
          { status: 'sending', claimedUntil: { lt: now } },
        ],
      },
      data: { status: 'sending', claimedUntil: new Date(now.getTime() + this.claimMs), attempts: { increment: 1 } },
    });
    return r.count === 1;
  }

  private async sendOne(row: Outbox): Promise<void> {
    const channel = this.opts.channels.get(row.channel as ChannelName)!;
    const attempt = row.attempts + 1;
    let action: OutboundAction;
    try {
      action = JSON.parse(row.action) as OutboundAction;
    } catch {
      await this.settle(row, 'failed', new PermanentSendError('outbox row holds unreadable JSON'));
      return;
    }
    try {
      const fitted = fitToChannel(action, channel.capabilities);
      // Nothing this channel can show (a card update its chat already shows): done.
      const res = fitted ? await channel.send(fitted, { chatId: row.chatPlatformId, idempotencyKey: row.idempotencyKey, attempt }) : {};
      // updateMany: nothing to read back (update would return the whole row, its action JSON too).
      await this.opts.db.outbox.updateMany({
        where: { id: row.id },
        data: { status: 'sent', sentAt: new Date(this.now()), platformMessageId: res.messageId ?? null, claimedUntil: null, lastError: null },
      });
      this.opts.onSettled?.(row, 'sent');
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (err instanceof UndeliverableError && this.opts.onUndeliverable && !('audience' in action && action.audience === 'staff')) {
        await this.opts.onUndeliverable(row, err);
        this.opts.onSettled?.(row, 'failed', err);
        this.opts.log.warn({ outbox: row.id, err: err.message }, 'not deliverable to the customer now; the staff were told');
      } else if (err instanceof PermanentSendError || attempt >= this.maxAttempts) {
        await this.settle(row, 'failed', err);
      } else {
        const wait = backoffMs(attempt, err instanceof RetryableSendError ? err.retryAfterMs : undefined);
        await this.opts.db.outbox.updateMany({
          where: { id: row.id },
          data: { status: 'pending', nextAttemptAt: new Date(this.now() + wait), claimedUntil: null, lastError: clipError(err) },
        });
        this.opts.onSettled?.(row, 'retry', err);
        this.opts.log.warn({ outbox: row.id, attempt, waitMs: wait, err: err.message }, 'send failed; will retry');
      }
    }
  }

  private async settle(row: Outbox, outcome: 'failed', err: Error): Promise<void> {
    await this.opts.db.outbox.updateMany({ where: { id: row.id }, data: { status: 'failed', claimedUntil: null, lastError: clipError(err) } });
    this.opts.onSettled?.(row, outcome, err);
    this.opts.log.error({ outbox: row.id, err: err.message }, 'send failed permanently; recorded on the outbox row');
  }

  /** One pass: sends the head of every chat's queue, repeating until nothing is due. Returns rows settled. */
  async drain(): Promise<number> {
    let total = 0;
    for (let round = 0; round < 10_000; round++) {
      const heads = await this.heads();
      if (!heads.length) break;
      let progressed = 0;
      for (let i = 0; i < heads.length; i += this.concurrency) {
        const batch = heads.slice(i, i + this.concurrency);
        const results = await Promise.all(
          batch.map(async (row) => {
            if (!(await this.claim(row))) return 0;
            await this.sendOne(row);
            return 1;
          }),
        );
        progressed += results.reduce<number>((a, b) => a + b, 0);
      }
      total += progressed;
      if (!progressed) break;
    }
    return total;
  }

  /** Asks the running loop for a pass soon (called after a transaction wrote outbox rows). */
  notify(): void {
    this.loop.notify();
  }

  start(pollMs = 1000): void {
    this.loop.start(pollMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}

function clipError(e: Error): string {
  const code = (e as { code?: unknown }).code;
  return `${e.name}${code !== undefined ? ` ${String(code)}` : ''}: ${e.message}`.slice(0, 1000);
}
