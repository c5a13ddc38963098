/**
 * The committed migrations (prisma/<provider>/migrations) against real databases, through the
 * offline WASM schema engine: a fresh SQLite file always; PostgreSQL when TEST_DATABASE_URL names
 * a server (a throw-away database is created on it and dropped afterwards).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../../src/store/client.js';
import {
  applyMigrations,
  createThrowawayPgDatabase,
  diffMigrationsToModels,
  migrationsDir,
  providerOf,
  readMigrationsList,
  type ThrowawayDatabase,
} from '../../src/store/migrate.js';

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

const allMigrations = (provider: 'sqlite' | 'postgresql') => readMigrationsList(provider).migrationDirectories.map((m) => m.path);

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

  it('a failing migration stops with one line naming it and the fix; the next start says it failed before', async () => {
    const dir = path.join(tmp, 'bad-migrations');
    cpSync(migrationsDir('sqlite'), dir, { recursive: true });
    mkdirSync(path.join(dir, '29991231000000_broken'));
    writeFileSync(path.join(dir, '29991231000000_broken', 'migration.sql'), 'ALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n');
    const badUrl = `file:${path.join(tmp, 'bad.db')}`;
    const first = await failure(applyMigrations(badUrl, { migrationsDir: dir }));
    expect(first.message).toMatch(/failed at 29991231000000_broken.*NoSuchTable.*DELETE FROM "_prisma_migrations"/);
    expect(first.message).not.toContain('\n');
    const again = await failure(applyMigrations(badUrl, { migrationsDir: dir }));
    expect(again.message).toMatch(/\(P3009\): an earlier run of this migration failed/);
  });

  it('refuses a database that has tables but no migration history', async () => {
    const otherUrl = `file:${path.join(tmp, 'foreign.db')}`;
    const { prisma } = createPrismaClient(otherUrl);
    await prisma.$executeRawUnsafe('CREATE TABLE "Legacy" (id INTEGER)');
    await prisma.$disconnect();
    await expect(applyMigrations(otherUrl)).rejects.toThrow(/\(P3005\): the database has tables but no migration history/);
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
