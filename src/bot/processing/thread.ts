/**
 * The main thread's side of the processing thread (worker.ts): starts it,
 * wakes it when a message was queued, asks it to fire due timers or work the
 * queue now, and wakes the dispatcher when it wrote replies. A thread that
 * ends unexpectedly is started again: the queue and the timers wait in the
 * database meanwhile, so nothing is lost.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { FromProcessing, ProcessingData, ToProcessing } from './messages.js';
import type { WriteGate } from './write-gate.js';

/** The worker's file: the compiled .js in dist/, the .ts source under tsx. */
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/**
 * The processing thread's V8 heap limits. It only acts on events and fires timers (exports
 * and digest charts are built on the main thread), and its live heap after a collection stays
 * near 60 MB however many reports it has acted on (bench/ANALYSIS.md, "Memory"); without a
 * limit V8 lets garbage grow to a few hundred MB before collecting, which is resident memory.
 * The old generation is capped at about twice the live heap, the young one at the main
 * thread's size (--max-semi-space-size=4: 3 × 4 MB). A thread that runs out of heap ends
 * (ERR_WORKER_OUT_OF_MEMORY), is started again below, and the queue waits in the database.
 */
export const PROCESSING_HEAP = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 12 } as const;

/**
 * Starts the worker. Under tsx (`node --import tsx src/server.ts`, the tests' and
 * `npm run dev`'s way) a worker thread does not inherit tsx's loader on Node 20, so
 * the .ts entry is imported from a small script that registers it first.
 */
function startWorker(workerData: ProcessingData): Worker {
  const resourceLimits = { ...PROCESSING_HEAP };
  if (!ENTRY.pathname.endsWith('.ts')) return new Worker(ENTRY, { workerData, resourceLimits });
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(ENTRY.href)}); })`, { eval: true, workerData, resourceLimits });
}

export class ProcessingThread {
  private worker: Worker | null = null;
  private stopping = false;
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly data: ProcessingData,
    private readonly opts: { log: Logger; onOutbox: () => void },
  ) {}

  static async start(config: Config, gate: WriteGate, channels: string[], opts: { log: Logger; onOutbox: () => void }): Promise<ProcessingThread> {
    const t = new ProcessingThread({ config, gate: gate.shared, channels }, opts);
    await t.spawn();
    return t;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = startWorker(this.data);
      let ready = false;
      w.on('message', (m: FromProcessing) => {
        if (m.type === 'ready') {
          ready = true;
          this.worker = w;
          resolve();
        } else if (m.type === 'outbox') this.opts.onOutbox();
        else if (m.type === 'done') this.settle(m.id, null, m.n);
        else if (m.type === 'failed') this.settle(m.id, new Error(m.error), 0);
      });
      w.on('error', (e) => {
        this.opts.log.error({ err: e }, 'processing thread failed');
        if (!ready) reject(e);
      });
      w.on('exit', (code) => {
        if (this.worker === w) this.worker = null;
        for (const id of [...this.calls.keys()]) this.settle(id, new Error(`processing thread exited (${code})`), 0);
        if (!ready || this.stopping) return;
        this.opts.log.error({ code }, 'processing thread exited; starting it again');
        setTimeout(() => void this.spawn().catch((e) => this.opts.log.error({ err: e }, 'processing thread did not start again')), 1000).unref();
      });
    });
  }

  private settle(id: number, error: Error | null, n: number): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    if (error) call.reject(error);
    else call.resolve(n);
  }

  private send(m: ToProcessing): void {
    this.worker?.postMessage(m);
  }

  /** A message was queued: work the queue soon. */
  notifyQueued(): void {
    this.send({ type: 'queued' });
  }

  private run(work: 'processQueued' | 'fireDue'): Promise<number> {
    if (!this.worker) return Promise.resolve(0);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.send({ type: 'run', id, work });
    });
  }

  /** Works the queue now (in the processing thread); resolves with how many events it handled. */
  processQueued(): Promise<number> {
    return this.run('processQueued');
  }

  /** Fires the timers due now (in the processing thread); resolves with how many fired. */
  fireDue(): Promise<number> {
    return this.run('fireDue');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const w = this.worker;
    if (!w) return;
    const stopped = new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.on('message', (m: FromProcessing) => {
        if (m.type === 'stopped') void w.terminate();
      });
    });
    this.send({ type: 'stop' });
    await Promise.race([stopped, new Promise<void>((r) => setTimeout(r, 10_000).unref())]);
    await w.terminate();
  }
}
