/**
 * One service instance per SQLite file: a second instance on the same file
 * refuses to start, saying which one holds it; the lock goes with the first
 * instance (stop, or the process ending: see test/chaos/two-instances.test.ts
 * for SIGKILL). PostgreSQL takes no such lock (replicas share it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { InstanceLockError, instanceLockFile, takeInstanceLock } from '../../src/store/instance-lock.js';
import { startTestService, type TestService } from '../support/service.js';

let first: TestService | undefined;
let second: Service | undefined;
afterAll(async () => {
  await second?.stop();
  await first?.close();
});

describe('one service instance per SQLite file', () => {
  it('a second instance on the same file is refused with a clear message; once the first stops, it starts', async () => {
    first = await startTestService();
    const config = loadConfig({ PATH: process.env.PATH, DATABASE_URL: `file:${path.join(first.dir, 'test.db')}`, DATA_DIR: first.dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const attempt = startService(config, { background: false, log: pino({ level: 'silent' }) });
    await expect(attempt).rejects.toThrow(InstanceLockError);
    await expect(attempt).rejects.toThrow(new RegExp(`another servicebot is already running on ${path.join(first.dir, 'test.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid ${process.pid} on .+, since .+\\)\\. A SQLite file takes one service instance`));
    // The first one goes on working.
    expect((await first.post('demo', { id: 'c1', name: '王工', role: 'customer' }, '小寨站 3号闸机刷卡没反应 电话13800138000')).status).toBeDefined();
    expect(await first.db.ticket.count()).toBe(1);

    await first.stop();
    second = await startService(config, { background: false, log: pino({ level: 'silent' }) });
    expect(await second.db.ticket.count()).toBe(1);
    expect(existsSync(instanceLockFile(config.database.provider === 'sqlite' ? config.database.file : ''))).toBe(true);
  }, 60_000);

  it('a refused start leaves the lock to its holder; a released lock can be taken again', () => {
    const file = path.join(first!.dir, 'other.db');
    const a = takeInstanceLock(file);
    expect(() => takeInstanceLock(file)).toThrow(/already running/);
    expect(() => takeInstanceLock(file)).toThrow(/already running/);
    a.release();
    a.release(); // twice is harmless
    const b = takeInstanceLock(file);
    b.release();
  });

  it('the first start, on a data folder that does not exist yet, takes it (and makes the folder)', () => {
    const file = path.join(first!.dir, 'not', 'yet', 'servicebot.db');
    const l = takeInstanceLock(file);
    expect(existsSync(instanceLockFile(file))).toBe(true);
    l.release();
  });
});
