/**
 * Prepared statements kept per SQLite connection. The better-sqlite3 driver
 * adapter prepares every statement afresh (`client.prepare(sql).bind(args)`),
 * which was about a tenth of the CPU of acting on a report (bench/ANALYSIS.md);
 * the service sends the same few dozen statement texts again and again. This
 * gives the adapter's connection a prepare() that reuses a statement per text
 * (least recently used first out) and binds the arguments per call, since a
 * better-sqlite3 statement can be bound only once.
 *
 * It relies on how @prisma/adapter-better-sqlite3 (pinned in package.json)
 * uses its connection: `prepare(sql)` then `.run()`, or `.bind(args)` then
 * `.run()`, `.reader`, `.columns()` and `.raw().all()`. test/unit/statement-cache.test.ts
 * checks that the adapter still goes through it.
 */
import type Database from 'better-sqlite3';

/** Distinct statement texts kept (IN lists and multi-row inserts vary in length). */
const MAX_STATEMENTS = 500;

type Statement = Database.Statement<unknown[]>;

/** What the adapter uses of a statement, bound to one call's arguments. */
interface BoundStatement {
  readonly reader: boolean;
  columns(): Database.ColumnDefinition[];
  run(): Database.RunResult;
  raw(): { all(): unknown[] };
  all(): unknown[];
  get(): unknown;
}

function bound(st: Statement, args: unknown[]): BoundStatement {
  return {
    reader: st.reader,
    columns: () => st.columns(),
    run: () => st.run(...args),
    raw: () => ({ all: () => st.raw(true).all(...args) }),
    all: () => st.raw(false).all(...args),
    get: () => st.raw(false).get(...args),
  };
}

/** Statements run through cached connections in this thread (the benchmark counts statements with it). */
export const statementsRun: { count: number; trace?: string[] } = { count: 0 };

export interface StatementCacheStats {
  prepared: number;
  reused: number;
}

/** Makes `db.prepare` reuse statements; returns live counters (for tests and the benchmark). */
export function cacheStatements(db: Database.Database, max = MAX_STATEMENTS): StatementCacheStats {
  const stats: StatementCacheStats = { prepared: 0, reused: 0 };
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  const get = (sql: string): Statement => {
    let st = cache.get(sql);
    if (st) {
      stats.reused++;
      cache.delete(sql); // re-inserted last: most recently used
    } else {
      stats.prepared++;
      st = prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, st);
    return st;
  };
  (db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
    statementsRun.count++;
    statementsRun.trace?.push(sql);
    const st = get(sql);
    return { ...bound(st, []), bind: (args: unknown[]) => bound(st, args) };
  };
  return stats;
}
