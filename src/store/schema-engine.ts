/**
 * The WASM schema engine (@prisma/schema-engine-wasm), for development only:
 * `npm run db:migrate:new` diffs the committed migrations against
 * prisma/models.prisma and writes the difference as a new migration, and a
 * test checks that they match. Never imported at run time — the service
 * applies migrations with its own runner (migrate.ts). The engine talks to the
 * databases through the driver adapters, with the fixes it needs below.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  isDriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import type pg from 'pg';
import { MigrationError, packageRoot, providerOf, readMigrations, sqliteFilePath, type Provider } from './migrate.js';
import { createThrowawayPgDatabase, DEFAULT_PG_SERVER_URL } from './pg-databases.js';

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

/** The committed migrations as the engine takes them (MigrationList). */
export function readMigrationsList(provider: Provider, baseDir?: string): MigrationList {
  const dir = baseDir ?? path.join(packageRoot(), 'prisma', provider, 'migrations');
  const lockPath = path.join(dir, 'migration_lock.toml');
  let lockContent: string | null = null;
  try {
    lockContent = readFileSync(lockPath, 'utf8');
  } catch {
    /* no lock file yet */
  }
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories: readMigrations(provider, dir).map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
    })),
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

/**
 * What `prisma migrate deploy` does, through the engine: for checking that a database
 * the engine migrated (servicebot before its own runner) is up to date for the runner.
 */
export async function engineApplyMigrations(url: string, baseDir?: string): Promise<string[]> {
  const handle = await openEngine(url);
  try {
    const out = await handle.engine.applyMigrations({ migrationsList: readMigrationsList(providerOf(url), baseDir), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } catch (e) {
    throw new MigrationError(handle.explain(e).line, { cause: e });
  } finally {
    await handle.close();
  }
}
