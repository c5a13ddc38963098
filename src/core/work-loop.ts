/**
 * A background loop that runs one pass of work, then sleeps until it is
 * notified or its poll interval passes. Used by the outbox dispatcher and the
 * inbound queue: notify() after a commit means no waiting for the next poll.
 */
import type { Logger } from 'pino';

export class WorkLoop {
  private running = false;
  private wake: (() => void) | null = null;
  private pending = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** Asks the running loop for a pass soon. */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  start(pollMs = 1000): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.pending = false;
        try {
          await this.pass();
        } catch (e) {
          this.log.error({ err: e }, `${this.name} pass failed`);
        }
        if (!this.running) break;
        if (this.pending) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}

/**
 * Resolves after the event loop had a turn (I/O callbacks, timers). Between two
 * transactions of a long pass: on SQLite no query waits for I/O, so a pass would
 * otherwise hold the loop, and no webhook would be answered meanwhile.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
