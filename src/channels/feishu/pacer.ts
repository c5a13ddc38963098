/**
 * Feishu's send limits, kept on our side so that the platform rarely has to
 * refuse (230020 per chat, 99991400 per app): at most 5 messages a second to
 * one chat (shared by every bot in it) and 50 requests a second for the app
 * (回复消息 / 发送消息 pages: "5 QPS" per user and per group, "1000 次/分钟、50 次/秒").
 *
 * A sliding window of send times per chat and for the app. take() waits for a
 * free slot; a wait longer than maxWaitMs is not waited in-process: it throws
 * RetryableSendError with the time to wait, so the dispatcher reschedules the
 * row (and other chats are not held behind it).
 */
import { RetryableSendError } from '../../core/channel.js';

export interface PacerOptions {
  perChatPerSecond?: number;
  perAppPerSecond?: number;
  perAppPerMinute?: number;
  /** Longest wait taken in-process. Default 2 s. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

class Window {
  private readonly times: number[] = [];
  constructor(
    readonly limit: number,
    readonly spanMs: number,
  ) {}
  /** Milliseconds until one more fits (0: now). */
  waitAt(now: number): number {
    while (this.times.length && this.times[0]! <= now - this.spanMs) this.times.shift();
    if (this.times.length < this.limit) return 0;
    return this.times[this.times.length - this.limit]! + this.spanMs - now;
  }
  add(now: number): void {
    this.times.push(now);
  }
  get empty(): boolean {
    return this.times.length === 0;
  }
}

export class FeishuPacer {
  private readonly chats = new Map<string, Window>();
  private readonly appSecond: Window;
  private readonly appMinute: Window;
  private readonly perChat: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(o: PacerOptions = {}) {
    this.perChat = o.perChatPerSecond ?? 5;
    this.appSecond = new Window(o.perAppPerSecond ?? 50, 1000);
    this.appMinute = new Window(o.perAppPerMinute ?? 1000, 60_000);
    this.maxWaitMs = o.maxWaitMs ?? 2000;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Waits for a slot for `chatId` (undefined: an app-wide call such as a card update). */
  async take(chatId?: string): Promise<void> {
    for (;;) {
      const now = this.now();
      const chat = chatId === undefined ? undefined : this.chatWindow(chatId);
      const wait = Math.max(chat?.waitAt(now) ?? 0, this.appSecond.waitAt(now), this.appMinute.waitAt(now));
      if (wait <= 0) {
        chat?.add(now);
        this.appSecond.add(now);
        this.appMinute.add(now);
        this.prune();
        return;
      }
      if (wait > this.maxWaitMs) throw new RetryableSendError(`paced: Feishu send limit reached, next slot in ${wait} ms`, wait);
      await this.sleep(wait);
    }
  }

  private chatWindow(chatId: string): Window {
    let w = this.chats.get(chatId);
    if (!w) {
      // A little over a second: the platform counts arrivals, which network jitter can bunch up.
      w = new Window(this.perChat, 1100);
      this.chats.set(chatId, w);
    }
    return w;
  }

  /** Forget idle chats so the map does not grow with every chat ever sent to. */
  private prune(): void {
    if (this.chats.size < 1000) return;
    const now = this.now();
    for (const [id, w] of this.chats) {
      w.waitAt(now);
      if (w.empty) this.chats.delete(id);
    }
  }
}
