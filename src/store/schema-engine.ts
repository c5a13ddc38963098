/**
 * Applies the committed migrations (prisma/<provider>/migrations) to a database, like
 * `prisma migrate deploy`, without Prisma's native schema engine: the engine compiled to
 * WASM (@prisma/schema-engine-wasm) talks to the database through the same driver adapters
 * the application uses (better-sqlite3, pg). Nothing is downloaded.
 *
 * Also exports the pieces scripts/migrate-new.ts needs (engine loader, migration list,
 * adapter factories), so both use one implementation.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  isDriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationDirectory, MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import pg from 'pg';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: readonly Provider[] = ['sqlite', 'postgresql'];

export interface ApplyMigrationsOptions {
  /** Receives one human-readable line per step (which migration is applied, database created, …). */
  log?: (line: string) => void;
  /** Another migrations folder instead of prisma/<provider>/migrations (tests, tools). */
  migrationsDir?: string;
}

/** The error every failure of this module throws: `message` is one line saying what is wrong and how to fix it. */
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

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

/** Reads prisma/<provider>/migrations in the standard layout (<timestamp>_<name>/migration.sql + migration_lock.toml). */
export function readMigrationsList(provider: Provider, baseDir = migrationsDir(provider)): MigrationList {
  const migrationDirectories: MigrationDirectory[] = [];
  let lockContent: string | null = null;
  if (existsSync(baseDir)) {
    const lockPath = path.join(baseDir, 'migration_lock.toml');
    if (existsSync(lockPath)) {
      lockContent = readFileSync(lockPath, 'utf8');
      const locked = /provider\s*=\s*"([^"]+)"/.exec(lockContent)?.[1];
      if (locked && locked !== provider) {
        throw new MigrationError(
          `${path.relative(process.cwd(), lockPath)} says provider "${locked}" but it is in the ${provider} folder: restore the file (provider = "${provider}").`,
        );
      }
    }
    const names = readdirSync(baseDir)
      .filter((n) => statSync(path.join(baseDir, n)).isDirectory())
      .sort();
    for (const name of names) {
      const file = path.join(baseDir, name, 'migration.sql');
      migrationDirectories.push({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok', value: readFileSync(file, 'utf8') }
            : { tag: 'error', value: `missing ${path.join(name, 'migration.sql')}` },
        },
      });
    }
  }
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

// ---------------------------------------------------------------------------------------------
// The WASM schema engine

interface EngineModule {
  SchemaEngine: typeof SchemaEngine;
  __wbg_set_wasm(exports: unknown): void;
  version(): string;
}

/** The WebAssembly global, typed here because the project's lib (ES2023, no DOM) does not declare it. */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
  RuntimeError: abstract new (...args: never[]) => Error;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let lastPanic: string | undefined;
let enginePromise: Promise<EngineModule> | undefined;

/** Loads and instantiates @prisma/schema-engine-wasm once per process (it is packaged for bundlers, so by hand). */
export function loadEngineModule(): Promise<EngineModule> {
  enginePromise ??= (async () => {
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
    // The engine reports a Rust panic's message here just before it traps; keep it for the error we throw.
    g.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(message: string) {
        lastPanic = message;
      },
    };
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as EngineModule;
    const bytes = readFileSync(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'));
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bg;
  })();
  enginePromise.catch(() => {
    enginePromise = undefined;
  });
  return enginePromise;
}

/** A factory wrapper that remembers every connection the engine opens, so we can close them all afterwards. */
export interface TrackedFactory extends SqlMigrationAwareDriverAdapterFactory {
  close(): Promise<void>;
}

function track(
  factory: SqlMigrationAwareDriverAdapterFactory,
  opts: { patch?: (a: SqlDriverAdapter) => SqlDriverAdapter; shadow?: () => Promise<SqlDriverAdapter> } = {},
): TrackedFactory {
  const open: SqlDriverAdapter[] = [];
  const patch = opts.patch ?? ((a) => a);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const a = patch(await factory.connect());
      open.push(a);
      return a;
    },
    async connectToShadowDb() {
      if (!opts.shadow) {
        // adapter-pg 7.10's own connectToShadowDb ends up on the MAIN database: never let the engine use it.
        throw new Error('This operation must not need a shadow database.');
      }
      const a = patch(await opts.shadow());
      open.push(a);
      return a;
    },
    async close() {
      for (const a of open.splice(0)) {
        try {
          await a.dispose();
        } catch {
          /* already closed */
        }
      }
    },
  };
}

/**
 * Two fixes for the engine's PostgreSQL connections (adapter-pg 7.10.1):
 * - adapter-pg throws "Unsupported column type char" for PostgreSQL's internal one-byte "char" type
 *   (OID 18), which the engine's catalog queries return (pg_class.relkind, pg_constraint.contype, …).
 *   Report it as text.
 * - adapter-pg's executeScript splits the migration on every ";", also inside quoted strings, dollar
 *   quotes and comments. Send the script whole (simple-query protocol: several statements, one round trip).
 */
function patchPgForEngine(adapter: SqlDriverAdapter): SqlDriverAdapter {
  type WithIO = { performIO(q: unknown): Promise<{ fields: { dataTypeID: number }[] }> };
  const patchIO = (q: object): void => {
    const target = q as unknown as WithIO;
    const original = target.performIO.bind(target);
    target.performIO = async (query) => {
      const result = await original(query);
      for (const f of result.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25; // "char" → text
      return result;
    };
  };
  patchIO(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => {
    const tx = await startTransaction(...args);
    patchIO(tx);
    return tx;
  };
  const pgAdapter = adapter as unknown as { underlyingDriver(): pg.Pool; onError(e: unknown): never };
  adapter.executeScript = async (script) => {
    try {
      await pgAdapter.underlyingDriver().query(script);
    } catch (e) {
      pgAdapter.onError(e);
    }
  };
  return adapter;
}

/**
 * Two fixes for the engine's SQLite connections:
 * - The engine replays migrations on a shadow database with executeRaw, and better-sqlite3's prepare()
 *   refuses more than one statement ("The supplied SQL string contains more than one statement"). Run
 *   such a script with exec() (what the adapter's executeScript does) instead.
 * - The adapter reports SQLITE_BUSY as kind "SocketTimeout", which this engine build cannot
 *   deserialize ("unknown variant `SocketTimeout`"). Report it as a plain SQLite error.
 */
function patchSqliteForEngine(adapter: SqlDriverAdapter): SqlDriverAdapter {
  type Target = {
    executeRaw: SqlDriverAdapter['executeRaw'];
    queryRaw: SqlDriverAdapter['queryRaw'];
    executeScript?: SqlDriverAdapter['executeScript'];
    client: { exec(sql: string): unknown };
  };
  const busyAsSqlite = (e: unknown): never => {
    if (isDriverAdapterError(e) && e.cause.kind === 'SocketTimeout') {
      throw new DriverAdapterError({ kind: 'sqlite', extendedCode: SQLITE_BUSY, message: SQLITE_BUSY_MESSAGE });
    }
    throw e;
  };
  const patch = (q: object): void => {
    const target = q as unknown as Target;
    const executeRaw = target.executeRaw.bind(target);
    const queryRaw = target.queryRaw.bind(target);
    target.executeRaw = async (query) => {
      try {
        return await executeRaw(query);
      } catch (e) {
        if (query.args.length === 0 && e instanceof RangeError && /more than one statement/.test(e.message)) {
          try {
            target.client.exec(query.sql);
          } catch (e2) {
            const err = e2 as { code?: string; message?: string };
            if (err.code?.startsWith('SQLITE_BUSY')) busyAsSqlite(new DriverAdapterError({ kind: 'SocketTimeout' }));
            throw new DriverAdapterError({ kind: 'sqlite', extendedCode: 1, message: err.message ?? String(e2) });
          }
          return 0;
        }
        return busyAsSqlite(e);
      }
    };
    target.queryRaw = (query) => queryRaw(query).catch(busyAsSqlite);
    if (target.executeScript) {
      const executeScript = target.executeScript.bind(target);
      target.executeScript = (script) => executeScript(script).catch(busyAsSqlite);
    }
  };
  patch(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => {
    const tx = await startTransaction(...args).catch(busyAsSqlite);
    patch(tx);
    return tx;
  };
  return adapter;
}

const SQLITE_BUSY = 5;
const SQLITE_BUSY_MESSAGE = 'database is locked (SQLITE_BUSY)';

export interface EngineHandle {
  engine: SchemaEngine;
  /** The migration the engine said it was applying last (for error messages). */
  applying(): string | undefined;
  /** engineErrorLine() with the JS errors the adapters raised ("External error id#N") filled in. */
  explain(e: unknown): { code?: string; line: string; raw: string };
  /** Frees the engine and closes every connection it opened. */
  close(): Promise<void>;
}

/**
 * Opens the WASM schema engine on a database.
 * @param shadow for PostgreSQL diffs that replay migrations: opens a connection to a throw-away database.
 */
export async function openEngine(
  url: string,
  opts: { log?: (line: string) => void; datamodel?: string; shadow?: () => Promise<SqlDriverAdapter> } = {},
): Promise<EngineHandle> {
  const provider = providerOf(url);
  const bg = await loadEngineModule();
  const factory =
    provider === 'sqlite'
      ? track(new PrismaBetterSqlite3({ url: sqliteFilePath(url) }), { patch: patchSqliteForEngine, shadow: opts.shadow })
      : track(new PrismaPg({ connectionString: url }), { patch: patchPgForEngine, shadow: opts.shadow });
  let applying: string | undefined;
  const onLog = (json: string): void => {
    try {
      const entry = JSON.parse(json) as { level?: string; fields?: { message?: string } };
      const message = entry.fields?.message;
      const m = message && /^Applying `([^`]+)`/.exec(message);
      if (m) applying = m[1];
      if (!opts.log) return;
      if (message && entry.level !== 'DEBUG' && entry.level !== 'TRACE' && !/^(Starting schema-engine|Analysis run in)/.test(message)) {
        opts.log(message.replace(/`/g, ''));
      }
    } catch {
      /* not JSON: ignore */
    }
  };
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: SchemaEngine;
  try {
    engine = await bg.SchemaEngine.new(
      { datamodels: opts.datamodel === undefined ? undefined : [['schema.prisma', opts.datamodel]] },
      onLog,
      bound,
    );
  } catch (e) {
    await factory.close();
    throw new Error(engineErrorLine(e, bound.errorRegistry).line, { cause: e });
  }
  return {
    engine,
    applying: () => applying,
    explain: (e) => engineErrorLine(e, bound.errorRegistry),
    async close() {
      try {
        engine.free();
      } catch {
        /* freed */
      }
      await factory.close();
    },
  };
}

/** What the engine threw, as one line: a user-facing Prisma error, a driver error, or a panic's message. */
export function engineErrorLine(
  e: unknown,
  registry?: { consumeError(id: number): { error: unknown } | undefined },
): { code?: string; line: string; raw: string } {
  let raw: string;
  if (e instanceof Error) raw = e.message;
  else if (typeof e === 'string') raw = e;
  else {
    try {
      raw = JSON.stringify(e);
    } catch {
      raw = String(e);
    }
  }
  let code: string | undefined = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
  let message = raw;
  try {
    const parsed = JSON.parse(raw) as { error_code?: string; message?: string; is_panic?: boolean };
    if (parsed && typeof parsed === 'object') {
      code = parsed.error_code ?? code;
      message = parsed.message ?? raw;
    }
  } catch {
    /* not JSON */
  }
  if (e instanceof wasmApi.RuntimeError || /unreachable/.test(raw)) {
    message = lastPanic ? `schema engine panic: ${lastPanic}` : `schema engine crashed: ${raw}`;
    lastPanic = undefined;
  }
  if (registry) {
    // A JS exception inside an adapter reaches us as "External error id#N" plus a Rust backtrace.
    message = message.replace(/External error id#(\d+)[\s\S]*/, (_m, id: string) => {
      const js = registry.consumeError(Number(id))?.error;
      return js instanceof Error ? js.message : String(js);
    });
  }
  message = message
    .replace(/\n\s*0: [\s\S]*$/, '') // the Rust span trace
    .replace(/\n\s+at [\s\S]*$/, '') // a JS stack
    .replace(/^external connector error\s*/i, '')
    .replace(/The underlying table for model `([^`]+)` does not exist\./, 'table `$1` does not exist.'); // P1014 from "no such table"
  const line = message
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ');
  return { code, line, raw };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL connection checks (a clear line instead of an engine error)

function pgTarget(url: string): { host: string; port: string; database: string; user: string } {
  const u = new URL(url);
  return {
    host: u.hostname || 'localhost',
    port: u.port || '5432',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres',
    user: decodeURIComponent(u.username) || process.env.PGUSER || 'postgres',
  };
}

/** Connects once with pg to turn "unreachable / wrong password / no such database" into one clear line. Creates a missing database. */
async function checkPostgres(url: string, log: (line: string) => void): Promise<void> {
  const t = pgTarget(url);
  const where = `PostgreSQL at ${t.host}:${t.port}`;
  const tryConnect = async (connectionString: string): Promise<void> => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => {});
    }
  };
  try {
    await tryConnect(url);
    return;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === '3D000') {
      // The server is there but the database is not: create it, like `prisma migrate deploy` does.
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query(`CREATE DATABASE "${t.database.replace(/"/g, '""')}"`);
        log(`created database ${t.database} on ${t.host}:${t.port}`);
        return;
      } catch (e2) {
        const m = (e2 as Error).message;
        throw new MigrationError(
          `Database "${t.database}" does not exist on ${where} and could not be created (${m}): create it (createdb -h ${t.host} -p ${t.port} -U ${t.user} ${t.database}) or fix DATABASE_URL.`,
          { cause: e2 },
        );
      } finally {
        await client.end().catch(() => {});
      }
    }
    throw pgConnectError(err, t, where, e);
  }
}

function pgConnectError(
  err: { code?: string; message?: string },
  t: { user: string; database: string },
  where: string,
  cause: unknown,
): MigrationError {
  const code = err.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) || /timeout/i.test(err.message ?? '')) {
    return new MigrationError(`Cannot reach ${where} (${code || err.message}): start the server or fix the host/port in DATABASE_URL.`, { cause });
  }
  if (code === '28P01' || code === '28000') {
    return new MigrationError(`${where} refused user "${t.user}" (${err.message}): fix the user/password in DATABASE_URL.`, { cause });
  }
  return new MigrationError(`Cannot connect to database "${t.database}" on ${where}: ${err.message ?? code}. Check DATABASE_URL.`, { cause });
}

// ---------------------------------------------------------------------------------------------
// applyMigrations

/**
 * Applies the pending migrations of prisma/<provider>/migrations to the database at `url`
 * ("file:…" → SQLite, "postgres://" / "postgresql://" → PostgreSQL), recording them in
 * _prisma_migrations exactly like `prisma migrate deploy`. Safe to call on every start and from
 * several replicas at once (the engine takes a lock). Returns the names of the migrations applied now.
 * Throws a MigrationError whose message is one line (what is wrong, how to fix it).
 */
export async function applyMigrations(url: string, opts: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const provider = providerOf(url);
  const where = provider === 'sqlite' ? sqliteFilePath(url) : (() => { const t = pgTarget(url); return `${t.host}:${t.port}/${t.database}`; })();

  if (provider === 'sqlite') {
    const file = sqliteFilePath(url);
    if (file !== ':memory:') {
      try {
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      } catch (e) {
        throw new MigrationError(`Cannot create the folder of the SQLite database ${file} (${(e as Error).message}): fix DATABASE_URL or the folder's permissions.`, { cause: e });
      }
    }
  } else {
    await checkPostgres(url, log);
  }

  const migrationsList = readMigrationsList(provider, opts.migrationsDir);
  if (migrationsList.migrationDirectories.length === 0) {
    throw new MigrationError(
      `No migrations in ${path.relative(process.cwd(), migrationsList.baseDir) || migrationsList.baseDir}: the checkout is incomplete, or run \`npm run db:migrate:new -- init\`.`,
    );
  }

  const attempt = async (): Promise<{ applied: string[] }> => {
    let handle: EngineHandle;
    try {
      handle = await openEngine(url, { log });
    } catch (e) {
      if (e instanceof MigrationError) throw e;
      throw new MigrationError(`Cannot open the ${provider} database ${where} for migrations: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    try {
      const out = await handle.engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
      const applied = out.appliedMigrationNames;
      log(applied.length ? `applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}` : `database ${where} is up to date (${migrationsList.migrationDirectories.length} migration(s))`);
      return { applied };
    } catch (e) {
      const explained = handle.explain(e);
      // The engine turns SQLITE_BUSY into P1008 "Socket timeout".
      const busy = explained.code === 'P1008' || /SQLITE_BUSY|SocketTimeout|database is locked/.test(explained.line);
      if (provider === 'sqlite' && busy && !handle.applying()) throw new SqliteBusy(explained.line);
      const rel = path.relative(process.cwd(), migrationsList.baseDir) || migrationsList.baseDir;
      throw migrationFailure(explained, handle.applying(), e, rel, provider, where);
    } finally {
      await handle.close();
    }
  };

  if (provider === 'postgresql') return attempt(); // the engine serialises replicas with an advisory lock

  // SQLite: the engine takes the file with locking_mode=EXCLUSIVE, so another migrator (a second start,
  // a test worker) or any open connection (a running servicebot, a PrismaClient of this process) makes
  // it fail with SQLITE_BUSY before it applies anything. Queue in this process; retry for a while, then
  // say who to stop. (Apply migrations before creating the PrismaClient.)
  const key = path.resolve(sqliteFilePath(url));
  const previous = sqliteQueues.get(key) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(async () => {
    const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof SqliteBusy)) throw e;
        if (Date.now() > deadline) {
          throw new MigrationError(
            `Migrating the sqlite database ${where} failed: another connection kept it open for ${SQLITE_LOCK_WAIT_MS / 1000} s: stop the other servicebot (or program) using this file, or give this instance its own DATABASE_URL, and start again.`,
            { cause: e },
          );
        }
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
      }
    }
  });
  sqliteQueues.set(key, mine);
  try {
    return await mine;
  } finally {
    if (sqliteQueues.get(key) === mine) sqliteQueues.delete(key);
  }
}

const SQLITE_LOCK_WAIT_MS = Number(process.env.SERVICEBOT_SQLITE_LOCK_WAIT_MS) || 30_000;
const sqliteQueues = new Map<string, Promise<unknown>>();
class SqliteBusy extends Error {}

function migrationFailure(
  explained: { code?: string; line: string },
  applying: string | undefined,
  e: unknown,
  migrationsRel: string,
  provider: Provider,
  where: string,
): MigrationError {
  const { code, line } = explained;
  const name = /`([0-9]{14}_[\w-]+)`/.exec(line)?.[1] ?? applying;
  const what = `Migrating the ${provider} database ${where} failed${name ? ` at ${name}` : ''}${code ? ` (${code})` : ''}`;
  const row = (n: string) => `DELETE FROM "_prisma_migrations" WHERE migration_name = '${n}'`;
  let fix: string;
  switch (code) {
    case 'P3005': // tables but no _prisma_migrations
      fix = 'the database has tables but no migration history: point DATABASE_URL at an empty database, or baseline it (https://pris.ly/d/migrate-baseline)';
      return new MigrationError(`${what}: ${fix}.`, { cause: e });
    case 'P3009': // a failed migration is recorded
      fix = name
        ? `an earlier run of this migration failed and is recorded in _prisma_migrations: repair the database by hand (undo or finish its changes), then ${row(name)} and start again`
        : 'an earlier migration failed and is recorded in _prisma_migrations: repair the database, delete its row from _prisma_migrations and start again';
      return new MigrationError(`${what}: ${fix}.`, { cause: e });
    default:
      fix = name
        ? `fix the database or ${migrationsRel}/${name}/migration.sql, ${
            provider === 'sqlite' ? 'undo its partial changes' : 'its statements were rolled back'
          }, then ${row(name)} and start again`
        : 'fix the database or the migration and start again';
  }
  return new MigrationError(`${what}: ${line} — ${fix}.`, { cause: e });
}

// ---------------------------------------------------------------------------------------------
// Throw-away PostgreSQL databases and diffs (scripts/migrate-new.ts, tests)

export const DEFAULT_PG_SERVER_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

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

/** The models with a datasource for `provider`: enough for the engine (the generator block does not matter to it). */
export function datamodelFor(provider: Provider, models = readFileSync(path.join(packageRoot(), 'prisma', 'models.prisma'), 'utf8')): string {
  return `datasource db {\n  provider = "${provider}"\n}\n\n${models}`;
}

/**
 * The SQL that takes a database from the committed migrations of `provider` to the current
 * prisma/models.prisma, or null when they already match. Replays the migrations on a shadow
 * database: for SQLite temp files, for PostgreSQL a throw-away database on `pgServerUrl`
 * (dropped afterwards; never the application's database).
 */
export async function diffMigrationsToModels(
  provider: Provider,
  opts: {
    pgServerUrl?: string;
    log?: (line: string) => void;
    /** Another migrations folder (tests). */
    baseDir?: string;
    /** Models text instead of prisma/models.prisma (tests). */
    models?: string;
  } = {},
): Promise<string | null> {
  const migrationsList = readMigrationsList(provider, opts.baseDir);
  const datamodel = datamodelFor(provider, opts.models);
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    let url: string;
    let shadow: (() => Promise<SqlDriverAdapter>) | undefined;
    if (provider === 'sqlite') {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-diff-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      url = `file:${path.join(dir, 'main.db')}`;
      const shadowFile = path.join(dir, 'shadow.db');
      shadow = () => new PrismaBetterSqlite3({ url: shadowFile }).connect();
    } else {
      const server = opts.pgServerUrl ?? DEFAULT_PG_SERVER_URL;
      const main = await createThrowawayPgDatabase(server, 'servicebot_diff');
      cleanups.push(() => main.drop());
      const shadowDb = await createThrowawayPgDatabase(server, 'servicebot_shadow');
      cleanups.push(() => shadowDb.drop());
      url = main.url;
      shadow = () => new PrismaPg({ connectionString: shadowDb.url }).connect();
    }
    const handle = await openEngine(url, { log: opts.log, datamodel, shadow });
    cleanups.unshift(() => handle.close());
    let result;
    try {
      result = await handle.engine.diff({
        from: migrationsList.migrationDirectories.length ? { tag: 'migrations', ...migrationsList } : { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: datamodel }] },
        script: true,
        exitCode: true,
        filters: NO_FILTERS,
      });
    } catch (e) {
      throw new MigrationError(`Diffing prisma/${provider}/migrations against prisma/models.prisma failed: ${handle.explain(e).line}`, { cause: e });
    }
    const sql = result.stdout ?? '';
    if (result.exitCode !== 2 || /^\s*(-- This is an empty migration\.\s*)?$/.test(sql)) return null;
    return sql;
  } finally {
    for (const c of cleanups) {
      try {
        await c();
      } catch {
        /* best effort */
      }
    }
  }
}
