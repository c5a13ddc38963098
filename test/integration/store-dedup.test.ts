/**
 * Deduplication at the door, at the store: the same Feishu event handed to the
 * bot five times at once (as five webhook deliveries arriving together would),
 * and the same message redelivered under five new event ids, make one inbound
 * row, one ticket and one set of replies. On SQLite always; on PostgreSQL
 * (concurrent transactions for real) when TEST_DATABASE_URL is reachable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/bot/clock.js';
import type { ServiceBot } from '../../src/bot/service.js';
import type { Provider } from '../../src/store/migrate.js';
import { feishuMessage, freshStore, makeBot, pgReachable, type TestStore } from '../support/chaos.js';

const pg = await pgReachable();
const stores: TestStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

async function setup(provider: Provider): Promise<{ store: TestStore; bot: ServiceBot }> {
  const store = await freshStore(provider, 'dedup');
  stores.push(store);
  const bot = await makeBot(store.db, provider, new ManualClock(new Date('2026-11-24T02:00:00Z')));
  return { store, bot };
}

for (const provider of ['sqlite', 'postgresql'] as const) {
  describe.skipIf(provider === 'postgresql' && !pg)(`store-level dedup (${provider})`, () => {
    it('the same event five times at once: one processed, four duplicates; one inbound row, one ticket, one set of replies', async () => {
      const { store, bot } = await setup(provider);
      // The replies one delivery makes, for comparison.
      await bot.receive(feishuMessage('base', '17号闸机刷卡没反应 一台', { chat: 'oc_dedup_base' }));
      const oneSet = await store.db.outbox.count({ where: { chatPlatformId: 'oc_dedup_base' } });
      expect(oneSet).toBeGreaterThan(0);

      const ev = feishuMessage('five', '18号闸机刷卡没反应 一台', { chat: 'oc_dedup_five' });
      const results = await Promise.all(Array.from({ length: 5 }, () => bot.receive(structuredClone(ev))));
      expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
      expect(await store.db.inboundEvent.count({ where: { chatPlatformId: 'oc_dedup_five' } })).toBe(1);
      const tickets = await store.db.ticket.findMany({ where: { sourceMessageId: ev.messageId } });
      expect(tickets).toHaveLength(1);
      expect(await store.db.outbox.count({ where: { chatPlatformId: 'oc_dedup_five' } })).toBe(oneSet);
      expect(await store.db.timer.count({ where: { ticketId: tickets[0]!.id } })).toBe(
        await store.db.timer.count({ where: { ticket: { sourceMessageId: 'om_base' } } }),
      );
    });

    it('the same message redelivered under five new event ids at once: one ticket', async () => {
      const { store, bot } = await setup(provider);
      const deliveries = Array.from({ length: 5 }, (_, k) => feishuMessage('re', '19号闸机刷卡没反应 一台', { chat: 'oc_dedup_re', eventId: `ev_re_${k}`, messageId: 'om_re' }));
      const results = await Promise.all(deliveries.map((d) => bot.receive(d)));
      expect(results.filter((r) => r.status === 'processed')).toHaveLength(1);
      expect(await store.db.ticket.count({ where: { sourceMessageId: 'om_re' } })).toBe(1);
      expect(await store.db.inboundEvent.count({ where: { messageId: 'om_re' } })).toBe(1);
    });

    it('twenty different reports at once in one chat: twenty tickets with distinct numbers (the day counter holds)', async () => {
      const { store, bot } = await setup(provider);
      const reports = Array.from({ length: 20 }, (_, k) => feishuMessage(`many${k}`, `${k + 1}号售票机卡币了 就一台`, { chat: 'oc_dedup_many', sender: `ou_many_${k}` }));
      const results = await Promise.all(reports.map((r) => bot.receive(r)));
      expect(results.every((r) => r.status === 'processed')).toBe(true);
      const tickets = await store.db.ticket.findMany({ where: { chat: { platformId: 'oc_dedup_many' } }, select: { number: true } });
      expect(tickets).toHaveLength(20);
      expect(new Set(tickets.map((t) => t.number)).size).toBe(20);
    });
  });
}
