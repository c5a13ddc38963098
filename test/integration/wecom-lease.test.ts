/**
 * One WeCom bot connection across replicas: the lease (store/lease.ts) is held by one replica at
 * a time on SQLite and PostgreSQL; the WeCom channel connects only while it holds it, the other
 * waits on standby (leaving its outbox rows to the holder) and takes over when the holder stops
 * or dies (its lease lapses).
 */
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Dispatcher } from '../../src/bot/dispatcher.js';
import { createWecomChannel, type WecomChannelHandle } from '../../src/channels/wecom/index.js';
import type { InboundSink } from '../../src/core/channel.js';
import { Lease } from '../../src/store/lease.js';
import { FakeWecomBot } from '../support/fake-wecom-bot.js';
import { until } from '../support/recording-sink.js';
import { freshStore, pgReachable, type TestStore } from '../support/store.js';

const stores: TestStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

const providers = ['sqlite', ...((await pgReachable()) ? ['postgresql' as const] : [])] as const;
const sink: InboundSink = { receive: async () => ({ status: 'processed' }) };

describe.each(providers)('the lease on %s', (provider) => {
  it('is held by one replica at a time, renewed by its holder, taken over when it lapses or is given up', async () => {
    const store = await freshStore(provider, 'wecom-lease');
    stores.push(store);
    let now = 1_000_000;
    const a = new Lease({ db: store.db, name: 'wecom:bot1', holder: 'a', ttlMs: 1000, now: () => now });
    const b = new Lease({ db: store.db, name: 'wecom:bot1', holder: 'b', ttlMs: 1000, now: () => now });
    const [ra, rb] = await Promise.all([a.acquire(), b.acquire()]);
    expect([ra, rb].filter(Boolean)).toHaveLength(1);
    const [holder, other] = ra ? [a, b] : [b, a];
    expect(await holder.acquire()).toBe(true);
    expect(await other.acquire()).toBe(false);
    now += 900;
    expect(await holder.acquire()).toBe(true); // renewed until now + 1000
    now += 900;
    expect(await other.acquire()).toBe(false);
    now += 200; // the holder died: lapsed
    expect(await other.acquire()).toBe(true);
    expect(await holder.acquire()).toBe(false);
    expect(await holder.current()).toBe(other.holder);
    await other.release();
    expect(await holder.current()).toBeNull();
    expect(await holder.acquire()).toBe(true);
  });

  it('two replicas with the same bot: one connection; the standby takes over when the holder stops', async () => {
    const store = await freshStore(provider, 'wecom-lease-channel');
    stores.push(store);
    const fake = new FakeWecomBot();
    await fake.start();
    const replica = (name: string): WecomChannelHandle =>
      createWecomChannel({ botId: fake.botId, secret: fake.secret, wsUrl: fake.url }, { sink, db: store.db, replicaName: name, leaseMs: 600, tuning: { reconnectBaseMs: 50 } });
    const one = replica('one');
    const two = replica('two');
    await Promise.all([one.start(), two.start()]);
    await until(() => fake.subscribed === 1, 5000, 'one subscription');
    const [holder, standby] = one.role() === 'holder' ? [one, two] : [two, one];
    expect(standby.role()).toBe('standby');
    expect(standby.sendsHere!()).toBe(false);
    expect(holder.sendsHere!()).toBe(true);
    await until(() => holder.status().connected, 5000, 'the holder connected');
    expect(standby.status()).toMatchObject({ connected: false, detail: expect.stringMatching(/^standby: another replica/) });
    // The standby replica's dispatcher leaves a WeCom row to the holder's.
    const row = await store.db.outbox.create({
      data: { channel: 'wecom', chatPlatformId: 'wrLEASE', action: JSON.stringify({ kind: 'text', text: '测试' }), idempotencyKey: `lease-${provider}`, nextAttemptAt: new Date(0), createdAt: new Date() },
    });
    const dispatcher = (h: WecomChannelHandle) => new Dispatcher({ db: store.db, log: pino({ level: 'silent' }), channels: new Map([['wecom', h]]) });
    expect(await dispatcher(standby).drain()).toBe(0);
    expect(await store.db.outbox.findUnique({ where: { id: row.id } })).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await dispatcher(holder).drain()).toBe(1);
    expect(await store.db.outbox.findUnique({ where: { id: row.id } })).toMatchObject({ status: 'sent' });
    expect(fake.shown.filter((m) => m.chatid === 'wrLEASE')).toHaveLength(1);
    // Several lease rounds later, still one connection and no takeover.
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.subscribed).toBe(1);
    expect(fake.subscribeAttempts).toHaveLength(1);
    await holder.stop();
    await until(() => standby.role() === 'holder' && standby.status().connected, 5000, 'the standby to take over');
    expect(fake.subscribed).toBe(1);
    await standby.stop();
    await fake.close();
  });
});
