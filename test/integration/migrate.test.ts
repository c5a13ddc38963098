/**
 * The committed migrations (prisma/<provider>/migrations) against real databases, applied by the
 * service's own runner (src/store/migrate.ts); the WASM schema engine only checks that they match
 * prisma/models.prisma. A fresh SQLite file always; PostgreSQL when TEST_DATABASE_URL names a
 * server (a throw-away database is created on it and dropped afterwards).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../../src/store/client.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { applyMigrations, migrationsDir, providerOf, readMigrations } from '../../src/store/migrate.js';
import { createThrowawayPgDatabase, type ThrowawayDatabase } from '../../src/store/pg-databases.js';
import { diffMigrationsToModels, engineApplyMigrations } from '../../src/store/schema-engine.js';

const PG_URL = process.env.TEST_DATABASE_URL;
const PG_SKIP_REASON = 'TEST_DATABASE_URL is not set (e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test)';
if (!PG_URL) console.warn(`[migrate.test] PostgreSQL tests SKIPPED: ${PG_SKIP_REASON}.`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'servicebot-migrate-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The Error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

const allMigrations = (provider: 'sqlite' | 'postgresql') => readMigrations(provider).map((m) => m.name);

/** A copy of the committed migrations plus one more, for a migration that fails (or is fixed). */
function migrationsWith(name: string, provider: 'sqlite' | 'postgresql', extra: string): string {
  const dir = path.join(tmp, `${name}-${provider}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(migrationsDir(provider), dir, { recursive: true });
  mkdirSync(path.join(dir, '29991231000000_extra'));
  writeFileSync(path.join(dir, '29991231000000_extra', 'migration.sql'), extra);
  return dir;
}

/** The table names of a SQLite file. */
function sqliteTables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Inserts a customer, a chat, a person and a ticket, and reads them back through the relations. */
async function roundTrip(prisma: Db): Promise<void> {
  const customer = await prisma.customer.create({ data: { name: '西安地铁二号线运营分公司' } });
  const chat = await prisma.chat.create({ data: { channel: 'sandbox', platformId: 'demo', customerId: customer.id } });
  const person = await prisma.person.create({ data: { channel: 'sandbox', platformId: 'u1', name: '王工' } });
  const reportedAt = new Date('2026-11-24T01:02:03.004Z');
  await prisma.ticket.create({
    data: {
      number: 'GD-20261124-0001',
      status: 'reported',
      chatId: chat.id,
      reporterId: person.id,
      customerId: customer.id,
      content: '小寨站 3号闸机刷卡没反应',
      reportedAt,
      contractHash: 'test',
    },
  });
  const ticket = await prisma.ticket.findUniqueOrThrow({
    where: { number: 'GD-20261124-0001' },
    include: { chat: true, reporter: true, customer: true },
  });
  expect(ticket.reportedAt.toISOString()).toBe(reportedAt.toISOString());
  expect(ticket.customer?.name).toBe('西安地铁二号线运营分公司');
  expect(ticket.reporter.name).toBe('王工');
  expect(ticket.levelProvisional).toBe(false);
  // Foreign keys are enforced on both databases.
  await expect(prisma.chat.create({ data: { channel: 'sandbox', platformId: 'x', customerId: 99_999 } })).rejects.toThrow(/foreign key/i);
  // The unique index on (channel, platformId) holds.
  await expect(prisma.chat.create({ data: { channel: 'sandbox', platformId: 'demo' } })).rejects.toThrow(/unique/i);
}

describe('database URLs', () => {
  it('picks the provider by scheme', () => {
    expect(providerOf('file:./data/servicebot.db')).toBe('sqlite');
    expect(providerOf('postgresql://postgres@127.0.0.1:5432/x')).toBe('postgresql');
    expect(providerOf('postgres://postgres@127.0.0.1/x')).toBe('postgresql');
  });

  it('refuses an unknown scheme with one line naming what is accepted', async () => {
    await expect(applyMigrations('mysql://root@localhost/db')).rejects.toThrow(/^Unknown database URL scheme "mysql:".*file:.*postgresql:\/\/[^\n]*$/);
    expect(() => createPrismaClient('./data/x.db')).toThrow(/has no scheme/);
  });

  it('reports an unreachable PostgreSQL in one line, not an engine dump', async () => {
    const err = await failure(applyMigrations('postgresql://postgres@127.0.0.1:1/nowhere'));
    expect(err.message).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\): start the server or fix/);
    expect(err.message).not.toContain('\n');
  });
});

describe('migrations on SQLite', () => {
  const file = path.join(tmp, 'nested', 'folder', 'servicebot.db');
  const url = `file:${file}`;

  it('the committed migrations match prisma/models.prisma (else: npm run db:migrate:new -- <name>)', async () => {
    expect(await diffMigrationsToModels('sqlite')).toBeNull();
  });

  it('applies every migration to a fresh file (creating its folder), then nothing on the second run', async () => {
    const lines: string[] = [];
    const first = await applyMigrations(url, { log: (l) => lines.push(l) });
    expect(existsSync(file)).toBe(true);
    expect(first.applied).toEqual(allMigrations('sqlite'));
    expect(lines.join('\n')).toContain(`Applying ${allMigrations('sqlite')[0]}`);
    const second = await applyMigrations(url);
    expect(second.applied).toEqual([]);
  });

  it('two migrators on one fresh file apply each migration once', async () => {
    const shared = `file:${path.join(tmp, 'shared.db')}`;
    const [a, b] = await Promise.all([applyMigrations(shared), applyMigrations(shared)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(allMigrations('sqlite'));
  });

  it('opens the generated client with service pragmas, inserts and reads', async () => {
    const { prisma, provider } = createPrismaClient(url);
    expect(provider).toBe('sqlite');
    try {
      await roundTrip(prisma);
      const pragma = async (name: string) => Object.values((await prisma.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0]!)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(Number(await pragma('synchronous'))).toBe(1); // NORMAL
      expect(Number(await pragma('foreign_keys'))).toBe(1);
      expect(Number(await pragma('busy_timeout'))).toBeGreaterThanOrEqual(5000);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('a failing migration leaves the database as it was; once fixed, the next start applies it', async () => {
    const file = path.join(tmp, 'bad.db');
    const badUrl = `file:${file}`;
    // The first statement works, the second fails (as a full disk would): nothing of it may stay.
    const broken = migrationsWith('bad', 'sqlite', 'CREATE TABLE "Half" (id INTEGER);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n');
    const first = await failure(applyMigrations(badUrl, { migrationsDir: broken }));
    expect(first.message).toMatch(/failed at 29991231000000_extra: .*NoSuchTable.* nothing of it was applied/);
    expect(first.message).not.toContain('\n');
    expect(sqliteTables(file)).not.toContain('Half');
    expect(sqliteTables(file)).toContain('Ticket');
    // Tried again unchanged: the same one line, not stuck on a recorded failure.
    expect((await failure(applyMigrations(badUrl, { migrationsDir: broken }))).message).toBe(first.message);
    const fixed = migrationsWith('bad', 'sqlite', 'CREATE TABLE "Half" (id INTEGER);\n');
    expect((await applyMigrations(badUrl, { migrationsDir: fixed })).applied).toEqual(['29991231000000_extra']);
    expect(sqliteTables(file)).toContain('Half');
  });

  it('a failure an older runner recorded (P3009) does not block the start: the migration is applied again', async () => {
    const file = path.join(tmp, 'p3009.db');
    const url = `file:${file}`;
    await applyMigrations(url);
    const db = new Database(file);
    db.prepare(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('x', 'y', '29991231000000_extra', '2026-01-01', 0)`).run();
    db.close();
    const dir = migrationsWith('p3009', 'sqlite', 'CREATE TABLE "Later" (id INTEGER);\n');
    expect((await applyMigrations(url, { migrationsDir: dir })).applied).toEqual(['29991231000000_extra']);
    expect((await applyMigrations(url, { migrationsDir: dir })).applied).toEqual([]);
  });

  it('refuses a migration changed after it was applied, naming it', async () => {
    const file = path.join(tmp, 'changed.db');
    const dir = migrationsWith('changed', 'sqlite', 'CREATE TABLE "Changed" (id INTEGER);\n');
    await applyMigrations(`file:${file}`, { migrationsDir: dir });
    writeFileSync(path.join(dir, '29991231000000_extra', 'migration.sql'), 'CREATE TABLE "Changed" (id INTEGER, x TEXT);\n');
    const err = await failure(applyMigrations(`file:${file}`, { migrationsDir: dir }));
    expect(err.message).toMatch(/29991231000000_extra\/migration\.sql was changed after it was applied .*new migration/);
  });

  it('a database the schema engine migrated (servicebot before its own runner) is up to date', async () => {
    const url = `file:${path.join(tmp, 'engine.db')}`;
    expect(await engineApplyMigrations(url)).toEqual(allMigrations('sqlite'));
    expect((await applyMigrations(url)).applied).toEqual([]);
  });

  it('refuses a database that has tables but no migration history', async () => {
    const otherUrl = `file:${path.join(tmp, 'foreign.db')}`;
    const { prisma } = createPrismaClient(otherUrl);
    await prisma.$executeRawUnsafe('CREATE TABLE "Legacy" (id INTEGER)');
    await prisma.$disconnect();
    await expect(applyMigrations(otherUrl)).rejects.toThrow(/the database has tables but no migration history/);
  });
});

describe.skipIf(!PG_URL)(PG_URL ? 'migrations on PostgreSQL (TEST_DATABASE_URL)' : `migrations on PostgreSQL — skipped: ${PG_SKIP_REASON}`, () => {
  let db: ThrowawayDatabase | undefined;
  beforeAll(async () => {
    db = await createThrowawayPgDatabase(PG_URL!, 'servicebot_test');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('the committed migrations match prisma/models.prisma (else: npm run db:migrate:new -- <name>)', async () => {
    expect(await diffMigrationsToModels('postgresql', { pgServerUrl: PG_URL })).toBeNull();
  });

  it('applies every migration to a fresh database, then nothing on the second run', async () => {
    const first = await applyMigrations(db!.url);
    expect(first.applied).toEqual(allMigrations('postgresql'));
    const second = await applyMigrations(db!.url);
    expect(second.applied).toEqual([]);
  });

  it('opens the generated client, inserts and reads', async () => {
    const { prisma, provider } = createPrismaClient(db!.url);
    expect(provider).toBe('postgresql');
    try {
      await roundTrip(prisma);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('a failing migration is rolled back whole; once fixed, the next start applies it', async () => {
    const other = await createThrowawayPgDatabase(PG_URL!, 'servicebot_test');
    try {
      const broken = migrationsWith('bad', 'postgresql', 'CREATE TABLE "Half" (id INTEGER);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n');
      const err = await failure(applyMigrations(other.url, { migrationsDir: broken }));
      expect(err.message).toMatch(/failed at 29991231000000_extra: .*NoSuchTable.* nothing of it was applied/);
      const client = new pg.Client({ connectionString: other.url });
      await client.connect();
      try {
        expect((await client.query(`SELECT to_regclass('"Half"') AS t`)).rows[0].t).toBeNull();
        expect((await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`)).rows[0].n).toBe(allMigrations('postgresql').length);
      } finally {
        await client.end();
      }
      const fixed = migrationsWith('bad', 'postgresql', 'CREATE TABLE "Half" (id INTEGER);\n');
      expect((await applyMigrations(other.url, { migrationsDir: fixed })).applied).toEqual(['29991231000000_extra']);
    } finally {
      await other.drop();
    }
  });

  it('a database the schema engine migrated is up to date for the runner', async () => {
    const other = await createThrowawayPgDatabase(PG_URL!, 'servicebot_test');
    try {
      expect(await engineApplyMigrations(other.url)).toEqual(allMigrations('postgresql'));
      expect((await applyMigrations(other.url)).applied).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it('two replicas starting at once apply each migration once', async () => {
    const other = await createThrowawayPgDatabase(PG_URL!, 'servicebot_test');
    try {
      const [a, b] = await Promise.all([applyMigrations(other.url), applyMigrations(other.url)]);
      expect([...a.applied, ...b.applied].sort()).toEqual(allMigrations('postgresql'));
    } finally {
      await other.drop();
    }
  });
});
