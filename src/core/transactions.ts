/**
 * The one place that owns a transaction: how long it may wait and run, when
 * it is tried again, and how the database's errors are told apart. One inbound
 * event, one claimed queue row or one batch of timers is one transaction.
 */
import type { Db, Tx } from '../store/types.js';

/** Waiting for a connection and running: generous, so a busy pool or a slow disk fails a transaction rarely. */
export const TRANSACTION_LIMITS = { timeout: 15_000, maxWait: 15_000 } as const;

/** Tries of a transaction that hit a conflict (the first one included). */
export const TRANSACTION_TRIES = 4;

/** Another transaction inserted the same unique key first (Prisma P2002, or the driver adapter's report of it). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  return err?.code === 'P2002' || err?.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation' || /Unique constraint failed/i.test(err?.message ?? '');
}

/** A write conflict that goes away when the transaction is run again: a PostgreSQL deadlock or serialisation failure, SQLITE_BUSY under load. */
export function isRetryableConflict(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'P2034' || /deadlock|could not serialize|SQLITE_BUSY|database is locked/i.test(err?.message ?? '');
}

export interface RetryOptions {
  /** Also try again after a unique-index race (another replica inserted the same chat or person first: the next try finds the row). */
  retryUnique?: boolean;
}

/** Runs `work`, trying again up to TRANSACTION_TRIES times while it fails with a conflict. */
export async function withRetry<T>(work: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      const retry = isRetryableConflict(e) || (opts.retryUnique === true && isUniqueViolation(e));
      if (retry && attempt < TRANSACTION_TRIES) continue;
      throw e;
    }
  }
}

/** One interactive transaction with the service's limits; not tried again (see inTransaction). */
export function transaction<T>(db: Db, work: (tx: Tx) => Promise<T>, limits: { timeout?: number; maxWait?: number } = {}): Promise<T> {
  return db.$transaction(work, { ...TRANSACTION_LIMITS, ...limits });
}

/** One interactive transaction, tried again on conflicts (withRetry). */
export function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  return withRetry(() => transaction(db, work), opts);
}
