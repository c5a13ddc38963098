/**
 * Feishu event payloads as Feishu sends them (schema 2.0 envelope, message
 * content as a JSON string, card callbacks with microsecond create_time),
 * encrypted and signed the way the open platform does it:
 *
 *   encrypt:   AES-256-CBC, key = SHA-256(encryptKey), random 16-byte IV
 *              prefixed to the ciphertext, base64 → {"encrypt": "…"}
 *   signature: X-Lark-Signature = sha256_hex(timestamp + nonce + encryptKey + body)
 *
 * Shapes follow the open platform's event docs and the SDK's typings
 * (node_modules/@larksuiteoapi/node-sdk/types: "im.message.receive_v1",
 * "im.chat.member.bot.added_v1") and its normalizeCardAction().
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { InboundEvent, InboundSink, ReceiveResult } from '../../src/core/channel.js';

export const TEST_APP = {
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'test-app-secret',
  encryptKey: 'test-encrypt-key-0123456789',
  verificationToken: 'test-verification-token',
  botOpenId: 'ou_bot00000000000000000000000000001',
  botName: '售后服务机器人',
  tenantKey: '2ca1d211f64f6438',
} as const;

let seq = 0;
function hex(n: number): string {
  return randomBytes(n).toString('hex');
}
/** The service's environment for the test app, Feishu pointed at `domain` (a fake open platform). */
export function feishuEnv(domain: string): Record<string, string> {
  return {
    FEISHU_APP_ID: TEST_APP.appId,
    FEISHU_APP_SECRET: TEST_APP.appSecret,
    FEISHU_ENCRYPT_KEY: TEST_APP.encryptKey,
    FEISHU_VERIFICATION_TOKEN: TEST_APP.verificationToken,
    FEISHU_MODE: 'webhook',
    FEISHU_DOMAIN: domain,
  };
}

export function newEventId(): string {
  return `${hex(16)}`;
}
export function newMessageId(): string {
  return `om_${hex(16)}`;
}

export interface MentionSpec {
  key: string;
  openId: string;
  name: string;
  /** Newer payloads say 'user' or 'bot'. */
  mentionedType?: 'user' | 'bot';
}

export function botMention(key = '@_user_1'): MentionSpec {
  return { key, openId: TEST_APP.botOpenId, name: TEST_APP.botName, mentionedType: 'bot' };
}

function header(eventType: string, o: { eventId?: string; createTime?: string; token?: string }): Record<string, unknown> {
  return {
    event_id: o.eventId ?? newEventId(),
    event_type: eventType,
    create_time: o.createTime ?? String(Date.now()),
    token: o.token ?? TEST_APP.verificationToken,
    app_id: TEST_APP.appId,
    tenant_key: TEST_APP.tenantKey,
  };
}

export interface MessageSpec {
  eventId?: string;
  messageId?: string;
  chatId?: string;
  chatType?: 'group' | 'p2p';
  senderOpenId?: string;
  senderType?: 'user' | 'app';
  messageType?: string;
  /** Already the JSON object; stringified into message.content as Feishu does. */
  content: unknown;
  mentions?: MentionSpec[];
  parentId?: string;
  rootId?: string;
  createTime?: string;
  token?: string;
}

export function messageEvent(s: MessageSpec): Record<string, unknown> {
  const createTime = s.createTime ?? String(Date.now());
  const message: Record<string, unknown> = {
    message_id: s.messageId ?? newMessageId(),
    create_time: createTime,
    update_time: createTime,
    chat_id: s.chatId ?? 'oc_chat0000000000000000000000000001',
    chat_type: s.chatType ?? 'group',
    message_type: s.messageType ?? 'text',
    content: JSON.stringify(s.content),
    user_agent: 'Mozilla/5.0 Lark/7.30.0',
  };
  if (s.rootId) message['root_id'] = s.rootId;
  if (s.parentId) message['parent_id'] = s.parentId;
  if (s.rootId) message['thread_id'] = `omt_${hex(6)}`;
  if (s.mentions && s.mentions.length > 0) {
    message['mentions'] = s.mentions.map((m) => ({
      key: m.key,
      id: { union_id: `on_${hex(16)}`, user_id: m.mentionedType === 'bot' ? '' : `u${hex(4)}`, open_id: m.openId },
      ...(m.mentionedType ? { mentioned_type: m.mentionedType } : {}),
      name: m.name,
      tenant_key: TEST_APP.tenantKey,
    }));
  }
  const senderOpenId = s.senderOpenId ?? 'ou_customer000000000000000000000001';
  return {
    schema: '2.0',
    header: header('im.message.receive_v1', { eventId: s.eventId, createTime, token: s.token }),
    event: {
      sender: {
        sender_id: { union_id: `on_${hex(16)}`, user_id: `u${hex(4)}`, open_id: senderOpenId },
        sender_type: s.senderType ?? 'user',
        tenant_key: TEST_APP.tenantKey,
      },
      message,
    },
  };
}

export function textMessageEvent(text: string, s: Omit<MessageSpec, 'content' | 'messageType'> = {}): Record<string, unknown> {
  return messageEvent({ ...s, messageType: 'text', content: { text } });
}

/** A received post: {title, content: paragraphs of elements}; at-elements carry the placeholder key. */
export function postMessageEvent(
  post: { title?: string; content: Array<Array<Record<string, unknown>>> },
  s: Omit<MessageSpec, 'content' | 'messageType'> = {},
): Record<string, unknown> {
  return messageEvent({ ...s, messageType: 'post', content: { title: post.title ?? '', content: post.content } });
}

export function imageMessageEvent(imageKey: string, s: Omit<MessageSpec, 'content' | 'messageType'> = {}): Record<string, unknown> {
  return messageEvent({ ...s, messageType: 'image', content: { image_key: imageKey } });
}

export interface CardActionSpec {
  eventId?: string;
  operatorOpenId?: string;
  messageId: string;
  chatId?: string;
  /** action.value as the card put it: { value: Button.value } for our cards. */
  value: unknown;
  /** Microseconds, as card callbacks send it. */
  createTime?: string;
}

export function cardActionEvent(s: CardActionSpec): Record<string, unknown> {
  return {
    schema: '2.0',
    header: header('card.action.trigger', {
      eventId: s.eventId,
      createTime: s.createTime ?? String(Date.now() * 1000),
    }),
    event: {
      operator: {
        tenant_key: TEST_APP.tenantKey,
        user_id: `u${hex(4)}`,
        open_id: s.operatorOpenId ?? 'ou_engineer00000000000000000000001',
        union_id: `on_${hex(16)}`,
      },
      token: `c-${hex(20)}`,
      action: { value: s.value, tag: 'button', name: `btn_${++seq}`, timezone: 'Asia/Shanghai' },
      host: 'im_message',
      context: {
        open_message_id: s.messageId,
        open_chat_id: s.chatId ?? 'oc_chat0000000000000000000000000001',
      },
    },
  };
}

export function botMembershipEvent(
  kind: 'added' | 'deleted',
  s: { eventId?: string; chatId?: string; operatorOpenId?: string; chatName?: string } = {},
): Record<string, unknown> {
  return {
    schema: '2.0',
    header: header(kind === 'added' ? 'im.chat.member.bot.added_v1' : 'im.chat.member.bot.deleted_v1', { eventId: s.eventId }),
    event: {
      chat_id: s.chatId ?? 'oc_chat0000000000000000000000000001',
      operator_id: { union_id: `on_${hex(16)}`, user_id: `u${hex(4)}`, open_id: s.operatorOpenId ?? 'ou_manager000000000000000000000001' },
      external: false,
      operator_tenant_key: TEST_APP.tenantKey,
      name: s.chatName ?? '小寨站售后群',
      i18n_names: { zh_cn: s.chatName ?? '小寨站售后群', en_us: '', ja_jp: '' },
    },
  };
}

export function urlVerification(challenge: string, token: string = TEST_APP.verificationToken): Record<string, unknown> {
  return { challenge, token, type: 'url_verification' };
}

// ---------------------------------------------------------------------------
// crypto

export function encryptPayload(payload: unknown, encryptKey: string = TEST_APP.encryptKey): { encrypt: string } {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const plain = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const enc = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return { encrypt: Buffer.concat([iv, enc]).toString('base64') };
}

export function signBody(timestamp: string, nonce: string, body: string | Buffer, encryptKey: string = TEST_APP.encryptKey): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(body).digest('hex');
}

/**
 * feishuRequest options that make a real event fail authentication: a timestamp
 * older than the 8 h replay window or more than 300 s in the future, or a
 * signature with another key.
 */
export const forgedSigning = fc.oneof(
  fc.integer({ min: 8 * 3600 + 1, max: 10_000_000 }).map((d) => ({ timestamp: Math.floor(Date.now() / 1000) - d })),
  fc.integer({ min: 301, max: 10_000_000 }).map((d) => ({ timestamp: Math.floor(Date.now() / 1000) + d })),
  fc.string({ minLength: 1, maxLength: 20 }).map((k) => ({ signWithKey: `x${k}` })),
);

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * What Feishu posts: the encrypted envelope as the body, signed. Options to
 * make it wrong in one way at a time.
 */
export function feishuRequest(
  payload: unknown,
  o: {
    encryptKey?: string;
    /** Seconds since the epoch. */
    timestamp?: number;
    nonce?: string;
    encrypt?: boolean;
    sign?: boolean;
    signWithKey?: string;
  } = {},
): SignedRequest {
  const encryptKey = o.encryptKey ?? TEST_APP.encryptKey;
  const body = JSON.stringify(o.encrypt === false ? payload : encryptPayload(payload, encryptKey));
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (o.sign !== false) {
    const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = o.nonce ?? hex(8);
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = signBody(timestamp, nonce, body, o.signWithKey ?? encryptKey);
  }
  return { body, headers };
}

export async function postFeishu(url: string, req: SignedRequest): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------------------
// a sink that records, and dedups the way the store does

/**
 * Records every call. Like the store, it claims (channel, eventId) and, for
 * messages, (channel, messageId) before any await, so concurrent redeliveries
 * see each other; only the first is `processed`.
 */
export class RecordingSink implements InboundSink {
  readonly calls: InboundEvent[] = [];
  readonly processed: InboundEvent[] = [];
  private readonly seen = new Set<string>();
  /** Simulated transaction time. */
  delayMs = 0;
  /** When set, receive() throws it (database down). */
  failWith: Error | undefined;
  /** Extra fields for the result of a processed event (toast, card). */
  respond: ((e: InboundEvent) => Partial<ReceiveResult>) | undefined;

  async receive(e: InboundEvent): Promise<ReceiveResult> {
    this.calls.push(e);
    if (this.failWith) throw this.failWith;
    const keys = [`event:${e.channel}:${e.eventId}`];
    if (e.type === 'message' || e.type === 'click') keys.push(`${e.type}:${e.channel}:${e.messageId}:${e.type === 'click' ? e.eventId : ''}`);
    const duplicate = keys.some((k) => this.seen.has(k));
    for (const k of keys) this.seen.add(k);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (duplicate) return { status: 'duplicate' };
    this.processed.push(e);
    return { status: 'processed', ...this.respond?.(e) };
  }
}
