/**
 * The PostgreSQL client: the generated PostgreSQL Prisma client over pg. Imported only
 * where PostgreSQL is the configured database (open.ts loads it on demand), or by client.ts.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from './generated/postgresql/client.js';
import type { Db } from './client.js';

/** The PostgreSQL client for a "postgresql://…" URL, typed as `Db` (see the comment on `Db` in client.ts). */
export function createPostgresClient(url: string): Db {
  const adapter = new PrismaPg({ connectionString: url });
  return new PostgresClient({ adapter }) as unknown as Db;
}
