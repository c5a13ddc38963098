/**
 * A stand-in for WeCom's intelligent-bot long connection (智能机器人长连接,
 * developer.work.weixin.qq.com/document/path/101463), on 127.0.0.1, for the real SDK.
 *
 * It frames as the SDK and the page describe — `{ cmd, headers: { req_id }, body }` one way,
 * `{ headers: { req_id }, errcode, errmsg[, body] }` as the ack — and refuses what WeCom refuses:
 * - nothing but aibot_subscribe before a subscription; a wrong bot id or secret is answered
 *   errcode 40001 (the real code is not documented) and the socket closed;
 * - one connection per bot: a second subscription sends `disconnected_event` to the first and closes it;
 * - a passive reply (aibot_respond_msg) only to a message frame pushed on the same connection,
 *   a welcome only to enter_chat, a card update only to a click, each within 5 s (replies: 6 min);
 * - markdown and stream content over 20480 bytes: 45002; a template card without task_id, with a
 *   reused task_id or a bad one: 42014; more than 6 buttons: 40058;
 * - more than `maxPerMinute` sends to one chat within a minute: 45009.
 * Faults to inject: `closeBeforeAck` (the frame is taken, the socket dies before the ack), `drop()`
 * (network loss), `silentHeartbeat` (pings unanswered).
 */
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Shown {
  chatid: string;
  kind: 'markdown' | 'stream' | 'template_card' | 'image' | 'welcome' | 'update';
  content?: string;
  taskId?: string;
  streamId?: string;
  buttons?: string[];
  via: 'reply' | 'send';
  at: number;
}

interface Pushed {
  body: Record<string, unknown>;
  at: number;
  kind: 'message' | 'enter_chat' | 'click' | 'other';
}

interface Conn {
  ws: WebSocket;
  botId?: string;
  pushed: Map<string, Pushed>;
}

export interface FakeWecomBotOptions {
  botId?: string;
  secret?: string;
  maxPerMinute?: number;
  now?: () => number;
}

const enc = (s: string) => Buffer.byteLength(s, 'utf8');

export class FakeWecomBot {
  readonly botId: string;
  readonly secret: string;
  url = '';
  mediaBase = '';
  shown: Shown[] = [];
  /** Every frame the clients sent, in order (pings included). */
  received: Array<{ cmd?: string; req_id?: string; at: number }> = [];
  /** Times of subscription attempts (to see a reconnect storm). */
  subscribeAttempts: number[] = [];
  /** Refuse the next N subscriptions (auth failure). */
  refuseSubscriptions = 0;
  /** Take the next N send/reply frames, then close the socket instead of acking. */
  closeBeforeAck = 0;
  /** Leave pings unanswered. */
  silentHeartbeat = false;
  private wss: WebSocketServer | null = null;
  private http: http.Server | null = null;
  private conns = new Set<Conn>();
  private active: Conn | null = null;
  private taskIds = new Set<string>();
  private media = new Map<string, Buffer>();
  private files = new Map<string, Buffer>();
  private sendsByChat = new Map<string, number[]>();
  private uploads = new Map<string, Buffer[]>();
  private readonly now: () => number;

  constructor(private readonly opts: FakeWecomBotOptions = {}) {
    this.botId = opts.botId ?? 'aibot_test';
    this.secret = opts.secret ?? 'secret_test';
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => this.wss!.once('listening', () => r()));
    this.url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
    this.wss.on('connection', (ws) => this.accept(ws));
    this.http = http.createServer((req, res) => {
      const id = req.url?.split('/').pop() ?? '';
      const f = this.files.get(id);
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(f);
    });
    await new Promise<void>((r) => this.http!.listen(0, '127.0.0.1', () => r()));
    this.mediaBase = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    await new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
  }

  /** Connections open and subscribed. */
  get subscribed(): number {
    return [...this.conns].filter((c) => c.botId).length;
  }

  /** Network loss: every socket dies without a close frame. */
  drop(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** Pushes a message callback (aibot_msg_callback) on the active connection; returns its req_id. */
  pushMessage(body: Record<string, unknown>): string {
    return this.push('aibot_msg_callback', body, 'message');
  }

  /** Pushes an event callback (aibot_event_callback). */
  pushEvent(body: Record<string, unknown>): string {
    const t = (body['event'] as { eventtype?: string } | undefined)?.eventtype;
    return this.push('aibot_event_callback', body, t === 'enter_chat' ? 'enter_chat' : t === 'template_card_event' ? 'click' : 'other');
  }

  /** Sends raw text on the active connection (malformed frames). */
  pushRaw(text: string): void {
    this.requireActive().ws.send(text);
  }

  /** An encrypted file at a download URL, as WeCom serves images and files: AES-256-CBC, IV = key[0..16), PKCS#7 to 32. */
  hostFile(content: Buffer): { url: string; aeskey: string } {
    const key = randomBytes(32);
    const pad = 32 - (content.length % 32);
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const data = Buffer.concat([c.update(Buffer.concat([content, Buffer.alloc(pad, pad)])), c.final()]);
    const id = randomUUID();
    this.files.set(id, data);
    return { url: `${this.mediaBase}/media/${id}`, aeskey: key.toString('base64') };
  }

  uploaded(mediaId: string): Buffer | undefined {
    return this.media.get(mediaId);
  }

  private requireActive(): Conn {
    if (!this.active) throw new Error('fake WeCom: no subscribed connection');
    return this.active;
  }

  private push(cmd: string, body: Record<string, unknown>, kind: Pushed['kind']): string {
    const c = this.requireActive();
    const reqId = `req_${randomUUID()}`;
    c.pushed.set(reqId, { body, at: this.now(), kind });
    c.ws.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return reqId;
  }

  private accept(ws: WebSocket): void {
    const conn: Conn = { ws, pushed: new Map() };
    this.conns.add(conn);
    const authTimer = setTimeout(() => {
      if (!conn.botId) ws.close(4001, 'no subscription');
    }, 5000);
    ws.on('close', () => {
      clearTimeout(authTimer);
      this.conns.delete(conn);
      if (this.active === conn) this.active = null;
    });
    ws.on('message', (data) => {
      let frame: { cmd?: string; headers?: { req_id?: string }; body?: Record<string, unknown> };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        ws.close(4002, 'not JSON');
        return;
      }
      const reqId = frame.headers?.req_id ?? '';
      this.received.push({ ...(frame.cmd ? { cmd: frame.cmd } : {}), req_id: reqId, at: this.now() });
      if (!conn.botId && frame.cmd !== 'aibot_subscribe') {
        ws.close(4003, 'subscribe first');
        return;
      }
      this.handle(conn, frame.cmd ?? '', reqId, frame.body ?? {});
    });
  }

  private ack(conn: Conn, reqId: string, errcode = 0, errmsg = 'ok', body?: Record<string, unknown>): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg, ...(body ? { body } : {}) }));
  }

  /** Records what the user would see, or dies before acking when a fault is armed. */
  private show(conn: Conn, reqId: string, s: Omit<Shown, 'at'>, ackBody?: Record<string, unknown>): void {
    this.shown.push({ ...s, at: this.now() });
    if (this.closeBeforeAck > 0) {
      this.closeBeforeAck -= 1;
      conn.ws.terminate();
      return;
    }
    this.ack(conn, reqId, 0, 'ok', ackBody);
  }

  private handle(conn: Conn, cmd: string, reqId: string, body: Record<string, unknown>): void {
    switch (cmd) {
      case 'aibot_subscribe': {
        this.subscribeAttempts.push(this.now());
        if (this.refuseSubscriptions > 0 || body['bot_id'] !== this.botId || body['secret'] !== this.secret) {
          if (this.refuseSubscriptions > 0) this.refuseSubscriptions -= 1;
          this.ack(conn, reqId, 40001, 'invalid secret');
          conn.ws.close(4004, 'auth failed');
          return;
        }
        const old = this.active;
        conn.botId = this.botId;
        this.active = conn;
        this.ack(conn, reqId);
        if (old && old !== conn && old.ws.readyState === old.ws.OPEN) {
          old.ws.send(
            JSON.stringify({
              cmd: 'aibot_event_callback',
              headers: { req_id: `req_${randomUUID()}` },
              body: { msgid: randomUUID(), create_time: Math.floor(this.now() / 1000), aibotid: this.botId, from: { userid: 'sys' }, msgtype: 'event', event: { eventtype: 'disconnected_event' } },
            }),
          );
          old.ws.close(4005, 'replaced');
        }
        return;
      }
      case 'ping':
        if (!this.silentHeartbeat) this.ack(conn, reqId);
        return;
      case 'aibot_respond_msg':
      case 'aibot_respond_welcome_msg':
      case 'aibot_respond_update_msg':
        this.reply(conn, cmd, reqId, body);
        return;
      case 'aibot_send_msg':
        this.sendMsg(conn, reqId, body);
        return;
      case 'aibot_upload_media_init': {
        const id = `up_${randomUUID()}`;
        this.uploads.set(id, []);
        this.ack(conn, reqId, 0, 'ok', { upload_id: id });
        return;
      }
      case 'aibot_upload_media_chunk': {
        const parts = this.uploads.get(String(body['upload_id']));
        if (!parts) return this.ack(conn, reqId, 40058, 'no such upload');
        parts[Number(body['chunk_index'])] = Buffer.from(String(body['base64_data']), 'base64');
        this.ack(conn, reqId);
        return;
      }
      case 'aibot_upload_media_finish': {
        const parts = this.uploads.get(String(body['upload_id']));
        if (!parts) return this.ack(conn, reqId, 40058, 'no such upload');
        const mediaId = `media_${randomUUID()}`;
        this.media.set(mediaId, Buffer.concat(parts.filter(Boolean)));
        this.ack(conn, reqId, 0, 'ok', { type: 'image', media_id: mediaId, created_at: String(Math.floor(this.now() / 1000)) });
        return;
      }
      default:
        this.ack(conn, reqId, 40058, `unknown cmd ${cmd}`);
    }
  }

  private reply(conn: Conn, cmd: string, reqId: string, body: Record<string, unknown>): void {
    const pushed = conn.pushed.get(reqId);
    if (!pushed) return this.ack(conn, reqId, 40058, 'req_id not pushed on this connection');
    const age = this.now() - pushed.at;
    const chatid = String(pushed.body['chatid'] ?? (pushed.body['from'] as { userid?: string } | undefined)?.userid ?? '');
    if (cmd === 'aibot_respond_welcome_msg') {
      if (pushed.kind !== 'enter_chat' || age > 5000) return this.ack(conn, reqId, 40058, 'welcome only within 5 s of enter_chat');
      const text = (body['text'] as { content?: string } | undefined)?.content ?? '';
      return this.show(conn, reqId, { chatid, kind: 'welcome', content: text, via: 'reply' });
    }
    if (cmd === 'aibot_respond_update_msg') {
      if (pushed.kind !== 'click' || age > 5000) return this.ack(conn, reqId, 40058, 'update only within 5 s of a click');
      const card = body['template_card'] as { task_id?: string; button_list?: Array<{ text: string }> } | undefined;
      const ev = (pushed.body['event'] as Record<string, unknown> | undefined) ?? {};
      const clicked = ((ev['template_card_event'] as Record<string, unknown> | undefined)?.['task_id'] ?? ev['task_id']) as string | undefined;
      if (!card || card.task_id !== clicked) return this.ack(conn, reqId, 42016, 'task_id does not match the click');
      return this.show(conn, reqId, { chatid, kind: 'update', taskId: card.task_id, buttons: (card.button_list ?? []).map((b) => b.text), via: 'reply' });
    }
    if (pushed.kind !== 'message' || age > 6 * 60_000) return this.ack(conn, reqId, 40058, 'reply only to a message within 6 min');
    if (body['msgtype'] === 'stream') {
      const s = body['stream'] as { id?: string; content?: string; finish?: boolean } | undefined;
      if (!s?.id) return this.ack(conn, reqId, 40058, 'stream.id required');
      if (enc(s.content ?? '') > 20480) return this.ack(conn, reqId, 45002, 'content too long');
      const same = this.shown.find((x) => x.kind === 'stream' && x.streamId === s.id);
      if (same) {
        // The same stream id refreshes the message already shown.
        same.content = s.content ?? '';
        return this.ack(conn, reqId);
      }
      return this.show(conn, reqId, { chatid, kind: 'stream', content: s.content ?? '', streamId: s.id, via: 'reply' });
    }
    if (body['msgtype'] === 'template_card') return this.card(conn, reqId, chatid, body['template_card'], 'reply');
    return this.ack(conn, reqId, 40008, 'invalid msgtype');
  }

  private card(conn: Conn, reqId: string, chatid: string, raw: unknown, via: Shown['via']): void {
    const card = raw as { task_id?: string; button_list?: Array<{ text: string; key: string }>; card_type?: string } | undefined;
    const taskId = card?.task_id;
    if (!taskId || !/^[0-9A-Za-z_\-@]{1,128}$/.test(taskId) || this.taskIds.has(taskId)) return this.ack(conn, reqId, 42014, 'invalid task_id');
    if ((card?.button_list?.length ?? 0) > 6) return this.ack(conn, reqId, 40058, 'too many buttons');
    this.taskIds.add(taskId);
    this.show(conn, reqId, { chatid, kind: 'template_card', taskId, buttons: (card?.button_list ?? []).map((b) => b.text), via });
  }

  private sendMsg(conn: Conn, reqId: string, body: Record<string, unknown>): void {
    const chatid = typeof body['chatid'] === 'string' ? body['chatid'] : '';
    if (!chatid) return this.ack(conn, reqId, 40058, 'chatid required');
    const now = this.now();
    const recent = (this.sendsByChat.get(chatid) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= (this.opts.maxPerMinute ?? 20)) return this.ack(conn, reqId, 45009, 'api freq out of limit');
    recent.push(now);
    this.sendsByChat.set(chatid, recent);
    switch (body['msgtype']) {
      case 'markdown': {
        const content = (body['markdown'] as { content?: string } | undefined)?.content ?? '';
        if (!content) return this.ack(conn, reqId, 44004, 'empty content');
        if (enc(content) > 20480) return this.ack(conn, reqId, 45002, 'content too long');
        return this.show(conn, reqId, { chatid, kind: 'markdown', content, via: 'send' });
      }
      case 'template_card':
        return this.card(conn, reqId, chatid, body['template_card'], 'send');
      case 'image': {
        const id = (body['image'] as { media_id?: string } | undefined)?.media_id ?? '';
        if (!this.media.has(id)) return this.ack(conn, reqId, 40007, 'invalid media_id');
        return this.show(conn, reqId, { chatid, kind: 'image', content: id, via: 'send' });
      }
      default:
        return this.ack(conn, reqId, 40008, 'invalid msgtype');
    }
  }
}
