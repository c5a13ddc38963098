/**
 * /healthz says whether the database takes writes, not only whether it answers
 * a SELECT: with writes refused (here: the service's own SQLite connection made
 * read-only with PRAGMA query_only, as a full disk or a read-only file would)
 * messages fail and /healthz turns 503, saying why; once writes work again it
 * recovers by itself. The real full disk: test/chaos/disk-full.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITE_PROBE_KEY, WriteProbe } from '../../src/store/write-probe.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.close());

const health = async () => {
  const r = await fetch(`${svc.url}/healthz`);
  return { status: r.status, body: (await r.json()) as { status: string; database: string } };
};

describe('/healthz and refused writes', () => {
  it('turns 503 when the database refuses writes and recovers by itself', async () => {
    expect((await health()).status).toBe(200);
    await svc.db.$executeRawUnsafe('PRAGMA query_only = 1');
    try {
      // A message cannot be recorded now…
      const r = await fetch(`${svc.url}/api/sandbox/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat: 'demo', from: PEOPLE.customer, text: '小寨站 3号闸机刷卡没反应' }) });
      // …and is refused as such: 503 with the database's words, to be sent again later.
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('60');
      expect(((await r.json()) as { error: string }).error).toMatch(/^the database refuses writes \(.*readonly.*\): nothing was recorded/i);
      // …and health says so within the probe's reuse time (5 s).
      await expect.poll(async () => (await health()).status, { timeout: 15_000, interval: 500 }).toBe(503);
      const h = await health();
      expect(h.body.status).toBe('degraded');
      expect(h.body.database).toMatch(/^error: writes refused: .*readonly/i);
    } finally {
      await svc.db.$executeRawUnsafe('PRAGMA query_only = 0');
    }
    await expect.poll(async () => (await health()).status, { timeout: 15_000, interval: 500 }).toBe(200);
    expect((await svc.post('demo', PEOPLE.customer, '小寨站 3号闸机刷卡没反应 电话13800138000')).status).toBeDefined();
  }, 60_000);

  it('probes with one small write at most every few seconds, however often it is asked', async () => {
    const probe = new WriteProbe(svc.db, { maxAgeMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => probe.status()));
    expect(new Set(results).size).toBe(1);
    expect(results[0]!.ok).toBe(true);
    const row = await svc.db.setting.findUniqueOrThrow({ where: { key: WRITE_PROBE_KEY } });
    expect(row.value).toContain(results[0]!.checkedAt.toISOString());
    expect(await probe.status()).toBe(results[0]);
  });
});
