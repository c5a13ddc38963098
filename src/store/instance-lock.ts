/**
 * One service instance per SQLite file. Two instances on one file fail each
 * other's transactions (each waits for the other's write lock, and a message
 * answered by one is acted on by neither), so the second refuses to start.
 *
 * The lock is an OS file lock, not a PID file: SQLite's own exclusive lock
 * (fcntl) on a small side file, `<database>.instance-lock`, held by a
 * connection in exclusive locking mode for as long as the instance runs. The kernel drops it when the
 * process ends, however it ends (SIGKILL, a crash, a power cut), so a crashed
 * instance never blocks the next start. A second connection in the same process
 * is refused too (SQLite tracks its locks per file within a process).
 *
 * It is taken once per service instance, by startService. Worker threads or
 * processes that instance starts are part of the same writer: they open the
 * database without taking it. Command-line tools (export, erase, seed) do not
 * take it either; they are short transactions beside the service.
 * PostgreSQL needs none: replicas share it by design.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export class InstanceLockError extends Error {
  override name = 'InstanceLockError';
}

export interface InstanceLock {
  file: string;
  release(): void;
}

interface Owner {
  pid: number;
  host: string;
  since: string;
  replica?: string;
}

/** Held connections, so that a lock nobody keeps a reference to is not closed by the garbage collector. */
const HELD = new Set<Database.Database>();

/** The lock file of a SQLite database file. */
export function instanceLockFile(databaseFile: string): string {
  return `${databaseFile}.instance-lock`;
}

/**
 * Takes the instance lock of a SQLite database file, or throws InstanceLockError naming the
 * instance that holds it. Never waits: a second instance is told at once.
 */
export function takeInstanceLock(databaseFile: string, opts: { replica?: string } = {}): InstanceLock {
  const file = instanceLockFile(databaseFile);
  let conn: Database.Database;
  try {
    // The first start: the data folder is not there yet (the store would make it a moment later).
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    conn = new Database(file, { timeout: 0 });
  } catch (e) {
    throw new InstanceLockError(`cannot open the instance lock ${file}: ${(e as Error).message}`);
  }
  try {
    // In exclusive locking mode the connection keeps the exclusive lock of its first write
    // until it closes: every other connection, in this process or another, is refused.
    conn.pragma('locking_mode = EXCLUSIVE');
    conn.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder; INSERT INTO holder VALUES (' + process.pid + '); COMMIT');
  } catch (e) {
    conn.close();
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new InstanceLockError(heldMessage(databaseFile, readOwner(file)));
    throw new InstanceLockError(`cannot take the instance lock ${file}: ${(e as Error).message}`);
  }
  // Who holds it, for the message the next instance prints (informative only: the lock is the OS lock).
  const owner: Owner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), ...(opts.replica ? { replica: opts.replica } : {}) };
  try {
    writeFileSync(`${file}.owner`, `${JSON.stringify(owner)}\n`);
  } catch {
    /* the message will say less; the lock holds all the same */
  }
  HELD.add(conn);
  return {
    file,
    release() {
      if (!HELD.delete(conn)) return;
      conn.close(); // drops the lock
    },
  };
}

function readOwner(file: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(`${file}.owner`, 'utf8')) as Owner;
    return typeof o.pid === 'number' ? o : null;
  } catch {
    return null;
  }
}

function heldMessage(databaseFile: string, owner: Owner | null): string {
  const who = owner
    ? ` (pid ${owner.pid}${owner.replica ? `, replica ${owner.replica}` : ''} on ${owner.host}, since ${owner.since})`
    : '';
  return `another servicebot is already running on ${databaseFile}${who}. A SQLite file takes one service instance: stop the other one first, or give this one its own DATABASE_URL (several replicas need PostgreSQL)`;
}
