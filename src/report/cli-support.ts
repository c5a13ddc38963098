/**
 * What the report commands (digest, export, seed) share: the configuration, the
 * migrated store with the organisation written in, and the contracts.
 */
import { ContractRegistry } from '../bot/context.js';
import { seedOrg } from '../bot/directory.js';
import { loadConfig, type Config } from '../config.js';
import { createPrismaClient } from '../store/client.js';
import { applyMigrations } from '../store/migrate.js';
import type { Db } from '../store/types.js';

export interface Store {
  db: Db;
  provider: 'sqlite' | 'postgresql';
  config: Config;
  contracts: ContractRegistry;
  close(): Promise<void>;
}

export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const config = loadConfig(env);
  await applyMigrations(config.database.url);
  const { prisma: db, provider } = createPrismaClient(config.database.url);
  await db.$connect();
  await seedOrg(db, config.org);
  return { db, provider, config, contracts: new ContractRegistry(config.contracts), close: () => db.$disconnect() };
}

/** The service's notion of now: the sandbox's manual clock when the service runs on one, else the system clock. */
export async function storeNow(store: Store): Promise<Date> {
  if (store.config.env.SANDBOX_CLOCK === 'manual') {
    const s = await store.db.setting.findUnique({ where: { key: 'sandbox.clock' } });
    const at = s ? new Date(s.value) : null;
    if (at && !Number.isNaN(at.getTime())) return at;
  }
  return new Date();
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const isoDay = (s: string | undefined, what: string): string => {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(new Date(`${s}T00:00:00Z`).getTime())) {
    throw new UsageError(`${what}: a date written YYYY-MM-DD${s ? `, not "${s}"` : ''}`);
  }
  return s;
};
