/** What the service's main thread and its processing thread say to each other (processing/thread.ts, processing/worker.ts). */
import type { Config } from '../../config.js';

export interface ProcessingData {
  config: Config;
  /** The write gate's shared cell (write-gate.ts). */
  gate: SharedArrayBuffer;
  /** The channels the service runs: the processing thread writes replies only for them. */
  channels: string[];
}

/** Main → processing. */
export type ToProcessing =
  | { type: 'queued' }
  | { type: 'run'; id: number; work: 'processQueued' | 'fireDue' }
  | { type: 'stop' };

/** Processing → main. */
export type FromProcessing =
  | { type: 'ready' }
  | { type: 'outbox' }
  | { type: 'done'; id: number; n: number }
  | { type: 'failed'; id: number; error: string }
  | { type: 'stopped' };
