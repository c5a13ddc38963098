/**
 * A stand-in for WeCom's customer-service API (微信客服) on 127.0.0.1, and a caller of our
 * callback URL that signs and encrypts as 加解密方案说明 (…/90968) says (with @wecom/crypto).
 * It refuses what WeCom refuses:
 * - gettoken: a wrong corp id or secret → 40001; tokens expire after `tokenTtlS` → 42001, an
 *   unknown one → 40014;
 * - sync_msg: pages of `pageSize` with next_cursor / has_more, a cursor it did not give → 40058;
 *   (`emptyPageWithMore` answers one empty page with has_more = 1, as WeCom may);
 * - send_msg: outside 48 h of the customer's last message → 95002; a sixth message → 95001; a
 *   msgid used before → 95033; text over 2048 bytes → 45002.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt, getSignature } from '@wecom/crypto';

export interface KfSent {
  touser: string;
  open_kfid: string;
  msgid: string;
  msgtype: string;
  body: Record<string, unknown>;
}

export class FakeWecomKf {
  readonly corpId = 'wwcorp0000000001';
  readonly secret = 'kf_secret';
  readonly token = 'QDG6eK';
  readonly encodingAESKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  url = '';
  tokenTtlS = 7200;
  pageSize = 2;
  emptyPageWithMore = false;
  /** Messages in the order sync_msg returns them. */
  messages: Array<Record<string, unknown>> = [];
  sent: KfSent[] = [];
  gettokenCalls = 0;
  syncCalls: Array<{ cursor?: string; token?: string }> = [];
  media = new Map<string, Buffer>();
  private tokens = new Map<string, number>();
  private cursors = new Map<string, number>();
  private usedMsgIds = new Set<string>();
  private windows = new Map<string, { last: number; sent: number }>();
  private server: http.Server | null = null;

  constructor(readonly now: () => number = Date.now) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A customer writes (origin 3): the message joins sync_msg and opens the window. */
  customerWrites(openKfId: string, externalUserId: string, body: Record<string, unknown>, sendTimeS = Math.floor(this.now() / 1000)): string {
    const msgid = `msg_${randomUUID().replace(/-/g, '')}`;
    this.messages.push({ msgid, open_kfid: openKfId, external_userid: externalUserId, send_time: sendTimeS, origin: 3, ...body });
    const w = this.windows.get(`${openKfId}:${externalUserId}`);
    if (!w || sendTimeS * 1000 >= w.last) this.windows.set(`${openKfId}:${externalUserId}`, { last: sendTimeS * 1000, sent: 0 });
    return msgid;
  }

  /** A system event (origin 4). */
  event(event: Record<string, unknown>): string {
    const msgid = `ev_${randomUUID().replace(/-/g, '')}`;
    this.messages.push({ msgid, send_time: Math.floor(this.now() / 1000), origin: 4, msgtype: 'event', event });
    return msgid;
  }

  /** The callback XML WeCom posts for kf_msg_or_event, encrypted and signed. */
  callbackRequest(openKfId: string, opts: { badSignature?: boolean; wrongKey?: boolean; corpId?: string; timestamp?: number; nonce?: string } = {}): { query: string; body: string } {
    const inner = `<xml><ToUserName><![CDATA[${this.corpId}]]></ToUserName><CreateTime>${Math.floor(this.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENC${randomUUID()}]]></Token><OpenKfId><![CDATA[${openKfId}]]></OpenKfId></xml>`;
    const key = opts.wrongKey ? randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'A') : this.encodingAESKey;
    const enc = encrypt(key, inner, opts.corpId ?? this.corpId);
    const timestamp = String(opts.timestamp ?? Math.floor(this.now() / 1000));
    const nonce = opts.nonce ?? String(Math.floor(Math.random() * 1e9));
    let sig = getSignature(this.token, timestamp, nonce, enc);
    if (opts.badSignature) sig = sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const body = `<xml><ToUserName><![CDATA[${this.corpId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    return { query: `msg_signature=${sig}&timestamp=${timestamp}&nonce=${nonce}`, body };
  }

  /** The URL-verification GET WeCom sends when the callback is saved. */
  verifyRequest(echo: string): string {
    const enc = encrypt(this.encodingAESKey, echo, this.corpId);
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = '1372623149';
    return `msg_signature=${getSignature(this.token, timestamp, nonce, enc)}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(enc)}`;
  }

  private json(res: http.ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private checkToken(url: URL): number {
    const t = url.searchParams.get('access_token') ?? '';
    const exp = this.tokens.get(t);
    if (exp === undefined) return 40014;
    if (exp <= this.now()) return 42001;
    return 0;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (url.pathname === '/cgi-bin/gettoken') {
      this.gettokenCalls += 1;
      if (url.searchParams.get('corpid') !== this.corpId || url.searchParams.get('corpsecret') !== this.secret) return this.json(res, { errcode: 40001, errmsg: 'invalid credential' });
      const t = `tok_${randomUUID()}`;
      this.tokens.set(t, this.now() + this.tokenTtlS * 1000);
      return this.json(res, { errcode: 0, errmsg: 'ok', access_token: t, expires_in: this.tokenTtlS });
    }
    const bad = this.checkToken(url);
    if (bad) return this.json(res, { errcode: bad, errmsg: bad === 42001 ? 'access_token expired' : 'invalid access_token' });
    if (url.pathname === '/cgi-bin/kf/sync_msg') {
      const body = JSON.parse(raw.toString('utf8') || '{}') as { cursor?: string; token?: string; limit?: number; open_kfid?: string };
      this.syncCalls.push({ ...(body.cursor ? { cursor: body.cursor } : {}), ...(body.token ? { token: body.token } : {}) });
      let from = 0;
      if (body.cursor) {
        const pos = this.cursors.get(body.cursor);
        if (pos === undefined) return this.json(res, { errcode: 40058, errmsg: 'invalid cursor' });
        from = pos;
      }
      if (this.emptyPageWithMore) {
        this.emptyPageWithMore = false;
        const c = `cur_${randomUUID()}`;
        this.cursors.set(c, from);
        return this.json(res, { errcode: 0, errmsg: 'ok', next_cursor: c, has_more: 1, msg_list: [] });
      }
      const page = this.messages.slice(from, from + Math.min(this.pageSize, body.limit ?? 1000));
      const c = `cur_${randomUUID()}`;
      this.cursors.set(c, from + page.length);
      return this.json(res, { errcode: 0, errmsg: 'ok', next_cursor: c, has_more: from + page.length < this.messages.length ? 1 : 0, msg_list: page });
    }
    if (url.pathname === '/cgi-bin/kf/send_msg') {
      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      const msgid = typeof body['msgid'] === 'string' ? body['msgid'] : randomUUID().replace(/-/g, '');
      if (!/^[0-9a-zA-Z_-]{1,32}$/.test(msgid)) return this.json(res, { errcode: 40058, errmsg: 'invalid msgid' });
      if (this.usedMsgIds.has(msgid)) return this.json(res, { errcode: 95033, errmsg: 'msgid duplicated' });
      const w = this.windows.get(`${String(body['open_kfid'])}:${String(body['touser'])}`);
      if (!w || this.now() - w.last > 48 * 3600_000) return this.json(res, { errcode: 95002, errmsg: 'send msg time limit' });
      if (w.sent >= 5) return this.json(res, { errcode: 95001, errmsg: 'send msg count limit' });
      const content = (body['text'] as { content?: string } | undefined)?.content;
      if (body['msgtype'] === 'text' && Buffer.byteLength(content ?? '', 'utf8') > 2048) return this.json(res, { errcode: 45002, errmsg: 'content size out of limit' });
      w.sent += 1;
      this.usedMsgIds.add(msgid);
      this.sent.push({ touser: String(body['touser']), open_kfid: String(body['open_kfid']), msgid, msgtype: String(body['msgtype']), body });
      return this.json(res, { errcode: 0, errmsg: 'ok', msgid });
    }
    if (url.pathname === '/cgi-bin/kf/send_msg_on_event') {
      this.sent.push({ touser: '', open_kfid: '', msgid: '', msgtype: 'on_event', body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> });
      return this.json(res, { errcode: 0, errmsg: 'ok' });
    }
    if (url.pathname === '/cgi-bin/media/upload') {
      const id = `media_${randomUUID()}`;
      this.media.set(id, raw);
      return this.json(res, { errcode: 0, errmsg: 'ok', type: 'image', media_id: id, created_at: String(Math.floor(this.now() / 1000)) });
    }
    if (url.pathname === '/cgi-bin/media/get') {
      const m = this.media.get(url.searchParams.get('media_id') ?? '');
      if (!m) return this.json(res, { errcode: 40007, errmsg: 'invalid media_id' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(m.length) }).end(m);
      return;
    }
    res.writeHead(404).end();
  }
}
