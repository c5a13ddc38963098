/**
 * Feishu event payload (decrypted JSON) → neutral InboundEvent.
 *
 * PURE: no SDK import, no I/O, no clock (the caller passes `receivedAt` as the
 * fallback time). Never throws: anything unknown or malformed becomes null.
 *
 * Accepts both shapes a payload reaches us in:
 *  - Feishu's envelope, schema 2.0: `{ schema, header: { event_id, event_type, create_time, token, … }, event: { … } }`
 *    (what the webhook receives after decryption, what tests and the replay CLI feed);
 *  - the SDK's flattened form: EventDispatcher.invoke() merges header and event into one
 *    object (`{ event_id, event_type, create_time, …, sender, message }`) before it calls a handler.
 *    Flattening is lossy only for card.action.trigger, whose event `token` (the card token)
 *    overwrites header.token; we never read either here.
 */
import type {
  AttachmentRef,
  ChatRef,
  InboundEvent,
  InboundMessage,
  PlatformUser,
} from '../../core/channel.js';

export const FEISHU_EVENT_TYPES = {
  message: 'im.message.receive_v1',
  cardAction: 'card.action.trigger',
  botAdded: 'im.chat.member.bot.added_v1',
  botRemoved: 'im.chat.member.bot.deleted_v1',
  recalled: 'im.message.recalled_v1',
} as const;

/**
 * Message types read as input (text, post, image, file, audio, media,
 * merge_forward, share_chat, share_user, location) and those dropped on purpose:
 * a sticker says nothing to act on, an interactive message is another bot's
 * card, a system message is the chat's own notice ("xxx 邀请 yy 加入群聊").
 */
export const IGNORED_MESSAGE_TYPES = new Set(['sticker', 'interactive', 'system', 'hongbao', 'vote', 'todo', 'video_chat', 'calendar', 'share_calendar_event', 'general_calendar', 'folder']);

/** Why a payload is not an event for the bot, for the log line. */
export function whyNotTranslated(payload: unknown): string {
  const env = envelopeOf(payload);
  if (!env) return 'not a Feishu event envelope';
  if (!(Object.values(FEISHU_EVENT_TYPES) as string[]).includes(env.eventType)) return `event type ${env.eventType} not handled`;
  if (env.eventType !== FEISHU_EVENT_TYPES.message) return `${env.eventType}: fields missing or malformed`;
  const message = obj(env.event['message']);
  const type = str(message?.['message_type']);
  if (type && IGNORED_MESSAGE_TYPES.has(type)) return `message type ${type} ignored`;
  if (type && !['text', 'post', 'image', 'file', 'audio', 'media', 'merge_forward', 'share_chat', 'share_user', 'location'].includes(type)) {
    return `message type ${type} not handled`;
  }
  return `message (${type ?? 'no type'}) malformed or from the bot itself`;
}

/**
 * The tenant of an event's sender and of the app receiving it. They differ for
 * a person of another company in an external group (外部群): the contact API
 * cannot read such a person.
 */
export function tenantsOf(payload: unknown): { app?: string; sender?: string } {
  const env = envelopeOf(payload);
  if (!env || !isObj(payload)) return {};
  const header = obj(payload['header']);
  const app = str(header?.['tenant_key']) ?? str(payload['tenant_key']);
  const sender = str(obj(env.event['sender'])?.['tenant_key']) ?? str(obj(env.event['operator'])?.['tenant_key']);
  return { ...(app ? { app } : {}), ...(sender ? { sender } : {}) };
}

/** Names of the people mentioned in a message event, by open_id (any tenant). */
export function mentionNamesOf(payload: unknown): Array<{ openId: string; name: string }> {
  const env = envelopeOf(payload);
  const mentions = obj(env?.event['message'])?.['mentions'];
  if (!Array.isArray(mentions)) return [];
  const out: Array<{ openId: string; name: string }> = [];
  for (const m of mentions) {
    if (!isObj(m)) continue;
    const openId = str(obj(m['id'])?.['open_id']);
    const name = str(m['name']);
    if (openId && name) out.push({ openId, name: name.slice(0, 64) });
  }
  return out;
}

export interface TranslateOptions {
  /** The bot's own open_id (from /open-apis/bot/v3/info): its @mention is removed and sets mentionsBot. */
  botOpenId?: string;
  /** Used as `at` when the payload carries no usable time. */
  receivedAt?: Date;
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
function obj(v: unknown): Json | undefined {
  return isObj(v) ? v : undefined;
}

interface Envelope {
  eventId: string;
  eventType: string;
  createTime?: string;
  event: Json;
}

/** Feishu envelope or the SDK's flattened form → header fields + event body. */
export function envelopeOf(payload: unknown): Envelope | null {
  if (!isObj(payload)) return null;
  const header = obj(payload['header']);
  const event = obj(payload['event']);
  if (header && event) {
    const eventId = str(header['event_id']);
    const eventType = str(header['event_type']);
    if (!eventId || !eventType) return null;
    return { eventId, eventType, createTime: str(header['create_time']), event };
  }
  // SDK-flattened: header fields and event fields side by side.
  const eventId = str(payload['event_id']);
  const eventType = str(payload['event_type']);
  if (!eventId || !eventType) return null;
  return { eventId, eventType, createTime: str(payload['create_time']), event: payload };
}

/**
 * Feishu times are decimal strings: milliseconds for messages, but card
 * callbacks put microseconds in header.create_time. Accept s / ms / µs.
 */
export function parseFeishuTime(v: unknown): Date | undefined {
  const s = typeof v === 'number' ? String(v) : str(v);
  if (!s || !/^\d{1,19}$/.test(s)) return undefined;
  let n = Number(s);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n >= 1e14) n = Math.floor(n / 1000); // µs → ms
  else if (n < 1e11) n = n * 1000; // s → ms
  const d = new Date(n);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function timeOf(opts: TranslateOptions, ...candidates: unknown[]): Date {
  for (const c of candidates) {
    const d = parseFeishuTime(c);
    if (d) return d;
  }
  return opts.receivedAt ?? new Date(0);
}

function parseJsonObject(s: unknown): Json | undefined {
  if (typeof s !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(s);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Translate one Feishu event. Returns null for event types we do not handle,
 * for message types we do not understand, and for anything malformed.
 */
export function translateFeishuEvent(payload: unknown, opts: TranslateOptions = {}): InboundEvent | null {
  try {
    const env = envelopeOf(payload);
    if (!env) return null;
    switch (env.eventType) {
      case FEISHU_EVENT_TYPES.message:
        return translateMessage(env, payload, opts);
      case FEISHU_EVENT_TYPES.cardAction:
        return translateCardAction(env, payload, opts);
      case FEISHU_EVENT_TYPES.botAdded:
      case FEISHU_EVENT_TYPES.botRemoved:
        return translateMembership(env, payload, opts);
      case FEISHU_EVENT_TYPES.recalled:
        return translateRecall(env, payload, opts);
      default:
        return null;
    }
  } catch {
    // Defensive: the helpers above do not throw on any JSON input, but a
    // translator must never take the request down with it.
    return null;
  }
}

// ---------------------------------------------------------------------------
// im.message.receive_v1

interface RawMention {
  key: string;
  openId?: string;
  name: string;
  isBot: boolean;
}

function readMentions(v: unknown, botOpenId: string | undefined): RawMention[] {
  if (!Array.isArray(v)) return [];
  const out: RawMention[] = [];
  for (const m of v) {
    if (!isObj(m)) continue;
    const key = str(m['key']);
    if (!key) continue;
    const openId = str(obj(m['id'])?.['open_id']);
    const name = typeof m['name'] === 'string' ? m['name'] : '';
    // With the bot's open_id known, match on it. Without it, fall back to
    // `mentioned_type: "bot"`, which newer payloads carry.
    const isBot = botOpenId ? openId === botOpenId : m['mentioned_type'] === 'bot';
    out.push({ key, openId, name, isBot });
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function displayName(m: RawMention): string {
  return `@${m.name || m.openId || 'user'}`;
}

/**
 * Replace Feishu's placeholders (`@_user_1`, `@_all`) with "@name" and remove
 * the bot's own mention. Longest keys first, so `@_user_1` never eats the
 * front of `@_user_10`.
 */
function resolvePlaceholders(text: string, mentions: RawMention[]): string {
  let out = text;
  const sorted = [...mentions].sort((a, b) => b.key.length - a.key.length);
  for (const m of sorted) {
    const key = escapeRegex(m.key);
    if (m.isBot) out = out.replace(new RegExp(`[ \\t\\u00a0]*${key}[ \\t\\u00a0]*`, 'g'), ' ');
    else out = out.replace(new RegExp(key, 'g'), () => displayName(m));
  }
  if (!sorted.some((m) => m.key === '@_all')) out = out.replace(/@_all/g, '@所有人');
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]{2,}/g, ' ').trim())
    .join('\n')
    .trim();
}

interface Body {
  text: string;
  attachments: AttachmentRef[];
  notes?: string[];
}

/** A coordinate as Feishu sends it (a decimal string), kept short and plain. */
function coordinate(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : str(v);
  return s && /^-?\d{1,3}(\.\d{1,10})?$/.test(s) ? s : undefined;
}

/** What a note may say: one line, bounded. */
function noteText(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').trim().slice(0, 200);
}

function postBody(content: Json, mentions: RawMention[]): Body | null {
  // Received posts are {title, content}; sent ones may be wrapped in a locale.
  let body: Json | undefined = content;
  if (!Array.isArray(body['content'])) {
    body = ['zh_cn', 'en_us', 'ja_jp'].map((l) => obj(content[l])).find((b) => b && Array.isArray(b['content']));
    if (!body) body = Object.values(content).map(obj).find((b) => b && Array.isArray(b['content']));
  }
  if (!body) return null;
  const attachments: AttachmentRef[] = [];
  const lines: string[] = [];
  const title = str(body['title']);
  if (title) lines.push(title);
  for (const para of body['content'] as unknown[]) {
    if (!Array.isArray(para)) continue;
    let line = '';
    for (const el of para) {
      if (!isObj(el)) continue;
      switch (el['tag']) {
        case 'text':
          line += typeof el['text'] === 'string' ? el['text'] : '';
          break;
        case 'a':
          line += str(el['text']) ?? str(el['href']) ?? '';
          break;
        case 'at': {
          const uid = str(el['user_id']) ?? '';
          if (uid === 'all' || uid === '@_all') {
            line += '@所有人';
            break;
          }
          // In received posts user_id is the placeholder key ("@_user_1").
          const m = mentions.find((x) => x.key === uid || (x.openId && x.openId === uid));
          if (m) line += m.isBot ? ' ' : displayName(m);
          else line += `@${str(el['user_name']) ?? uid}`;
          break;
        }
        case 'img': {
          const key = str(el['image_key']);
          if (key) attachments.push({ kind: 'image', key });
          break;
        }
        case 'media': {
          const key = str(el['file_key']);
          if (key) attachments.push({ kind: 'file', key });
          break;
        }
        case 'code_block':
          line += typeof el['text'] === 'string' ? el['text'] : '';
          break;
        case 'emotion':
          line += str(el['emoji_type']) ? `[${String(el['emoji_type'])}]` : '';
          break;
        default:
          line += typeof el['text'] === 'string' ? el['text'] : '';
      }
    }
    lines.push(line);
  }
  return { text: resolvePlaceholders(lines.join('\n'), mentions), attachments };
}

function messageBody(type: string, content: Json, mentions: RawMention[]): Body | null {
  switch (type) {
    case 'text':
      return typeof content['text'] === 'string'
        ? { text: resolvePlaceholders(content['text'], mentions), attachments: [] }
        : null;
    case 'post':
      return postBody(content, mentions);
    case 'image': {
      const key = str(content['image_key']);
      return key ? { text: '', attachments: [{ kind: 'image', key }] } : null;
    }
    case 'file': {
      const key = str(content['file_key']);
      if (!key) return null;
      const name = str(content['file_name']);
      return { text: '', attachments: [name ? { kind: 'file', key, name } : { kind: 'file', key }] };
    }
    case 'audio': {
      // {"file_key": "file_v2_…", "duration": 2000}: an Ogg Opus voice clip; the handler may transcribe it.
      const key = str(content['file_key']);
      return key ? { text: '', attachments: [{ kind: 'audio', key }] } : null;
    }
    case 'media': {
      // A video: {"file_key", "image_key" (cover), "file_name", "duration"}; kept as an attachment.
      const key = str(content['file_key']);
      if (!key) return null;
      const name = str(content['file_name']);
      return { text: '', attachments: [name ? { kind: 'video', key, name: name.slice(0, 200) } : { kind: 'video', key }] };
    }
    case 'merge_forward':
      // {"content": "Merged and Forwarded Message"}: the messages inside are read with
      // GET /im/v1/messages/:id (the handler expands them into the text).
      return { text: '', attachments: [] };
    case 'share_chat': {
      const chatId = str(content['chat_id']);
      return chatId ? { text: '', attachments: [], notes: [noteText(`分享了群名片：${chatId}`)] } : null;
    }
    case 'share_user': {
      const userId = str(content['user_id']);
      return userId ? { text: '', attachments: [], notes: [noteText(`分享了联系人名片：${userId}`)] } : null;
    }
    case 'location': {
      const name = str(content['name']);
      const lat = coordinate(content['latitude']);
      const lng = coordinate(content['longitude']);
      if (!name && !(lat && lng)) return null;
      return { text: '', attachments: [], notes: [noteText(`位置：${name ?? ''}${lat && lng ? `（纬度 ${lat}，经度 ${lng}）` : ''}`)] };
    }
    default:
      return null;
  }
}

/**
 * Text of one message given its type and content JSON string (a message inside
 * a merge_forward); '' for anything without text. Mentions there are shown by
 * their placeholders' names where the content has them.
 */
export function plainTextOf(msgType: string, content: string): string {
  const parsed = parseJsonObject(content);
  if (!parsed) return '';
  if (msgType === 'image') return '[图片]';
  if (msgType === 'file') return `[文件] ${str(parsed['file_name']) ?? ''}`.trim();
  if (msgType === 'audio') return '[语音]';
  if (msgType === 'media') return '[视频]';
  return messageBody(msgType, parsed, [])?.text ?? '';
}

function translateMessage(env: Envelope, raw: unknown, opts: TranslateOptions): InboundMessage | null {
  const sender = obj(env.event['sender']);
  const message = obj(env.event['message']);
  if (!sender || !message) return null;
  const senderId = str(obj(sender['sender_id'])?.['open_id']);
  const messageId = str(message['message_id']);
  const chatId = str(message['chat_id']);
  const type = str(message['message_type']);
  if (!senderId || !messageId || !chatId || !type) return null;
  // Our own messages (should Feishu ever deliver them) are not input.
  if (opts.botOpenId && senderId === opts.botOpenId) return null;
  if (IGNORED_MESSAGE_TYPES.has(type)) return null;
  const content = parseJsonObject(message['content']);
  if (!content) return null;

  const rawMentions = readMentions(message['mentions'], opts.botOpenId);
  const body = messageBody(type, content, rawMentions);
  if (!body) return null;

  const mentions: PlatformUser[] = [];
  for (const m of rawMentions) {
    if (m.isBot || !m.openId || mentions.some((p) => p.id === m.openId)) continue;
    mentions.push({ id: m.openId, name: m.name });
  }
  const chatType = message['chat_type'] === 'p2p' ? 'p2p' : 'group';
  const chat: ChatRef = { id: chatId, type: chatType };
  const replyTo = str(message['parent_id']) ?? str(message['root_id']);

  const out: InboundMessage = {
    type: 'message',
    channel: 'feishu',
    eventId: env.eventId,
    messageId,
    chat,
    // Feishu does not put the sender's name in the event; the handler fills it
    // from the contact API (resolveUser).
    sender: { id: senderId, name: '' },
    at: timeOf(opts, message['create_time'], env.createTime),
    text: body.text,
    mentions,
    mentionsBot: rawMentions.some((m) => m.isBot),
    raw,
  };
  if (replyTo) out.replyToMessageId = replyTo;
  if (body.attachments.length > 0) out.attachments = body.attachments;
  if (body.notes?.length) out.notes = body.notes;
  return out;
}

/** Whether a translated message is a merge_forward whose messages are still to be read. */
export function isMergeForward(payload: unknown): boolean {
  const env = envelopeOf(payload);
  return obj(env?.event['message'])?.['message_type'] === 'merge_forward';
}

// ---------------------------------------------------------------------------
// im.message.recalled_v1

function translateRecall(env: Envelope, raw: unknown, opts: TranslateOptions): InboundEvent | null {
  const e = env.event;
  const messageId = str(e['message_id']);
  const chatId = str(e['chat_id']);
  if (!messageId || !chatId) return null;
  return {
    type: 'recall',
    channel: 'feishu',
    eventId: env.eventId,
    messageId,
    chat: { id: chatId, type: 'group' },
    // The event does not say who recalled (only recall_type): the chat stands in, and the bot
    // stores no person for it.
    sender: { id: chatId, name: '' },
    at: timeOf(opts, e['recall_time'], env.createTime),
    raw,
  };
}

// ---------------------------------------------------------------------------
// card.action.trigger

/**
 * How a Button.value rides on a Feishu card button: `value: { value: "<Button.value>" }`
 * (render.ts writes it). Read back from action.value; a value Feishu hands
 * over as a JSON string, or a bare string, is accepted too.
 */
export function decodeButtonValue(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const parsed = parseJsonObject(v);
    if (parsed && typeof parsed['value'] === 'string') return parsed['value'];
    return v.length > 0 ? v : undefined;
  }
  if (isObj(v) && typeof v['value'] === 'string') return v['value'];
  return undefined;
}

function translateCardAction(env: Envelope, raw: unknown, opts: TranslateOptions): InboundEvent | null {
  const e = env.event;
  const operator = obj(e['operator']);
  const context = obj(e['context']);
  const action = obj(e['action']);
  const openId = str(operator?.['open_id']) ?? str(e['open_id']);
  const messageId = str(context?.['open_message_id']) ?? str(e['open_message_id']);
  const chatId = str(context?.['open_chat_id']) ?? str(e['open_chat_id']);
  const value = decodeButtonValue(action?.['value']);
  if (!openId || !messageId || !chatId || value === undefined) return null;
  return {
    type: 'click',
    channel: 'feishu',
    eventId: env.eventId,
    messageId,
    // The callback does not say whether the chat is a group or a p2p chat; the
    // bot only puts buttons on cards it sent, so it knows the chat already.
    chat: { id: chatId, type: 'group' },
    sender: { id: openId, name: str(operator?.['name']) ?? '' },
    at: timeOf(opts, env.createTime),
    value,
    raw,
  };
}

// ---------------------------------------------------------------------------
// im.chat.member.bot.added_v1 / deleted_v1

function translateMembership(env: Envelope, raw: unknown, opts: TranslateOptions): InboundEvent | null {
  const e = env.event;
  const chatId = str(e['chat_id']);
  const operatorId = str(obj(e['operator_id'])?.['open_id']);
  if (!chatId) return null;
  const title = str(e['name']) ?? str(obj(e['i18n_names'])?.['zh_cn']);
  const chat: ChatRef = title ? { id: chatId, type: 'group', title } : { id: chatId, type: 'group' };
  return {
    type: env.eventType === FEISHU_EVENT_TYPES.botAdded ? 'bot_added' : 'bot_removed',
    channel: 'feishu',
    eventId: env.eventId,
    chat,
    sender: { id: operatorId ?? '', name: '' },
    at: timeOf(opts, env.createTime),
    raw,
  };
}
