/**
 * Opens the store migrated: the pending migrations are applied first (a database
 * already up to date is only read, without a lock: the service starts beside
 * another connection to the same SQLite file — a report command, an sqlite3 shell).
 */
import type { PrismaHandle } from './client.js';
import { applyMigrations, providerOf, readMigrations } from './migrate.js';
import type { Db } from './types.js';

/** Whether every migration of this checkout is applied to the database. */
export async function isMigrated(db: Db, provider: 'sqlite' | 'postgresql'): Promise<boolean> {
  try {
    const rows = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(rows.map((r) => r.migration_name));
    return readMigrations(provider).every((m) => done.has(m.name));
  } catch {
    return false; // no _prisma_migrations yet: a new database
  }
}

export async function openMigratedStore(url: string, opts: { log?: (line: string) => void } = {}): Promise<PrismaHandle> {
  await applyMigrations(url, opts);
  return openPrismaClient(url);
}

/**
 * The Prisma client for `url`, as createPrismaClient (client.ts) makes it, loading only the
 * generated client and the driver adapter of that database (each is several MB of code and
 * heap per thread: the service never needs both). Not connected yet.
 */
export async function openPrismaClient(url: string): Promise<PrismaHandle> {
  const provider = providerOf(url);
  if (provider === 'sqlite') {
    const { createSqliteClient } = await import('./sqlite-client.js');
    return { prisma: createSqliteClient(url), provider };
  }
  const { createPostgresClient } = await import('./postgres-client.js');
  return { prisma: createPostgresClient(url), provider };
}
