/**
 * Whether the database takes writes now. A SELECT 1 answers while the disk is
 * full, the file is read-only or PostgreSQL is in recovery, and every message
 * then fails; so /healthz also writes: one small row (Setting "health.write"),
 * at most every few seconds however often it is asked, shared by concurrent
 * callers. A background check every half minute logs the moments writes stop
 * and start again; health recovers by itself with the next successful write.
 */
import type { Db } from './types.js';

export interface WriteStatus {
  ok: boolean;
  /** The database's answer when a write failed (first line). */
  error?: string;
  checkedAt: Date;
}

export interface WriteProbeOptions {
  /** A result younger than this is reused (default 5 s). */
  maxAgeMs?: number;
  log?: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export const WRITE_PROBE_KEY = 'health.write';

export class WriteProbe {
  private last: WriteStatus | null = null;
  private running: Promise<WriteStatus> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private refusedSince: Date | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: WriteProbeOptions = {},
  ) {}

  /** The latest result, probing again when it is older than maxAgeMs. */
  status(): Promise<WriteStatus> {
    const maxAge = this.opts.maxAgeMs ?? 5000;
    if (this.last && Date.now() - this.last.checkedAt.getTime() < maxAge) return Promise.resolve(this.last);
    this.running ??= this.probe().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Probes every `intervalMs` in the background (unref'd), logging when writes stop and resume. */
  start(intervalMs = 30_000): void {
    this.timer ??= setInterval(() => void this.status(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async probe(): Promise<WriteStatus> {
    const checkedAt = new Date();
    const value = `${checkedAt.toISOString()} pid ${process.pid}`;
    let result: WriteStatus;
    // No timeout of its own: a busy database makes the probe wait like any write (a slow write is
    // not a refused one), and a database that does not answer already fails the SELECT before it.
    try {
      await this.db.setting.upsert({ where: { key: WRITE_PROBE_KEY }, update: { value }, create: { key: WRITE_PROBE_KEY, value } });
      result = { ok: true, checkedAt };
    } catch (e) {
      result = { ok: false, error: firstLine(e), checkedAt };
    }
    const before = this.last;
    this.last = result;
    if (!result.ok && before?.ok !== false) this.opts.log?.error({ error: result.error }, 'the database refuses writes: messages cannot be recorded until this is fixed');
    if (!result.ok && before?.ok !== false) this.refusedSince = checkedAt;
    // At the failure's level, so that a log filtered to warnings shows both ends of the outage.
    if (result.ok && before?.ok === false) this.opts.log?.warn({ refusedForSeconds: Math.round((checkedAt.getTime() - (this.refusedSince ?? checkedAt).getTime()) / 1000) }, 'the database takes writes again');
    return result;
  }
}

/** What the database said: the driver's message when Prisma carries it, else the error's last line. */
function firstLine(e: unknown): string {
  const cause = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: string; originalMessage?: string; message?: string; code?: string } } } })?.meta?.driverAdapterError?.cause;
  if (cause?.originalMessage || cause?.message) {
    const code = cause.originalCode ?? cause.code;
    return `${cause.originalMessage ?? cause.message}${code ? ` (${code})` : ''}`.slice(0, 300);
  }
  const lines = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? 'write failed').slice(0, 300);
}

/**
 * The database's refusal to store anything (a full disk, a read-only file or
 * database, PostgreSQL's disk_full or read-only transaction): its words, or null
 * for any other error. The web layer answers such a request 503 "try again later"
 * instead of a bare 500, since nothing was recorded and nothing is wrong with it.
 */
export function storageRefusal(e: unknown): string | null {
  const text = `${e instanceof Error ? e.message : String(e)} ${JSON.stringify((e as { meta?: unknown })?.meta ?? '')} ${(e as { code?: unknown })?.code ?? ''}`;
  return /SQLITE_FULL|SQLITE_READONLY|database or disk is full|readonly database|read-only|ENOSPC|no space left|disk_full|\b53100\b|\b25006\b/i.test(text) ? firstLine(e) : null;
}
