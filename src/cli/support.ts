/**
 * What the report commands (digest, export, seed) share: the configuration, the
 * migrated store with the organisation written in, and the contracts.
 */
import { ContractRegistry } from '../core/contracts.js';
import { seedOrg } from '../bot/directory.js';
import { loadConfig, type Config } from '../config.js';
import { openMigratedStore } from '../store/open.js';
import type { Db } from '../store/types.js';

export interface Store {
  db: Db;
  provider: 'sqlite' | 'postgresql';
  config: Config;
  contracts: ContractRegistry;
  close(): Promise<void>;
}

/**
 * Opens the store for a command. A database already up to date is used as it is,
 * so the commands work beside a running service (SQLite migrations need the file
 * to themselves); otherwise the migrations are applied first.
 */
export async function openStore(env: NodeJS.ProcessEnv = process.env, opts: { seedOrg?: boolean } = {}): Promise<Store> {
  const config = loadConfig(env);
  const { prisma: db, provider } = await openMigratedStore(config.database.url);
  await db.$connect();
  if (opts.seedOrg ?? true) await seedOrg(db, config.org);
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

/**
 * Writes to standard output and waits until it is flushed: the CLI ends with
 * process.exit(), which would cut a large answer written to a pipe.
 */
export function writeOut(data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(data, (e) => (e ? reject(e) : resolve())));
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
