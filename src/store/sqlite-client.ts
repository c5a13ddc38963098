/**
 * The SQLite client: the generated SQLite Prisma client over better-sqlite3, with the
 * service's pragmas and its statements prepared once per connection. Imported only where
 * SQLite is the configured database (open.ts loads it on demand), or by client.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import type Database from 'better-sqlite3';
import { cacheStatements } from './statement-cache.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { sqliteFilePath } from './migrate.js';

/** Per-connection settings for a service: concurrent readers beside one writer, waits instead of SQLITE_BUSY, FKs enforced. */
export const SQLITE_PRAGMAS = [
  'PRAGMA journal_mode = WAL', // persistent in the file; readers don't block the writer
  'PRAGMA synchronous = NORMAL', // safe with WAL: a power cut may lose the last commits, never corrupt
  'PRAGMA foreign_keys = ON', // better-sqlite3 defaults to ON; said explicitly because the schema relies on it
  'PRAGMA busy_timeout = 5000', // also set through the `timeout` option below
] as const;

/** How long a SQLite statement waits for another connection's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The better-sqlite3 adapter has no hook for pragmas (only better-sqlite3's own options, of which
 * `timeout` is the busy timeout). Its connect() opens the connection, so run them right after it;
 * executeScript is better-sqlite3's exec().
 */
class ServiceSqliteAdapterFactory extends PrismaBetterSqlite3 {
  override async connect(): Promise<SqlDriverAdapter> {
    const adapter = await super.connect();
    await adapter.executeScript(`${SQLITE_PRAGMAS.join(';\n')};`);
    // Statements prepared once per text (statement-cache.ts): the adapter prepares each query afresh.
    const client = (adapter as unknown as { client?: Database.Database }).client;
    if (!client || typeof client.prepare !== 'function') throw new Error('the better-sqlite3 adapter no longer exposes its connection as `client`: see src/store/statement-cache.ts');
    cacheStatements(client);
    return adapter;
  }
}

/** The SQLite client for a "file:…" URL (not connected yet: the first query connects). */
export function createSqliteClient(url: string): SqliteClient {
  const file = sqliteFilePath(url);
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const adapter = new ServiceSqliteAdapterFactory({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  return new SqliteClient({ adapter });
}
