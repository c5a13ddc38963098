/**
 * A whole ticket on Feishu through the real service and the real SDK: report,
 * level question answered by a card click (and one answered by text: its card
 * patched without buttons), the ticket card's 接单/到场/已修复
 * clicked by the engineer, confirmation and rating clicked by the customer;
 * then the platform failing (429, 500: retried, posted once) and refusing
 * (a permanent error: recorded on the outbox row, not retried).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeishu, type PostedMessage } from '../support/fake-feishu.js';
import { botMention, cardActionEvent, feishuEnv, feishuRequest, imageMessageEvent, newMessageId, postFeishu, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { startTestService, type TestService } from '../support/service.js';

const CHAT = 'oc_lifecycle000000000000000000000001';
const MANAGERS = 'oc_managers0000000000000000000000001';
const CUSTOMER = 'ou_customer000000000000000000000009';
const ENGINEER = 'ou_engineer00000000000000000000000e1';
const MANAGER = 'ou_manager000000000000000000000000m1';
/** Not listed in the org file: an engineer by Feishu department. */
const FIELD_ENGINEER = 'ou_fieldeng00000000000000000000000f1';

let fake: FakeFeishu;
let svc: TestService;

function orgFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-feishu-life-'));
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8')
    .replace('- { channel: sandbox, id: demo }', `- { channel: sandbox, id: demo }\n      - { channel: feishu, id: ${CHAT} }`)
    .replace('ids: { sandbox: e1 }', `ids: { sandbox: e1, feishu: ${ENGINEER} }`)
    .replace('ids: { sandbox: m1 }', `ids: { sandbox: m1, feishu: ${MANAGER} }`)
    .replace('- { channel: sandbox, id: managers }', `- { channel: sandbox, id: managers }\n  - { channel: feishu, id: ${MANAGERS} }`)
    .replace('feishuDepartmentRoles: {}', 'feishuDepartmentRoles: { od-field-service: engineer }');
  const file = path.join(dir, 'org.yaml');
  writeFileSync(file, org);
  return file;
}

/** Buttons of an interactive card as {label, value}. */
function buttons(m: PostedMessage): Array<{ label: string; value: string }> {
  const out: Array<{ label: string; value: string }> = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.tag === 'button') {
        const text = (o.text as { content?: string })?.content ?? '';
        const value = (o.value as { value?: string })?.value ?? '';
        out.push({ label: text, value });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(m.content);
  return out;
}

const textOf = (m: PostedMessage) => JSON.stringify(m.content);

async function say(text: string, sender = CUSTOMER): Promise<string> {
  const messageId = newMessageId();
  const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(textMessageEvent(`@_user_1 ${text}`, { messageId, chatId: CHAT, senderOpenId: sender, mentions: [botMention()] })));
  expect(r.status).toBe(200);
  await svc.settle();
  return messageId;
}

async function click(card: PostedMessage, label: RegExp, operator: string): Promise<{ toast?: { content: string }; card?: unknown }> {
  const b = buttons(card).find((x) => label.test(x.label));
  expect(b, `button ${label} on card`).toBeTruthy();
  const chatId = card.chatId === MANAGERS ? MANAGERS : CHAT;
  const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(cardActionEvent({ messageId: card.messageId, chatId, operatorOpenId: operator, value: { value: b!.value } })));
  expect(r.status).toBe(200);
  expect(r.ms).toBeLessThan(3000);
  await svc.settle();
  return r.json as { toast?: { content: string }; card?: unknown };
}

// Replies to a customer's message are recorded under the fake's placeholder chat; anything not in the managers' group is the customer chat.
const lastCard = () => [...fake.messages].reverse().find((m) => m.msgType === 'interactive' && m.chatId !== MANAGERS)!;
/** The staff's dispatch card (with 接单/到场/已修复), in the managers' group: the customer's chat has no staff group of its own. */
const dispatchCard = () => [...fake.messages].reverse().find((m) => m.msgType === 'interactive' && m.chatId === MANAGERS && textOf(m).includes('新工单'))!;
const lastCustomerText = () => [...fake.messages].reverse().find((m) => m.chatId !== MANAGERS && textOf(m).includes('已受理'))!;

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.users.set(CUSTOMER, { name: '李站长' });
  fake.users.set(ENGINEER, { name: '张工' });
  fake.users.set(MANAGER, { name: '李经理' });
  fake.users.set(FIELD_ENGINEER, { name: '赵工', department_ids: ['od-field-service'] });
  svc = await startTestService({
    env: {
      ...feishuEnv(fake.url),
      ORG_FILE: orgFile(),
    },
  });
});

afterAll(async () => {
  await svc?.close();
  await fake?.stop();
});

describe('a ticket on Feishu, by messages and card clicks', () => {
  it('goes from report to rating', async () => {
    const report = await say('票务系统有问题 快来看看');
    const question = lastCard();
    expect(question.replyTo).toBe(report);
    expect(textOf(question)).toContain('影响范围');
    expect(buttons(question).map((b) => b.label)).toHaveLength(4);

    // The customer clicks "1": level 1, accepted, the manager is asked to assign.
    const answer = await click(question, /^1 /, CUSTOMER);
    expect(JSON.stringify(answer.card)).toContain('已选择');
    // The updated card keeps its title and question; the buttons are gone.
    expect(JSON.stringify(answer.card)).toContain('请确认影响范围');
    expect(JSON.stringify(answer.card)).not.toContain('"button"');
    // The customer hears it was accepted; the staff get the dispatch card with the buttons.
    expect(textOf(lastCustomerText())).toMatch(/已受理 #\d+/);
    expect(textOf(lastCustomerText())).not.toContain(MANAGER);
    const ticketCard = dispatchCard();
    expect(JSON.stringify(ticketCard.content)).toContain(MANAGER);
    const number = /GD-\d{8}-\d{4}/.exec(textOf(ticketCard))![0];
    expect((await svc.ticket(number)).level).toBe(1);

    // The engineer takes the job on the card, arrives and resolves.
    const ack = await click(ticketCard, /^接单$/, ENGINEER);
    expect(ack.toast?.content).toContain('接单');
    expect((await svc.ticket(number)).status).toBe('acknowledged');
    await click(ticketCard, /^到场$/, ENGINEER);
    expect((await svc.ticket(number)).status).toBe('on_site');
    await click(ticketCard, /^已修复$/, ENGINEER);
    expect((await svc.ticket(number)).status).toBe('resolved');

    // The customer confirms and rates on the cards the bot sends.
    const confirm = lastCard();
    expect(textOf(confirm)).toContain('确认');
    expect(JSON.stringify(confirm.content)).toContain(CUSTOMER);
    await click(confirm, /确认修复/, CUSTOMER);
    const rating = lastCard();
    expect(buttons(rating)).toHaveLength(5);
    await click(rating, /^5 /, CUSTOMER);
    const done = await svc.ticket(number);
    expect(done.status).toBe('closed');
    expect(done.serviceRecord.confirmation).toBe('confirmed');
    expect(done.serviceRecord.satisfaction).toBe(5);
    expect(done.assignee.name).toBe('张工');
  });

  it('a card answered by text loses its buttons: the level question is patched to show the choice', async () => {
    await say('北大街站 票务系统有问题 快来看看 电话13800138005');
    const question = lastCard();
    expect(textOf(question)).toContain('影响范围');
    expect(question.patches).toEqual([]);
    await say('2');
    expect(question.patches).toHaveLength(1);
    const patched = JSON.stringify(question.patches[0]);
    expect(patched).toContain('已选择');
    expect(patched).toContain('二级');
    expect(patched).toContain('请确认影响范围');
    expect(patched).not.toContain('"tag":"button"');
  });

  it('the customer\'s chat shows no staff buttons; a customer pressing 接单 anyway is refused and nothing changes', async () => {
    const before = fake.messages.length;
    await say('小寨站 5号闸机卡票 电话13800138000');
    const inChat = fake.messages.slice(before).filter((m) => m.chatId !== MANAGERS);
    expect(inChat.flatMap((m) => buttons(m).map((b) => b.label)).filter((l) => ['接单', '到场', '已修复'].includes(l))).toEqual([]);
    const card = dispatchCard();
    const number = /GD-\d{8}-\d{4}/.exec(textOf(card))![0];
    const r = await click(card, /^接单$/, CUSTOMER);
    expect(r.toast?.content).toMatch(/抱歉|只有/);
    expect((await svc.ticket(number)).status).toBe('accepted');
  });

  it('takes roles from Feishu departments mapped in the organisation file', async () => {
    await say('永宁门站 1号闸机不读卡 电话13800138003');
    const card = dispatchCard();
    const number = /GD-\d{8}-\d{4}/.exec(textOf(card))![0];
    const r = await click(card, /^接单$/, FIELD_ENGINEER);
    expect(r.toast?.content).toContain('接单');
    const t = await svc.ticket(number);
    expect(t.status).toBe('acknowledged');
    expect(t.assignee.name).toBe('赵工');
  });

  it('keeps a picture sent after a report on the ticket', async () => {
    await say('凤城五路站 3号售票机黑屏 电话13800138004');
    const number = /GD-\d{8}-\d{4}/.exec(textOf(dispatchCard()))![0];
    const messageId = newMessageId();
    const png = randomBytes(64);
    fake.resources.set(`${messageId}/img_v3_photo1`, png);
    const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(imageMessageEvent('img_v3_photo1', { messageId, chatId: CHAT, senderOpenId: CUSTOMER })));
    expect(r.status).toBe(200);
    await svc.settle();
    const t = await svc.ticket(number);
    expect(t.attachments).toEqual([expect.objectContaining({ kind: 'image', state: 'stored', key: 'img_v3_photo1' })]);
    const row = await svc.db.attachment.findFirst({ where: { key: 'img_v3_photo1' } });
    expect(readFileSync(row!.path!)).toEqual(png);
  });

  it('retries a 429 and a 500 and posts the reply once', async () => {
    const before = fake.messages.length;
    fake.failNext(1, { kind: 'http', status: 429, headers: { 'x-ogw-ratelimit-reset': '1' } }, /im\/v1\/messages/);
    fake.failNext(1, { kind: 'http', status: 500 }, /im\/v1\/messages/);
    await say('钟楼站 2号售票机不出票 电话13800138001');
    // Retries wait on the wall clock (retry-after, then backoff): give them a few seconds.
    for (let i = 0; i < 40 && (await svc.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } })) > 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await svc.dispatcher.drain();
    }
    expect(await svc.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } })).toBe(0);
    const posted = fake.messages.slice(before);
    const uuids = posted.map((m) => m.uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(posted.some((m) => textOf(m).includes('已收到报修'))).toBe(true);
    // The customer's chat and the staff's group are sent in parallel: the two failures may fall on one row or two.
    const retried = await svc.db.outbox.findMany({ where: { attempts: { gte: 2 } } });
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((r) => r.status === 'sent')).toBe(true);
  });

  it('records a permanent error on the outbox row and does not retry it', async () => {
    fake.failNext(1, { kind: 'code', code: 230002, msg: 'bot not in chat' }, /im\/v1\/messages/);
    await say('北大街站 PIS屏黑屏 电话13800138002');
    const failed = await svc.db.outbox.findFirst({ where: { status: 'failed' } });
    expect(failed?.lastError).toContain('230002');
    expect(failed?.attempts).toBe(1);
    await svc.dispatcher.drain();
    expect((await svc.db.outbox.findUnique({ where: { id: failed!.id } }))?.attempts).toBe(1);
  });
});
