/**
 * Per-room pacing for WeChat sends, so the account is not flagged for bursts:
 * - at least `minIntervalMs` between the END of one send in a room and the
 *   START of the next (measured from completion, so the gap WeChat sees is
 *   never shorter than the interval, whatever the puppet's latency);
 * - at most `maxPerMinute` send starts in any sliding 60 s window per room;
 * - sends in one room run one at a time, in call order; rooms are independent;
 * - a send that would have to wait longer than `maxWaitMs` is not held: it is
 *   rejected with RetryableSendError(retryAfterMs), so the outbox dispatcher
 *   retries it later instead of keeping a promise open for minutes.
 *
 * nextSendAt() is the whole scheduling rule as a pure function; Pacer adds the
 * queue per room and an injectable clock (tests use a fake one).
 */
import { RetryableSendError } from '../../core/channel.js';

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PaceLimits {
  /** Minimum gap between two sends in one room. Default 1500 ms. */
  minIntervalMs: number;
  /** Most sends started in one room in any 60 s window. Default 20. */
  maxPerMinute: number;
}

export const DEFAULT_PACE: PaceLimits = { minIntervalMs: 1500, maxPerMinute: 20 };
export const WINDOW_MS = 60_000;

/** What the pacer remembers of one room. */
export interface RoomPaceState {
  /** When the last send in this room finished (successfully or not). */
  lastDoneAt?: number;
  /** Start times of sends within the last window, ascending. */
  starts: number[];
}

/** Earliest time (ms) the next send in this room may start. Pure. */
export function nextSendAt(state: RoomPaceState, now: number, limits: PaceLimits): number {
  let at = now;
  if (state.lastDoneAt !== undefined) at = Math.max(at, state.lastDoneAt + limits.minIntervalMs);
  const recent = state.starts.filter((t) => t > now - WINDOW_MS);
  if (limits.maxPerMinute > 0 && recent.length >= limits.maxPerMinute) {
    // The window frees a slot when the oldest start that still counts drops out.
    const oldestCounting = recent[recent.length - limits.maxPerMinute]!;
    at = Math.max(at, oldestCounting + WINDOW_MS);
  }
  return at;
}

/** Forget starts that no longer count. Pure. */
export function pruneStarts(starts: number[], now: number): number[] {
  return starts.filter((t) => t > now - WINDOW_MS);
}

export interface PacerOptions extends Partial<PaceLimits> {
  /** Longest a send may wait for its slot before it is handed back as retryable. Default 60 s. */
  maxWaitMs?: number;
  clock?: PacerClock;
}

interface RoomQueue {
  state: RoomPaceState;
  tail: Promise<void>;
  pending: number;
}

export class Pacer {
  readonly limits: PaceLimits;
  readonly maxWaitMs: number;
  private readonly clock: PacerClock;
  private readonly rooms = new Map<string, RoomQueue>();

  constructor(opts: PacerOptions = {}) {
    this.limits = {
      minIntervalMs: opts.minIntervalMs ?? DEFAULT_PACE.minIntervalMs,
      maxPerMinute: opts.maxPerMinute ?? DEFAULT_PACE.maxPerMinute,
    };
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.clock = opts.clock ?? systemClock;
  }

  /** Run `send` in `roomId`'s queue once pacing allows. Rejects with what `send` throws. */
  run<T>(roomId: string, send: () => Promise<T>): Promise<T> {
    this.sweep();
    const q = this.queue(roomId);
    q.pending += 1;
    const result = q.tail.then(async () => {
      let now = this.clock.now();
      let at = nextSendAt(q.state, now, this.limits);
      if (at - now > this.maxWaitMs) {
        throw new RetryableSendError(`wechat: room ${roomId} is paced, next slot in ${at - now} ms`, at - now);
      }
      while (now < at) {
        await this.clock.sleep(at - now);
        now = this.clock.now();
        at = nextSendAt(q.state, now, this.limits);
      }
      q.state.starts = pruneStarts(q.state.starts, now);
      q.state.starts.push(now);
      try {
        return await send();
      } finally {
        q.state.lastDoneAt = this.clock.now();
      }
    });
    q.tail = result.then(
      () => undefined,
      () => undefined,
    );
    void q.tail.then(() => {
      q.pending -= 1;
    });
    return result;
  }

  /** Sends queued or running in a room (for status and tests). */
  pending(roomId: string): number {
    return this.rooms.get(roomId)?.pending ?? 0;
  }

  private queue(roomId: string): RoomQueue {
    let q = this.rooms.get(roomId);
    if (!q) {
      q = { state: { starts: [] }, tail: Promise.resolve(), pending: 0 };
      this.rooms.set(roomId, q);
    }
    return q;
  }

  /** Drop idle rooms whose history no longer matters, so the map does not grow forever. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [id, q] of this.rooms) {
      const idleSince = q.state.lastDoneAt ?? 0;
      if (q.pending === 0 && now - idleSince > Math.max(WINDOW_MS, this.limits.minIntervalMs)) {
        this.rooms.delete(id);
      }
    }
  }
}
