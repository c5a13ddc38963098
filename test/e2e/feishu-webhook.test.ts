/**
 * The koa webhook with the real SDK EventDispatcher: events encrypted and
 * signed as Feishu does, posted over HTTP; the channel talks to the fake
 * platform for the bot's identity and people's names.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFeishuChannel, type FeishuChannelBundle } from '../../src/channels/feishu/index.js';
import type { InboundClick, InboundEvent, InboundMessage } from '../../src/core/channel.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import {
  botMembershipEvent,
  botMention,
  cardActionEvent,
  feishuRequest,
  imageMessageEvent,
  newEventId,
  newMessageId,
  postFeishu,
  postMessageEvent,
  RecordingSink,
  TEST_APP,
  textMessageEvent,
  urlVerification,
} from '../support/feishu-events.js';

let fake: FakeFeishu;
let sink: RecordingSink;
let feishu: FeishuChannelBundle;
let server: Server;
let base: string;
let url: string;

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.users.set('ou_customer000000000000000000000001', { name: '李站长', department_ids: ['od-customer'] });
  fake.users.set('ou_engineer00000000000000000000001', { name: '王工', department_ids: ['od-service'] });
  sink = new RecordingSink();
  feishu = createFeishuChannel(
    { ...TEST_APP, mode: 'webhook', domain: fake.url, botOpenId: undefined },
    { sink, channel: { requestTimeoutMs: 1000 }, webhook: { maxBodyBytes: 64 * 1024 } },
  );
  await feishu.start();
  const app = new Koa();
  app.use(feishu.webhook!);
  app.use((ctx) => {
    ctx.status = 404;
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `${base}/feishu/events`;
});

afterAll(async () => {
  await feishu.stop();
  await new Promise((r) => server.close(r));
  await fake.stop();
});

beforeEach(() => {
  sink.calls.length = 0;
  sink.processed.length = 0;
  sink.delayMs = 0;
  sink.failWith = undefined;
  sink.respond = undefined;
});

describe('url_verification', () => {
  it('answers the unsigned, encrypted setup challenge (Feishu sends it without signature headers)', async () => {
    const r = await postFeishu(url, feishuRequest(urlVerification('ch-123'), { sign: false }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ challenge: 'ch-123' });
    expect(sink.calls).toHaveLength(0);
  });

  it('answers a signed challenge too', async () => {
    const r = await postFeishu(url, feishuRequest(urlVerification('ch-456')));
    expect(r.json).toEqual({ challenge: 'ch-456' });
  });

  it('refuses a challenge with someone else\u2019s token or encrypted with another key', async () => {
    expect((await postFeishu(url, feishuRequest(urlVerification('x', 'other-token'), { sign: false }))).status).toBe(401);
    expect((await postFeishu(url, feishuRequest(urlVerification('x'), { sign: false, encryptKey: 'another-key' }))).status).toBe(401);
  });
});

describe('request checks before anything is stored', () => {
  it('bad signature → 401, sink not called', async () => {
    const req = feishuRequest(textMessageEvent('小寨站 3号闸机刷卡没反应'), { signWithKey: 'wrong-key' });
    const r = await postFeishu(url, req);
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: 'bad signature' });
    expect(sink.calls).toHaveLength(0);
  });

  it('a body altered after signing → 401', async () => {
    const req = feishuRequest(textMessageEvent('原文'));
    const tampered = { ...req, body: req.body.replace('{"encrypt":"', '{"encrypt": "') };
    expect((await postFeishu(url, tampered)).status).toBe(401);
    expect(sink.calls).toHaveLength(0);
  });

  it('no signature on an event → 401', async () => {
    expect((await postFeishu(url, feishuRequest(textMessageEvent('x'), { sign: false }))).status).toBe(401);
    expect(sink.calls).toHaveLength(0);
  });

  it('correctly signed but older than Feishu\u2019s last redelivery (8 h) → 401 replay', async () => {
    const old = Math.floor(Date.now() / 1000) - 8 * 3600 - 1;
    const r = await postFeishu(url, feishuRequest(textMessageEvent('重放'), { timestamp: old }));
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: 'replay' });
    expect(sink.calls).toHaveLength(0);
  });

  it('correctly signed but from the future → 401', async () => {
    const future = Math.floor(Date.now() / 1000) + 600;
    expect((await postFeishu(url, feishuRequest(textMessageEvent('x'), { timestamp: future }))).status).toBe(401);
  });

  it('a redelivery 6 hours after the event, should it keep its first timestamp, is accepted', async () => {
    const r = await postFeishu(url, feishuRequest(textMessageEvent('六小时后重投'), { timestamp: Math.floor(Date.now() / 1000) - 6 * 3600 - 30 }));
    expect(r.status).toBe(200);
    expect(sink.calls.at(-1)?.type).toBe('message');
  });

  it('4 minutes old is still accepted', async () => {
    const r = await postFeishu(url, feishuRequest(textMessageEvent('四分钟前'), { timestamp: Math.floor(Date.now() / 1000) - 240 }));
    expect(r.status).toBe(200);
    expect(sink.calls).toHaveLength(1);
  });

  it('oversize body → 413, sink not called', async () => {
    const big = textMessageEvent('大'.repeat(40_000));
    const r = await postFeishu(url, feishuRequest(big));
    expect(r.status).toBe(413);
    expect(sink.calls).toHaveLength(0);
  });

  it('not JSON → 400; GET → 405; other paths pass through', async () => {
    expect((await postFeishu(url, { body: 'not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('a signed event whose verification token is not ours → 401', async () => {
    const r = await postFeishu(url, feishuRequest(textMessageEvent('x', { token: 'not-our-token' })));
    expect(r.status).toBe(401);
    expect(sink.calls).toHaveLength(0);
  });
});

describe('messages', () => {
  it('a group text with the bot mentioned → InboundMessage, bot mention removed, sender named, answered fast', async () => {
    const eventId = newEventId();
    const messageId = newMessageId();
    const createTime = '1760000000123';
    const r = await postFeishu(
      url,
      feishuRequest(
        textMessageEvent('@_user_1 小寨站 3号闸机刷卡没反应 @_user_2 看下', {
          eventId,
          messageId,
          createTime,
          mentions: [botMention('@_user_1'), { key: '@_user_2', openId: 'ou_engineer00000000000000000000001', name: '王工' }],
        }),
      ),
    );
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(sink.calls).toHaveLength(1);
    const e = sink.calls[0] as InboundMessage;
    expect(e).toMatchObject({
      type: 'message',
      channel: 'feishu',
      eventId,
      messageId,
      chat: { id: 'oc_chat0000000000000000000000000001', type: 'group' },
      sender: { id: 'ou_customer000000000000000000000001', name: '李站长', departmentIds: ['od-customer'] },
      text: '小寨站 3号闸机刷卡没反应 @王工 看下',
      mentions: [{ id: 'ou_engineer00000000000000000000001', name: '王工' }],
      mentionsBot: true,
    });
    expect(e.at.getTime()).toBe(1760000000123);
    expect(e.raw).toBeTruthy();
    expect(JSON.parse(JSON.stringify(e.raw))).toMatchObject({ event_id: eventId, token: '[redacted]' });
    expect(JSON.stringify(e.raw)).not.toContain(TEST_APP.verificationToken);
  });

  it('a slow contact API does not hold the answer: 200 within 3 s, the sender shown by open_id', async () => {
    fake.users.set('ou_slowpoke', { name: '慢用户' });
    fake.contactDelayMs = 5000;
    try {
      const r = await postFeishu(url, feishuRequest(textMessageEvent('x', { senderOpenId: 'ou_slowpoke' })));
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(3000);
      expect(sink.calls[0]!.sender).toEqual({ id: 'ou_slowpoke', name: 'ou_slowpoke' });
    } finally {
      fake.contactDelayMs = 0;
    }
  });

  it('a rich-text (post) message with mentions and an image', async () => {
    await postFeishu(
      url,
      feishuRequest(
        postMessageEvent(
          {
            title: '故障报告',
            content: [
              [
                { tag: 'at', user_id: '@_user_1', user_name: TEST_APP.botName },
                { tag: 'text', text: ' 小寨站 3号闸机刷卡没反应' },
              ],
              [{ tag: 'img', image_key: 'img_v3_post1', width: 300, height: 200 }],
            ],
          },
          { mentions: [botMention('@_user_1')], parentId: 'om_parent1', rootId: 'om_root1' },
        ),
      ),
    );
    const e = sink.calls[0] as InboundMessage;
    expect(e.text).toBe('故障报告\n小寨站 3号闸机刷卡没反应');
    expect(e.mentionsBot).toBe(true);
    expect(e.mentions).toEqual([]);
    expect(e.attachments).toEqual([{ kind: 'image', key: 'img_v3_post1' }]);
    expect(e.replyToMessageId).toBe('om_parent1');
  });

  it('an image message and a private chat message', async () => {
    await postFeishu(url, feishuRequest(imageMessageEvent('img_v3_photo')));
    await postFeishu(url, feishuRequest(textMessageEvent('我的工单', { chatType: 'p2p', chatId: 'oc_p2p1' })));
    expect((sink.calls[0] as InboundMessage).attachments).toEqual([{ kind: 'image', key: 'img_v3_photo' }]);
    expect((sink.calls[1] as InboundMessage).chat).toEqual({ id: 'oc_p2p1', type: 'p2p' });
  });

  it('the same event five times at once reaches the sink five times and yields one processed event and one reply', async () => {
    sink.delayMs = 20;
    const payload = textMessageEvent('@_user_1 小寨站 3号闸机刷卡没反应', { mentions: [botMention()] });
    const rs = await Promise.all(Array.from({ length: 5 }, () => postFeishu(url, feishuRequest(payload))));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sink.calls).toHaveLength(5);
    expect(sink.processed).toHaveLength(1);
    // What the outbox would then send for the processed event: one reply.
    const before = fake.messages.length;
    for (const e of sink.processed) {
      await feishu.channel.send(
        { kind: 'text', text: '已登记工单 FW-0001', replyTo: (e as InboundMessage).messageId },
        { chatId: e.chat.id, idempotencyKey: `reply:${e.eventId}`, attempt: 1 },
      );
    }
    expect(fake.messages.length - before).toBe(1);
  });

  it('a redelivery under a new event id but the same message id is a duplicate too', async () => {
    const messageId = newMessageId();
    await postFeishu(url, feishuRequest(textMessageEvent('a', { messageId })));
    await postFeishu(url, feishuRequest(textMessageEvent('a', { messageId })));
    expect(sink.calls).toHaveLength(2);
    expect(sink.processed).toHaveLength(1);
  });

  it('the sink failing (database down) → 503 so Feishu redelivers', async () => {
    sink.failWith = new Error('database is locked');
    const r = await postFeishu(url, feishuRequest(textMessageEvent('x')));
    expect(r.status).toBe(503);
  });

  it('bot added / removed → membership events', async () => {
    await postFeishu(url, feishuRequest(botMembershipEvent('added', { chatId: 'oc_new', chatName: '钟楼站售后群' })));
    await postFeishu(url, feishuRequest(botMembershipEvent('deleted', { chatId: 'oc_new' })));
    expect(sink.calls.map((e) => e.type)).toEqual(['bot_added', 'bot_removed']);
    expect(sink.calls[0]!.chat).toEqual({ id: 'oc_new', type: 'group', title: '钟楼站售后群' });
  });

  it('an unknown event type → 200, sink not called', async () => {
    const r = await postFeishu(
      url,
      feishuRequest({
        schema: '2.0',
        header: { event_id: newEventId(), event_type: 'im.message.message_read_v1', create_time: String(Date.now()), token: TEST_APP.verificationToken, app_id: TEST_APP.appId, tenant_key: TEST_APP.tenantKey },
        event: { reader: { reader_id: { open_id: 'ou_x' } }, message_id_list: ['om_1'] },
      }),
    );
    expect(r.status).toBe(200);
    expect(sink.calls).toHaveLength(0);
  });
});

describe('card clicks', () => {
  it('→ InboundClick with the clicker\u2019s identity; the answer carries the toast and the updated card', async () => {
    sink.respond = (e: InboundEvent) => ({
      toast: '已接单',
      card: { kind: 'card_update', messageId: (e as InboundClick).messageId, title: '工单 FW-0001', text: '王工 已接单', chosen: '接单' },
    });
    const eventId = newEventId();
    const r = await postFeishu(
      url,
      feishuRequest(
        cardActionEvent({ eventId, messageId: 'om_card1', value: { value: 'ticket:FW-0001:accept' }, createTime: '1760000000123456' }),
      ),
    );
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    const e = sink.calls[0] as InboundClick;
    expect(e).toMatchObject({
      type: 'click',
      eventId,
      messageId: 'om_card1',
      value: 'ticket:FW-0001:accept',
      sender: { id: 'ou_engineer00000000000000000000001', name: '王工', departmentIds: ['od-service'] },
      chat: { id: 'oc_chat0000000000000000000000000001' },
    });
    expect(e.at.getTime()).toBe(1760000000123);
    const answer = r.json as { toast: unknown; card: { type: string; data: { elements: unknown[] } } };
    expect(answer.toast).toEqual({ type: 'info', content: '已接单' });
    expect(answer.card.type).toBe('raw');
    expect(JSON.stringify(answer.card.data)).toContain('已选择');
    expect(JSON.stringify(answer.card.data)).not.toContain('"button"');
  });

  it('is accepted on /feishu/card as well', async () => {
    const r = await postFeishu(`${base}/feishu/card`, feishuRequest(cardActionEvent({ messageId: 'om_card2', value: { value: 'rate:5' } })));
    expect(r.status).toBe(200);
    expect((sink.calls[0] as InboundClick).value).toBe('rate:5');
  });
});
