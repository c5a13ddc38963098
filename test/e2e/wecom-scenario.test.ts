/**
 * The WeCom bot channel with the real bot, store and outbox dispatcher (wired by hand here, as
 * the wiring task will do in src/main.ts): a customer reports in a WeCom group, the report is
 * replayed, a level card is clicked, the connection drops while replies are due, and the channel
 * restarts. One ticket; every outbox row sent, none shown twice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Dispatcher } from '../../src/bot/dispatcher.js';
import type { ChannelName } from '../../src/core/channel.js';
import type { SendingChannel } from '../../src/bot/dispatcher.js';
import { WecomBotChannel } from '../../src/channels/wecom/adapter.js';
import { FakeWecomBot } from '../support/fake-wecom-bot.js';
import { freshStore, makeBot, quietConfig, type TestStore } from '../support/chaos.js';
import { until } from '../support/recording-sink.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-wecom-scenario-'));
const stores: TestStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const GROUP = 'wrLINE3GROUP';
const orgFile = path.join(dir, 'org.yaml');
writeFileSync(
  orgFile,
  `contracts: {}
customers:
  - name: 西安地铁三号线运营分公司
    contract: default
    warrantyStart: 2025-06-01
    warrantyEnd: 2028-05-31
    chats:
      - { channel: wecom, id: ${GROUP} }
staff:
  - { name: 张工, role: engineer, phone: "13900000001", ids: { wecom: zhanggong } }
  - { name: 李经理, role: manager, ids: { wecom: limanager } }
managersGroups:
  - { channel: wecom, id: wrMANAGERS }
rota: []
`,
);

describe('a ticket through the WeCom bot channel', () => {
  it('report, replay, click, a dropped connection and a restart: one ticket, every row sent once', async () => {
    const store = await freshStore('sqlite', 'wecom-scenario');
    stores.push(store);
    const fake = new FakeWecomBot();
    await fake.start();
    const clock = new ManualClock(new Date());
    const bot = await makeBot(store.db, 'sqlite', clock, quietConfig({ ORG_FILE: orgFile }));
    const log = pino({ level: 'silent' });
    const channel = (): WecomBotChannel =>
      new WecomBotChannel({ botId: fake.botId, secret: fake.secret, wsUrl: fake.url, sink: bot,  botNames: ['售后助手'], reconnectBaseMs: 50, minIntervalMs: 0, connectWaitMs: 300 });
    let wecom = channel();
    await wecom.start();
    await until(() => wecom.status().connected, 5000, 'subscribed');
    let skew = 0;
    const dispatcher = (): Dispatcher =>
      new Dispatcher({
        db: store.db,
        log,
        // The WeCom bot renders cards (or their plain-text fallback) itself.
        channels: new Map<ChannelName, SendingChannel>([['wecom', { send: (a, c) => wecom.send(a, c), capabilities: { cards: true, cardUpdates: true, threads: false, mentions: true, images: true, attachments: true } }]]),
        now: () => Date.now() + skew,
      });

    const report = {
      msgid: 'wecom-report-1',
      aibotid: fake.botId,
      chatid: GROUP,
      chattype: 'group',
      from: { userid: 'lizhanzhang' },
      create_time: Math.floor(Date.now() / 1000),
      msgtype: 'text',
      text: { content: '@售后助手 小寨站闸机异常，联系电话13800000000' },
    };
    fake.pushMessage(report);
    await until(async () => (await store.db.inboundEvent.count()) === 1, 5000, 'recorded');
    await bot.processQueued();
    await dispatcher().drain();
    expect(await store.db.ticket.count()).toBe(1);
    const shownAfterReport = fake.shown.length;
    expect(shownAfterReport).toBeGreaterThan(0);
    expect(fake.shown.some((s) => s.chatid === GROUP && /GD-/.test(s.content ?? ''))).toBe(true);

    // WeCom pushes the same callback again: nothing new.
    fake.pushMessage(report);
    await new Promise((r) => setTimeout(r, 300));
    await bot.processQueued();
    await dispatcher().drain();
    expect(await store.db.ticket.count()).toBe(1);
    expect(await store.db.inboundEvent.count()).toBe(1);
    expect(fake.shown.length).toBe(shownAfterReport);

    // The level question (the report says nothing of it) as a button card, clicked by the reporter.
    const card = fake.shown.find((s) => s.kind === 'template_card' && s.chatid === GROUP);
    expect(card).toBeDefined();
    if (card) {
      const row = (await store.db.outbox.findMany({ where: { platformMessageId: card.taskId! } }))[0]!;
      const action = JSON.parse(row.action) as { buttons: Array<{ value: string }> };
      fake.pushEvent({
        msgid: 'wecom-click-1',
        create_time: Math.floor(Date.now() / 1000),
        aibotid: fake.botId,
        chatid: GROUP,
        chattype: 'group',
        from: { userid: 'lizhanzhang' },
        msgtype: 'event',
        event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: action.buttons[0]!.value, task_id: card.taskId } },
      });
      await until(async () => (await store.db.inboundEvent.count()) === 2, 5000, 'click recorded');
      // Within 5 s of the click the card shows the choice.
      await until(() => fake.shown.some((s) => s.kind === 'update'), 5000, 'card updated');
      expect(fake.shown.find((s) => s.kind === 'update')!.buttons![0]).toMatch(/^已选择：/);
    }

    // The connection drops while replies are due: they wait, and go after the reconnect.
    fake.drop();
    await until(() => !wecom.status().connected, 2000, 'down');
    await bot.processQueued();
    await dispatcher().drain();
    await until(() => wecom.status().connected, 5000, 'back');
    skew += 20 * 60_000; // past the dispatcher's back-off
    await dispatcher().drain();

    // Restart: a new channel and dispatcher over the same store.
    await wecom.stop();
    wecom = channel();
    await wecom.start();
    await until(() => wecom.status().connected, 5000, 'subscribed again');
    skew += 20 * 60_000;
    await dispatcher().drain();

    const rows = await store.db.outbox.findMany({ where: { channel: 'wecom' } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status !== 'sent').map((r) => [r.status, r.lastError])).toEqual([]);
    const keys = fake.shown.filter((s) => s.kind !== 'update').map((s) => `${s.chatid}|${s.kind}|${s.taskId ?? ''}|${s.content ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(await store.db.ticket.count()).toBe(1);

    await wecom.stop();
    await fake.close();
  });
});
