/**
 * Every message type and the recall event through the real service, the real
 * SDK and a strict fake platform: what the customer sees and what the ticket
 * keeps. Also the reply fallbacks a real group forces (no cards, no threads)
 * and bad input (unknown event and message types, malformed content).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeishu, type PostedMessage } from '../support/fake-feishu.js';
import { botMention, cardActionEvent, feishuEnv, feishuRequest, messageEvent, newEventId, newMessageId, postFeishu, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { startTestService, type TestService } from '../support/service.js';

const CHAT = 'oc_types000000000000000000000000001';
const NOCARDS = 'oc_nocards00000000000000000000000002';
const MANAGERS = 'oc_managers0000000000000000000000003';
const CUSTOMER = 'ou_customer0000000000000000000000c1';
const ENGINEER = 'ou_engineer0000000000000000000000e1';
const MANAGER = 'ou_manager00000000000000000000000m1';
const OPUS = readFileSync(new URL('../fixtures/feishu/voice-1s.opus', import.meta.url));

let fake: FakeFeishu;
let svc: TestService;

function orgFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-feishu-types-'));
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8')
    .replace('- { channel: sandbox, id: demo }', `- { channel: sandbox, id: demo }\n      - { channel: feishu, id: ${CHAT} }\n      - { channel: feishu, id: ${NOCARDS} }`)
    .replace('ids: { sandbox: e1 }', `ids: { sandbox: e1, feishu: ${ENGINEER} }`)
    .replace('ids: { sandbox: d1 }', `ids: { sandbox: d1, feishu: ${MANAGER}d }`)
    .replace('ids: { sandbox: m1 }', `ids: { sandbox: m1, feishu: ${MANAGER} }`)
    .replace('- { channel: sandbox, id: managers }', `- { channel: sandbox, id: managers }\n  - { channel: feishu, id: ${MANAGERS} }`);
  const file = path.join(dir, 'org.yaml');
  writeFileSync(file, org);
  return file;
}

const textOf = (m: PostedMessage) => JSON.stringify(m.content);
const posted = (chat: string) => fake.messages.filter((m) => m.chatId === chat);

async function deliver(payload: Record<string, unknown>): Promise<number> {
  fake.observe(payload);
  const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(payload));
  await svc.settle();
  return r.status;
}

async function say(text: string, chatId = CHAT, sender = CUSTOMER): Promise<string> {
  const messageId = newMessageId();
  expect(await deliver(textMessageEvent(`@_user_1 ${text}`, { messageId, chatId, senderOpenId: sender, mentions: [botMention()] }))).toBe(200);
  return messageId;
}

async function send(messageType: string, content: unknown, o: { chatId?: string; messageId?: string } = {}): Promise<string> {
  const messageId = o.messageId ?? newMessageId();
  expect(await deliver(messageEvent({ messageId, chatId: o.chatId ?? CHAT, senderOpenId: CUSTOMER, messageType, content }))).toBe(200);
  return messageId;
}

function recallEvent(messageId: string, chatId = CHAT): Record<string, unknown> {
  return {
    schema: '2.0',
    header: { event_id: newEventId(), event_type: 'im.message.recalled_v1', create_time: String(Date.now()), token: TEST_APP.verificationToken, app_id: TEST_APP.appId, tenant_key: TEST_APP.tenantKey },
    event: { message_id: messageId, chat_id: chatId, recall_time: String(Date.now()), recall_type: 'message_owner' },
  };
}

const ticketOf = (messageId: string) => svc.db.ticket.findFirst({ where: { sourceMessageId: messageId } });

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.strictChats = true;
  fake.users.set(CUSTOMER, { name: '李站长' });
  fake.users.set(ENGINEER, { name: '张工' });
  fake.users.set(MANAGER, { name: '李经理' });
  fake.addChat(CHAT, { threads: false, members: [{ openId: CUSTOMER, name: '李站长' }, { openId: 'ou_colleague00000000000000000000c2', name: '王值班' }] });
  fake.addChat(NOCARDS, { refusesCards: true });
  fake.addChat(MANAGERS);
  svc = await startTestService({ env: { ...feishuEnv(fake.url), ORG_FILE: orgFile(), FEISHU_THREAD_REPLIES: CHAT } });
});

afterAll(async () => {
  await svc?.close();
  await fake?.stop();
});

describe('message types', () => {
  it('voice with the speech_to_text permission: decoded, transcribed and read as the report; the clip is kept', async () => {
    fake.speechPermission = true;
    fake.transcripts.set('*', '钟楼站三号售票机黑屏 电话13800138012');
    const voice = newMessageId();
    fake.resources.set(`${voice}/file_v2_voice2`, OPUS);
    await send('audio', { file_key: 'file_v2_voice2', duration: 1000 }, { messageId: voice });
    const t = await ticketOf(voice);
    expect(t?.content).toBe('钟楼站三号售票机黑屏 电话13800138012');
    expect(await svc.db.attachment.findMany({ where: { ticketId: t!.id } })).toEqual([expect.objectContaining({ kind: 'audio', key: 'file_v2_voice2', state: 'stored' })]);
  });

  it('voice without the permission: the customer is asked to type; the audio is kept on the ticket the typed report opens', async () => {
    fake.speechPermission = false;
    const voice = newMessageId();
    fake.resources.set(`${voice}/file_v2_voice1`, OPUS);
    const tickets = await svc.db.ticket.count();
    // Another customer (no open ticket yet).
    const payload = messageEvent({ messageId: voice, chatId: CHAT, senderOpenId: 'ou_colleague00000000000000000000c2', messageType: 'audio', content: { file_key: 'file_v2_voice1', duration: 1000 } });
    expect(await deliver(payload)).toBe(200);
    const ask = posted(CHAT).at(-1)!;
    expect(textOf(ask)).toContain('暂时无法识别语音');
    expect(textOf(ask)).toContain('回复时请 @');
    expect(await svc.db.ticket.count()).toBe(tickets);
    const report = await say('永宁门站 2号闸机不读卡 电话13800138011', CHAT, 'ou_colleague00000000000000000000c2');
    const t = await ticketOf(report);
    const kept = await svc.db.attachment.findMany({ where: { ticketId: t!.id } });
    expect(kept).toEqual([expect.objectContaining({ kind: 'audio', key: 'file_v2_voice1', messageId: voice, state: 'stored' })]);
  });

  it('a location after a report is noted on the ticket; a sticker is ignored quietly', async () => {
    const report = await say('北大街站 5号闸机卡票 电话13800138013');
    const before = fake.messages.length;
    await send('location', { name: '北大街站C口', longitude: '108.94', latitude: '34.27' });
    await send('sticker', { file_key: 'file_v2_sticker' });
    expect(fake.messages.length).toBe(before);
    const t = await ticketOf(report);
    const notes = await svc.db.ticketEvent.findMany({ where: { ticketId: t!.id, action: 'note' } });
    expect(notes.map((n) => JSON.parse(n.detail).note)).toEqual(['位置：北大街站C口（纬度 34.27，经度 108.94）']);
  });

  it('a merge_forward is read as one report with its original senders', async () => {
    const id = newMessageId();
    fake.known.set(id, {
      chatId: CHAT,
      msgType: 'merge_forward',
      items: [
        { message_id: `${id}_1`, upper_message_id: id, msg_type: 'text', body: { content: JSON.stringify({ text: '凤城五路站 1号售票机不出票' }) }, sender: { id: 'ou_colleague00000000000000000000c2', id_type: 'open_id', sender_type: 'user' }, create_time: '1' },
        { message_id: `${id}_2`, upper_message_id: id, msg_type: 'text', body: { content: JSON.stringify({ text: '电话13800138014' }) }, sender: { id: CUSTOMER, id_type: 'open_id', sender_type: 'user' }, create_time: '2' },
      ],
    });
    await send('merge_forward', { content: 'Merged and Forwarded Message' }, { messageId: id });
    const t = await ticketOf(id);
    expect(t?.content).toBe('王值班：凤城五路站 1号售票机不出票\n李站长：电话13800138014');
    expect(t?.phone).toBe('13800138014');
  });
});

describe('recall', () => {
  it('a report nobody has started on is cancelled, with a note in the chat', async () => {
    const report = await say('小寨站 7号闸机刷卡没反应 电话13800138015');
    expect((await ticketOf(report))?.status).toBe('accepted');
    expect(await deliver(recallEvent(report))).toBe(200);
    const t = await ticketOf(report);
    expect(t?.status).toBe('cancelled');
    expect(textOf(posted(CHAT).at(-1)!)).toContain('报修消息已撤回');
    // Nobody was stored for the recall itself.
    expect(await svc.db.person.count({ where: { platformId: CHAT } })).toBe(0);
  });

  it('a report already in work keeps its ticket; the desk is told in the managers group', async () => {
    // Another customer: 李站长 still has the level question of the voice report open.
    const report = await say('钟楼站 3号闸机刷卡没反应 电话13800138016', CHAT, 'ou_customer0000000000000000000000c3');
    // The dispatch card (接单) is for staff: it is in the managers' group.
    const card = [...posted(MANAGERS)].reverse().find((m) => m.msgType === 'interactive' && textOf(m).includes('接单'))!;
    const value = /"content":"接单"},"type":"primary","value":\{"value":"([^"]+)"/.exec(textOf(card))![1]!;
    await deliver(cardActionEvent({ messageId: card.messageId, chatId: MANAGERS, operatorOpenId: ENGINEER, value: { value } }));
    expect((await ticketOf(report))?.status).toBe('acknowledged');
    await deliver(recallEvent(report));
    expect((await ticketOf(report))?.status).toBe('acknowledged');
    expect(textOf(posted(MANAGERS).at(-1)!)).toContain('撤回');
  });

  it('a recall of a message the bot never made a ticket of changes nothing; one in an unknown chat stores no chat', async () => {
    const count = await svc.db.ticket.count();
    expect(await deliver(recallEvent('om_neverseen000000000000000000000'))).toBe(200);
    expect(await svc.db.ticket.count()).toBe(count);
    const chats = await svc.db.chat.count();
    expect(await deliver(recallEvent('om_elsewhere00000000000000000000', 'oc_unknownchat000000000000000000'))).toBe(200);
    expect(await svc.db.chat.count()).toBe(chats);
  });
});

describe('replies that land', () => {
  it('a chat configured for thread replies that has none: the reply quotes the report instead (230071)', async () => {
    const before = fake.refusals.get(230071) ?? 0;
    const report = await say('小寨站 9号闸机报警 电话13800138017');
    const replies = posted(CHAT).filter((m) => m.replyTo === report);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((m) => m.replyInThread === false)).toBe(true);
    // Refused once, then remembered for the chat.
    expect((fake.refusals.get(230071) ?? 0) - before).toBeLessThanOrEqual(1);
  });

  it('a chat that refuses cards gets the question as text with numbered choices, and a bare number answers it', async () => {
    await say('票务系统有问题 快来看看', NOCARDS);
    const q = posted(NOCARDS).find((m) => textOf(m).includes('影响范围'))!;
    expect(q.msgType).toBe('text');
    expect(textOf(q)).toMatch(/1 .*\\n2 /);
    await say('1', NOCARDS);
    const t = await svc.db.ticket.findFirst({ where: { chat: { platformId: NOCARDS } }, orderBy: { id: 'desc' } });
    expect(t?.level).toBe(1);
    expect(posted(NOCARDS).every((m) => m.msgType === 'text')).toBe(true);
  });
});

describe('bad input', () => {
  it('an unknown event type, an unknown message type and malformed content: 200, nothing stored', async () => {
    const inbound = await svc.db.inboundEvent.count();
    const unknownEvent = { schema: '2.0', header: { event_id: newEventId(), event_type: 'im.message.reaction.created_v1', create_time: String(Date.now()), token: TEST_APP.verificationToken, app_id: TEST_APP.appId, tenant_key: TEST_APP.tenantKey }, event: { message_id: 'om_x' } };
    expect(await deliver(unknownEvent)).toBe(200);
    expect(await deliver(messageEvent({ chatId: CHAT, messageType: 'hologram', content: { x: 1 } }))).toBe(200);
    const broken = messageEvent({ chatId: CHAT, messageType: 'text', content: {} });
    ((broken['event'] as { message: Record<string, unknown> }).message)['content'] = '{"text": "unterminated';
    expect(await deliver(broken)).toBe(200);
    const huge = messageEvent({ chatId: CHAT, messageType: 'location', content: { name: 'x'.repeat(50_000), latitude: 'NaN', longitude: '1' } });
    expect(await deliver(huge)).toBe(200);
    expect(await svc.db.inboundEvent.count()).toBe(inbound + 1);
  });
});
