/**
 * An external group (外部群): the customer's staff belong to another tenant
 * (the metro operator), the supplier's staff and the bot to the app's own.
 * Through the real service against a strict fake platform (every chat must
 * exist, the contact API reads the own tenant only):
 *  - before the app's external sharing (对外共享) is on, the bot's reply is
 *    refused with 230027: the outbox row and /healthz say what to do;
 *  - with sharing on, a whole ticket runs: the customer's name comes from the
 *    chat members, a colleague's from a mention, never from the contact API;
 *  - in @-only mode, the bot's questions tell the customer to @ it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeishu, type PostedMessage } from '../support/fake-feishu.js';
import { botMention, cardActionEvent, feishuEnv, feishuRequest, newMessageId, postFeishu, TEST_APP, textMessageEvent, type MentionSpec } from '../support/feishu-events.js';
import { startTestService, type TestService } from '../support/service.js';

const CHAT = 'oc_external0000000000000000000000e1';
const MANAGERS = 'oc_managers0000000000000000000000e2';
const OPERATOR_TENANT = '9b1c7e0a8d2f4e61';
/** The metro operator's people (another tenant). */
const CUSTOMER = 'ou_metro0000000000000000000000000c1';
const COLLEAGUE = 'ou_metro0000000000000000000000000c2';
/** The supplier's people (the app's tenant). */
const ENGINEER = 'ou_supplier000000000000000000000e1';
const MANAGER = 'ou_supplier000000000000000000000m1';

let fake: FakeFeishu;
let svc: TestService;

function orgFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-feishu-ext-'));
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8')
    .replace('- { channel: sandbox, id: demo }', `- { channel: sandbox, id: demo }\n      - { channel: feishu, id: ${CHAT} }`)
    .replace('ids: { sandbox: e1 }', `ids: { sandbox: e1, feishu: ${ENGINEER} }`)
    .replace('ids: { sandbox: m1 }', `ids: { sandbox: m1, feishu: ${MANAGER} }`)
    .replace('- { channel: sandbox, id: managers }', `- { channel: sandbox, id: managers }\n  - { channel: feishu, id: ${MANAGERS} }`);
  const file = path.join(dir, 'org.yaml');
  writeFileSync(file, org);
  return file;
}

const textOf = (m: PostedMessage) => JSON.stringify(m.content);
const inChat = () => fake.messages.filter((m) => m.chatId === CHAT);
const lastCard = () => [...inChat()].reverse().find((m) => m.msgType === 'interactive')!;

function buttons(m: PostedMessage): Array<{ label: string; value: string }> {
  const out: Array<{ label: string; value: string }> = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o['tag'] === 'button') out.push({ label: (o['text'] as { content: string }).content, value: (o['value'] as { value: string }).value });
      Object.values(o).forEach(walk);
    }
  };
  walk(m.content);
  return out;
}

/** A message from someone in the external group, as Feishu delivers it (sender tenant on the event). */
async function say(text: string, from = CUSTOMER, extra: { mentions?: MentionSpec[] } = {}): Promise<string> {
  const messageId = newMessageId();
  const payload = textMessageEvent(`@_user_1 ${text}`, { messageId, chatId: CHAT, senderOpenId: from, mentions: [botMention(), ...(extra.mentions ?? [])] });
  const sender = (payload['event'] as { sender: { tenant_key: string } }).sender;
  if (from === CUSTOMER || from === COLLEAGUE) sender.tenant_key = OPERATOR_TENANT;
  fake.observe(payload);
  const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(payload));
  expect(r.status).toBe(200);
  await svc.settle();
  return messageId;
}

async function click(card: PostedMessage, label: RegExp, operator: string): Promise<{ toast?: { content: string } }> {
  const b = buttons(card).find((x) => label.test(x.label));
  expect(b, `button ${label}`).toBeTruthy();
  const payload = cardActionEvent({ messageId: card.messageId, chatId: card.chatId === MANAGERS ? MANAGERS : CHAT, operatorOpenId: operator, value: { value: b!.value } });
  if (operator === CUSTOMER) (payload['event'] as { operator: { tenant_key: string } }).operator.tenant_key = OPERATOR_TENANT;
  const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(payload));
  expect(r.status).toBe(200);
  expect(r.ms).toBeLessThan(3000);
  await svc.settle();
  return r.json as { toast?: { content: string } };
}

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.strictChats = true;
  fake.users.set(ENGINEER, { name: '张工' });
  fake.users.set(MANAGER, { name: '李经理' });
  // The operator's people exist in their own tenant: the contact API answers "no authority" for them.
  fake.users.set(CUSTOMER, { name: '刘站长', tenantKey: OPERATOR_TENANT });
  fake.users.set(COLLEAGUE, { name: '陈工', tenantKey: OPERATOR_TENANT });
  fake.addChat(CHAT, {
    external: true,
    members: [
      { openId: CUSTOMER, name: '刘站长', tenantKey: OPERATOR_TENANT },
      { openId: ENGINEER, name: '张工' },
      { openId: MANAGER, name: '李经理' },
    ],
  });
  fake.addChat(MANAGERS, { members: [{ openId: MANAGER, name: '李经理' }] });
  svc = await startTestService({ env: { ...feishuEnv(fake.url), ORG_FILE: orgFile(), FEISHU_RECEIVE: 'mentions' } });
});

afterAll(async () => {
  await svc?.close();
  await fake?.stop();
});

describe('an external group shared by two tenants', () => {
  it('without external sharing, a refused reply says how to fix it (outbox row, /healthz), and is not retried', async () => {
    await say('小寨站 2号闸机刷卡没反应 电话13800138000');
    expect(fake.refusals.get(230027)).toBeGreaterThan(0);
    const failed = await svc.db.outbox.findFirst({ where: { chatPlatformId: CHAT, status: 'failed' } });
    expect(failed?.lastError).toContain('230027');
    expect(failed?.lastError).toContain('对外共享');
    const health = (await (await fetch(`${svc.url}/healthz`)).json()) as { channels: Array<{ channel: string; detail?: string }> };
    expect(health.channels.find((c) => c.channel === 'feishu')?.detail).toContain('对外共享');
    expect(failed?.attempts).toBe(1);
    // The report itself is on record: the desk can take it up once sharing is on.
    expect((await svc.db.ticket.count({ where: { chat: { platformId: CHAT } } }))).toBe(1);
    await svc.db.ticket.updateMany({ data: { status: 'cancelled' } });
  });

  it('with sharing on, walks a whole ticket; names of the other tenant come from members and mentions only', async () => {
    fake.externalSharing = true;
    const contactBefore = fake.apiCalls('/contact/v3/users/ou_metro').length;

    const report = await say('票务系统有问题 快来看看 @_user_2 也在现场', CUSTOMER, {
      mentions: [{ key: '@_user_2', openId: COLLEAGUE, name: '陈工', mentionedType: 'user' }],
    });
    const question = lastCard();
    expect(question.replyTo).toBe(report);
    expect(question.replyInThread).toBe(false);
    // @-only mode: the question says how to answer.
    expect(textOf(question)).toContain('回复时请 @售后服务机器人');
    await click(question, /^1 /, CUSTOMER);

    // The dispatch card with the staff's buttons is in the managers' group (no staff group configured for this customer).
    const ticketCard = [...fake.messages].reverse().find((m) => m.msgType === 'interactive' && m.chatId === MANAGERS)!;
    const number = /GD-\d{8}-\d{4}/.exec(textOf(ticketCard))![0];
    const t0 = await svc.ticket(number);
    expect(t0.level).toBe(1);
    const reporter = await svc.db.person.findFirst({ where: { channel: 'feishu', platformId: CUSTOMER } });
    expect(reporter?.name).toBe('刘站长');

    await click(ticketCard, /^接单$/, ENGINEER);
    await click(ticketCard, /^到场$/, ENGINEER);
    await click(ticketCard, /^已修复$/, ENGINEER);
    expect((await svc.ticket(number)).status).toBe('resolved');

    // The colleague, known to the bot only from the mention (not a member the bot read), is named all the same.
    await say('我也看了，正常了', COLLEAGUE);
    expect((await svc.db.person.findFirst({ where: { channel: 'feishu', platformId: COLLEAGUE } }))?.name).toBe('陈工');

    const confirm = lastCard();
    expect(textOf(confirm)).toContain('确认');
    await click(confirm, /确认修复/, CUSTOMER);
    await click(lastCard(), /^5 /, CUSTOMER);
    const done = await svc.ticket(number);
    expect(done.status).toBe('closed');
    expect(done.serviceRecord.satisfaction).toBe(5);
    // Never asked the contact API about the operator's people.
    expect(fake.apiCalls('/contact/v3/users/ou_metro')).toHaveLength(contactBefore);
    expect(fake.apiCalls(`/im/v1/chats/${CHAT}/members`).length).toBeGreaterThan(0);
  });
});
