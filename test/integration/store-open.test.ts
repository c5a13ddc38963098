/**
 * A database already up to date opens without the migration engine, so the
 * service starts while another connection holds the SQLite file (a report
 * command, an sqlite3 shell); a new database is migrated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isMigrated, openMigratedStore } from '../../src/store/open.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openMigratedStore', () => {
  it('migrates a new database, then opens it beside another open connection', async () => {
    const url = `file:${path.join(dir, 'a.db')}`;
    const first = await openMigratedStore(url);
    expect(await isMigrated(first.prisma, first.provider)).toBe(true);
    await first.prisma.$disconnect();

    const other = new Database(path.join(dir, 'a.db'));
    other.prepare('SELECT count(*) FROM "Ticket"').get();
    const t0 = Date.now();
    const second = await openMigratedStore(url);
    expect(await second.prisma.ticket.count()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000); // no 30 s wait for the file's lock
    await second.prisma.$disconnect();
    other.close();
  });
});
