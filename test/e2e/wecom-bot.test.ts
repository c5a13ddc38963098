/**
 * The WeCom bot channel with the real @wecom/aibot-node-sdk against the fake long connection
 * (test/support/fake-wecom-bot.ts): subscription, inbound frames to the sink, passive and
 * proactive replies, cards and clicks, images, attachments, and what goes wrong — replays, bad
 * frames, a dropped connection, a lost ack, a second connection taking over, a wrong secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RetryableSendError, type OutboundAction, type SendContext } from '../../src/core/channel.js';
import { WecomBotChannel, type WecomBotOptions } from '../../src/channels/wecom/adapter.js';
import { taskIdFor } from '../../src/channels/wecom/render.js';
import { FakeWecomBot } from '../support/fake-wecom-bot.js';
import { memoryLog, RecordingSink, until } from '../support/recording-sink.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(over: Partial<WecomBotOptions> & { fake?: ConstructorParameters<typeof FakeWecomBot>[0] } = {}) {
  const fake = new FakeWecomBot(over.fake);
  await fake.start();
  cleanup.push(() => fake.close());
  const sink = new RecordingSink();
  const log = memoryLog();
  const bot = new WecomBotChannel({
    botId: fake.botId,
    secret: fake.secret,
    wsUrl: fake.url,
    sink,
    log,
    botNames: ['售后助手'],
    reconnectBaseMs: 50,
    minIntervalMs: 0,
    ...over,
  });
  cleanup.push(() => bot.stop());
  await bot.start();
  await until(() => bot.status().connected, 5000, 'subscribed');
  return { fake, sink, bot, log };
}

let n = 0;
const ctx = (over: Partial<SendContext> = {}): SendContext => ({ chatId: 'wrGROUP', idempotencyKey: `key-${++n}`, attempt: 1, ...over });
const groupText = (msgid: string, text: string, chatid = 'wrGROUP') => ({
  msgid,
  aibotid: 'aibot_test',
  chatid,
  chattype: 'group',
  from: { userid: 'zhangsan' },
  create_time: 1764554400,
  msgtype: 'text',
  text: { content: `@售后助手 ${text}` },
});

describe('wecom bot channel against the fake long connection', () => {
  it('subscribes with the bot id and secret; a group @-message reaches the sink once; the reply goes back as a passive stream, a second one to the chat', async () => {
    const { fake, sink, bot } = await setup();
    expect(fake.subscribeAttempts).toHaveLength(1);
    fake.pushMessage(groupText('m1', '17号闸机刷卡没反应'));
    await sink.waitFor(1);
    expect(sink.events[0]).toMatchObject({ type: 'message', channel: 'wecom', eventId: 'm1', text: '17号闸机刷卡没反应', chat: { id: 'wrGROUP', type: 'group' } });

    const first = ctx();
    await bot.send({ kind: 'text', text: '已收到报修，正在登记。', replyTo: 'm1' }, first);
    await bot.send({ kind: 'text', text: '工单 GD-1 已登记。', replyTo: 'm1', mentions: [{ id: 'zhangsan', name: '张三' }] }, ctx());
    expect(fake.shown.map((s) => [s.kind, s.via, s.content])).toEqual([
      ['stream', 'reply', '已收到报修，正在登记。'],
      ['markdown', 'send', '@张三 工单 GD-1 已登记。'],
    ]);
    // The same row again (a retry whose ack was lost): the same stream id refreshes, nothing new shows.
    await bot.send({ kind: 'text', text: '已收到报修，正在登记。', replyTo: 'm1' }, { ...first, attempt: 2 });
    expect(fake.shown.filter((s) => s.kind === 'stream')).toHaveLength(1);
  });

  it('a card replying to a message goes as a passive card reply, and its task_id is the message id', async () => {
    const { fake, sink, bot } = await setup();
    fake.pushMessage(groupText('m-card', '闸机异常'));
    await sink.waitFor(1);
    const c = ctx();
    const res = await bot.send({ kind: 'card', title: '请选择故障等级', text: '工单 GD-3', buttons: [{ label: '1 一级', value: 'level:3:1' }], replyTo: 'm-card' }, c);
    expect(res.messageId).toBe(taskIdFor(c.idempotencyKey));
    expect(fake.shown).toEqual([expect.objectContaining({ kind: 'template_card', via: 'reply', taskId: res.messageId })]);
  });

  it('mentions as WeCom markdown tags when configured', async () => {
    const { fake, bot } = await setup({ mentionStyle: 'tag' });
    await bot.send({ kind: 'text', text: '请接单', mentions: [{ id: 'lisi', name: '李四' }] }, ctx());
    expect(fake.shown[0]!.content).toBe('<@lisi> 请接单');
  });

  it('a card goes as a button card with a task_id from the row key; a click reaches the sink and the card is replaced within 5 s', async () => {
    const { fake, sink, bot } = await setup();
    const c = ctx();
    const card: OutboundAction = {
      kind: 'card',
      title: '请选择故障等级',
      text: '工单 GD-1：17号闸机刷卡没反应',
      buttons: [
        { label: '1 一级', value: 'level:1:1' },
        { label: '2 二级', value: 'level:1:2' },
      ],
      numbered: true,
    };
    const res = await bot.send(card, c);
    expect(res.messageId).toBe(taskIdFor(c.idempotencyKey));
    expect(fake.shown[0]).toMatchObject({ kind: 'template_card', taskId: res.messageId, buttons: ['1 一级', '2 二级'] });

    sink.clickCard = { kind: 'card_update', messageId: res.messageId!, title: '请选择故障等级', text: '已定为二级', chosen: '2 二级' };
    fake.pushEvent({
      msgid: 'click-1',
      create_time: 1764554400,
      aibotid: 'aibot_test',
      chatid: 'wrGROUP',
      chattype: 'group',
      from: { userid: 'zhangsan' },
      msgtype: 'event',
      event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: 'level:1:2', task_id: res.messageId } },
    });
    await sink.waitFor(1);
    expect(sink.events[0]).toMatchObject({ type: 'click', value: 'level:1:2', messageId: res.messageId });
    await until(() => fake.shown.some((s) => s.kind === 'update'), 3000, 'card update');
    expect(fake.shown.find((s) => s.kind === 'update')).toMatchObject({ taskId: res.messageId, buttons: ['2 二级'] });
  });

  it('a card that does not fit a WeCom card (7 choices) goes as numbered text', async () => {
    const { fake, bot } = await setup();
    const buttons = Array.from({ length: 7 }, (_, i) => ({ label: `选项${i + 1}`, value: `v${i + 1}` }));
    await bot.send({ kind: 'card', title: '请选择', text: '原因', buttons, numbered: true }, ctx());
    expect(fake.shown[0]!.kind).toBe('markdown');
    expect(fake.shown[0]!.content).toMatch(/7\. 选项7\n请回复数字 1–7/);
  });

  it('an image is uploaded in chunks and sent; the caption goes first', async () => {
    const { fake, bot } = await setup();
    const png = Buffer.alloc(700 * 1024, 7); // two chunks of at most 512 KB
    await bot.send({ kind: 'image', pngBase64: png.toString('base64'), caption: '本周服务日报' }, ctx());
    expect(fake.shown.map((s) => s.kind)).toEqual(['markdown', 'image']);
    expect(fake.uploaded(fake.shown[1]!.content!)?.equals(png)).toBe(true);
  });

  it('enter_chat: the greeting within 5 s, and the event reaches the sink', async () => {
    const { fake, sink } = await setup({ greeting: '您好，请直接描述故障。' });
    fake.pushEvent({ msgid: 'enter-1', create_time: 1764554400, aibotid: 'aibot_test', from: { userid: 'wangwu' }, msgtype: 'event', event: { eventtype: 'enter_chat' } });
    await sink.waitFor(1);
    await until(() => fake.shown.length === 1);
    expect(fake.shown[0]).toMatchObject({ kind: 'welcome', chatid: 'wangwu', content: '您好，请直接描述故障。' });
    expect(sink.events[0]).toMatchObject({ type: 'bot_added', chat: { id: 'wangwu', type: 'p2p' } });
  });

  it('an image message: the attachment downloads and decrypts with its AES key', async () => {
    const { fake, sink, bot } = await setup();
    const photo = Buffer.from('not really a jpeg, but bytes all the same');
    const { url, aeskey } = fake.hostFile(photo);
    fake.pushMessage({ msgid: 'img-1', aibotid: 'aibot_test', chattype: 'single', from: { userid: 'zhangsan' }, msgtype: 'image', image: { url, aeskey } });
    await sink.waitFor(1);
    const ev = sink.events[0]!;
    if (ev.type !== 'message') throw new Error('not a message');
    expect((await bot.downloadAttachment(ev.attachments![0]!)).equals(photo)).toBe(true);
  });

  it('a replayed frame is recorded once and logged; malformed, unknown and oversized frames are logged, nothing stored, the connection stays', async () => {
    const { fake, sink, bot, log } = await setup();
    const body = groupText('m-replay', '18号闸机报警');
    fake.pushMessage(body);
    fake.pushMessage(body);
    fake.pushRaw('{not json');
    fake.pushMessage({ ...groupText('m-loc', 'x'), msgtype: 'location', location: { latitude: 1 } });
    fake.pushMessage(groupText('m-big', '很'.repeat(70_000)));
    fake.pushMessage(groupText('m-after', '19号闸机报警'));
    await sink.waitFor(2);
    await until(() => log.lines.filter((l) => /ignored/.test(l.msg)).length >= 3, 3000, 'log lines');
    expect(sink.events.map((e) => e.eventId)).toEqual(['m-replay', 'm-after']);
    expect(log.lines.some((l) => l.msg === 'wecom: frame seen before, ignored')).toBe(true);
    expect(log.lines.filter((l) => l.msg === 'wecom: frame ignored').map((l) => (l.obj as { reason: string }).reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/unsupported message type location/), expect.stringMatching(/oversized/)]),
    );
    expect(bot.status().connected).toBe(true);
    expect(fake.subscribeAttempts).toHaveLength(1);
  });

  it('the sink down for a moment: the frame is tried again and recorded', async () => {
    const { fake, sink } = await setup();
    sink.failNext = 2;
    fake.pushMessage(groupText('m-db', '20号闸机报警'));
    await sink.waitFor(1, 8000);
    expect(sink.calls).toBe(3);
  });

  it('WeCom says 45009 (rate limit): retryable after a minute', async () => {
    const { bot } = await setup({ fake: { maxPerMinute: 1 } });
    await bot.send({ kind: 'text', text: '一' }, ctx());
    const err = await bot.send({ kind: 'text', text: '二' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableSendError);
    expect((err as RetryableSendError).retryAfterMs).toBe(60_000);
  });

  it('a dropped connection comes back by itself; a send while it is down waits for it', async () => {
    const { fake, bot } = await setup();
    fake.drop();
    await until(() => !bot.status().connected, 2000, 'disconnect seen');
    const sent = bot.send({ kind: 'text', text: '恢复后发送' }, ctx());
    await sent;
    expect(fake.shown.map((s) => s.content)).toEqual(['恢复后发送']);
    expect(fake.subscribeAttempts.length).toBe(2);
  });

  it('while WeCom cannot be reached, a send is handed back as retryable without writing anything', async () => {
    const { fake, bot } = await setup({ connectWaitMs: 300 });
    await fake.close();
    await until(() => !bot.status().connected, 2000, 'disconnect seen');
    await expect(bot.send({ kind: 'text', text: '发不出去' }, ctx())).rejects.toBeInstanceOf(RetryableSendError);
    expect(fake.shown).toHaveLength(0);
  });

  it('a card whose ack is lost (socket dies after WeCom took it): retried after the reconnect, shown once', async () => {
    const { fake, bot, log } = await setup();
    fake.closeBeforeAck = 1;
    const c = ctx();
    const card: OutboundAction = { kind: 'card', title: '确认修复', text: '工单 GD-2 已修复，请确认', buttons: [{ label: '确认修复', value: 'confirm:2' }] };
    await expect(bot.send(card, c)).rejects.toBeInstanceOf(RetryableSendError);
    expect(log.lines.some((l) => /delivery unknown/.test(l.msg))).toBe(true);
    const res = await bot.send(card, { ...c, attempt: 2 });
    expect(res.messageId).toBe(taskIdFor(c.idempotencyKey));
    expect(fake.shown.filter((s) => s.kind === 'template_card')).toHaveLength(1);
  });

  it('a second connection with the same bot takes over: the first stays down (no reconnect storm) and says why', async () => {
    const { fake, bot } = await setup({ replacedRetryMs: 60_000 });
    const sink2 = new RecordingSink();
    const other = new WecomBotChannel({ botId: fake.botId, secret: fake.secret, wsUrl: fake.url, sink: sink2, reconnectBaseMs: 50 });
    cleanup.push(() => other.stop());
    await other.start();
    await until(() => bot.connection.status().state === 'replaced', 3000, 'replaced');
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.subscribeAttempts).toHaveLength(2);
    expect(bot.status()).toMatchObject({ connected: false, detail: expect.stringMatching(/replaced.*another connection/) });
    expect(other.status().connected).toBe(true);
  });

  it('a wrong secret: a few tries with back-off, then auth_failed and quiet', async () => {
    const fake = new FakeWecomBot();
    await fake.start();
    cleanup.push(() => fake.close());
    const bot = new WecomBotChannel({ botId: fake.botId, secret: 'wrong', wsUrl: fake.url, sink: new RecordingSink(), reconnectBaseMs: 50, maxAuthFailureAttempts: 2 });
    cleanup.push(() => bot.stop());
    await bot.start();
    await until(() => bot.connection.status().state === 'auth_failed', 5000, 'auth_failed');
    const tries = fake.subscribeAttempts.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.subscribeAttempts.length).toBe(tries);
    expect(tries).toBe(3);
    expect(bot.status().detail).toMatch(/auth_failed/);
  });

  it('heartbeats unanswered: the connection is declared dead and made again', async () => {
    const { fake, bot } = await setup({ heartbeatMs: 100 });
    fake.silentHeartbeat = true;
    await until(() => fake.subscribeAttempts.length >= 2, 5000, 'reconnect after missed heartbeats');
    fake.silentHeartbeat = false;
    await until(() => bot.status().connected, 5000, 'back');
  });
});
