/**
 * PostgreSQL databases by URL: a connection check that turns "unreachable /
 * wrong password / no such database" into one clear line (and creates a
 * missing database, as `prisma migrate deploy` does), and throw-away
 * databases for tests, benchmarks and the migration diff.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MigrationError } from './migrate.js';

export const DEFAULT_PG_SERVER_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export function pgTarget(url: string): { host: string; port: string; database: string; user: string } {
  const u = new URL(url);
  return {
    host: u.hostname || 'localhost',
    port: u.port || '5432',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres',
    user: decodeURIComponent(u.username) || process.env.PGUSER || 'postgres',
  };
}

export function pgConnectError(err: { code?: string; message?: string }, t: { user: string; database: string }, where: string, cause: unknown): MigrationError {
  const code = err.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) || /timeout/i.test(err.message ?? '')) {
    return new MigrationError(`Cannot reach ${where} (${code || err.message}): start the server or fix the host/port in DATABASE_URL.`, { cause });
  }
  if (code === '28P01' || code === '28000') {
    return new MigrationError(`${where} refused user "${t.user}" (${err.message}): fix the user/password in DATABASE_URL.`, { cause });
  }
  return new MigrationError(`Cannot connect to database "${t.database}" on ${where}: ${err.message ?? code}. Check DATABASE_URL.`, { cause });
}

/** Connects once to turn a connection failure into one clear line. Creates a missing database. */
export async function checkPostgres(url: string, log: (line: string) => void): Promise<void> {
  const t = pgTarget(url);
  const where = `PostgreSQL at ${t.host}:${t.port}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code !== '3D000') throw pgConnectError(err, t, where, e);
  } finally {
    await client.end().catch(() => {});
  }
  // The server is there but the database is not: create it, like `prisma migrate deploy` does.
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const creator = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  creator.on('error', () => {});
  try {
    await creator.connect();
    await creator.query(`CREATE DATABASE "${t.database.replace(/"/g, '""')}"`);
    log(`created database ${t.database} on ${t.host}:${t.port}`);
  } catch (e2) {
    throw new MigrationError(
      `Database "${t.database}" does not exist on ${where} and could not be created (${(e2 as Error).message}): create it (createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}) or fix DATABASE_URL.`,
      { cause: e2 },
    );
  } finally {
    await creator.end().catch(() => {});
  }
}

export interface ThrowawayDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database named `<prefix>_<random>` on the server of `serverUrl` (any database URL on
 * that server) and returns its URL; drop() removes it (FORCE: also when connections are left).
 */
export async function createThrowawayPgDatabase(serverUrl: string, prefix = 'servicebot_tmp'): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new URL(serverUrl);
  if (!admin.pathname || admin.pathname === '/') admin.pathname = '/postgres';
  const t = pgTarget(admin.toString());
  const run = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(sql);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code && (!/^[0-9A-Z]{5}$/.test(err.code) || err.code.startsWith('28'))) throw pgConnectError(err, t, `PostgreSQL at ${t.host}:${t.port}`, e);
      throw new MigrationError(`${sql.split(' ').slice(0, 2).join(' ')} "${name}" failed on PostgreSQL at ${t.host}:${t.port}: ${err.message} (the user needs the CREATEDB privilege).`, { cause: e });
    } finally {
      await client.end().catch(() => {});
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
