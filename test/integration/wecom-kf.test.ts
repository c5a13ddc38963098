/**
 * WeChat Customer Service against the fake API (test/support/fake-wecom-kf.ts) and a real
 * database: the callback's crypto (WeCom's own example first), sync_msg paging with the cursor in
 * the database across a restart, the 48 h / 5-message window, msgids that make a retry harmless,
 * menus for choices, and access tokens shared by replicas.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PermanentSendError, RetryableSendError } from '../../src/core/channel.js';
import { KfWindowClosedError, WecomKfChannel, type WecomKfOptions } from '../../src/channels/wecom-kf/adapter.js';
import { verifyAndDecrypt } from '../../src/channels/wecom-kf/crypto.js';
import { KfSync } from '../../src/channels/wecom-kf/sync.js';
import { FakeWecomKf } from '../support/fake-wecom-kf.js';
import { freshStore, pgReachable, type TestStore } from '../support/chaos.js';
import { memoryLog, RecordingSink, until } from '../support/recording-sink.js';

const stores: TestStore[] = [];
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});
afterAll(async () => {
  for (const s of stores) await s.close();
});

const KF = 'wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q';
const CUSTOMER = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';
const CHAT = `${KF}:${CUSTOMER}`;

async function setup(over: Partial<WecomKfOptions> = {}, clock = { t: Date.parse('2026-12-01T02:00:00Z') }, provider: 'sqlite' | 'postgresql' = 'sqlite') {
  const store = await freshStore(provider, 'wecomkf');
  stores.push(store);
  const fake = new FakeWecomKf(() => clock.t);
  await fake.start();
  cleanup.push(() => fake.close());
  const sink = new RecordingSink();
  const log = memoryLog();
  const make = (o: Partial<WecomKfOptions> = {}) =>
    new WecomKfChannel({
      db: store.db,
      sink,
      corpId: fake.corpId,
      secret: fake.secret,
      token: fake.token,
      encodingAESKey: fake.encodingAESKey,
      baseUrl: fake.url,
      greeting: '',
      log,
      now: () => clock.t,
      ...over,
      ...o,
    });
  return { store, fake, sink, log, clock, kf: make(), make };
}

let n = 0;
const ctx = (key = `row-${++n}`, attempt = 1) => ({ chatId: CHAT, idempotencyKey: key, attempt });

describe('callback crypto', () => {
  // WeCom's own example (加解密方案说明, document/path/90968).
  const doc = { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' };
  const q = { signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' };
  const enc =
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';

  it("WeCom's example verifies and decrypts", () => {
    const r = verifyAndDecrypt(doc, q, enc);
    expect(r.ok && r.message).toMatch(/<Content><!\[CDATA\[hello\]\]><\/Content>/);
  });
  it('a changed signature, another corp id, another key, or garbage are refused', () => {
    expect(verifyAndDecrypt(doc, { ...q, signature: q.signature.replace('4', '5') }, enc)).toMatchObject({ ok: false, status: 401 });
    expect(verifyAndDecrypt({ ...doc, corpId: 'wwother' }, q, enc)).toMatchObject({ ok: false, status: 400, reason: expect.stringMatching(/corp id/) });
    const otherKey = { ...doc, encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
    expect(verifyAndDecrypt(otherKey, q, enc)).toMatchObject({ ok: false, status: 400 });
    const junk = Buffer.alloc(64, 1).toString('base64');
    const sig = (s: string) => ({ ...q, signature: require_sig(doc.token, q.timestamp, q.nonce, s) });
    expect(verifyAndDecrypt(doc, sig(junk), junk)).toMatchObject({ ok: false, status: 400 });
    expect(verifyAndDecrypt(doc, sig('not base64!'), 'not base64!')).toMatchObject({ ok: false, status: 400 });
  });
});

import { getSignature as require_sig } from '@wecom/crypto';

describe('callback URL', () => {
  async function serve(kf: WecomKfChannel) {
    const app = new Koa();
    app.use(kf.callback);
    const server = http.createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/kf/callback`;
  }

  it('URL verification answers the decrypted echostr; a notice is answered "success" and read; bad ones are refused; a replay is not acted on twice', async () => {
    const { fake, kf, sink, log } = await setup();
    const url = await serve(kf);
    const v = await fetch(`${url}?${fake.verifyRequest('1616140317555161061')}`);
    expect([v.status, await v.text()]).toEqual([200, '1616140317555161061']);

    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '3号线闸机坏了' } });
    const good = fake.callbackRequest(KF, { nonce: 'n1' });
    const r1 = await fetch(`${url}?${good.query}`, { method: 'POST', body: good.body });
    expect([r1.status, await r1.text()]).toEqual([200, 'success']);
    await sink.waitFor(1);
    expect(sink.events[0]).toMatchObject({ type: 'message', channel: 'wecom-kf', text: '3号线闸机坏了', chat: { id: CHAT, type: 'p2p' } });
    expect(fake.syncCalls[0]?.token).toMatch(/^ENC/);

    const replay = await fetch(`${url}?${good.query}`, { method: 'POST', body: good.body });
    expect(replay.status).toBe(200);
    expect(log.lines.some((l) => /seen before, not acted on/.test(l.msg))).toBe(true);
    expect(fake.syncCalls).toHaveLength(1);

    const badSig = fake.callbackRequest(KF, { badSignature: true });
    expect((await fetch(`${url}?${badSig.query}`, { method: 'POST', body: badSig.body })).status).toBe(401);
    const wrongKey = fake.callbackRequest(KF, { wrongKey: true });
    expect((await fetch(`${url}?${wrongKey.query}`, { method: 'POST', body: wrongKey.body })).status).toBe(400);
    const otherCorp = fake.callbackRequest(KF, { corpId: 'wwsomeoneelse' });
    expect((await fetch(`${url}?${otherCorp.query}`, { method: 'POST', body: otherCorp.body })).status).toBe(400);
    const stale = fake.callbackRequest(KF, { timestamp: Math.floor(Date.parse('2026-11-01T00:00:00Z') / 1000) });
    expect((await fetch(`${url}?${stale.query}`, { method: 'POST', body: stale.body })).status).toBe(401);
    const big = await fetch(`${url}?${good.query.replace('n1', 'n2')}`, { method: 'POST', body: 'x'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
    expect((await fetch(`${url}?${fake.callbackRequest(KF).query}`, { method: 'POST', body: '<xml><nothing/></xml>' })).status).toBe(400);
    expect(fake.syncCalls).toHaveLength(1);
    expect(sink.events).toHaveLength(1);
  });
});

describe('sync_msg', () => {
  it('reads page by page, keeps the cursor in the database, and goes on from it', async () => {
    const { fake, kf, sink, store } = await setup();
    for (let i = 1; i <= 5; i++) fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: `第${i}条` } });
    await kf.onNotice({ openKfId: KF });
    expect(sink.events.map((e) => (e.type === 'message' ? e.text : ''))).toEqual(['第1条', '第2条', '第3条', '第4条', '第5条']);
    expect(fake.syncCalls.map((c) => Boolean(c.cursor))).toEqual([false, true, true]);
    const cursor = (await store.db.wecomKfCursor.findUnique({ where: { openKfId: KF } }))!.cursor;
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '第6条' } });
    await kf.onNotice({ openKfId: KF });
    expect(fake.syncCalls.at(-1)?.cursor).toBe(cursor);
    expect(sink.events).toHaveLength(6);
  });

  it('a crash between pages: the restarted sync reads from the saved cursor; nothing skipped, nothing twice', async () => {
    const { fake, kf, sink, store, log } = await setup();
    for (let i = 1; i <= 5; i++) fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: `第${i}条` } });
    // The first process dies after its first page was stored.
    let pages = 0;
    const dying = new KfSync({
      db: store.db,
      sink,
      api: { syncMsg: async (req: Parameters<typeof kf.api.syncMsg>[0]) => (++pages === 2 ? Promise.reject(new Error('killed')) : kf.api.syncMsg(req)) } as typeof kf.api,
    });
    await expect(dying.pull(KF)).rejects.toThrow('killed');
    expect(await store.db.wecomKfInbox.count()).toBe(2);
    // A page read again (the cursor not yet saved) is kept once.
    fake.emptyPageWithMore = true;
    const restarted = new WecomKfChannel({ db: store.db, sink, corpId: fake.corpId, secret: fake.secret, token: fake.token, encodingAESKey: fake.encodingAESKey, baseUrl: fake.url, greeting: '', log });
    await restarted.onNotice({ openKfId: KF });
    expect(await store.db.wecomKfInbox.count()).toBe(5);
    expect(sink.events.map((e) => e.eventId)).toEqual(fake.messages.map((m) => m['msgid']));
  });

  it('two replicas storing the same page: one advances the cursor, the other is refused and stores nothing twice', async () => {
    const { store, sink, kf } = await setup();
    const a = new KfSync({ db: store.db, sink, api: kf.api });
    await a.storePage(KF, null, 'c1', []);
    const msg = { msgid: 'm-1', open_kfid: KF, external_userid: CUSTOMER, send_time: 1764554400, origin: 3, msgtype: 'text', text: { content: 'x' } };
    await a.storePage(KF, 'c1', 'c2', [msg]);
    await expect(a.storePage(KF, 'c1', 'c2b', [{ ...msg, msgid: 'm-2' }])).rejects.toThrow(/cursor .* moved/);
    expect(await store.db.wecomKfInbox.count()).toBe(1);
  });

  it('the bot cannot take a message (database busy): it stays stored and is handed on again shortly, once', async () => {
    const { fake, kf, sink, store } = await setup({ retryMs: 100 });
    await kf.start();
    cleanup.push(() => kf.stop());
    sink.failNext = 1;
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '电梯停了' } });
    await kf.onNotice({ openKfId: KF });
    expect(sink.events).toHaveLength(0);
    expect(await store.db.wecomKfInbox.count({ where: { status: 'pending' } })).toBe(1);
    await sink.waitFor(1, 3000);
    await until(async () => (await store.db.wecomKfInbox.count({ where: { status: 'delivered' } })) === 1, 3000);
    expect(sink.events).toHaveLength(1);
  });

  it('servicer messages, unknown types and send failures are not handed to the bot', async () => {
    const { fake, kf, sink, store } = await setup();
    const failed: unknown[] = [];
    const k = new WecomKfChannel({ db: store.db, sink, corpId: fake.corpId, secret: fake.secret, token: fake.token, encodingAESKey: fake.encodingAESKey, baseUrl: fake.url, greeting: '', onSendFailed: (f) => failed.push(f) });
    fake.messages.push({ msgid: 's1', open_kfid: KF, external_userid: CUSTOMER, send_time: 1764554400, origin: 5, servicer_userid: 'zhangsan', msgtype: 'text', text: { content: '人工回复' } });
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'business_card', business_card: { userid: 'x' } });
    fake.event({ event_type: 'msg_send_fail', open_kfid: KF, external_userid: CUSTOMER, fail_msgid: 'abc', fail_type: 10 });
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '有效消息' } });
    await k.onNotice({ openKfId: KF });
    expect(sink.events).toHaveLength(1);
    expect(failed).toEqual([{ msgid: 'abc', failType: 10, externalUserId: CUSTOMER }]);
    expect(await store.db.wecomKfInbox.count({ where: { status: 'ignored' } })).toBe(3);
    void kf;
  });
});

describe('send_msg and the window', () => {
  it('five messages within 48 h, then the sixth is refused here (WeCom not called) and reported; the customer writing again reopens it', async () => {
    const closed: KfWindowClosedError[] = [];
    const { fake, kf } = await setup({ onWindowClosed: (e) => closed.push(e) });
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '报修' } });
    await kf.onNotice({ openKfId: KF });
    expect(await kf.windowOf(CHAT)).toMatchObject({ open: true, remaining: 5 });
    for (let i = 1; i <= 5; i++) await kf.send({ kind: 'text', text: `回复${i}` }, ctx());
    const err = await kf.send({ kind: 'text', text: '提醒' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KfWindowClosedError);
    expect(err).toBeInstanceOf(PermanentSendError);
    expect((err as KfWindowClosedError).windowReason).toBe('five_sent');
    expect(closed).toHaveLength(1);
    expect(fake.sent).toHaveLength(5);
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '还在吗' } });
    await kf.onNotice({ openKfId: KF });
    await kf.send({ kind: 'text', text: '在的' }, ctx());
    expect(fake.sent).toHaveLength(6);
  });

  it('after 48 h the window is closed', async () => {
    const { fake, kf, clock } = await setup();
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '报修' } });
    await kf.onNotice({ openKfId: KF });
    clock.t += 49 * 3600_000;
    expect(await kf.windowOf(CHAT)).toMatchObject({ open: false, reason: 'expired' });
    await expect(kf.send({ kind: 'text', text: '迟到的提醒' }, ctx())).rejects.toMatchObject({ windowReason: 'expired' });
    expect(fake.sent).toHaveLength(0);
  });

  it('a retry after a lost answer is not sent twice and takes no second slot', async () => {
    const { fake, make } = await setup();
    let lose = 1;
    const losing: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('/kf/send_msg') && lose-- > 0) throw new TypeError('socket hang up');
      return res;
    };
    const kf = make({ fetch: losing });
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '报修' } });
    await kf.onNotice({ openKfId: KF });
    await expect(kf.send({ kind: 'text', text: '已登记' }, ctx('row-x'))).rejects.toBeInstanceOf(RetryableSendError);
    await kf.send({ kind: 'text', text: '已登记' }, ctx('row-x', 2));
    expect(fake.sent).toHaveLength(1);
    expect(await kf.windowOf(CHAT)).toMatchObject({ remaining: 4 });
  });

  it('a card goes as a menu; a click comes back as a click with the button value; a long text is split under 2048 bytes', async () => {
    const { fake, kf, sink } = await setup();
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '报修' } });
    await kf.onNotice({ openKfId: KF });
    await kf.send({ kind: 'card', title: '请确认', text: '工单 GD-1 已修复', buttons: [{ label: '确认修复', value: 'confirm:1' }, { label: '还没好', value: 'reopen:1' }], numbered: true }, ctx());
    const menu = fake.sent[0]!.body['msgmenu'] as { head_content: string; list: Array<{ click: { id: string; content: string } }> };
    expect(menu.head_content).toBe('【请确认】\n工单 GD-1 已修复');
    expect(menu.list.map((i) => i.click.content)).toEqual(['确认修复', '还没好']);
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '还没好', menu_id: menu.list[1]!.click.id } });
    await kf.onNotice({ openKfId: KF });
    expect(sink.events.at(-1)).toMatchObject({ type: 'click', value: 'reopen:1' });

    await kf.send({ kind: 'text', text: '长'.repeat(1000) }, ctx());
    const texts = fake.sent.slice(1).map((s) => (s.body['text'] as { content: string }).content);
    expect(texts).toHaveLength(2);
    for (const t of texts) expect(Buffer.byteLength(t)).toBeLessThanOrEqual(2048);
    expect(texts.join('')).toBe('长'.repeat(1000));
  });

  it('an image is uploaded and sent; an attachment downloads', async () => {
    const { fake, kf, sink } = await setup();
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '报修' } });
    await kf.onNotice({ openKfId: KF });
    await kf.send({ kind: 'image', pngBase64: Buffer.from('png-bytes').toString('base64') }, ctx());
    expect(fake.sent[0]!.msgtype).toBe('image');
    fake.media.set('m-photo', Buffer.from('photo'));
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'image', image: { media_id: 'm-photo' } });
    await kf.onNotice({ openKfId: KF });
    const ev = sink.events.at(-1)!;
    if (ev.type !== 'message') throw new Error('not a message');
    expect((await kf.downloadAttachment(ev.attachments![0]!)).toString()).toBe('photo');
  });
});

describe('access tokens', () => {
  it('shared by replicas through the database, refreshed before expiry, dropped when WeCom says it expired', async () => {
    const { fake, kf, make, clock, store } = await setup();
    fake.tokenTtlS = 7200;
    const other = make();
    fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: '报修' } });
    await kf.onNotice({ openKfId: KF });
    await other.send({ kind: 'text', text: '已收到' }, ctx());
    expect(fake.gettokenCalls).toBe(1);
    // 6 h 58 min later: within 5 min of expiry, one refresh for both.
    clock.t += 7200_000 - 2 * 60_000;
    await Promise.all([kf.send({ kind: 'text', text: 'a' }, ctx()), other.send({ kind: 'text', text: 'b' }, ctx())]);
    expect(fake.gettokenCalls).toBe(2);
    // WeCom ends the token early: 42001, one new token, the call made again.
    await store.db.wecomAccessToken.updateMany({ data: { expiresAt: new Date(clock.t + 3600_000) } });
    clock.t += 7200_000 - 3 * 60_000 + 1;
    const fresh = make();
    await fresh.send({ kind: 'text', text: 'c' }, ctx());
    expect(fake.gettokenCalls).toBe(3);
    expect(fake.sent.map((s) => (s.body['text'] as { content: string }).content).sort()).toEqual(['a', 'b', 'c', '已收到']);
  });

  it('a wrong secret is a permanent error that names the setting', async () => {
    const { make } = await setup();
    const bad = make({ secret: 'wrong' });
    await expect(bad.tokens.get()).rejects.toThrow(/WECOM_KF_SECRET/);
    await expect(bad.tokens.get()).rejects.toBeInstanceOf(PermanentSendError);
  });
});

const pg = await pgReachable();
describe.skipIf(!pg)('on PostgreSQL', () => {
  it('paging across a crash, the cursor compare-and-set, and the window with a retried send', async () => {
    const { fake, kf, sink, store } = await setup({}, undefined, 'postgresql');
    for (let i = 1; i <= 3; i++) fake.customerWrites(KF, CUSTOMER, { msgtype: 'text', text: { content: `第${i}条` } });
    let pages = 0;
    const dying = new KfSync({ db: store.db, sink, api: { syncMsg: async (req: Parameters<typeof kf.api.syncMsg>[0]) => (++pages === 2 ? Promise.reject(new Error('killed')) : kf.api.syncMsg(req)) } as typeof kf.api });
    await expect(dying.pull(KF)).rejects.toThrow('killed');
    await kf.onNotice({ openKfId: KF });
    expect(sink.events.map((e) => e.eventId)).toEqual(fake.messages.map((m) => m['msgid']));
    const cur = (await store.db.wecomKfCursor.findUnique({ where: { openKfId: KF } }))!.cursor;
    await expect(new KfSync({ db: store.db, sink, api: kf.api }).storePage(KF, 'stale', 'x', [])).rejects.toThrow(/moved/);
    expect((await store.db.wecomKfCursor.findUnique({ where: { openKfId: KF } }))!.cursor).toBe(cur);
    await kf.send({ kind: 'text', text: '已登记' }, ctx('pg-row'));
    await kf.send({ kind: 'text', text: '已登记' }, ctx('pg-row', 2));
    expect(fake.sent).toHaveLength(1);
    expect(await kf.windowOf(CHAT)).toMatchObject({ open: true, remaining: 4 });
  });
});
