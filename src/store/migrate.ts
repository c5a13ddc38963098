/**
 * Applies the committed migrations (prisma/<provider>/migrations/<name>/migration.sql)
 * to a database at start, with a short runner of its own — no schema engine at
 * run time (the WASM engine, src/store/schema-engine.ts, only writes new
 * migrations in development: `npm run db:migrate:new`).
 *
 * - One migration is one transaction: applied whole and recorded, or not at all.
 *   A failed migration leaves the database as it was, and the next start
 *   applies it once the cause is fixed (a full disk, a wrong statement).
 * - Replicas starting at once: PostgreSQL takes an advisory lock (Prisma's own
 *   lock id, so an older servicebot's engine and this runner exclude each other
 *   too); SQLite takes the file with an exclusive transaction.
 * - The history is Prisma's `_prisma_migrations` table, a checksum per applied
 *   migration: a migration changed after it was applied stops the start.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { checkPostgres, pgConnectError, pgTarget } from './pg-databases.js';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: readonly Provider[] = ['sqlite', 'postgresql'];

export interface ApplyMigrationsOptions {
  /** Receives one human-readable line per step (which migration is applied, database created, …). */
  log?: (line: string) => void;
  /** Another migrations folder instead of prisma/<provider>/migrations (tests, tools). */
  migrationsDir?: string;
}

/** The error every failure of the migrations throws: `message` is one line saying what is wrong and how to fix it. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// URLs and paths

const ACCEPTED = 'use "file:./data/servicebot.db" (SQLite) or "postgresql://user:password@host:5432/database" (PostgreSQL, "postgres://" works too)';

/** Which provider a database URL is for. Throws a one-line Error for any other scheme. */
export function providerOf(url: string): Provider {
  const u = url.trim();
  if (/^file:/i.test(u)) return 'sqlite';
  if (/^postgres(ql)?:\/\//i.test(u)) return 'postgresql';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u)?.[1];
  throw new MigrationError(
    scheme
      ? `Unknown database URL scheme "${scheme}:" in DATABASE_URL: ${ACCEPTED}.`
      : `DATABASE_URL "${u.length > 40 ? `${u.slice(0, 40)}…` : u}" has no scheme: ${ACCEPTED}.`,
  );
}

/**
 * The file path of a SQLite URL: "file:./data/x.db" → "./data/x.db" (relative to the working directory,
 * like the better-sqlite3 adapter), "file:/abs/x.db" and "file:///abs/x.db" → "/abs/x.db". A "?query" is dropped.
 */
export function sqliteFilePath(url: string): string {
  let p = url.trim().replace(/^file:/i, '');
  if (p.startsWith('//')) p = p.replace(/^\/\/[^/]*/, ''); // file://host/path → /path
  const q = p.indexOf('?');
  if (q >= 0) p = p.slice(0, q);
  if (p === '') throw new MigrationError(`DATABASE_URL "${url}" names no file: use e.g. "file:./data/servicebot.db".`);
  return decodeURIComponent(p);
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

let cachedRoot: string | undefined;
/**
 * The package root (the folder with package.json and prisma/), found by walking up from this file,
 * so it is the same from src/store (tsx, vitest) and from dist/store (after tsc).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  const start = path.dirname(fileURLToPath(import.meta.url));
  let firstWithPackageJson: string | undefined;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      firstWithPackageJson ??= dir;
      if (existsSync(path.join(dir, 'prisma'))) return (cachedRoot = dir);
    }
    if (path.dirname(dir) === dir) break;
  }
  if (firstWithPackageJson) return (cachedRoot = firstWithPackageJson);
  throw new MigrationError(`Cannot find the servicebot package root (a folder with package.json) above ${start}: run from a full checkout.`);
}

/** prisma/<provider>/migrations under the package root. */
export function migrationsDir(provider: Provider): string {
  return path.join(packageRoot(), 'prisma', provider, 'migrations');
}

// ---------------------------------------------------------------------------------------------
// The committed migrations

export interface Migration {
  /** The folder name: <timestamp>_<name>. */
  name: string;
  sql: string;
  /** SHA-256 of migration.sql, hex (what Prisma records, so histories it wrote still match). */
  checksum: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The migrations of a folder in the standard layout (<timestamp>_<name>/migration.sql + migration_lock.toml), oldest first. */
export function readMigrations(provider: Provider, baseDir = migrationsDir(provider)): Migration[] {
  if (!existsSync(baseDir)) return [];
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  if (existsSync(lockPath)) {
    const locked = /provider\s*=\s*"([^"]+)"/.exec(readFileSync(lockPath, 'utf8'))?.[1];
    if (locked && locked !== provider) {
      throw new MigrationError(
        `${path.relative(process.cwd(), lockPath)} says provider "${locked}" but it is in the ${provider} folder: restore the file (provider = "${provider}").`,
      );
    }
  }
  const names = readdirSync(baseDir)
    .filter((n) => statSync(path.join(baseDir, n)).isDirectory())
    .sort();
  return names.map((name) => {
    const file = path.join(baseDir, name, 'migration.sql');
    if (!existsSync(file)) throw new MigrationError(`${path.relative(process.cwd(), file)} is missing: restore it from version control.`);
    const sql = readFileSync(file, 'utf8');
    return { name, sql, checksum: sha256(sql) };
  });
}

/** What a database says it has applied (a failed attempt recorded by an older runner is not applied). */
interface Applied {
  name: string;
  checksum: string;
}

/** The checksum matches, also across line endings (a checkout with CRLF). */
function sameScript(m: Migration, checksum: string): boolean {
  return checksum === m.checksum || checksum === sha256(m.sql.replace(/\r\n/g, '\n')) || checksum === sha256(m.sql.replace(/\r?\n/g, '\r\n'));
}

/** The committed migrations not applied yet; refuses a history that no longer matches the folder. */
function pending(migrations: Migration[], applied: Applied[], where: string, rel: string): Migration[] {
  const done = new Map(applied.map((a) => [a.name, a.checksum]));
  for (const m of migrations) {
    const checksum = done.get(m.name);
    if (checksum !== undefined && !sameScript(m, checksum)) {
      throw new MigrationError(
        `${rel}/${m.name}/migration.sql was changed after it was applied to ${where}: restore it from version control, and put the change in a new migration (npm run db:migrate:new -- <name>).`,
      );
    }
  }
  return migrations.filter((m) => !done.has(m.name));
}

const HISTORY = '_prisma_migrations';
/** Prisma's own advisory lock id for migrations: an older servicebot (the engine) and this runner never migrate at once. */
const PG_LOCK_ID = 72707369;

function noMigrations(rel: string): MigrationError {
  return new MigrationError(`No migrations in ${rel}: the checkout is incomplete, or run \`npm run db:migrate:new -- init\`.`);
}

function failedAt(provider: Provider, where: string, m: Migration, rel: string, e: unknown): MigrationError {
  const why = String((e as Error)?.message ?? e).split('\n')[0];
  return new MigrationError(
    `Migrating the ${provider} database ${where} failed at ${m.name}: ${why} — nothing of it was applied; fix the database or ${rel}/${m.name}/migration.sql and start again.`,
    { cause: e },
  );
}

function tablesButNoHistory(provider: Provider, where: string): MigrationError {
  return new MigrationError(
    `Migrating the ${provider} database ${where} failed: the database has tables but no migration history: point DATABASE_URL at an empty database, or baseline it (https://pris.ly/d/migrate-baseline).`,
  );
}

// ---------------------------------------------------------------------------------------------
// applyMigrations

/**
 * Applies the pending migrations of prisma/<provider>/migrations to the database at `url`
 * ("file:…" → SQLite, "postgres://" / "postgresql://" → PostgreSQL), recording them in
 * _prisma_migrations. Safe to call on every start and from several replicas at once. Returns the
 * names of the migrations applied now. Throws a MigrationError whose message is one line.
 */
export async function applyMigrations(url: string, opts: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const provider = providerOf(url);
  const migrations = readMigrations(provider, opts.migrationsDir);
  const baseDir = opts.migrationsDir ?? migrationsDir(provider);
  const rel = path.relative(process.cwd(), baseDir) || baseDir;
  if (!migrations.length) throw noMigrations(rel);
  const applied = provider === 'sqlite' ? applySqlite(url, migrations, rel, log) : await applyPostgres(url, migrations, rel, log);
  return { applied };
}

// ---------------------------------------------------------------------------------------------
// SQLite: one connection, an exclusive transaction per migration

/** How long a start waits for another connection's write lock on the file before it gives up. */
const SQLITE_LOCK_WAIT_MS = Number(process.env.SERVICEBOT_SQLITE_LOCK_WAIT_MS) || 30_000;

function sqliteApplied(db: Database.Database): Applied[] {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(HISTORY);
  if (!has) return [];
  return db
    .prepare(`SELECT migration_name AS name, checksum FROM "${HISTORY}" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
    .all() as Applied[];
}

/**
 * Synchronous from the first read to the last commit (better-sqlite3 is), so two
 * migrators in one process run one after the other; across processes the
 * exclusive transaction (and the busy timeout) does it.
 */
function applySqlite(url: string, migrations: Migration[], rel: string, log: (line: string) => void): string[] {
  const file = sqliteFilePath(url);
  if (file !== ':memory:') {
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (e) {
      throw new MigrationError(`Cannot create the folder of the SQLite database ${file} (${(e as Error).message}): fix DATABASE_URL or the folder's permissions.`, { cause: e });
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: SQLITE_LOCK_WAIT_MS });
  } catch (e) {
    throw new MigrationError(`Cannot open the sqlite database ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    // Nothing pending: done without a write lock (the service may start beside another open connection).
    if (!pending(migrations, sqliteApplied(db), file, rel).length) {
      log(`database ${file} is up to date (${migrations.length} migration(s))`);
      return [];
    }
    // A table rebuilt by a migration must not cascade deletes to the rows that refer to it: foreign keys are
    // checked once, before each commit, instead (this connection is the migrator's alone).
    db.pragma('foreign_keys = OFF');
    const applied: string[] = [];
    for (;;) {
      try {
        db.exec('BEGIN EXCLUSIVE');
      } catch (e) {
        if (/SQLITE_BUSY|database is locked/i.test(String((e as Error).message))) {
          throw new MigrationError(
            `Migrating the sqlite database ${file} failed: another connection kept it locked for ${SQLITE_LOCK_WAIT_MS / 1000} s: stop the other servicebot (or program) using this file, or give this instance its own DATABASE_URL, and start again.`,
            { cause: e },
          );
        }
        throw e;
      }
      // Read again under the lock: another migrator may have applied some meanwhile.
      const hasHistory = Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(HISTORY));
      if (!hasHistory) {
        const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).get() as { n: number };
        if (tables.n > 0) {
          db.exec('ROLLBACK');
          throw tablesButNoHistory('sqlite', file);
        }
        db.exec(SQLITE_HISTORY_TABLE);
      }
      const next = pending(migrations, sqliteApplied(db), file, rel)[0];
      if (!next) {
        db.exec('COMMIT');
        break;
      }
      log(`Applying ${next.name}`);
      try {
        db.exec(next.sql);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`${broken.length} row(s) break a foreign key after it`);
        // A failure recorded by an older runner (the engine left it half done) is superseded.
        db.prepare(`UPDATE "${HISTORY}" SET rolled_back_at = ? WHERE migration_name = ? AND finished_at IS NULL AND rolled_back_at IS NULL`).run(new Date().toISOString(), next.name);
        const now = new Date().toISOString();
        db.prepare(`INSERT INTO "${HISTORY}" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`).run(
          randomUUID(),
          next.checksum,
          now,
          next.name,
          now,
        );
        db.exec('COMMIT');
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw failedAt('sqlite', file, next, rel, e);
      }
      applied.push(next.name);
    }
    log(applied.length ? `applied ${applied.length} migration(s) to ${file}: ${applied.join(', ')}` : `database ${file} is up to date (${migrations.length} migration(s))`);
    return applied;
  } finally {
    db.close();
  }
}

const SQLITE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "${HISTORY}" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

// ---------------------------------------------------------------------------------------------
// PostgreSQL: an advisory lock for the run, a transaction per migration

const PG_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "${HISTORY}" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

async function pgApplied(client: pg.Client): Promise<Applied[]> {
  const has = await client.query(`SELECT to_regclass('"${HISTORY}"') AS t`);
  if (!has.rows[0]?.t) return [];
  const r = await client.query<Applied>(`SELECT migration_name AS name, checksum FROM "${HISTORY}" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  return r.rows;
}

async function applyPostgres(url: string, migrations: Migration[], rel: string, log: (line: string) => void): Promise<string[]> {
  await checkPostgres(url, log);
  const t = pgTarget(url);
  const where = `${t.host}:${t.port}/${t.database}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw pgConnectError(e as { code?: string; message?: string }, t, `PostgreSQL at ${t.host}:${t.port}`, e);
  }
  try {
    if (!pending(migrations, await pgApplied(client), where, rel).length) {
      log(`database ${where} is up to date (${migrations.length} migration(s))`);
      return [];
    }
    // Held for the whole run: another replica waits here, then finds the migrations applied.
    await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_ID]);
    try {
      const hasHistory = (await client.query(`SELECT to_regclass('"${HISTORY}"') AS t`)).rows[0]?.t;
      if (!hasHistory) {
        const tables = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`);
        if ((tables.rows[0] as { n: number }).n > 0) throw tablesButNoHistory('postgresql', where);
        await client.query(PG_HISTORY_TABLE);
      }
      const todo = pending(migrations, await pgApplied(client), where, rel);
      const applied: string[] = [];
      for (const m of todo) {
        log(`Applying ${m.name}`);
        try {
          await client.query('BEGIN');
          // The whole script at once (simple-query protocol): statements, dollar quotes and comments as written.
          await client.query(m.sql);
          // A failure recorded by an older runner is superseded.
          await client.query(`UPDATE "${HISTORY}" SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`, [m.name]);
          await client.query(
            `INSERT INTO "${HISTORY}" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, NULL, NULL, now(), 1)`,
            [randomUUID(), m.checksum, m.name],
          );
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw failedAt('postgresql', where, m, rel, e);
        }
        applied.push(m.name);
      }
      log(applied.length ? `applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}` : `database ${where} is up to date (${migrations.length} migration(s))`);
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_ID]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
