/**
 * A local stand-in for the Feishu open platform, for the REAL lark.Client
 * (pointed at it with `domain: fake.url`). It speaks the endpoints the channel
 * uses, answers in Feishu's shapes ({code, msg, data}), honours the `uuid`
 * idempotency key (a repeated uuid returns the first message and posts
 * nothing), records what was posted, and can be told to fail.
 *
 * It refuses what Feishu refuses (codes from the 发送消息 / 回复消息 / 更新已发送的消息卡片 pages):
 *  - a card that is not valid card JSON 1.0 or 2.0 (230099), a card or post over
 *    30 KB, a text over 150 KB (230025);
 *  - a chat the bot is not in (230002; with `strictChats`, every chat not added);
 *  - an external group (外部群) while the app has no external sharing (230027);
 *  - a thread reply where the chat has no threads (230071) or the message cannot start one (230072);
 *  - a reply to a recalled (230011) or deleted (231003) message;
 *  - more than 5 messages a second to one chat (230020), with the rate-limit header;
 *  - a card in a chat that refuses cards (230054);
 *  - a card update unless both the old and the new card say update_multi, or
 *    after 14 days (230099 / 230031 here);
 *  - the contact API for a user of another tenant (41050).
 * It lists chat members, a merge_forward's messages (GET /im/v1/messages/:id), and
 * answers speech_to_text when the app has the permission.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { cardProblems, isSharedCard } from './feishu-card-schema.js';

export interface PostedMessage {
  messageId: string;
  chatId: string;
  msgType: string;
  /** Parsed message content. */
  content: unknown;
  rawContent: string;
  /** Set when posted with /reply. */
  replyTo?: string;
  replyInThread?: boolean;
  uuid?: string;
  /** Bodies of later PATCHes (card updates), parsed. */
  patches: unknown[];
  at: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status?: number;
}

export type FailureSpec =
  /** HTTP status with optional headers and body (e.g. 429 with x-ogw-ratelimit-reset). */
  | { kind: 'http'; status: number; headers?: Record<string, string>; body?: unknown }
  /** HTTP status (default 400) carrying a Feishu business code. */
  | { kind: 'code'; code: number; msg?: string; status?: number }
  /** Accept the request and never answer (the client's timeout must fire). */
  | { kind: 'hang' }
  /** Drop the connection. */
  | { kind: 'reset' };

interface Failure {
  remaining: number;
  spec: FailureSpec;
  match: (method: string, path: string) => boolean;
}

export interface FakeUser {
  name: string;
  department_ids?: string[];
  /** Another tenant's user: the contact API does not read them. */
  tenantKey?: string;
}

export interface FakeChat {
  /** The bot is a member (else 230002). Default true. */
  botMember?: boolean;
  /** An external group (外部群): the app needs external sharing (else 230027). */
  external?: boolean;
  /** Thread replies possible (else 230071). Default true. */
  threads?: boolean;
  /** The chat refuses cards (230054). */
  refusesCards?: boolean;
  members?: Array<{ openId: string; name: string; tenantKey?: string }>;
}

/** A message the fake knows without having posted it (a customer's report, a forwarded message). */
export interface KnownMessage {
  chatId: string;
  /** A message that cannot start a thread (230072). */
  noThread?: boolean;
  msgType?: string;
  /** For merge_forward: the messages inside. */
  items?: Array<{ message_id: string; upper_message_id?: string; msg_type: string; body: { content: string }; sender: { id: string; id_type: string; sender_type: string; tenant_key?: string }; create_time: string }>;
}

/** Where replies to messages the fake never saw land outside strict mode (older tests do not observe() their events). */
export const UNKNOWN_PARENT_CHAT = 'oc_unknown_parent_chat';

function id(prefix: string, bytes = 16): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const parts = new Map<string, Buffer>();
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return parts;
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (body.slice(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    const part = body.slice(start + 2, next - 2); // skip CRLF after delimiter and before next
    const sep = part.indexOf('\r\n\r\n');
    if (sep !== -1) {
      const head = part.slice(0, sep).toString('utf8');
      const name = /name="([^"]+)"/i.exec(head)?.[1];
      if (name) parts.set(name, part.slice(sep + 4));
    }
    pos = next;
  }
  return parts;
}

export class FakeFeishu {
  readonly appId: string;
  readonly appSecret: string;
  readonly botOpenId: string;
  /** Every message posted (a repeated uuid is not posted again). */
  readonly messages: PostedMessage[] = [];
  /** Every API request, in order (token requests included). */
  readonly requests: RecordedRequest[] = [];
  readonly images = new Map<string, { bytes: Buffer; imageType: string | undefined }>();
  readonly users = new Map<string, FakeUser>();
  /** Message resources for download, key `${messageId}/${fileKey}`. */
  readonly resources = new Map<string, Buffer>();
  /** Message ids that answer 230011 (recalled) to a reply. */
  readonly recalled = new Set<string>();
  /** Repeated uuids answered from the record instead of posting. */
  duplicateUuids = 0;
  tokenRequests = 0;
  /** Delay for contact lookups (to exercise resolveUser's timeout). */
  contactDelayMs = 0;
  /** Chats by id. Unknown chats are joined on first use unless strictChats. */
  readonly chats = new Map<string, FakeChat>();
  /** Messages posted by others (reports) that replies may target. */
  readonly known = new Map<string, KnownMessage>();
  /** Deleted messages (231003 to a reply). */
  readonly deleted = new Set<string>();
  /** Every chat must be added (addChat) first, as on a real tenant. */
  strictChats = false;
  /** The app's external sharing (对外共享): needed for external groups. */
  externalSharing = false;
  /** The app has the speech_to_text permission; transcripts by file_id (any clip: `*`). */
  speechPermission = false;
  readonly transcripts = new Map<string, string>();
  /** The app's tenant; contact look-ups of users of another tenant fail. */
  tenantKey = '2ca1d211f64f6438';
  /** The fake's clock (card update window). */
  now: () => number = Date.now;
  /** Per-chat send times, for the 5 messages/s limit. */
  private readonly sends = new Map<string, number[]>();
  /** Count of requests refused by rule, by code. */
  readonly refusals = new Map<number, number>();

  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly byUuid = new Map<string, PostedMessage>();
  private readonly tokens = new Set<string>();
  private failures: Failure[] = [];
  private port = 0;

  constructor(o: { appId?: string; appSecret?: string; botOpenId?: string } = {}) {
    this.appId = o.appId ?? 'cli_a1b2c3d4e5f60718';
    this.appSecret = o.appSecret ?? 'test-app-secret';
    this.botOpenId = o.botOpenId ?? 'ou_bot00000000000000000000000000001';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.json(res, 500, { code: 2200, msg: `fake error: ${String(err)}` });
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * Fail the next `times` matching API calls (default: any call except the
   * token endpoint). Failures queue in the order given.
   */
  failNext(times: number, spec: FailureSpec, match?: string | RegExp | ((method: string, path: string) => boolean)): void {
    const m =
      typeof match === 'function'
        ? match
        : match instanceof RegExp
          ? (_: string, p: string) => match.test(p)
          : typeof match === 'string'
            ? (_: string, p: string) => p.includes(match)
            : (_: string, p: string) => !p.includes('/auth/v3/');
    this.failures.push({ remaining: times, spec, match: m });
  }

  /** Invalidate every issued tenant_access_token (next API call answers 99991663). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Forget recent sends (a new test, as if a second had passed for every chat). */
  resetRateWindows(): void {
    this.sends.clear();
  }

  addChat(id: string, chat: FakeChat = {}): this {
    this.chats.set(id, { botMember: true, threads: true, ...chat });
    return this;
  }

  /**
   * Learn a message from an event payload (as Feishu knows every message): the
   * chat it is in, so replies to it land there.
   */
  observe(payload: unknown): void {
    const ev = (payload as { event?: { message?: { message_id?: string; chat_id?: string; message_type?: string } } })?.event?.message;
    if (ev?.message_id && ev.chat_id) {
      if (!this.known.has(ev.message_id)) this.known.set(ev.message_id, { chatId: ev.chat_id, ...(ev.message_type ? { msgType: ev.message_type } : {}) });
      if (!this.chats.has(ev.chat_id) && !this.strictChats) this.addChat(ev.chat_id);
    }
  }

  /** Posted messages to one chat, or replies to one message. */
  postedTo(chatId: string): PostedMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  apiCalls(pathPart: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(pathPart));
  }

  // -------------------------------------------------------------------------

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-tt-logid': id('', 8), ...headers });
    res.end(JSON.stringify(body));
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private takeFailure(method: string, path: string): FailureSpec | undefined {
    const f = this.failures.find((x) => x.remaining > 0 && x.match(method, path));
    if (!f) return undefined;
    f.remaining -= 1;
    this.failures = this.failures.filter((x) => x.remaining > 0);
    return f.spec;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams.entries());
    const raw = await this.readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    if (contentType.includes('application/json') && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        body = undefined;
      }
    }
    const rec: RecordedRequest = { method, path, query, body };
    this.requests.push(rec);
    const reply = (status: number, b: unknown, headers?: Record<string, string>): void => {
      rec.status = status;
      this.json(res, status, b, headers);
    };

    const failure = this.takeFailure(method, path);
    if (failure) {
      switch (failure.kind) {
        case 'hang':
          rec.status = 0;
          this.hanging.add(res);
          return;
        case 'reset':
          rec.status = -1;
          req.socket.destroy();
          return;
        case 'http':
          return reply(failure.status, failure.body ?? { code: failure.status === 429 ? 99991400 : 2200, msg: 'fake failure' }, failure.headers);
        case 'code':
          return reply(failure.status ?? 400, { code: failure.code, msg: failure.msg ?? `fake business error ${failure.code}` });
      }
    }

    // token
    if (method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
      this.tokenRequests += 1;
      const b = (body ?? {}) as { app_id?: string; app_secret?: string };
      if (b.app_id !== this.appId || b.app_secret !== this.appSecret) {
        return reply(200, { code: 10014, msg: 'app secret invalid' });
      }
      const token = id('t-', 20);
      this.tokens.add(token);
      return reply(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
    }

    // everything else needs a valid tenant token
    const auth = req.headers['authorization'] ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token) return reply(400, { code: 99991661, msg: 'Missing access token for authorization.' });
    if (!this.tokens.has(token)) return reply(400, { code: 99991663, msg: 'Invalid access token for authorization.' });

    const refuse = (code: number, msg: string, status = 400): void => {
      this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
      reply(status, { code, msg });
    };

    if (method === 'GET' && path === '/open-apis/bot/v3/info') {
      return reply(200, {
        code: 0,
        msg: 'ok',
        bot: { activate_status: 2, app_name: '售后服务机器人', avatar_url: '', ip_white_list: [], open_id: this.botOpenId },
      });
    }

    if (method === 'POST' && path === '/open-apis/im/v1/messages') {
      if (query['receive_id_type'] !== 'chat_id') return reply(400, { code: 230001, msg: 'invalid receive_id_type' });
      const b = (body ?? {}) as { receive_id?: string; msg_type?: string; content?: string; uuid?: string };
      return this.post(reply, refuse, { chatId: b.receive_id, msgType: b.msg_type, content: b.content, uuid: b.uuid });
    }

    const replyMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(path);
    if (method === 'POST' && replyMatch) {
      const target = decodeURIComponent(replyMatch[1]!);
      if (this.recalled.has(target)) return refuse(230011, 'The message was withdrawn.');
      if (this.deleted.has(target)) return refuse(231003, 'The message is not found, maybe not exist or deleted.');
      const parent = this.messages.find((m) => m.messageId === target);
      const known = this.known.get(target);
      // A message the fake never saw: refused in strict mode (as Feishu knows every message);
      // the older tests that do not observe() their events get a placeholder chat.
      const chatId = parent?.chatId ?? known?.chatId ?? (this.strictChats ? undefined : UNKNOWN_PARENT_CHAT);
      if (!chatId) return refuse(230001, 'invalid message_id');
      const b = (body ?? {}) as { msg_type?: string; content?: string; uuid?: string; reply_in_thread?: boolean };
      if (b.reply_in_thread) {
        if (this.chats.get(chatId)?.threads === false) return refuse(230071, 'This chat does not support reply in thread.');
        if (known?.noThread) return refuse(230072, 'This message does not support reply in thread.');
      }
      return this.post(reply, refuse, {
        chatId,
        msgType: b.msg_type,
        content: b.content,
        uuid: b.uuid,
        replyTo: target,
        replyInThread: b.reply_in_thread,
      });
    }

    const msgMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
    if (method === 'PATCH' && msgMatch) {
      const target = this.messages.find((m) => m.messageId === decodeURIComponent(msgMatch[1]!));
      if (!target) return reply(400, { code: 230001, msg: 'invalid message_id' });
      if (target.msgType !== 'interactive') return refuse(230054, 'This type of message is not supported.');
      if (this.recalled.has(target.messageId)) return refuse(230011, 'The message was withdrawn.');
      const b = (body ?? {}) as { content?: string };
      const problems = cardProblems(b.content ?? '');
      if (problems.length) return refuse(230099, `Failed to create card content, ext=ErrMsg: ${problems.join('; ')}`);
      // 更新已发送的消息卡片: update_multi on both cards; only within 14 days of sending.
      if (!isSharedCard(target.rawContent) || !isSharedCard(b.content ?? '')) {
        return refuse(230099, 'Failed to update card content, ext=ErrMsg: update_multi must be true on the sent card and on the update');
      }
      if (this.now() - target.at > 14 * 24 * 3600_000) return refuse(230031, 'The message can only be updated within 14 days.');
      const parsed = JSON.parse(b.content ?? '') as unknown;
      target.rawContent = b.content ?? target.rawContent;
      target.patches.push(parsed);
      return reply(200, { code: 0, msg: 'success', data: {} });
    }

    if (method === 'POST' && path === '/open-apis/im/v1/images') {
      const parts = parseMultipart(raw, contentType);
      const image = parts.get('image');
      if (!image || image.length === 0) return reply(400, { code: 234001, msg: 'Invalid request param.' });
      const imageKey = id('img_v3_', 12);
      this.images.set(imageKey, { bytes: image, imageType: parts.get('image_type')?.toString('utf8') });
      return reply(200, { code: 0, msg: 'success', data: { image_key: imageKey } });
    }

    const resMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
    if (method === 'GET' && resMatch) {
      const bytes = this.resources.get(`${decodeURIComponent(resMatch[1]!)}/${decodeURIComponent(resMatch[2]!)}`);
      if (!bytes) return reply(400, { code: 234003, msg: 'File not in msg.' });
      rec.status = 200;
      res.writeHead(200, { 'content-type': query['type'] === 'image' ? 'image/png' : 'application/octet-stream', 'content-length': String(bytes.length) });
      res.end(bytes);
      return;
    }

    const userMatch = /^\/open-apis\/contact\/v3\/users\/([^/]+)$/.exec(path);
    if (method === 'GET' && userMatch) {
      if (this.contactDelayMs > 0) await new Promise((r) => setTimeout(r, this.contactDelayMs));
      const openId = decodeURIComponent(userMatch[1]!);
      const user = this.users.get(openId);
      // The contact API reads the app's own tenant only: another company's people are "no authority".
      if (!user || (user.tenantKey && user.tenantKey !== this.tenantKey)) return refuse(41050, 'no user authority error');
      return reply(200, {
        code: 0,
        msg: 'success',
        data: { user: { open_id: openId, name: user.name, en_name: '', department_ids: user.department_ids ?? [] } },
      });
    }

    const membersMatch = /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/.exec(path);
    if (method === 'GET' && membersMatch) {
      const chatId = decodeURIComponent(membersMatch[1]!);
      const chat = this.chats.get(chatId);
      if (!chat || chat.botMember === false) return refuse(232011, 'Operator can NOT be out of the chat.');
      if (chat.external && !this.externalSharing) return refuse(232033, 'The app is unavailable for external chats.');
      const all = chat.members ?? [];
      const size = Math.min(Number(query['page_size'] ?? 20) || 20, 100);
      const start = Number(query['page_token'] ?? 0) || 0;
      const items = all.slice(start, start + size).map((m) => ({ member_id_type: 'open_id', member_id: m.openId, name: m.name, tenant_key: m.tenantKey ?? this.tenantKey }));
      const more = start + size < all.length;
      return reply(200, { code: 0, msg: 'success', data: { items, has_more: more, ...(more ? { page_token: String(start + size) } : {}), member_total: all.length } });
    }

    const getMatch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
    if (method === 'GET' && getMatch) {
      const id2 = decodeURIComponent(getMatch[1]!);
      const k = this.known.get(id2);
      if (!k) return refuse(230001, 'invalid message_id');
      const container = { message_id: id2, msg_type: k.msgType ?? 'text', body: { content: '{"content":"Merged and Forwarded Message"}' }, chat_id: k.chatId, sender: { id: 'ou_x', id_type: 'open_id', sender_type: 'user' }, create_time: String(this.now()) };
      return reply(200, { code: 0, msg: 'success', data: { items: [container, ...(k.items ?? [])] } });
    }

    if (method === 'POST' && path === '/open-apis/speech_to_text/v1/speech/file_recognize') {
      if (!this.speechPermission) return refuse(99991672, 'Access denied. One of the following scopes is required: [speech_to_text:speech].');
      const b = (body ?? {}) as { speech?: { speech?: string }; config?: { file_id?: string; format?: string; engine_type?: string } };
      if (b.config?.format !== 'pcm' || !b.config.engine_type || !/^[A-Za-z0-9]{16}$/.test(b.config.file_id ?? '') || !b.speech?.speech) {
        return refuse(1010, 'invalid speech request');
      }
      const text = this.transcripts.get(b.config.file_id!) ?? this.transcripts.get('*') ?? '';
      return reply(200, { code: 0, msg: 'success', data: { recognition_text: text } });
    }

    return reply(404, { code: 404, msg: `fake: no route ${method} ${path}` });
  }

  private post(
    reply: (status: number, b: unknown, headers?: Record<string, string>) => void,
    refuse: (code: number, msg: string, status?: number) => void,
    m: { chatId?: string; msgType?: string; content?: string; uuid?: string; replyTo?: string; replyInThread?: boolean },
  ): void {
    if (!m.chatId || !m.msgType || typeof m.content !== 'string') {
      return reply(400, { code: 230001, msg: 'invalid request: receive_id, msg_type and content are required' });
    }
    if (m.uuid !== undefined && m.uuid.length > 50) return reply(400, { code: 230001, msg: 'uuid too long' });
    const existing = m.uuid ? this.byUuid.get(m.uuid) : undefined;
    if (!existing) {
      let chat = this.chats.get(m.chatId);
      if (!chat && !this.strictChats) chat = this.addChat(m.chatId).chats.get(m.chatId)!;
      if (!chat || chat.botMember === false) return refuse(230002, 'Bot/User can NOT be out of the chat.');
      if (chat.external && !this.externalSharing) return refuse(230027, 'Lack of necessary permissions.');
      if (m.msgType === 'interactive' && chat.refusesCards) return refuse(230054, 'This type of message is not supported in this chat.');
      // 发送消息: text at most 150 KB; cards and posts at most 30 KB.
      const limit = m.msgType === 'text' ? 150 * 1024 : 30 * 1024;
      if (Buffer.byteLength(m.content, 'utf8') > limit) return refuse(230025, 'The message content reaches its limit.');
      if (m.msgType === 'interactive') {
        const problems = cardProblems(m.content);
        if (problems.length) return refuse(230099, `Failed to create card content, ext=ErrMsg: ${problems.join('; ')}`);
      }
      // 5 messages a second per chat, shared by the chat's bots. The placeholder chat of replies
      // to messages the fake never saw stands for many chats: it is not limited.
      const now = this.now();
      const recent = (this.sends.get(m.chatId) ?? []).filter((t) => t > now - 1000);
      if (recent.length >= 5 && m.chatId !== UNKNOWN_PARENT_CHAT) {
        this.refusals.set(230020, (this.refusals.get(230020) ?? 0) + 1);
        return reply(400, { code: 230020, msg: 'This operation triggers the frequency limit.' }, { 'x-ogw-ratelimit-reset': '1' });
      }
      recent.push(now);
      this.sends.set(m.chatId, recent);
    }
    let content: unknown;
    try {
      content = JSON.parse(m.content);
    } catch {
      return reply(400, { code: 230001, msg: 'content is not valid JSON' });
    }
    const msg =
      existing ??
      ({
        messageId: id('om_'),
        chatId: m.chatId,
        msgType: m.msgType,
        content,
        rawContent: m.content,
        replyTo: m.replyTo,
        replyInThread: m.replyInThread,
        uuid: m.uuid,
        patches: [],
        at: this.now(),
      } satisfies PostedMessage);
    if (existing) this.duplicateUuids += 1;
    else {
      this.messages.push(msg);
      if (m.uuid) this.byUuid.set(m.uuid, msg);
    }
    reply(200, {
      code: 0,
      msg: 'success',
      data: {
        message_id: msg.messageId,
        ...(msg.replyTo ? { root_id: msg.replyTo, parent_id: msg.replyTo } : {}),
        msg_type: msg.msgType,
        create_time: String(msg.at),
        update_time: String(msg.at),
        deleted: false,
        updated: false,
        chat_id: msg.chatId,
        sender: { id: this.appId, id_type: 'app_id', sender_type: 'app', tenant_key: '2ca1d211f64f6438' },
        body: { content: msg.rawContent },
      },
    });
  }
}
