/**
 * Answers first, across threads. The webhook side (main thread) records a
 * message with one INSERT; the processing thread acts on events in
 * transactions of tens of milliseconds. On SQLite both write to one file, and
 * a writer that waits for the other's lock sleeps in SQLite's busy handler,
 * which does not take turns: a processing thread that starts its next
 * transaction at once could keep the answers waiting. So the answering side
 * counts its writes in flight in shared memory, and the processing thread
 * lets them through before it starts a transaction.
 */

/** How long the processing thread waits for the answers at most before it goes on (a stuck counter must not stop it). */
const MAX_WAIT_MS = 200;

type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs: number) => { async: boolean; value: Promise<string> | string };

export class WriteGate {
  private readonly cell: Int32Array;

  constructor(readonly shared: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(shared);
  }

  /** The answering side: a write starts. */
  enter(): void {
    Atomics.add(this.cell, 0, 1);
  }

  /** The answering side: a write ended (committed or failed). */
  leave(): void {
    if (Atomics.sub(this.cell, 0, 1) <= 1) Atomics.notify(this.cell, 0);
  }

  /** The processing side: resolves once no answer's write is in flight (or after MAX_WAIT_MS). */
  async clear(): Promise<void> {
    const end = performance.now() + MAX_WAIT_MS;
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    for (let v = Atomics.load(this.cell, 0); v > 0; v = Atomics.load(this.cell, 0)) {
      const left = end - performance.now();
      if (left <= 0) return;
      const r = waitAsync(this.cell, 0, v, left);
      if (r.async) await r.value;
    }
  }
}
