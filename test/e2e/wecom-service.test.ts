/**
 * Whole tickets over the two WeCom channels, through the real service (config from the
 * environment, the channel list, the dispatcher) against the fake WeCom servers:
 * - the intelligent bot in a WeCom group: report, level card clicked, the engineer's 接单 / 到场 /
 *   已修复 on the ticket card, the customer's confirmation and rating; a frame pushed twice; the
 *   service killed with a reply unsent and started again: sent once;
 * - 微信客服 (customer on personal WeChat, staff in a WeCom managers' group): a report read after
 *   a signed, encrypted callback, the level answered from the menu; the callback and the messages
 *   read again; the service down while the customer writes (read at the next start); 49 hours
 *   later a message for the customer goes to the staff instead, and the ticket says so;
 * - /healthz reports both channels.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import type { WecomKfChannelHandle } from '../../src/channels/wecom-kf/index.js';
import { FakeWecomBot } from '../support/fake-wecom-bot.js';
import { FakeWecomKf } from '../support/fake-wecom-kf.js';
import { postKfCallback, WECOM_KF_ACCOUNT, wecomEnv, wecomKfEnv } from '../support/channel-harness.js';
import { startTestService, type TestService } from '../support/service.js';

const GROUP = 'wrservicegroup000000000001';
const MANAGERS = 'wrmanagersgroup00000000001';
const CUSTOMER = 'lizhanzhang';
const ENGINEER = 'zhanggong';
const MANAGER = 'limanager';
const KF_CUSTOMER = 'wmkfcustomer000000000001';

const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-wecom-service-'));
let bot: FakeWecomBot;
let kf: FakeWecomKf;
let svc: TestService;
let env: Record<string, string>;

function orgFile(): string {
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8')
    .replace('- { channel: sandbox, id: demo }', `- { channel: sandbox, id: demo }\n      - { channel: wecom, id: ${GROUP} }\n      - { channel: wecom-kf, id: ${WECOM_KF_ACCOUNT} }`)
    .replace('ids: { sandbox: e1 }', `ids: { sandbox: e1, wecom: ${ENGINEER} }`)
    .replace('ids: { sandbox: m1 }', `ids: { sandbox: m1, wecom: ${MANAGER} }`)
    .replace('- { channel: sandbox, id: managers }', `- { channel: sandbox, id: managers }\n  - { channel: wecom, id: ${MANAGERS} }`);
  const file = path.join(dir, 'org.yaml');
  writeFileSync(file, org);
  return file;
}

async function until<T>(fn: () => Promise<T | false | undefined> | T | false | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let n = 0;
function frame(from: string, msgtype: string, content: Record<string, unknown>, chatid = GROUP) {
  return { msgid: `svc-${++n}-${Date.now()}`, aibotid: bot.botId, chatid, chattype: 'group', from: { userid: from }, create_time: Math.floor(Date.now() / 1000), msgtype, ...content };
}

const recorded = (msgid: string) => until(async () => (await svc.db.inboundEvent.count({ where: { eventId: msgid } })) > 0, `event ${msgid}`);

async function say(text: string, from = CUSTOMER, chat = GROUP): Promise<string> {
  const f = frame(from, 'text', { text: { content: `@售后助手 ${text}` } }, chat);
  bot.pushMessage(f);
  await recorded(f.msgid);
  await svc.settle();
  return f.msgid;
}

interface SentCard {
  taskId: string;
  title: string;
  text: string;
  buttons: Array<{ label: string; value: string }>;
  mentions: Array<{ id: string }>;
}

/** The cards the bot sent to a chat, oldest first, as the outbox holds them (task_id = platformMessageId). */
async function cards(chat = GROUP): Promise<SentCard[]> {
  const rows = await svc.db.outbox.findMany({ where: { channel: 'wecom', chatPlatformId: chat, status: 'sent' }, orderBy: { id: 'asc' } });
  return rows
    .map((r) => ({ r, a: JSON.parse(r.action) as Partial<SentCard> & { kind: string } }))
    .filter(({ a }) => a.kind === 'card')
    .map(({ r, a }) => ({ taskId: r.platformMessageId!, title: a.title ?? '', text: a.text ?? '', buttons: a.buttons ?? [], mentions: a.mentions ?? [] }));
}
const lastCard = async () => (await cards()).at(-1)!;

async function click(card: SentCard, label: RegExp, operator: string, chat = GROUP): Promise<void> {
  const b = card.buttons.find((x) => label.test(x.label));
  expect(b, `button ${label} on ${card.title}`).toBeTruthy();
  // The card is shown by WeCom under its task_id.
  expect(bot.shown.some((s) => s.kind === "template_card" && s.taskId === card.taskId), `${card.title} ${card.taskId} shown: ${JSON.stringify(bot.shown.map((x) => [x.kind, x.taskId, x.chatid]))}`).toBe(true);
  const f = frame(operator, 'event', { event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: b!.value, task_id: card.taskId } } }, chat);
  bot.pushEvent(f);
  await recorded(f.msgid);
  await svc.settle();
}

/** Settles until nothing is left to send (the catch-up pass at start may hold a row while the connection is made). */
async function settled(): Promise<void> {
  await until(async () => {
    await svc.settle();
    return (await svc.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } })) === 0;
  }, 'every outbox row sent or settled');
}

const ticket = (number: string) => svc.ticket(number) as Promise<{ status: string; level: number; assignee: { name: string }; serviceRecord: { confirmation: string; satisfaction: number } }>;

async function start(opts: { first?: boolean } = {}): Promise<void> {
  svc = await startTestService({ dir, env, ...(opts.first ? { start: new Date().toISOString() } : {}) });
  await until(() => svc.channels.get('wecom')!.status().connected, 'the WeCom long connection');
}

beforeAll(async () => {
  bot = new FakeWecomBot({ maxPerMinute: 1000 });
  await bot.start();
  kf = new FakeWecomKf();
  kf.pageSize = 3;
  await kf.start();
  env = { ...wecomEnv(bot), ...wecomKfEnv(kf), ORG_FILE: orgFile(), DIGEST_CRON: 'off' };
  await start({ first: true });
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await bot?.close();
  await kf?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the WeCom channels in the service', () => {
  it('/healthz reports each channel’s state', async () => {
    const r = await fetch(`${svc.url}/healthz`);
    const body = (await r.json()) as { channels: Array<{ channel: string; connected: boolean; detail?: string }> };
    expect(body.channels.map((c) => c.channel).sort()).toEqual(['wecom', 'wecom-kf']);
    expect(body.channels.find((c) => c.channel === 'wecom')).toMatchObject({ connected: true, detail: expect.stringMatching(/long connection connected/) });
    expect(body.channels.find((c) => c.channel === 'wecom-kf')).toMatchObject({ detail: expect.stringMatching(/account/) });
  });

  it('greets whoever opens a one-to-one chat, on both channels, with the catalogue’s words', async () => {
    const f = { msgid: `enter-${Date.now()}`, aibotid: bot.botId, from: { userid: CUSTOMER }, create_time: Math.floor(Date.now() / 1000), msgtype: 'event', event: { eventtype: 'enter_chat' } };
    bot.pushEvent(f);
    await until(() => bot.shown.some((s) => s.kind === 'welcome' && /售后服务助手/.test(s.content ?? '')), 'the welcome within 5 s');
    const ev = kf.event({ event_type: 'enter_session', open_kfid: WECOM_KF_ACCOUNT, external_userid: KF_CUSTOMER, welcome_code: 'WELCOMECODE1' });
    await postKfCallback(svc.url, kf);
    await until(async () => (await svc.db.wecomKfInbox.count({ where: { msgid: ev, status: { not: 'pending' } } })) > 0, 'enter_session read');
    await until(() => kf.sent.some((s) => s.msgtype === 'on_event' && s.body['code'] === 'WELCOMECODE1' && /售后服务助手/.test(JSON.stringify(s.body))), 'the 微信客服 welcome');
  });

  it('a ticket in a WeCom group goes from report to rating by card clicks', async () => {
    await say('票务系统有问题 快来看看');
    const question = await lastCard();
    expect(question.text).toContain('影响范围');
    expect(question.buttons).toHaveLength(4);
    await click(question, /^1 /, CUSTOMER);
    // Within WeCom's 5 s the clicked card shows the choice.
    await until(() => bot.shown.some((s) => s.kind === 'update' && s.taskId === question.taskId), 'the card updated after the click');

    // The staff's dispatch request goes to the managers' group on WeCom: its text as markdown
    // (a WeCom card holds 112 characters), then a card with its buttons; the engineer takes the
    // job on the card and goes on with commands.
    const dispatch = bot.shown.filter((m) => m.chatid === MANAGERS && /GD-\d{8}-\d{4}/.test(m.content ?? '')).at(-1)!;
    expect(dispatch.content).toContain('李经理');
    const number = /GD-\d{8}-\d{4}/.exec(dispatch.content!)![0];
    const id = (await svc.db.ticket.findUnique({ where: { number } }))!.id;
    expect((await ticket(number)).level).toBe(1);

    const staffCard = (await cards(MANAGERS)).find((c) => c.title.includes(number))!;
    await click(staffCard, /^接单$/, ENGINEER, MANAGERS);
    expect((await ticket(number)).status).toBe('acknowledged');
    await say(`到场 #${id}`, ENGINEER, MANAGERS);
    expect((await ticket(number)).status).toBe('on_site');
    await say(`已修复 #${id} 更换读卡器`, ENGINEER, MANAGERS);
    expect((await ticket(number)).status).toBe('resolved');

    const confirm = await lastCard();
    expect(`${confirm.title}${confirm.text}`).toContain('确认');
    await click(confirm, /确认修复/, CUSTOMER);
    const rating = await lastCard();
    expect(rating.buttons).toHaveLength(5);
    await click(rating, /^5 /, CUSTOMER);
    const done = await ticket(number);
    expect(done.status).toBe('closed');
    expect(done.serviceRecord).toMatchObject({ confirmation: 'confirmed', satisfaction: 5 });
    expect(done.assignee.name).toBe('张工');
  });

  it('a frame pushed twice makes nothing twice; a reply unsent at a kill is sent once after the restart', async () => {
    const tickets = await svc.db.ticket.count();
    const f = frame(CUSTOMER, 'text', { text: { content: '@售后助手 小寨站 3号闸机刷卡没反应 电话13800138000' } });
    bot.pushMessage(f);
    bot.pushMessage(f);
    await recorded(f.msgid);
    await new Promise((r) => setTimeout(r, 300));
    // Recorded, not acted on yet: the service dies here.
    expect(await svc.db.inboundEvent.count({ where: { eventId: f.msgid } })).toBe(1);
    await svc.stop();
    const shownBefore = bot.shown.length;
    await start();
    await settled();
    expect(await svc.db.ticket.count()).toBe(tickets + 1);
    expect(await svc.db.outbox.findMany({ where: { channel: 'wecom', status: { not: 'sent' } }, select: { status: true, lastError: true, action: true } })).toEqual([]);
    const received = bot.shown.slice(shownBefore).filter((s) => /已收到/.test(s.content ?? ''));
    expect(received).toHaveLength(1);
    // Pushed once more after the restart: still seen before.
    bot.pushMessage(f);
    await new Promise((r) => setTimeout(r, 300));
    await svc.settle();
    expect(await svc.db.ticket.count()).toBe(tickets + 1);
  });

  it('a 微信客服 customer reports, answers the level from the menu; redelivery, a restart and the 48 h window', async () => {
    const handle = () => svc.channels.get('wecom-kf') as WecomKfChannelHandle;
    const handled = (msgid: string) => until(async () => (await svc.db.wecomKfInbox.count({ where: { msgid, status: { not: 'pending' } } })) > 0, `kf message ${msgid}`);
    const toCustomer = () => kf.sent.filter((s) => s.touser === KF_CUSTOMER);
    const tickets = await svc.db.ticket.count();

    const m1 = kf.customerWrites(WECOM_KF_ACCOUNT, KF_CUSTOMER, { msgtype: 'text', text: { content: '票务系统有问题 快来看看' } });
    const req = kf.callbackRequest(WECOM_KF_ACCOUNT);
    const post = () => fetch(`${svc.url}/wecom/kf/callback?${req.query}`, { method: 'POST', body: req.body });
    expect(await (await post()).text()).toBe('success');
    await handled(m1);
    await settled();
    const menu = toCustomer().find((s) => s.msgtype === 'msgmenu');
    expect(menu, 'the level question as a menu').toBeDefined();
    const items = (menu!.body['msgmenu'] as { list: Array<{ click: { id: string; content: string } }> }).list;
    expect(items).toHaveLength(4);
    // One to one: nobody is @-mentioned in front of the text.
    expect(toCustomer().filter((s) => s.msgtype === 'text').map((s) => String((s.body['text'] as { content: string }).content)).filter((t) => t.startsWith('@'))).toEqual([]);

    // WeCom retries the callback; the messages are read again from the start (a lost cursor).
    const sentBefore = kf.sent.length;
    expect(await (await post()).text()).toBe('success');
    await svc.db.wecomKfCursor.deleteMany({});
    await handle().kf.onNotice({ openKfId: WECOM_KF_ACCOUNT });
    await settled();
    expect(kf.sent.length).toBe(sentBefore);

    // The customer clicks "2" in the menu.
    const m2 = kf.customerWrites(WECOM_KF_ACCOUNT, KF_CUSTOMER, { msgtype: 'text', text: { content: items[1]!.click.content, menu_id: items[1]!.click.id } });
    await postKfCallback(svc.url, kf);
    await handled(m2);
    await settled();
    expect(await svc.db.ticket.count()).toBe(tickets + 1);
    const t = (await svc.db.ticket.findMany({ orderBy: { id: 'desc' }, take: 1 }))[0]!;
    expect(t).toMatchObject({ level: 2, status: 'accepted' });
    // The staff are not in a 微信客服 chat: the customer reads that it was accepted, the staff's
    // card goes to the managers' group on WeCom, and the engineer takes it there.
    expect(toCustomer().some((s) => /^已受理 /.test(String((s.body['text'] as { content?: string } | undefined)?.content ?? '')))).toBe(true);
    expect(toCustomer().filter((s) => JSON.stringify(s.body).includes('接单'))).toEqual([]);
    expect(bot.shown.some((m) => m.chatid === MANAGERS && (m.content ?? '').includes(t.number)), 'the dispatch request in the managers’ group').toBe(true);
    await say(`接单 #${t.id}`, ENGINEER, MANAGERS);
    await settled();
    expect(await svc.db.ticket.findUnique({ where: { id: t.id } })).toMatchObject({ status: 'acknowledged' });

    // The bot asks where; the service is down when the customer answers: no callback reaches it,
    // the answer is read at the next start.
    expect(toCustomer().some((m) => String((m.body['text'] as { content?: string } | undefined)?.content ?? '').includes('哪个车站'))).toBe(true);
    await svc.stop();
    const m3 = kf.customerWrites(WECOM_KF_ACCOUNT, KF_CUSTOMER, { msgtype: 'text', text: { content: '钟楼站' } });
    await start();
    await handled(m3);
    await settled();
    expect(await svc.db.ticket.count()).toBe(tickets + 1);
    expect(await svc.db.ticket.findUnique({ where: { id: t.id } })).toMatchObject({ site: '钟楼站' });
    const msgids = kf.sent.map((s) => s.msgid);
    expect(new Set(msgids).size).toBe(msgids.length);

    // 49 hours later (no customer message since): a message for the customer is not sent, the
    // staff in the managers' group are told, and the ticket's history says so.
    (svc.clock as ManualClock).advance(49 * 60);
    const row = await svc.db.outbox.create({
      data: {
        channel: 'wecom-kf',
        chatPlatformId: `${WECOM_KF_ACCOUNT}:${KF_CUSTOMER}`,
        ticketId: t.id,
        action: JSON.stringify({ kind: 'text', text: '请确认设备是否已恢复正常。', audience: 'customer' }),
        idempotencyKey: 'late-reminder-1',
        nextAttemptAt: new Date(0),
        createdAt: svc.clock.now(),
      },
    });
    const sentNow = kf.sent.length;
    await settled();
    expect(kf.sent.length).toBe(sentNow);
    expect(await svc.db.outbox.findUnique({ where: { id: row.id } })).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/KfWindowClosedError window_closed/) });
    // Timers that came due in those hours (questions for the customer) went the same way: one
    // note to the staff per undelivered message, ours among them.
    const told = () => bot.shown.filter((s) => s.chatid === MANAGERS && /消息未送达/.test(s.content ?? ''));
    const undelivered = await svc.db.outbox.count({ where: { channel: 'wecom-kf', status: 'failed', lastError: { contains: 'window_closed' } } });
    expect(told()).toHaveLength(undelivered);
    const ours = told().filter((s) => (s.content ?? '').includes('请确认设备是否已恢复正常'));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.content).toContain(t.number);
    expect(ours[0]!.content).toContain('48小时');
    const ofTicket = await svc.db.outbox.count({ where: { channel: 'wecom-kf', ticketId: t.id, status: 'failed', lastError: { contains: 'window_closed' } } });
    expect(await svc.db.ticketEvent.count({ where: { ticketId: t.id, action: 'message_undelivered' } })).toBe(ofTicket);
    // Settling again tells nobody twice.
    await settled();
    expect(told()).toHaveLength(undelivered);
  });
});
