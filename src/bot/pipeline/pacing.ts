/**
 * Answers first. A webhook's answer (one INSERT) costs about a millisecond; acting on
 * the event costs tens (on SQLite no query waits for I/O, so it holds the event loop
 * for that long), and an answer needs a few turns of the loop. While messages arrive,
 * the queue is therefore worked at a slower pace, one event and then a pause, and the
 * backlog drains at full speed once the burst is over.
 */
export function pauseWhileArriving(recent: number, sinceLastMs: number): number {
  if (recent >= 50) return 500; // ≥ 500 messages/s: answering takes the whole core; two events a second still go through
  if (recent >= 10) return 100; // ≥ 100 messages/s: about ten events a second
  if (sinceLastMs < 50) return 20;
  return 0;
}

/** Counts deferred messages as they are recorded, and says how long the queue worker pauses between two events. */
export class ArrivalPacing {
  /** When the last came (performance.now()), and how many in this and the previous 100 ms. */
  private arrivals = { last: -Infinity, windowStart: 0, count: 0, previous: 0 };

  /** A message was recorded (counted once, not once per retry). */
  noteArrival(): void {
    const a = this.arrivals;
    const now = performance.now();
    if (now - a.windowStart >= 100) {
      a.previous = now - a.windowStart < 200 ? a.count : 0;
      a.windowStart = now;
      a.count = 0;
    }
    a.count++;
    a.last = now;
  }

  /** The pause after one queued event, by how fast messages arrive now. */
  pauseMs(): number {
    const a = this.arrivals;
    const now = performance.now();
    const recent = now - a.windowStart < 100 ? Math.max(a.count, a.previous) : now - a.windowStart < 200 ? a.count : 0;
    return pauseWhileArriving(recent, now - a.last);
  }
}
