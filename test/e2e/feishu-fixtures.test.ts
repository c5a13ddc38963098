/**
 * Every event shape the channel handles, as the official documentation shows
 * it (test/fixtures/feishu/*.json: the examples of 接收消息 / 接收消息内容结构 /
 * 撤回消息 / 机器人进群 / 机器人被移出群 / 卡片回传交互, with this test app's ids),
 * replayed through the real adapter twice: over HTTP as Feishu posts it
 * (encrypted, signed) and as the long connection's SDK hands it over
 * (dispatcher.invoke, plaintext). The channel talks to the fake platform
 * for names, voice and forwarded messages.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as lark from '@larksuiteoapi/node-sdk';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFeishuChannel, feishuEventDeps, type FeishuChannelBundle } from '../../src/channels/feishu/index.js';
import { FeishuLongConnection } from '../../src/channels/feishu/ws.js';
import type { InboundClick, InboundEvent, InboundMessage, InboundRecall } from '../../src/core/channel.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { feishuRequest, postFeishu, RecordingSink, TEST_APP } from '../support/feishu-events.js';

const dir = new URL('../fixtures/feishu/', import.meta.url);
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Record<string, unknown>;
const messageIdOf = (p: Record<string, unknown>) => ((p['event'] as { message: { message_id: string } }).message.message_id);
/** The same fixture under a new event and message id (each mode replays every fixture once). */
function fresh(name: string, suffix: string): Record<string, unknown> {
  const p = fixture(name);
  const header = p['header'] as Record<string, unknown> | undefined;
  if (header) header['event_id'] = `${String(header['event_id'])}-${suffix}`;
  const message = (p['event'] as { message?: Record<string, unknown> } | undefined)?.message;
  if (message) message['message_id'] = `${String(message['message_id'])}${suffix}`;
  return p;
}

const CHAT = 'oc_5ce6d572455d361153b7xx51da133945';
const EXTERNAL = 'ou_ext000000000000000000000000000b2';

let fake: FakeFeishu;

type Expectation = (calls: InboundEvent[], answer: unknown) => void;

/** What each fixture must become. */
const EXPECT: Record<string, Expectation> = {
  'message-text': (calls) => {
    const m = calls[0] as InboundMessage;
    expect(m.type).toBe('message');
    expect(m.text).toBe('小寨站 3号闸机刷卡没反应 @刘师傅 在现场');
    expect(m.mentionsBot).toBe(true);
    expect(m.mentions).toEqual([{ id: EXTERNAL, name: '刘师傅' }]);
    expect(m.sender.name).toBe('李站长');
  },
  'message-post': (calls) => {
    const m = calls[0] as InboundMessage;
    expect(m.text).toContain('钟楼站 2号售票机黑屏');
    expect(m.attachments).toEqual([{ kind: 'image', key: 'img_7ea74629-9191-4176-998c-2e603c9c5e8g' }]);
  },
  'message-image': (calls) => expect((calls[0] as InboundMessage).attachments?.[0]?.kind).toBe('image'),
  'message-file': (calls) => expect((calls[0] as InboundMessage).attachments).toEqual([{ kind: 'file', key: 'file_v2_ec0c1de3-5b1d-4e8a-8b0a-3e5d1d1b2a1g', name: '告警截图.zip' }]),
  'message-audio': (calls) => {
    const m = calls[0] as InboundMessage;
    expect(m.attachments?.[0]?.kind).toBe('audio');
    // The fake's speech_to_text heard the decoded clip.
    expect(m.text).toBe('钟楼站三号闸机不能刷卡');
    expect(m.untranscribedAudio).toBeUndefined();
  },
  'message-media': (calls) => expect((calls[0] as InboundMessage).attachments).toEqual([{ kind: 'video', key: 'file_v2_9a8c2e4f-1b7d-4c3a-8e2f-5d6c7b8a9e0g', name: '闸机.mp4' }]),
  'message-sticker': (calls) => expect(calls).toHaveLength(0),
  'message-merge_forward': (calls) => {
    const m = calls[0] as InboundMessage;
    // One report, each line with its original sender; the other tenant's person named from the chat members.
    expect(m.text).toBe('刘师傅：3号闸机刷卡没反应\n李站长：麻烦尽快安排');
  },
  'message-share_chat': (calls) => expect((calls[0] as InboundMessage).notes).toEqual(['分享了群名片：oc_0dd200d32fda15216d2c2ef1ddb32f76']),
  'message-share_user': (calls) => expect((calls[0] as InboundMessage).notes).toEqual(['分享了联系人名片：ou_0dd200d32fda15216d2c2ef1ddb32f76']),
  'message-location': (calls) => expect((calls[0] as InboundMessage).notes).toEqual(['位置：小寨站B口（纬度 34.2239，经度 108.9475）']),
  'message-interactive': (calls) => expect(calls).toHaveLength(0),
  'message-system': (calls) => expect(calls).toHaveLength(0),
  'message-unknown-type': (calls) => expect(calls).toHaveLength(0),
  'message-recalled': (calls) => {
    const r = calls[0] as InboundRecall;
    expect(r.type).toBe('recall');
    expect(r.messageId).toBe('om_5ce6d572455d361153b7cb51da133945');
    expect(r.chat.id).toBe(CHAT);
  },
  'bot-added': (calls) => {
    expect(calls[0]!.type).toBe('bot_added');
    expect(calls[0]!.chat.title).toBe('西安地铁二号线售后服务群');
  },
  'bot-deleted': (calls) => expect(calls[0]!.type).toBe('bot_removed'),
  'card-action': (calls, answer) => {
    const c = calls[0] as InboundClick;
    expect(c.type).toBe('click');
    expect(c.value).toBe('ack:12');
    expect(answer).toEqual({ toast: { type: 'info', content: '已接单' } });
  },
  'unknown-event': (calls) => expect(calls).toHaveLength(0),
};

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.users.set('ou_84aad35d084aa403a838cf73ee18467', { name: '李站长' });
  fake.users.set(EXTERNAL, { name: '刘师傅', tenantKey: '9b1c7e0a8d2f4e61' });
  fake.externalSharing = true;
  fake.addChat(CHAT, {
    external: true,
    members: [
      { openId: 'ou_84aad35d084aa403a838cf73ee18467', name: '李站长' },
      { openId: EXTERNAL, name: '刘师傅', tenantKey: '9b1c7e0a8d2f4e61' },
    ],
  });
  fake.speechPermission = true;
  fake.transcripts.set('*', '钟楼站三号闸机不能刷卡');
});

afterAll(async () => {
  await fake.stop();
});

/** Per mode: the fake learns the fixture's messages (voice clip, forwarded messages) under their new ids. */
function prepare(payload: Record<string, unknown>, name: string): void {
  if (name === 'message-audio') {
    fake.resources.set(`${messageIdOf(payload)}/file_v2_b0fe5d31-3bd8-4e8a-8f4f-0a4d1b3a0b1g`, readFileSync(new URL('voice-1s.opus', dir)));
  }
  if (name === 'message-merge_forward') {
    const id = messageIdOf(payload);
    const item = (n: number, sender: string, text: string) => ({
      message_id: `${id}_${n}`,
      upper_message_id: id,
      msg_type: 'text',
      body: { content: JSON.stringify({ text }) },
      sender: { id: sender, id_type: 'open_id', sender_type: 'user' },
      create_time: String(1609073150000 + n),
    });
    fake.known.set(id, {
      chatId: CHAT,
      msgType: 'merge_forward',
      items: [item(1, EXTERNAL, '3号闸机刷卡没反应'), item(2, 'ou_84aad35d084aa403a838cf73ee18467', '麻烦尽快安排')],
    });
  }
}

const NAMES = Object.keys(EXPECT);

describe('documented event shapes through the webhook (encrypted, signed HTTP)', () => {
  let feishu: FeishuChannelBundle;
  let server: Server;
  let url: string;
  const sink = new RecordingSink();
  sink.respond = (e) => (e.type === 'click' ? { toast: '已接单' } : {});

  beforeAll(async () => {
    feishu = createFeishuChannel({ ...TEST_APP, mode: 'webhook', domain: fake.url, botOpenId: undefined }, { sink });
    await feishu.start();
    const app = new Koa();
    app.use(feishu.webhook!);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feishu/events`;
  });
  afterAll(async () => {
    await feishu.stop();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    sink.calls.length = 0;
  });

  it.each(NAMES)('%s', async (name) => {
    const payload = fresh(name, 'w');
    prepare(payload, name);
    const r = await postFeishu(url, feishuRequest(payload));
    expect(r.status).toBe(200);
    EXPECT[name]!(sink.calls, r.json);
  });

  it('url-verification: the challenge is echoed', async () => {
    const r = await postFeishu(url, feishuRequest(fixture('url-verification'), { sign: false }));
    expect(r.json).toEqual({ challenge: 'ajls384kdjx98XX' });
  });

  it('a sender of another tenant is named from the chat members, never looked up in the contact API', async () => {
    const payload = fresh('message-text', 'x');
    const ev = payload['event'] as { sender: { sender_id: { open_id: string }; tenant_key: string } };
    ev.sender.sender_id.open_id = EXTERNAL;
    ev.sender.tenant_key = '9b1c7e0a8d2f4e61';
    const before = fake.apiCalls(`/contact/v3/users/${EXTERNAL}`).length;
    await postFeishu(url, feishuRequest(payload));
    expect((sink.calls[0] as InboundMessage).sender.name).toBe('刘师傅');
    expect(fake.apiCalls(`/contact/v3/users/${EXTERNAL}`)).toHaveLength(before);
  });
});

describe('documented event shapes through the long connection (SDK dispatcher, plaintext)', () => {
  const sink = new RecordingSink();
  sink.respond = (e) => (e.type === 'click' ? { toast: '已接单' } : {});
  let dispatcher: lark.EventDispatcher | undefined;
  let bundle: FeishuChannelBundle;

  beforeAll(async () => {
    bundle = createFeishuChannel({ ...TEST_APP, mode: 'webhook', domain: fake.url, botOpenId: undefined }, { sink });
    await bundle.start();
    const ws = {
      start: async (p: { eventDispatcher: lark.EventDispatcher }) => {
        dispatcher = p.eventDispatcher;
      },
      close: () => undefined,
      getConnectionStatus: () => ({ state: 'connected' as const, reconnectAttempts: 0 }),
    };
    const conn = new FeishuLongConnection({
      appId: TEST_APP.appId,
      appSecret: TEST_APP.appSecret,
      deps: feishuEventDeps(bundle.channel, sink),
      wsClient: ws as unknown as lark.WSClient,
    });
    await conn.start();
  });
  afterAll(async () => {
    await bundle.stop();
  });
  beforeEach(() => {
    sink.calls.length = 0;
  });

  it.each(NAMES)('%s', async (name) => {
    const payload = fresh(name, 'l');
    prepare(payload, name);
    // What WSClient.handleEventData does with a frame.
    const answer: unknown = await dispatcher!.invoke(payload, { needCheck: false });
    EXPECT[name]!(sink.calls, typeof answer === 'string' ? {} : answer);
  });
});
