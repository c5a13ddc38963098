/**
 * The Prisma client for a database URL: SQLite through better-sqlite3 ("file:…", the default) or
 * PostgreSQL through pg ("postgresql://…"). Both clients are generated from prisma/models.prisma
 * (`npm run db:generate`) and have the same model API.
 */
import type { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { providerOf, type Provider } from './migrate.js';
import { createPostgresClient } from './postgres-client.js';
import { createSqliteClient } from './sqlite-client.js';

export { SQLITE_BUSY_TIMEOUT_MS, SQLITE_PRAGMAS } from './sqlite-client.js';

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

/**
 * Creates the Prisma client for `url` ("file:./data/servicebot.db", "postgresql://user@host:5432/db").
 * Does not connect yet: the first query (or `prisma.$connect()`) does. Apply migrations first
 * (applyMigrations in ./migrate.ts). Throws an Error naming the accepted schemes for any other URL.
 * This module loads both generated clients and both driver adapters; the service opens its
 * database with openPrismaClient (open.ts), which loads only those of the configured one.
 */
export function createPrismaClient(url: string): PrismaHandle {
  const provider = providerOf(url);
  return provider === 'sqlite' ? { prisma: createSqliteClient(url), provider } : { prisma: createPostgresClient(url), provider };
}
