/**
 * A fresh, migrated database for a test: a SQLite file in a temp folder, or a
 * throw-away PostgreSQL database on the server of TEST_DATABASE_URL, dropped on
 * close. Depends on the store only, so store-level tests need no bot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrismaClient } from '../../src/store/client.js';
import { applyMigrations, type Provider } from '../../src/store/migrate.js';
import { createThrowawayPgDatabase } from '../../src/store/pg-databases.js';
import type { Db } from '../../src/store/types.js';

export const PG_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestStore {
  provider: Provider;
  url: string;
  db: Db;
  close(): Promise<void>;
}

/** A fresh, migrated database of `provider`; close() disconnects and removes it. */
export async function freshStore(provider: Provider, label = 'chaos'): Promise<TestStore> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), `servicebot-${label}-`));
    const url = `file:${path.join(dir, 'store.db')}`;
    await applyMigrations(url);
    const { prisma } = createPrismaClient(url);
    await prisma.$connect();
    return {
      provider,
      url,
      db: prisma,
      async close() {
        await prisma.$disconnect();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const tmp = await createThrowawayPgDatabase(PG_SERVER_URL, `servicebot_${label}`);
  try {
    await applyMigrations(tmp.url);
  } catch (e) {
    await tmp.drop();
    throw e;
  }
  const { prisma } = createPrismaClient(tmp.url);
  await prisma.$connect();
  return {
    provider,
    url: tmp.url,
    db: prisma,
    async close() {
      await prisma.$disconnect();
      await tmp.drop();
    },
  };
}

/** Whether the PostgreSQL server of TEST_DATABASE_URL answers (tests skip otherwise). */
export async function pgReachable(): Promise<boolean> {
  if (!process.env.TEST_DATABASE_URL) return false;
  const pg = await import('pg');
  const c = new pg.default.Client({ connectionString: PG_SERVER_URL, connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
