/**
 * WeCom intelligent-bot (智能机器人) frame → neutral InboundEvent.
 *
 * PURE: no SDK import, no I/O, no clock (the caller passes `receivedAt`). Never
 * throws: what it cannot use comes back as `{ ignored: reason }` for the log line.
 *
 * The frame is what the long connection pushes (SDK WsFrame): `{ cmd, headers: { req_id }, body }`
 * with cmd `aibot_msg_callback` (body.msgtype text | image | mixed | voice | file | video)
 * or `aibot_event_callback` (body.msgtype "event", body.event.eventtype enter_chat |
 * template_card_event | feedback_event | disconnected_event). Bodies as documented in
 * 接收消息 (developer.work.weixin.qq.com/document/path/100719) and 接收事件 (…/101027):
 * - `msgid` is "本次回调的唯一性标志，开发者需据此进行事件排重" → the event id and message id;
 * - `chatid` only in group chats; in a single chat the conversation is the user (`from.userid`),
 *   which is also what aibot_send_msg takes as chatid there;
 * - groups deliver only messages that @ the bot; images, voice and files arrive in single chats;
 * - voice arrives already as text (`voice.content`);
 * - a template-card click carries `event_key` and `task_id` inside `event.template_card_event`
 *   (the documented shape) or directly on `event` (the SDK's types): both are read.
 */
import type { AttachmentRef, ChatRef, InboundEvent, InboundMessage, PlatformUser } from '../neutral.js';

export const WECOM_CMD = { message: 'aibot_msg_callback', event: 'aibot_event_callback' } as const;

/** Frames larger than this (serialized) are refused: WeCom text is at most a few KB. */
export const MAX_FRAME_BYTES = 128 * 1024;
/** Text kept from one message; longer text is cut (the raw frame is not stored then). */
export const MAX_TEXT_CHARS = 8000;

export interface TranslateOptions {
  /** The bot's display names: "@name" of these is removed from the text. */
  botNames?: string[];
  /** Used as `at` when the frame carries no usable time. */
  receivedAt?: Date;
}

export type TranslateResult =
  | { event: InboundEvent; reqId: string; kind: 'message' | 'click' | 'enter_chat' }
  | { ignored: string; reqId?: string; msgid?: string };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const obj = (v: unknown): Json | undefined => (isObj(v) ? v : undefined);

/** A plain-text id: printable, no control characters, bounded. */
function id(v: unknown, max = 256): string | undefined {
  const s = str(v);
  return s && s.length <= max && !/[\u0000-\u001f\u007f]/.test(s) ? s : undefined;
}

function timeOf(v: unknown, fallback: Date | undefined): Date {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,13}$/.test(v) ? Number(v) : NaN;
  if (Number.isFinite(n) && n > 0) {
    const ms = n < 1e11 ? n * 1000 : n;
    const d = new Date(ms);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return fallback ?? new Date(0);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes "@BotName" (followed by a space, U+2005, or the end) for each configured name. */
export function stripBotMention(text: string, botNames: string[] | undefined): { text: string; removed: boolean } {
  let out = text;
  let removed = false;
  for (const name of botNames ?? []) {
    if (!name.trim()) continue;
    const re = new RegExp(`@${escapeRe(name.trim())}(?=[\\s\\u2005]|$)[\\s\\u2005]*`, 'g');
    const next = out.replace(re, '');
    if (next !== out) removed = true;
    out = next;
  }
  return { text: out.trim(), removed };
}

function clipText(s: string): string {
  const chars = [...s];
  return chars.length <= MAX_TEXT_CHARS ? s : `${chars.slice(0, MAX_TEXT_CHARS).join('')}…`;
}

/** Download key for an image or file: the URL (valid five minutes) and its per-message AES key. */
export interface WecomMediaKey {
  url: string;
  aeskey?: string;
}

export function mediaKey(v: unknown): string | undefined {
  const m = obj(v);
  const url = str(m?.['url'])?.trim();
  if (!url || url.length > 4096 || !/^https?:\/\//i.test(url)) return undefined;
  const aeskey = id(m?.['aeskey'], 128);
  return JSON.stringify(aeskey ? { url, aeskey } : { url });
}

export function parseMediaKey(key: string): WecomMediaKey | null {
  try {
    const v: unknown = JSON.parse(key);
    if (!isObj(v) || typeof v['url'] !== 'string') return null;
    return typeof v['aeskey'] === 'string' ? { url: v['url'], aeskey: v['aeskey'] } : { url: v['url'] };
  } catch {
    return null;
  }
}

function chatOf(body: Json): ChatRef | null {
  const type = body['chattype'];
  const user = id(obj(body['from'])?.['userid']);
  if (type === 'group') {
    const chatid = id(body['chatid']);
    return chatid ? { id: chatid, type: 'group' } : null;
  }
  // single chats (and events that omit chattype, e.g. enter_chat): the conversation is the user.
  return user ? { id: user, type: 'p2p' } : null;
}

function senderOf(body: Json): PlatformUser | null {
  const user = id(obj(body['from'])?.['userid']);
  // WeCom gives no display name in the frame; the directory names people from config/org.yaml.
  return user ? { id: user, name: user } : null;
}

interface Content {
  text: string;
  attachments: AttachmentRef[];
}

function contentOf(body: Json): Content | null {
  const type = body['msgtype'];
  switch (type) {
    case 'text': {
      const t = str(obj(body['text'])?.['content']);
      return t === undefined ? null : { text: t, attachments: [] };
    }
    case 'voice': {
      // Voice arrives as WeCom's speech-to-text.
      const t = str(obj(body['voice'])?.['content']);
      return t === undefined ? null : { text: t, attachments: [] };
    }
    case 'image': {
      const key = mediaKey(body['image']);
      return key ? { text: '', attachments: [{ kind: 'image', key }] } : null;
    }
    case 'file': {
      const key = mediaKey(body['file']);
      return key ? { text: '', attachments: [{ kind: 'file', key }] } : null;
    }
    case 'mixed': {
      const items = obj(body['mixed'])?.['msg_item'];
      if (!Array.isArray(items) || items.length === 0 || items.length > 50) return null;
      const texts: string[] = [];
      const attachments: AttachmentRef[] = [];
      for (const it of items) {
        if (!isObj(it)) continue;
        if (it['msgtype'] === 'text') {
          const t = str(obj(it['text'])?.['content']);
          if (t) texts.push(t);
        } else if (it['msgtype'] === 'image') {
          const key = mediaKey(it['image']);
          if (key) attachments.push({ kind: 'image', key });
        }
      }
      if (!texts.length && !attachments.length) return null;
      return { text: texts.join('\n'), attachments };
    }
    default:
      return null;
  }
}

/** The frame's size as WeCom sent it (approximately: the parsed frame serialized again). */
export function frameBytes(frame: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(frame) ?? '', 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Translate one frame pushed over the long connection. */
export function translateWecomFrame(frame: unknown, opts: TranslateOptions = {}): TranslateResult {
  try {
    if (!isObj(frame)) return { ignored: 'not an object' };
    const reqId = id(obj(frame['headers'])?.['req_id'], 512);
    if (!reqId) return { ignored: 'no req_id' };
    const size = frameBytes(frame);
    const body = obj(frame['body']);
    const msgid = id(body?.['msgid']);
    if (size > MAX_FRAME_BYTES) return { ignored: `oversized frame (${size} bytes)`, reqId, ...(msgid ? { msgid } : {}) };
    if (!body) return { ignored: 'no body', reqId };
    if (!msgid) return { ignored: 'no msgid', reqId };
    const cmd = frame['cmd'];
    if (cmd === WECOM_CMD.message) return translateMessage(body, msgid, reqId, opts);
    if (cmd === WECOM_CMD.event) return translateEvent(body, msgid, reqId, opts);
    return { ignored: `unknown cmd ${String(cmd).slice(0, 40)}`, reqId, msgid };
  } catch {
    return { ignored: 'malformed frame' };
  }
}

function translateMessage(body: Json, msgid: string, reqId: string, opts: TranslateOptions): TranslateResult {
  const chat = chatOf(body);
  const sender = senderOf(body);
  if (!chat || !sender) return { ignored: 'no chat or sender', reqId, msgid };
  // WeCom pushes only what people say to the bot; should its own message come back, it is dropped here.
  if (sender.id === body['aibotid']) return { ignored: 'the bot’s own message', reqId, msgid };
  const content = contentOf(body);
  if (!content) return { ignored: `unsupported message type ${String(body['msgtype']).slice(0, 40)}`, reqId, msgid };
  const { text, removed } = stripBotMention(content.text, opts.botNames);
  const clipped = clipText(text);
  const ev: InboundMessage = {
    type: 'message',
    channel: 'wecom',
    eventId: msgid,
    messageId: msgid,
    chat,
    sender,
    at: timeOf(body['create_time'], opts.receivedAt),
    text: clipped,
    mentions: [],
    // Groups deliver only messages that @ the bot.
    mentionsBot: chat.type === 'group' || removed,
    ...(content.attachments.length ? { attachments: content.attachments } : {}),
    // A text cut to size is not kept raw: the stored row stays bounded.
    ...(clipped === text ? { raw: body } : {}),
  };
  return { event: ev, reqId, kind: 'message' };
}

function translateEvent(body: Json, msgid: string, reqId: string, opts: TranslateOptions): TranslateResult {
  const event = obj(body['event']);
  const type = str(event?.['eventtype']);
  const chat = chatOf(body);
  const sender = senderOf(body);
  if (!event || !type) return { ignored: 'event without eventtype', reqId, msgid };
  if (!chat || !sender) return { ignored: `${type}: no chat or sender`, reqId, msgid };
  const at = timeOf(body['create_time'], opts.receivedAt);
  if (type === 'enter_chat') {
    return { event: { type: 'bot_added', channel: 'wecom', eventId: msgid, chat, sender, at, raw: body }, reqId, kind: 'enter_chat' };
  }
  if (type === 'template_card_event') {
    const inner = obj(event['template_card_event']) ?? event;
    const key = id(inner['event_key'], 1024) ?? id(event['event_key'], 1024);
    const taskId = id(inner['task_id'], 128) ?? id(event['task_id'], 128);
    if (!key || !taskId) return { ignored: 'template_card_event without event_key or task_id', reqId, msgid };
    return {
      event: { type: 'click', channel: 'wecom', eventId: msgid, messageId: taskId, value: key, chat, sender, at, raw: body },
      reqId,
      kind: 'click',
    };
  }
  return { ignored: `event ${type.slice(0, 40)} not handled`, reqId, msgid };
}
