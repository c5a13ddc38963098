import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/store/client.js';
import { applyMigrations } from '../../src/store/migrate.js';
import { cacheStatements, statementsRun } from '../../src/store/statement-cache.js';

describe('prepared statements kept per SQLite connection', () => {
  it('prepares a text once, binds each call its own arguments, and drops the least recently used', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)');
    const stats = cacheStatements(db, 2);
    const ins = 'INSERT INTO t (a) VALUES (?)';
    db.prepare(ins).bind(['x']).run();
    db.prepare(ins).bind(['y']).run();
    expect(stats).toEqual({ prepared: 1, reused: 1 });
    const sel = 'SELECT a FROM t WHERE id >= ? ORDER BY id';
    const st = db.prepare(sel).bind([1]);
    expect(st.reader).toBe(true);
    expect(st.columns().map((c) => c.name)).toEqual(['a']);
    expect(st.raw().all()).toEqual([['x'], ['y']]);
    expect(db.prepare(sel).bind([2]).raw().all()).toEqual([['y']]);
    // A third text evicts the least recently used (the insert): preparing it again is a miss.
    db.prepare('SELECT 1').run();
    db.prepare(ins).bind(['z']).run();
    expect(stats.prepared).toBe(4);
    expect((db.prepare('SELECT count(*) AS n FROM t').bind([]).raw().all() as unknown[][])[0]![0]).toBe(3);
    db.close();
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-stmt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what the Prisma adapter runs its queries through (an adapter upgrade that bypasses it fails here)', async () => {
    const url = `file:${path.join(dir, 'store.db')}`;
    await applyMigrations(url);
    const { prisma } = createPrismaClient(url);
    try {
      await prisma.setting.create({ data: { key: 'a', value: '1' } });
      const before = statementsRun.count;
      const rows = await prisma.setting.findMany({ where: { key: 'a' } });
      expect(rows.map((r) => r.value)).toEqual(['1']);
      expect(statementsRun.count).toBeGreaterThan(before);
      // Transactions (BEGIN, statements, COMMIT) go through it too, and still commit.
      await prisma.$transaction(async (tx) => tx.setting.update({ where: { key: 'a' }, data: { value: '2' } }));
      expect((await prisma.setting.findUniqueOrThrow({ where: { key: 'a' } })).value).toBe('2');
    } finally {
      await prisma.$disconnect();
    }
  });
});
