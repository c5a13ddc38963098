/**
 * The Prisma client for a database URL: SQLite through better-sqlite3 ("file:…", the default) or
 * PostgreSQL through pg ("postgresql://…"). Both clients are generated from prisma/models.prisma
 * (`npm run db:generate`) and have the same model API.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import type Database from 'better-sqlite3';
import { cacheStatements } from './statement-cache.js';
import { PrismaClient as PostgresClient } from './generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { providerOf, sqliteFilePath, type Provider } from './migrate.js';

/**
 * The client type the rest of the code uses: the SQLite client's type.
 *
 * Both clients come from the same models, so their model delegates (prisma.ticket.findMany, …),
 * $transaction, and row types are the same; a PostgreSQL client is cast to this type. SQLite is the
 * narrower of the two (the PostgreSQL client adds e.g. `mode: 'insensitive'` filters and
 * `createMany({ skipDuplicates })`), so code that type-checks against `Db` uses only what works on
 * both databases. Do not use provider-only features through a cast of your own; if one is ever
 * needed, branch on `provider`.
 */
export type Db = SqliteClient;

export interface PrismaHandle {
  prisma: Db;
  provider: Provider;
}

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

/**
 * Creates the Prisma client for `url` ("file:./data/servicebot.db", "postgresql://user@host:5432/db").
 * Does not connect yet: the first query (or `prisma.$connect()`) does. Apply migrations first
 * (applyMigrations in ./migrate.ts). Throws an Error naming the accepted schemes for any other URL.
 */
export function createPrismaClient(url: string): PrismaHandle {
  const provider = providerOf(url);
  if (provider === 'sqlite') {
    const file = sqliteFilePath(url);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const adapter = new ServiceSqliteAdapterFactory({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
    return { prisma: new SqliteClient({ adapter }), provider };
  }
  const adapter = new PrismaPg({ connectionString: url });
  // Same models, same API: see the comment on `Db`.
  return { prisma: new PostgresClient({ adapter }) as unknown as Db, provider };
}
