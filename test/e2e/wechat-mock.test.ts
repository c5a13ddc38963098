/**
 * The WeChat channel against the REAL wechaty 1.20 with wechaty-puppet-mock:
 * a room with a customer, an engineer and a manager; the bot's replies are read
 * from the mock room's 'message' event.
 *
 * Verified here about the mock (see docs/wechat.md):
 * - contact.say(text, [contacts]).to(room) gives a room message whose payload has
 *   mentionIdList = those contacts; wechaty's message.mentionList() uses it.
 * - the bot's own sends come back through puppet 'message' (talker = the bot,
 *   message.self() true) and through the mock room's 'message' event.
 * - room.say(text, ...contacts) makes wechaty write "@alias\u2005@alias text" and call
 *   puppet.messageSendText(roomId, text, mentionIdList); the stock PuppetMock drops
 *   mentionIdList (its room message has []), so MentionPuppetMock (mock-puppet.ts) passes it on;
 *   the last test pins the stock behaviour.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { FileBox } from 'file-box';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';

import { createWechatChannel, type WechatChannelHandle } from '../../src/channels/wechat/index.js';
import { MentionPuppetMock, onRoomMessage, type MockRoomMessage } from '../support/wechat/mock-puppet.js';
import {
  PermanentSendError,
  RetryableSendError,
  type InboundEvent,
  type InboundMessage,
  type InboundSink,
  type OutboundAction,
  type ReceiveResult,
} from '../../src/core/channel.js';

type RoomPayload = MockRoomMessage;

/** Dedups by (channel, message id) the way the store's unique index will. */
class DedupSink implements InboundSink {
  readonly calls: InboundEvent[] = [];
  readonly processed: InboundEvent[] = [];
  private readonly seen = new Set<string>();
  async receive(event: InboundEvent): Promise<ReceiveResult> {
    this.calls.push(event);
    const key = `${event.channel}:${event.type === 'message' ? event.messageId : event.eventId}`;
    if (this.seen.has(key)) return { status: 'duplicate' };
    this.seen.add(key);
    this.processed.push(event);
    return { status: 'processed' };
  }
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Keeps log lines in memory (msg + fields) so tests can see what the channel decided. */
class MemoryLog {
  readonly lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  private add(level: string, obj: object, msg?: string) {
    this.lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
  }
  debug(obj: object, msg?: string) { this.add('debug', obj, msg); }
  info(obj: object, msg?: string) { this.add('info', obj, msg); }
  warn(obj: object, msg?: string) { this.add('warn', obj, msg); }
  error(obj: object, msg?: string) { this.add('error', obj, msg); }
}

async function waitFor<T>(fn: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const MIN_INTERVAL = 50;
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('WeChat channel on wechaty + wechaty-puppet-mock', () => {
  let dataDir: string;
  let mocker: mock.Mocker;
  let puppet: MentionPuppetMock;
  let wechat: WechatChannelHandle;
  const sink = new DedupSink();
  const log = new MemoryLog();
  const printedQr: string[] = [];
  let botC: mock.ContactMock, customer: mock.ContactMock, engineer: mock.ContactMock, manager: mock.ContactMock;
  let room: mock.RoomMock;
  const roomLog: RoomPayload[] = [];
  let n = 0;
  const ctx = () => ({ chatId: room.id, idempotencyKey: `k${++n}`, attempt: 1 });
  const botSaid = () => roomLog.filter((m) => m.talkerId === botC.id);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'servicebot-wechat-'));
    mocker = new mock.Mocker();
    puppet = new MentionPuppetMock({ mocker });
    botC = mocker.createContact({ name: '售后小助手' });
    customer = mocker.createContact({ name: '王站长' });
    engineer = mocker.createContact({ name: '张工' });
    manager = mocker.createContact({ name: '李经理' });
    room = mocker.createRoom({
      topic: '西安地铁二号线售后群',
      memberIdList: [botC.id, customer.id, engineer.id, manager.id],
    });
    onRoomMessage(room, (p) => roomLog.push(p));

    wechat = createWechatChannel(
      {
        puppetInstance: puppet,
        dataDir,
        name: 'test-bot',
        minIntervalMs: MIN_INTERVAL,
        maxPerMinute: 100,
        printQr: (s) => printedQr.push(s),
      },
      { sink, log },
    );
    await wechat.start();

    mocker.scan('https://login.weixin.qq.com/l/mock-qr', types.ScanStatus.Waiting);
    await waitFor(() => wechat.channel.loginState().state === 'scan', 'scan state');
    mocker.login(botC);
    await waitFor(() => wechat.channel.status().connected, 'login');
  });

  afterAll(async () => {
    await wechat?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the memory card in the data folder and showed the QR code before login', () => {
    expect(wechat.channel.memoryCardPath).toBe(path.join(dataDir, 'test-bot.memory-card.json'));
    expect(printedQr.length).toBeGreaterThan(0);
    expect(log.lines.some((l) => l.msg === 'wechat: logged in' && l.obj['userName'] === '售后小助手')).toBe(true);
    expect(printedQr[0]).toMatch(/[▀▄█]/);
    expect(wechat.channel.status()).toEqual({ channel: 'wechat', connected: true, detail: 'logged in as 售后小助手' });
  });

  it('a customer message reaches the sink as an InboundMessage with ids and mentions', async () => {
    customer.say('@售后小助手\u2005@张工\u2005小寨站闸机全部黑屏', [botC, engineer]).to(room);
    const ev = (await waitFor(() => sink.processed.at(-1), 'inbound')) as InboundMessage;
    const posted = roomLog.at(-1)!;
    expect(ev).toMatchObject({
      type: 'message',
      channel: 'wechat',
      eventId: posted.id,
      messageId: posted.id,
      chat: { id: room.id, type: 'group', title: '西安地铁二号线售后群' },
      sender: { id: customer.id, name: '王站长' },
      text: '@张工 小寨站闸机全部黑屏',
      mentions: [{ id: engineer.id, name: '张工' }],
      mentionsBot: true,
    });
    expect(Math.abs(ev.at.getTime() - posted.timestamp)).toBe(0);
  });

  it('a replayed message id is handed to the sink again, and the sink dedup makes one result', async () => {
    const before = sink.calls.length;
    const processedBefore = sink.processed.length;
    customer.say('2').to(room);
    await waitFor(() => sink.calls.length === before + 1 || undefined, 'first delivery');
    const id = roomLog.at(-1)!.id;
    puppet.emit('message', { messageId: id });
    puppet.emit('message', { messageId: id });
    await waitFor(() => sink.calls.length === before + 3 || undefined, 'replays');
    await wechat.channel.drainInbound();
    expect(sink.calls.slice(before).map((e) => e.eventId)).toEqual([id, id, id]);
    expect(sink.processed.length).toBe(processedBefore + 1);
  });

  it('send(): text with real @mentions appears in the room, and the bot own message reaches nothing', async () => {
    const callsBefore = sink.calls.length;
    const res = await wechat.channel.send(
      {
        kind: 'text',
        text: '工单 #1 已创建，请张工 30 分钟内接单',
        mentions: [
          { id: engineer.id, name: '张工' },
          { id: manager.id, name: '李经理' },
        ],
      },
      ctx(),
    );
    expect(res).toEqual({}); // the mock returns no message id; real puppets do
    const said = await waitFor(() => botSaid().at(-1), 'bot message in room');
    expect(said.text).toBe('@张工\u2005@李经理 工单 #1 已创建，请张工 30 分钟内接单');
    expect(said.mentionIdList).toEqual([engineer.id, manager.id]);
    expect(puppet.sentText.at(-1)).toEqual({
      conversationId: room.id,
      text: '@张工\u2005@李经理 工单 #1 已创建，请张工 30 分钟内接单',
      mentionIdList: [engineer.id, manager.id],
    });
    // The echo of the bot's own message came through puppet 'message' and was dropped.
    await waitFor(() => log.lines.some((l) => l.msg === 'wechat: own message ignored' && l.obj['messageId'] === said.id), 'own message seen');
    await wechat.channel.drainInbound();
    expect(sink.calls.length).toBe(callsBefore);
  });

  it('a card renders as numbered lines with "请回复数字 1–4"', async () => {
    const card: OutboundAction = {
      kind: 'card',
      title: '故障等级',
      text: '请选择本次故障的影响范围：',
      buttons: [
        { label: '整个系统/车站业务中断', value: 'L1' },
        { label: '部分设备故障，业务降级', value: 'L2' },
        { label: '单台设备故障，不影响业务', value: 'L3' },
        { label: '咨询或一般问题', value: 'L4' },
      ],
      numbered: true,
      mentions: [{ id: customer.id, name: '王站长' }],
    };
    await wechat.channel.send(card, ctx());
    const said = await waitFor(() => botSaid().at(-1), 'card');
    expect(said.text).toBe(
      '@王站长 【故障等级】\n请选择本次故障的影响范围：\n1. 整个系统/车站业务中断\n2. 部分设备故障，业务降级\n3. 单台设备故障，不影响业务\n4. 咨询或一般问题\n请回复数字 1–4',
    );
    expect(said.mentionIdList).toEqual([customer.id]);
  });

  it('card_update with a choice posts nothing', async () => {
    const count = botSaid().length;
    const res = await wechat.channel.send({ kind: 'card_update', messageId: 'x', title: '故障等级', text: '', chosen: '2' }, ctx());
    expect(res).toEqual({});
    expect(botSaid().length).toBe(count);
  });

  it('pacing holds under a burst of 20 sends in one room', async () => {
    const before = botSaid().length;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => wechat.channel.send({ kind: 'text', text: `提醒 ${i + 1}` }, ctx())),
    );
    const burst = botSaid().slice(before);
    expect(burst.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `提醒 ${i + 1}`));
    for (let i = 1; i < burst.length; i++) {
      expect(burst[i]!.timestamp - burst[i - 1]!.timestamp).toBeGreaterThanOrEqual(MIN_INTERVAL);
    }
  });

  it('images: inbound image is an attachment that downloads; outbound PNG is sent as a file with its caption first', async () => {
    customer.say(FileBox.fromBase64(PNG_1PX, 'fault.png')).to(room);
    const ev = (await waitFor(
      () => sink.processed.find((e) => e.type === 'message' && e.attachments?.length),
      'image message',
    )) as InboundMessage;
    expect(ev.attachments).toEqual([{ kind: 'image', key: ev.messageId }]);
    const bytes = await wechat.channel.downloadAttachment(ev.attachments![0]!, ev.messageId);
    expect(bytes.equals(Buffer.from(PNG_1PX, 'base64'))).toBe(true);

    const before = botSaid().length;
    await wechat.channel.send({ kind: 'image', pngBase64: PNG_1PX, caption: '本周工单统计' }, ctx());
    const [caption, image] = botSaid().slice(before);
    expect(caption!.text).toBe('本周工单统计');
    expect(image!.type).toBe(types.Message.Image);
  });

  it('messages older than the login (history replayed after a reconnect) are ignored', async () => {
    const callsBefore = sink.calls.length;
    const old = mocker.MessageMock.create({
      id: 'history-1',
      talkerId: customer.id,
      roomId: room.id,
      text: '昨天的消息',
      mentionIdList: [],
      timestamp: Date.now() - 3_600_000,
      type: types.Message.Text,
    });
    puppet.emit('message', { messageId: old.id });
    await waitFor(() => log.lines.some((l) => l.obj['messageId'] === 'history-1' && /ignored/.test(l.msg)), 'history seen');
    await wechat.channel.drainInbound();
    expect(sink.calls.length).toBe(callsBefore);
  });

  it('one-to-one message from an engineer reaches the sink as a p2p chat', async () => {
    engineer.say('我的工单').to(botC);
    const ev = (await waitFor(
      () => sink.processed.find((e) => e.type === 'message' && e.chat.type === 'p2p'),
      'p2p message',
    )) as InboundMessage;
    expect(ev).toMatchObject({ chat: { id: engineer.id, type: 'p2p' }, sender: { id: engineer.id }, text: '我的工单', mentionsBot: true });
    // And the bot can answer there.
    await wechat.channel.send({ kind: 'text', text: '您有 1 张处理中的工单' }, { chatId: engineer.id, idempotencyKey: 'p2p', attempt: 1 });
    expect(puppet.sentText.at(-1)).toMatchObject({ conversationId: engineer.id, text: '您有 1 张处理中的工单' });
  });

  it('bot added to a room → bot_added; removed → bot_removed, and sends there fail permanently', async () => {
    const room2 = mocker.createRoom({ topic: '西安地铁三号线售后群', memberIdList: [customer.id, manager.id] });
    room2.add(botC).by(manager);
    const added = await waitFor(() => sink.processed.find((e) => e.type === 'bot_added'), 'bot_added');
    expect(added).toMatchObject({ chat: { id: room2.id, type: 'group', title: '西安地铁三号线售后群' }, sender: { id: manager.id } });

    await wechat.channel.send({ kind: 'text', text: '大家好，我是售后小助手' }, { chatId: room2.id, idempotencyKey: 'r2', attempt: 1 });

    room2.remove(botC).by(manager);
    const removed = await waitFor(() => sink.processed.find((e) => e.type === 'bot_removed'), 'bot_removed');
    expect(removed).toMatchObject({ chat: { id: room2.id }, sender: { id: manager.id } });
    await expect(
      wechat.channel.send({ kind: 'text', text: '还在吗' }, { chatId: room2.id, idempotencyKey: 'r2b', attempt: 1 }),
    ).rejects.toBeInstanceOf(PermanentSendError);
  });

  it('a room that does not exist is a permanent error', async () => {
    await expect(
      wechat.channel.send({ kind: 'text', text: 'x' }, { chatId: 'nope@chatroom', idempotencyKey: 'nope', attempt: 1 }),
    ).rejects.toBeInstanceOf(PermanentSendError);
  });

  it('after logout: status says not connected and sends are retryable', async () => {
    await puppet.logout();
    await waitFor(() => !wechat.channel.status().connected || undefined, 'logout');
    await expect(wechat.channel.send({ kind: 'text', text: 'x' }, ctx())).rejects.toBeInstanceOf(RetryableSendError);
  });
});

describe('stock wechaty-puppet-mock', () => {
  it('drops the mention ids of what the bot says: the room sees "@name" text only', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'servicebot-wechat-'));
    const mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    const [botC, eng] = [mocker.createContact({ name: '售后小助手' }), mocker.createContact({ name: '张工' })];
    const room = mocker.createRoom({ topic: 't', memberIdList: [botC.id, eng.id] });
    const seen: RoomPayload[] = [];
    onRoomMessage(room, (p) => seen.push(p));
    const sink = new DedupSink();
    const wechat = createWechatChannel({ puppetInstance: puppet, dataDir, minIntervalMs: 0 }, { sink, log: silentLog });
    await wechat.start();
    mocker.login(botC);
    await waitFor(() => wechat.channel.status().connected, 'login');
    await wechat.channel.send({ kind: 'text', text: '请接单', mentions: [{ id: eng.id, name: '张工' }] }, { chatId: room.id, idempotencyKey: 'a', attempt: 1 });
    const said = await waitFor(() => seen.at(-1), 'message');
    expect(said).toMatchObject({ talkerId: botC.id, text: '@张工 请接单', mentionIdList: [] });
    await wechat.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('puppet from configuration', () => {
  it('loads a puppet by npm name (WECHATY_PUPPET) and waits for a login', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'servicebot-wechat-'));
    const log = new MemoryLog();
    const wechat = createWechatChannel({ puppet: 'wechaty-puppet-mock', dataDir }, { sink: new DedupSink(), log });
    await wechat.start();
    expect(wechat.channel.status().connected).toBe(false);
    expect(log.lines.some((l) => l.msg === 'wechat: starting' && l.obj['puppet'] === 'wechaty-puppet-mock')).toBe(true);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    await wechat.stop();
    expect(wechat.channel.status()).toMatchObject({ connected: false, detail: 'stopped' });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a puppet that is not installed: start() resolves, logs why, and status() says so', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'servicebot-wechat-'));
    const log = new MemoryLog();
    const wechat = createWechatChannel({ puppet: 'wechaty-puppet-not-installed', dataDir }, { sink: new DedupSink(), log });
    await wechat.start();
    expect(wechat.channel.status()).toEqual({
      channel: 'wechat',
      connected: false,
      detail: 'puppet wechaty-puppet-not-installed is not installed (npm install --save-exact wechaty-puppet-not-installed)',
    });
    expect(log.lines.some((l) => l.level === 'error' && l.msg.startsWith('wechat: start failed'))).toBe(true);
    await expect(wechat.channel.send({ kind: 'text', text: 'x' }, { chatId: 'a@chatroom', idempotencyKey: 'x', attempt: 1 })).rejects.toBeInstanceOf(
      RetryableSendError,
    );
    await wechat.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
