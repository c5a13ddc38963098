/**
 * FeishuChannel with the real lark.Client against the local fake open platform.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FeishuChannel, feishuUuid } from '../../src/channels/feishu/adapter.js';
import { PermanentSendError, RetryableSendError, type SendContext } from '../../src/core/channel.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { TEST_APP } from '../support/feishu-events.js';

const CHAT = 'oc_chat0000000000000000000000000001';
let fake: FakeFeishu;
let channel: FeishuChannel;
let n = 0;

function ctx(key?: string, attempt = 1): SendContext {
  return { chatId: CHAT, idempotencyKey: key ?? `outbox-${++n}`, attempt };
}

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  channel = new FeishuChannel({
    appId: TEST_APP.appId,
    appSecret: TEST_APP.appSecret,
    domain: fake.url,
    requestTimeoutMs: 400,
    profileTimeoutMs: 300,
  });
});
afterEach(() => {
  fake.messages.length = 0;
  // Each test has a channel of its own (its own pacing), as a new process would; the platform's
  // per-chat window is reset with it.
  fake.resetRateWindows();
});

describe('FeishuChannel.send against the fake platform', () => {
  it('posts text with real @mentions to the chat, carrying the idempotency key as uuid', async () => {
    const r = await channel.send(
      { kind: 'text', text: '已登记工单 FW-0001，请尽快处理。', mentions: [{ id: 'ou_eng1', name: '王工' }] },
      ctx('outbox-row-42'),
    );
    expect(r.messageId).toMatch(/^om_/);
    expect(fake.messages).toHaveLength(1);
    const m = fake.messages[0]!;
    expect(m.chatId).toBe(CHAT);
    expect(m.msgType).toBe('text');
    expect(m.uuid).toBe('outbox-row-42');
    expect(m.content).toEqual({ text: '<at user_id="ou_eng1">王工</at> 已登记工单 FW-0001，请尽快处理。' });
    expect(fake.apiCalls('/im/v1/messages').at(-1)!.query['receive_id_type']).toBe('chat_id');
  });

  it('replies to the report as an ordinary message quoting it when replyTo is given (not in a thread)', async () => {
    const report = await channel.send({ kind: 'text', text: '报障原文' }, ctx());
    const r = await channel.send({ kind: 'text', text: '收到，已派单。', replyTo: report.messageId }, ctx());
    const reply = fake.messages.find((m) => m.messageId === r.messageId)!;
    expect(reply.replyTo).toBe(report.messageId);
    expect(reply.replyInThread).toBe(false);
    expect(reply.chatId).toBe(CHAT);
  });

  it('with @-only receiving, a question says to @ the bot in the answer; with every message received, it does not', async () => {
    await channel.botOpenId();
    const q = await channel.send({ kind: 'text', text: '请留一个联系电话。', expectsAnswer: true }, ctx());
    expect(JSON.stringify(fake.messages.find((m) => m.messageId === q.messageId)!.content)).toContain('回复时请 @售后服务机器人');
    const all = new FeishuChannel({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, domain: fake.url, receiveMode: 'all' });
    const q2 = await all.send({ kind: 'card', title: 't', text: '请问影响范围？', buttons: [{ label: '1 全线', value: 'v' }], expectsAnswer: true }, ctx());
    expect(JSON.stringify(fake.messages.find((m) => m.messageId === q2.messageId)!.content)).not.toContain('回复时请');
    const plain = await channel.send({ kind: 'text', text: '已受理。' }, ctx());
    expect(JSON.stringify(fake.messages.find((m) => m.messageId === plain.messageId)!.content)).not.toContain('回复时请');
  });

  it('falls back to posting in the chat when the replied-to message was recalled', async () => {
    fake.recalled.add('om_recalled');
    const r = await channel.send({ kind: 'text', text: '工单已关闭', replyTo: 'om_recalled' }, ctx());
    const m = fake.messages.find((x) => x.messageId === r.messageId)!;
    expect(m.replyTo).toBeUndefined();
    expect(m.chatId).toBe(CHAT);
  });

  it('sends a card with buttons whose value carries Button.value, then updates it (choice shown, buttons gone)', async () => {
    const r = await channel.send(
      {
        kind: 'card',
        title: '工单 FW-0002 · 3号闸机',
        text: '请工程师接单',
        buttons: [
          { label: '接单', value: 'ticket:FW-0002:accept', style: 'primary' },
          { label: '到场', value: 'ticket:FW-0002:arrive' },
        ],
        mentions: [{ id: 'ou_eng1', name: '王工' }],
      },
      ctx(),
    );
    const card = fake.messages.find((m) => m.messageId === r.messageId)!;
    expect(card.msgType).toBe('interactive');
    const content = card.content as { config: unknown; elements: Array<{ tag: string; content?: string; actions?: unknown[] }> };
    expect(content.config).toMatchObject({ update_multi: true });
    expect(content.elements[0]!.content).toBe('<at id=ou_eng1></at> 请工程师接单');
    expect(content.elements[1]!.actions).toEqual([
      { tag: 'button', text: { tag: 'plain_text', content: '接单' }, type: 'primary', value: { value: 'ticket:FW-0002:accept' } },
      { tag: 'button', text: { tag: 'plain_text', content: '到场' }, type: 'default', value: { value: 'ticket:FW-0002:arrive' } },
    ]);

    const u = await channel.send(
      { kind: 'card_update', messageId: r.messageId!, title: '工单 FW-0002 · 3号闸机', text: '王工 已接单', chosen: '接单' },
      ctx(),
    );
    expect(u.messageId).toBe(r.messageId);
    expect(card.patches).toHaveLength(1);
    const patched = JSON.stringify(card.patches[0]);
    expect(patched).toContain('已选择');
    expect(patched).toContain('接单');
    expect(patched).not.toContain('"button"');
    expect(fake.messages).toHaveLength(1);
  });

  it('uploads an image and posts it (with a caption as a post message)', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const r1 = await channel.send({ kind: 'image', pngBase64: png.toString('base64') }, ctx());
    const m1 = fake.messages.find((m) => m.messageId === r1.messageId)!;
    expect(m1.msgType).toBe('image');
    const key = (m1.content as { image_key: string }).image_key;
    expect(fake.images.get(key)?.bytes.equals(png)).toBe(true);
    expect(fake.images.get(key)?.imageType).toBe('message');

    const r2 = await channel.send({ kind: 'image', pngBase64: png.toString('base64'), caption: '本周工单统计' }, ctx());
    const m2 = fake.messages.find((m) => m.messageId === r2.messageId)!;
    expect(m2.msgType).toBe('post');
    expect(JSON.stringify(m2.content)).toContain('本周工单统计');
  });

  it('posts once when the same idempotency key is sent again', async () => {
    const a = await channel.send({ kind: 'text', text: '同一条' }, ctx('row-dup', 1));
    const b = await channel.send({ kind: 'text', text: '同一条' }, ctx('row-dup', 2));
    expect(b.messageId).toBe(a.messageId);
    expect(fake.messages.filter((m) => m.uuid === 'row-dup')).toHaveLength(1);
  });

  it('maps a long idempotency key to a stable uuid of at most 50 characters', () => {
    const long = `outbox:${'x'.repeat(80)}`;
    expect(feishuUuid(long)).toHaveLength(50);
    expect(feishuUuid(long)).toBe(feishuUuid(long));
    expect(feishuUuid('short-key')).toBe('short-key');
  });
});

describe('FeishuChannel.send failures', () => {
  it('429 with x-ogw-ratelimit-reset → RetryableSendError with retryAfterMs; the retry posts once', async () => {
    fake.failNext(1, { kind: 'http', status: 429, headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '3' } }, '/im/v1/messages');
    const err = await channel.send({ kind: 'text', text: '限流测试' }, ctx('row-429', 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableSendError);
    expect((err as RetryableSendError).retryAfterMs).toBe(3000);
    await channel.send({ kind: 'text', text: '限流测试' }, ctx('row-429', 2));
    expect(fake.messages.filter((m) => m.uuid === 'row-429')).toHaveLength(1);
  });

  it('429 with Retry-After → retryAfterMs', async () => {
    fake.failNext(1, { kind: 'http', status: 429, headers: { 'retry-after': '7' } }, '/im/v1/messages');
    const err = await channel.send({ kind: 'text', text: 'x' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableSendError);
    expect((err as RetryableSendError).retryAfterMs).toBe(7000);
  });

  it('500 → RetryableSendError; a retry with the same key posts once', async () => {
    fake.failNext(1, { kind: 'http', status: 500 }, '/im/v1/messages');
    await expect(channel.send({ kind: 'text', text: '服务器错误' }, ctx('row-500', 1))).rejects.toBeInstanceOf(RetryableSendError);
    expect(channel.status().connected).toBe(false);
    await channel.send({ kind: 'text', text: '服务器错误' }, ctx('row-500', 2));
    expect(fake.messages.filter((m) => m.uuid === 'row-500')).toHaveLength(1);
    expect(channel.status().connected).toBe(true);
  });

  it('a hanging request → RetryableSendError after the request timeout', async () => {
    fake.failNext(1, { kind: 'hang' }, '/im/v1/messages');
    const t0 = Date.now();
    await expect(channel.send({ kind: 'text', text: '超时' }, ctx())).rejects.toBeInstanceOf(RetryableSendError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a dropped connection → RetryableSendError', async () => {
    fake.failNext(1, { kind: 'reset' }, '/im/v1/messages');
    await expect(channel.send({ kind: 'text', text: '断线' }, ctx())).rejects.toBeInstanceOf(RetryableSendError);
  });

  it('230020 (chat rate limit) → RetryableSendError', async () => {
    fake.failNext(1, { kind: 'code', code: 230020, msg: 'This operation triggers the frequency limit' }, '/im/v1/messages');
    await expect(channel.send({ kind: 'text', text: 'x' }, ctx())).rejects.toBeInstanceOf(RetryableSendError);
  });

  it.each([
    [230002, 'bot not in chat'],
    [230001, 'invalid parameter'],
    [230025, 'content too long'],
    [99991672, 'missing scope'],
  ])('business code %i (%s) → PermanentSendError with the code', async (code) => {
    fake.failNext(1, { kind: 'code', code }, '/im/v1/messages');
    const err = await channel.send({ kind: 'text', text: 'x' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).code).toBe(code);
  });

  it('HTTP 200 with a non-zero code is an error too (the SDK resolves it)', async () => {
    fake.failNext(1, { kind: 'code', code: 230002, status: 200 }, '/im/v1/messages');
    const err = await channel.send({ kind: 'text', text: 'x' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).code).toBe(230002);
  });

  it('a revoked tenant token → RetryableSendError, the token is dropped, the retry succeeds', async () => {
    await channel.send({ kind: 'text', text: 'warm' }, ctx());
    const before = fake.tokenRequests;
    fake.revokeTokens();
    await expect(channel.send({ kind: 'text', text: 'again' }, ctx('row-token', 1))).rejects.toBeInstanceOf(RetryableSendError);
    await channel.send({ kind: 'text', text: 'again' }, ctx('row-token', 2));
    expect(fake.tokenRequests).toBe(before + 1);
    expect(fake.messages.filter((m) => m.uuid === 'row-token')).toHaveLength(1);
  });

  it('a wrong app secret → PermanentSendError', async () => {
    const bad = new FeishuChannel({ appId: TEST_APP.appId, appSecret: 'wrong', domain: fake.url, requestTimeoutMs: 400 });
    const err = await bad.send({ kind: 'text', text: 'x' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
  });

  it('a card update of an unknown message → PermanentSendError', async () => {
    await expect(
      channel.send({ kind: 'card_update', messageId: 'om_nope', title: 't', text: 'x', chosen: '1' }, ctx()),
    ).rejects.toBeInstanceOf(PermanentSendError);
  });
});

describe('FeishuChannel: attachments, people, identity', () => {
  it('downloads an image attachment via the message-resource API', async () => {
    const bytes = Buffer.from('fake-png-bytes-0123456789');
    fake.resources.set('om_report1/img_v3_abc', bytes);
    const got = await channel.downloadAttachment({ kind: 'image', key: 'img_v3_abc' }, 'om_report1');
    expect(got.equals(bytes)).toBe(true);
    expect(fake.apiCalls('/resources/img_v3_abc').at(-1)!.query['type']).toBe('image');
  });

  it('a missing attachment → PermanentSendError carrying Feishu\u2019s code', async () => {
    const err = await channel.downloadAttachment({ kind: 'image', key: 'img_missing' }, 'om_report1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as PermanentSendError).code).toBe(234003);
  });

  it('resolves a user to name and departments, cached', async () => {
    fake.users.set('ou_eng1', { name: '王工', department_ids: ['od-service', 'od-metro'] });
    const calls = fake.apiCalls('/contact/v3/users/ou_eng1').length;
    expect(await channel.resolveUser('ou_eng1')).toEqual({ name: '王工', departmentIds: ['od-service', 'od-metro'] });
    expect(await channel.resolveUser('ou_eng1')).toEqual({ name: '王工', departmentIds: ['od-service', 'od-metro'] });
    expect(fake.apiCalls('/contact/v3/users/ou_eng1').length).toBe(calls + 1);
    const q = fake.apiCalls('/contact/v3/users/ou_eng1').at(-1)!.query;
    expect(q).toMatchObject({ user_id_type: 'open_id', department_id_type: 'open_department_id' });
  });

  it('an unknown user or a slow contact API → null', async () => {
    expect(await channel.resolveUser('ou_nobody')).toBeNull();
    fake.users.set('ou_slow', { name: '慢' });
    fake.contactDelayMs = 1000;
    try {
      const t0 = Date.now();
      expect(await channel.resolveUser('ou_slow')).toBeNull();
      expect(Date.now() - t0).toBeLessThan(900);
    } finally {
      fake.contactDelayMs = 0;
    }
  });

  it('learns the bot open_id from bot/v3/info', async () => {
    expect(await channel.botOpenId()).toBe(TEST_APP.botOpenId);
    const calls = fake.apiCalls('/bot/v3/info').length;
    await channel.botOpenId();
    expect(fake.apiCalls('/bot/v3/info').length).toBe(calls);
  });
});
