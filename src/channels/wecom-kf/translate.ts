/**
 * One message from kf/sync_msg (接收消息和事件, developer.work.weixin.qq.com/document/path/94670)
 * → neutral InboundEvent. PURE: no I/O, no clock, never throws.
 *
 * - The conversation is the customer with one customer-service account: chat id
 *   "<open_kfid>:<external_userid>", a one-to-one chat.
 * - origin 3 is the customer; 4 a system event; 5 a servicer writing from the WeCom client
 *   (ignored: staff answering by hand are not the bot's input).
 * - A click on a menu (msgmenu) comes back as a text message with `menu_id`: it is the click on
 *   the bot's numbered choices, whose value the id carries (menuIdFor / valueOfMenuId).
 * - Images, voice, video and files arrive as media_id (voice as AMR audio, not text).
 * - Events: enter_session (the customer opened the chat from a link or QR code) → bot_added;
 *   msg_send_fail → reported to the sender of that message; the rest ignored.
 */
import type { AttachmentRef, InboundEvent, PlatformUser } from '../neutral.js';

export const MAX_KF_TEXT_CHARS = 8000;

export type KfTranslateResult =
  | { event: InboundEvent; kind: 'message' | 'click' | 'enter_session'; welcomeCode?: string }
  | { ignored: string; sendFail?: { msgid: string; failType: number; externalUserId?: string } };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json | undefined => (isObj(v) ? v : undefined);
function id(v: unknown, max = 256): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max && !/[\u0000-\u001f\u007f:]/.test(v) ? v : undefined;
}

export function kfChatId(openKfId: string, externalUserId: string): string {
  return `${openKfId}:${externalUserId}`;
}

export function parseKfChatId(chatId: string): { openKfId: string; externalUserId: string } | null {
  const m = /^([^:]{1,128}):([^:]{1,128})$/.exec(chatId);
  return m ? { openKfId: m[1]!, externalUserId: m[2]! } : null;
}

/** A menu item's id carries the button's value: "m" + hex, within WeCom's 128 bytes of [a-zA-Z0-9_]. */
export function menuIdFor(value: string): string | null {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  return hex.length > 0 && hex.length <= 126 ? `m${hex}` : null;
}

export function valueOfMenuId(menuId: string): string | null {
  const m = /^m((?:[0-9a-f]{2}){1,63})$/.exec(menuId);
  return m ? Buffer.from(m[1]!, 'hex').toString('utf8') : null;
}

function customer(externalUserId: string): PlatformUser {
  // sync_msg gives no name; kf/customer/batchget could (not called here).
  return { id: externalUserId, name: '微信客户' };
}

function clip(s: string): string {
  const c = [...s];
  return c.length <= MAX_KF_TEXT_CHARS ? s : `${c.slice(0, MAX_KF_TEXT_CHARS).join('')}…`;
}

function timeOf(v: unknown, fallback: Date): Date {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 && n < 1e11 ? new Date(n * 1000) : fallback;
}

export function translateKfMessage(msg: unknown, opts: { receivedAt: Date }): KfTranslateResult {
  try {
    if (!isObj(msg)) return { ignored: 'not an object' };
    const msgid = id(msg['msgid']);
    if (!msgid) return { ignored: 'no msgid' };
    const at = timeOf(msg['send_time'], opts.receivedAt);
    const origin = Number(msg['origin']);
    if (origin === 4 || msg['msgtype'] === 'event') return translateEvent(msg, msgid, at);
    if (origin === 5) return { ignored: 'sent by a servicer from the WeCom client' };
    if (origin !== 3) return { ignored: `origin ${String(msg['origin']).slice(0, 10)}` };
    const openKfId = id(msg['open_kfid']);
    const ext = id(msg['external_userid']);
    if (!openKfId || !ext) return { ignored: 'no open_kfid or external_userid' };
    const base = { channel: 'wecom-kf' as const, eventId: msgid, chat: { id: kfChatId(openKfId, ext), type: 'p2p' as const }, sender: customer(ext), at, raw: msg };
    const type = msg['msgtype'];
    if (type === 'text') {
      const t = obj(msg['text']);
      const content = typeof t?.['content'] === 'string' ? t['content'] : '';
      const menuId = typeof t?.['menu_id'] === 'string' ? t['menu_id'] : undefined;
      const value = menuId ? valueOfMenuId(menuId) : null;
      if (value) return { event: { ...base, type: 'click', messageId: msgid, value }, kind: 'click' };
      if (!content.trim()) return { ignored: 'empty text' };
      return { event: { ...base, type: 'message', messageId: msgid, text: clip(content), mentions: [], mentionsBot: false }, kind: 'message' };
    }
    if (type === 'image' || type === 'voice' || type === 'video' || type === 'file') {
      const mediaId = id(obj(msg[type])?.['media_id'], 512);
      if (!mediaId) return { ignored: `${type} without media_id` };
      const att: AttachmentRef = type === 'image' ? { kind: 'image', key: mediaId } : { kind: 'file', key: mediaId, name: type === 'voice' ? 'voice.amr' : type === 'video' ? 'video.mp4' : 'file' };
      return { event: { ...base, type: 'message', messageId: msgid, text: '', mentions: [], mentionsBot: false, attachments: [att] }, kind: 'message' };
    }
    if (type === 'location') {
      const l = obj(msg['location']) ?? {};
      const text = [l['name'], l['address']].filter((x) => typeof x === 'string' && x).join(' ');
      if (!text) return { ignored: 'location without name or address' };
      return { event: { ...base, type: 'message', messageId: msgid, text: clip(`位置：${text}`), mentions: [], mentionsBot: false }, kind: 'message' };
    }
    return { ignored: `unsupported message type ${String(type).slice(0, 40)}` };
  } catch {
    return { ignored: 'malformed message' };
  }
}

function translateEvent(msg: Json, msgid: string, at: Date): KfTranslateResult {
  const ev = obj(msg['event']);
  const type = typeof ev?.['event_type'] === 'string' ? ev['event_type'] : '';
  if (!ev || !type) return { ignored: 'event without event_type' };
  if (type === 'enter_session') {
    const openKfId = id(ev['open_kfid']);
    const ext = id(ev['external_userid']);
    if (!openKfId || !ext) return { ignored: 'enter_session without open_kfid or external_userid' };
    const welcomeCode = typeof ev['welcome_code'] === 'string' && ev['welcome_code'] ? ev['welcome_code'] : undefined;
    return {
      event: { type: 'bot_added', channel: 'wecom-kf', eventId: msgid, chat: { id: kfChatId(openKfId, ext), type: 'p2p' }, sender: customer(ext), at, raw: msg },
      kind: 'enter_session',
      ...(welcomeCode ? { welcomeCode } : {}),
    };
  }
  if (type === 'msg_send_fail') {
    const fail = id(ev['fail_msgid']);
    const ext = id(ev['external_userid']);
    return fail
      ? { ignored: `msg_send_fail ${String(ev['fail_type'])}`, sendFail: { msgid: fail, failType: Number(ev['fail_type'] ?? 0), ...(ext ? { externalUserId: ext } : {}) } }
      : { ignored: 'msg_send_fail without fail_msgid' };
  }
  return { ignored: `event ${type.slice(0, 40)} not handled` };
}
