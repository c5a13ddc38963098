/**
 * The service on PostgreSQL (several replicas share one): the same path as on
 * SQLite — a report becomes a ticket, a redelivered event does nothing even
 * when five copies race, and concurrent scheduler ticks fire each timer once.
 * Runs when TEST_DATABASE_URL names a PostgreSQL server (CI sets it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { createThrowawayPgDatabase, type ThrowawayDatabase } from '../../src/store/pg-databases.js';
import { PEOPLE, botSays, startTestService, type TestService } from '../support/service.js';

const server = process.env.TEST_DATABASE_URL;
if (!server) console.warn('postgres-service.test.ts: skipped — set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the PostgreSQL tests');

describe.skipIf(!server)('the service on PostgreSQL', () => {
  let db: ThrowawayDatabase;
  let svc: TestService;
  beforeAll(async () => {
    db = await createThrowawayPgDatabase(server!, 'servicebot_svc');
    svc = await startTestService({ env: { DATABASE_URL: db.url } });
  });
  afterAll(async () => {
    await svc?.close();
    await db?.drop();
  });

  it('turns a report into a ticket and replies with its number', async () => {
    await svc.post('demo', PEOPLE.customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    const bot = await botSays(svc, 'demo');
    expect(bot[0]!.text).toMatch(/GD-20261124-0001/);
    const t = await svc.ticket('GD-20261124-0001');
    expect(t.device).toBe('闸机');
    expect(t.timers.length).toBeGreaterThan(0);
  });

  it('five copies of one event at once make one ticket', async () => {
    const ev = {
      type: 'message' as const,
      channel: 'sandbox' as const,
      eventId: 'race-1',
      messageId: 'race-msg-1',
      chat: { id: 'pg-race', type: 'group' as const },
      sender: { id: 'c9', name: '赵工' },
      text: '钟楼站 2号售票机不出票 电话13800138009',
      mentions: [],
      mentionsBot: false,
      at: new Date(),
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => svc.bot.receive({ ...ev })));
    expect(results.filter((r) => r.status === 'processed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(4);
    const chat = await svc.db.chat.findUnique({ where: { channel_platformId: { channel: 'sandbox', platformId: 'pg-race' } } });
    expect(await svc.db.ticket.count({ where: { chatId: chat!.id } })).toBe(1);
  });

  it('concurrent ticks fire each due timer once', async () => {
    const pending = await svc.db.timer.count({ where: { state: 'pending' } });
    expect(pending).toBeGreaterThan(0);
    // Move the clock past the first reminders without firing, then race three "replicas".
    (svc.clock as ManualClock).set(new Date(svc.clock.now().getTime() + 20 * 60_000));
    const fired = await Promise.all([svc.bot.fireDue(), svc.bot.fireDue(), svc.bot.fireDue()]);
    const firedRows = await svc.db.timer.count({ where: { state: 'fired' } });
    // A tick fires, with each timer it claims, the ticket's other reminders due at the same moment
    // (one message per ticket and moment), so the ticks may report fewer than the rows fired.
    const reported = fired.reduce((a, b) => a + b, 0);
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThanOrEqual(firedRows);
    expect(firedRows).toBeGreaterThan(0);
    // Each fired timer recorded exactly one reminder: none twice, none missing.
    const reminders = await svc.db.ticketEvent.findMany({ where: { action: 'reminder' }, select: { ticketId: true, detail: true } });
    expect(reminders).toHaveLength(firedRows);
    const keys = reminders.map((r) => {
      const d = JSON.parse(r.detail) as { clock: string; stage: string };
      return `${r.ticketId}|${d.clock}|${d.stage}`;
    });
    expect(new Set(keys).size).toBe(keys.length);
  });
});
