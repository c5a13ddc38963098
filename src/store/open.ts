/**
 * Opens the store migrated: a database already up to date is used as it is,
 * without starting the migration engine (on SQLite the engine needs the file
 * to itself, so a second process — a report command, an sqlite3 shell, a
 * rolling restart — would otherwise block the start); else the pending
 * migrations are applied first.
 */
import { createPrismaClient, type PrismaHandle } from './client.js';
import { applyMigrations, readMigrationsList } from './migrate.js';
import type { Db } from './types.js';

/** Whether every migration of this checkout is applied to the database. */
export async function isMigrated(db: Db, provider: 'sqlite' | 'postgresql'): Promise<boolean> {
  try {
    const rows = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(rows.map((r) => r.migration_name));
    return readMigrationsList(provider).migrationDirectories.every((d) => done.has(d.path));
  } catch {
    return false; // no _prisma_migrations yet: a new database
  }
}

export async function openMigratedStore(url: string, opts: { log?: (line: string) => void } = {}): Promise<PrismaHandle> {
  let handle = createPrismaClient(url);
  if (await isMigrated(handle.prisma, handle.provider)) {
    opts.log?.('database is up to date');
    return handle;
  }
  await handle.prisma.$disconnect();
  await applyMigrations(url, opts);
  handle = createPrismaClient(url);
  return handle;
}
