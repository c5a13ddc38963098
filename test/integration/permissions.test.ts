/**
 * Permissions and injection, through the bot (Feishu events, where nobody can
 * claim a role) and through the service's HTTP port:
 * - a customer cannot run engineer or manager commands, by text or by button;
 * - a customer in one chat cannot see or act on another chat's tickets;
 * - a role hint on a non-sandbox event is ignored;
 * - the API refuses requests without the token (API_TOKEN set) or, without a
 *   token configured, from anywhere but this machine (X-Forwarded-For does not
 *   help); the dashboard wants a login; /metrics is this machine's or the token's;
 * - HTML and SQL in a message are stored and shown as text.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { ServiceBot } from '../../src/bot/bot.js';
import type { InboundClick, Mention } from '../../src/core/channel.js';
import { feishuMessage, freshStore, makeBot, quietConfig, type TestStore } from '../support/chaos.js';
import { orgFileWith } from '../support/chaos-service.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';

const ENG = 'ou_perm_engineer';
const MGR = 'ou_perm_manager';
const CUST_A = 'ou_perm_customer_a';
const CUST_B = 'ou_perm_customer_b';
const CHAT_A = 'oc_perm_chat_a';
const CHAT_B = 'oc_perm_chat_b';

let store: TestStore;
let bot: ServiceBot;
let seq = 0;

const org = orgFileWith((y) => y.replace('ids: { sandbox: e1 }', `ids: { sandbox: e1, feishu: ${ENG} }`).replace('ids: { sandbox: m1 }', `ids: { sandbox: m1, feishu: ${MGR} }`));

function say(sender: string, chat: string, text: string, mentions: Mention[] = [], extra: Record<string, unknown> = {}) {
  const n = ++seq;
  return bot.receive({ ...feishuMessage(`perm${n}`, text, { chat, sender }), mentions, ...extra });
}

function click(sender: string, chat: string, value: string, messageId = 'om_card') {
  const n = ++seq;
  const ev: InboundClick = { type: 'click', channel: 'feishu', eventId: `click${n}`, messageId, chat: { id: chat, type: 'group' }, sender: { id: sender, name: sender }, value, at: new Date() };
  return bot.receive(ev);
}

/** The bot's replies in a chat since a given outbox id. */
async function repliesSince(chat: string, after: number): Promise<string[]> {
  const rows = await store.db.outbox.findMany({ where: { chatPlatformId: chat, id: { gt: after } }, orderBy: { id: 'asc' } });
  return rows.map((r) => JSON.stringify(JSON.parse(r.action)));
}

async function lastOutboxId(): Promise<number> {
  return (await store.db.outbox.aggregate({ _max: { id: true } }))._max.id ?? 0;
}

async function snapshot(id: number) {
  const t = await store.db.ticket.findUniqueOrThrow({ where: { id } });
  return { status: t.status, assigneeId: t.assigneeId, level: t.level, feeStatus: t.feeStatus, cancelledAt: t.cancelledAt, resolvedAt: t.resolvedAt };
}

beforeAll(async () => {
  store = await freshStore('sqlite', 'perm');
  bot = await makeBot(store.db, 'sqlite', new ManualClock(new Date('2026-11-24T02:00:00Z')), quietConfig({ ORG_FILE: org }));
});
afterAll(async () => {
  await store?.close();
});

describe('chat commands', () => {
  let ticketId: number;
  beforeAll(async () => {
    await say(CUST_A, CHAT_A, '17号闸机刷卡没反应 一台');
    ticketId = (await store.db.ticket.findFirstOrThrow({ where: { chat: { platformId: CHAT_A } } })).id;
    // Someone in chat B exists too.
    await say(CUST_B, CHAT_B, '你好');
  });

  it('a customer cannot run engineer or manager commands by text; the ticket does not change and the refusal is polite', async () => {
    const before = await snapshot(ticketId);
    const after = await lastOutboxId();
    const engineer = { id: ENG, name: '张工' };
    for (const text of [`接单 #${ticketId}`, `到场 #${ticketId}`, `已修复 #${ticketId} 换了电源`, `派单 #${ticketId} @张工`, `转派 #${ticketId} @张工`, `免费处理 #${ticketId}`, `#${ticketId} 改为一级`, `调查结果 #${ticketId} 已处理`, '绑定客户 某公司', '设为工程师 @李站长']) {
      const mentions = /@张工/.test(text) ? [engineer] : /@李站长/.test(text) ? [{ id: CUST_A, name: '李站长' }] : [];
      await say(CUST_A, CHAT_A, text, mentions);
    }
    expect(await snapshot(ticketId)).toEqual(before);
    const person = await store.db.person.findFirstOrThrow({ where: { channel: 'feishu', platformId: CUST_A } });
    expect(person.role).toBe('customer');
    const chat = await store.db.chat.findFirstOrThrow({ where: { platformId: CHAT_A } });
    expect(chat.customerId).toBeNull();
    const replies = await repliesSince(CHAT_A, after);
    expect(replies.filter((r) => /抱歉|需由|服务人员/.test(r)).length).toBeGreaterThanOrEqual(8);
  });

  it('a customer cannot act by button either (ack / arrive / resolve clicks are refused)', async () => {
    const before = await snapshot(ticketId);
    for (const value of [`ack:${ticketId}`, `arrive:${ticketId}`, `resolve:${ticketId}`]) {
      const r = await click(CUST_A, CHAT_A, value);
      expect(r.toast ?? '').toMatch(/抱歉|服务人员/);
    }
    expect(await snapshot(ticketId)).toEqual(before);
  });

  it('a role hint on a Feishu event is ignored: an unknown sender saying "派单" is a customer', async () => {
    const before = await snapshot(ticketId);
    await say('ou_perm_pretender', CHAT_A, `派单 #${ticketId} @张工`, [{ id: ENG, name: '张工' }], { senderRoleHint: 'manager' });
    expect(await snapshot(ticketId)).toEqual(before);
    expect((await store.db.person.findFirstOrThrow({ where: { platformId: 'ou_perm_pretender' } })).role).toBe('customer');
  });

  it("a customer in another chat cannot see or act on this chat's ticket", async () => {
    const before = await snapshot(ticketId);
    const number = (await store.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).number;
    const after = await lastOutboxId();
    for (const text of [`查询 #${ticketId}`, `查询 ${number}`, `确认修复 #${ticketId}`, `还没好 #${ticketId}`, `撤销 #${ticketId}`, `5分 #${ticketId}`, `同意收费 #${ticketId}`]) await say(CUST_B, CHAT_B, text);
    for (const value of [`confirm:${ticketId}`, `deny:${ticketId}`, `rate:${ticketId}:5`, `fee:${ticketId}`, `level:${ticketId}:1`]) await click(CUST_B, CHAT_B, value);
    expect(await snapshot(ticketId)).toEqual(before);
    const replies = await repliesSince(CHAT_B, after);
    // Nothing about the ticket leaks into chat B: not its content, not its record.
    expect(replies.join('\n')).not.toContain('17号闸机');
    expect(replies.join('\n')).not.toContain('客户服务记录');
    // And nothing was said in chat A on B's behalf.
    expect((await repliesSince(CHAT_A, after)).length).toBe(0);
  });

  it('the configured engineer can take the ticket (the refusals above are about roles, not everything)', async () => {
    await say(ENG, CHAT_A, `接单 #${ticketId}`);
    expect((await snapshot(ticketId)).status).toBe('acknowledged');
  });
});

describe('the HTTP port', () => {
  const TOKEN = 'test-api-token-0123456789abcdef';
  let secured: TestService;
  let open: TestService;
  // A non-loopback address of this machine: requests to it come from "another address".
  const lanIp = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  beforeAll(async () => {
    secured = await startTestService({ env: { API_TOKEN: TOKEN } });
    open = await startTestService({ env: { HOST: '0.0.0.0' } });
  });
  afterAll(async () => {
    await secured?.close();
    await open?.close();
  });

  it('API_TOKEN set: the API answers 401 without the token or with a wrong one, 200 with it', async () => {
    expect((await fetch(`${secured.url}/api/tickets`)).status).toBe(401);
    expect((await fetch(`${secured.url}/api/tickets`, { headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } })).status).toBe(401);
    expect((await fetch(`${secured.url}/api/tickets`, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    expect((await fetch(`${secured.url}/api/tickets/1`)).status).toBe(401);
    expect((await fetch(`${secured.url}/api/tickets`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('API_TOKEN set: the dashboard wants a login (GET → the login page; a forged session cookie too)', async () => {
    const r = await fetch(`${secured.url}/dashboard/tickets`, { redirect: 'manual' });
    expect([302, 303]).toContain(r.status);
    expect(r.headers.get('location') ?? '').toContain('/dashboard/login');
    expect((await fetch(`${secured.url}/dashboard/exports/download?kind=service`, { redirect: 'manual' })).status).not.toBe(200);
    const bad = await fetch(`${secured.url}/dashboard/tickets`, { redirect: 'manual', headers: { cookie: 'servicebot_session=dG9rZW4.9999999999999.forged' } });
    expect([302, 303]).toContain(bad.status);
  });

  it.skipIf(!lanIp)('no token configured: the API, the dashboard and /metrics refuse a request from another address, X-Forwarded-For: 127.0.0.1 or not', async () => {
    const base = `http://${lanIp}:${open.port}`;
    for (const path of ['/api/tickets', '/dashboard/tickets', '/metrics']) {
      expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status, path).toBe(403);
      expect((await fetch(`${base}${path}`, { redirect: 'manual', headers: { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' } })).status, path).toBe(403);
    }
    expect((await fetch(`${open.url}/api/tickets`)).status).toBe(200);
  });

  it('HTML and SQL in a message are stored verbatim and come back as text', async () => {
    const nasty = `<img src=x onerror=alert(1)><script>alert("x")</script> 小寨站 3号闸机刷卡没反应 一台 '); DROP TABLE "Ticket"; -- <at user_id="all">所有人</at>`;
    const posted = await open.post('demo', PEOPLE.customer, nasty);
    expect(posted.status).toBe('processed');
    const list = (await (await fetch(`${open.url}/api/tickets`)).json()) as { tickets?: Array<{ id: number }> } | Array<{ id: number }>;
    const rows = Array.isArray(list) ? list : (list.tickets ?? []);
    expect(rows.length).toBeGreaterThan(0);
    const t = await open.ticket(rows[rows.length - 1]!.id);
    expect(t.content ?? t.ticket?.content).toBe(nasty);
    // The table is still there, and the stored text is the text.
    const stored = await open.db.ticket.findFirstOrThrow({ where: { content: nasty } });
    expect(stored.content).toBe(nasty);
    const inbound = await open.db.inboundEvent.findFirstOrThrow({ where: { text: nasty } });
    expect(inbound.text).toBe(nasty);
    // The sandbox page puts messages in with textContent, never as HTML.
    const page = await (await fetch(`${open.url}/sandbox`)).text();
    expect(page).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
    // The dashboard shows it escaped.
    const html = await (await fetch(`${open.url}/dashboard/tickets/${stored.id}`)).text();
    expect(html).not.toContain('<script>alert("x")</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;');
  });

  it('a NUL character in an address or a message: the request is refused with 400, the message is kept without it', async () => {
    for (const path of ['/api/tickets?status=open%00', '/dashboard/tickets?q=%00', '/api/exports/service-records.csv?from=2026-11-01%00']) {
      const r = await fetch(`${open.url}${path}`, { redirect: 'manual' });
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/NUL/);
    }
    const posted = await open.post('demo-nul', PEOPLE.customer, '小寨站 4号闸机\u0000刷卡没反应 一台');
    expect(posted.status).toBe('processed');
    expect(await open.db.inboundEvent.count({ where: { text: '小寨站 4号闸机刷卡没反应 一台' } })).toBe(1);
  });
});
