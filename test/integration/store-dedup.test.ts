/**
 * Deduplication at the door, at the store: the same Feishu event handed to the
 * bot five times at once (as five webhook deliveries arriving together would),
 * and the same message redelivered under five new event ids, make one inbound
 * row, one ticket and one set of replies. On SQLite always; on PostgreSQL
 * (concurrent transactions for real) when TEST_DATABASE_URL is reachable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { ServiceBot } from '../../src/bot/bot.js';
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

    it('deferred messages arriving together: redeliveries and repeated texts among them are caught, each caller hears its own outcome', async () => {
      const { store, bot } = await setup(provider);
      const chat = 'oc_dedup_batch';
      const stored = feishuMessage('b_stored', '站厅PIS屏黑屏了 一块', { chat, sender: 'ou_b_9' });
      expect((await bot.receive(stored, { defer: true })).status).toBe('queued');
      const distinct = Array.from({ length: 60 }, (_, k) => feishuMessage(`b${k}`, `${k + 1}号闸机刷卡没反应 一台`, { chat, sender: `ou_b_${k}` }));
      // Repeats of rows that arrive at the same moment (b55, b56, b57), of a row stored just before
      // (b_stored) and of the first arrival (b0).
      const sameEvent = feishuMessage('b55', '56号闸机刷卡没反应 一台', { chat, sender: 'ou_b_55' });
      const sameMessage = feishuMessage('b56x', '57号闸机刷卡没反应 一台', { chat, sender: 'ou_b_56', eventId: 'ev_b56_again', messageId: 'om_b56' });
      const sameText = feishuMessage('b2t', '58号闸机刷卡没反应 一台', { chat, sender: 'ou_b_57' }); // b57's text from b57's sender, new ids
      const earlier = feishuMessage('b0', '1号闸机刷卡没反应 一台', { chat, sender: 'ou_b_0' });
      const sameTextStored = feishuMessage('b_stored_again', '站厅PIS屏黑屏了 一块', { chat, sender: 'ou_b_9' });
      const all = [...distinct, sameEvent, sameMessage, sameText, sameTextStored, earlier];
      const results = await Promise.all(all.map((ev) => bot.receive(ev, { defer: true })));
      expect(results.slice(0, 60).map((r) => r.status)).toEqual(Array(60).fill('queued'));
      expect(results.slice(60).map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
      // Stored: the 61 queued, and the two repeated texts as ignored; the id redeliveries not at all.
      const rows = await store.db.inboundEvent.findMany({ where: { chatPlatformId: chat }, select: { eventId: true, outcome: true, payload: true } });
      expect(rows.filter((r) => r.outcome === 'queued')).toHaveLength(61);
      expect(rows.filter((r) => r.outcome === 'ignored').map((r) => r.eventId).sort()).toEqual(['ev_b2t', 'ev_b_stored_again']);
      expect(rows.filter((r) => r.outcome === 'ignored').every((r) => r.payload === null)).toBe(true);
      expect(rows).toHaveLength(63);
      // Acted on later: one ticket per queued report.
      await bot.processQueued();
      expect(await store.db.ticket.count({ where: { chat: { platformId: chat } } })).toBe(61);
      expect(await store.db.inboundEvent.count({ where: { chatPlatformId: chat, outcome: 'queued' } })).toBe(0);
    });

    it('a message with NUL characters (PostgreSQL refuses them in text) is recorded without them, beside others arriving with it', async () => {
      const { store, bot } = await setup(provider);
      const chat = 'oc_dedup_nul';
      const evs = [
        feishuMessage('nul0', '5号闸机刷卡没反应 一台', { chat, sender: 'ou_nul_0' }),
        feishuMessage('nul1', '6号闸机\u0000刷卡没反应\u0000 一台', { chat, sender: 'ou_nul_1' }),
        feishuMessage('nul2', '7号闸机刷卡没反应 一台', { chat, sender: 'ou_nul_2' }),
      ];
      const results = await Promise.all(evs.map((ev) => bot.receive(ev, { defer: true })));
      expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
      const row = await store.db.inboundEvent.findFirstOrThrow({ where: { eventId: 'ev_nul1' } });
      expect(row.text).toBe('6号闸机刷卡没反应 一台');
      await bot.processQueued();
      expect(await store.db.ticket.count({ where: { chat: { platformId: chat } } })).toBe(3);
    });
  });
}
