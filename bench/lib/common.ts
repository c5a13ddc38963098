/**
 * Shared pieces of the benchmarks: statistics, the machine, the bot's
 * dependencies built the way the composition root builds them, and throw-away
 * databases (a SQLite file in a temp folder, or a PostgreSQL database on the
 * server of TEST_DATABASE_URL that is dropped afterwards).
 */
import { execSync } from 'node:child_process';
import os from 'node:os';

export const PG_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function log(...args: unknown[]): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.map(String).join(' ')}\n`);
}

export interface Machine {
  cpu: string;
  cores: number;
  ram_gb: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ram_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export function postgresVersion(url = PG_SERVER_URL): string | null {
  try {
    return execSync(`psql "${url}" -Atc "show server_version"`, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
  } catch {
    return null;
  }
}

/** Resident set size of a process in MB (Linux /proc), or of this one. */
export async function rssMb(pid?: number): Promise<number> {
  if (pid === undefined) return process.memoryUsage().rss / 2 ** 20;
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export type { TestStore as BenchDb } from '../../test/support/chaos.js';
export { freshStore as freshDb, makeBot, quietConfig as benchConfig } from '../../test/support/chaos.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function pgAvailable(): boolean {
  return postgresVersion() !== null;
}
