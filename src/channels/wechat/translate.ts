/**
 * WeChat inbound translation: a plain snapshot of a wechaty message → a neutral
 * InboundMessage. PURE: imports no SDK (a boundary test enforces it), so it can
 * be tested table-driven, and a saved snapshot (InboundEvent.raw) replays
 * through it (the channel's replay(), `npm run cli -- replay`).
 *
 * The adapter (adapter.ts) builds the snapshot from a wechaty Message: that is
 * the only place that awaits the puppet (talker, room alias, mention list).
 */
import type { AttachmentRef, InboundMessage, PlatformUser } from '../../core/channel.js';

/** WeChat's mention separator (U+2005 FOUR-PER-EM SPACE), as wechaty puts it after "@name". */
export const AT_SEPARATOR = '\u2005';

/**
 * The message kinds we translate. The adapter maps the puppet's numeric
 * MessageType to these (see kindFromPuppetType); anything else is 'other'.
 */
export type WechatMessageKind = 'text' | 'image' | 'file' | 'video' | 'other';

/** A contact as seen in one room: id, WeChat nickname, and the alias they set in that room. */
export interface WechatContactSnapshot {
  id: string;
  name: string;
  /** The person's own display name in this room (群昵称), if they set one. */
  roomAlias?: string;
}

/**
 * Everything translate needs from one wechaty message, as plain JSON. It is also
 * stored as InboundMessage.raw, so a recorded snapshot replays through here.
 */
export interface WechatMessageSnapshot {
  /** Puppet message id: the dedup key (eventId and messageId). */
  id: string;
  kind: WechatMessageKind;
  /** The puppet's numeric MessageType, kept for the record. */
  puppetType: number;
  /** Set for room messages; absent for one-to-one messages. */
  room?: { id: string; topic?: string };
  talker: WechatContactSnapshot;
  /** Message text as the puppet gives it ("@机器人\u2005报修 …"). Empty for media. */
  text: string;
  /**
   * The people the puppet says were @mentioned (mentionIdList when the puppet
   * gives one, else wechaty's name matching), the bot itself included.
   */
  mentions: WechatContactSnapshot[];
  /** The logged-in bot account: to drop its own messages and its own @mention. */
  self: WechatContactSnapshot;
  /** message.self(): the bot's own message (the mock echoes what the bot says). */
  isSelf: boolean;
  /** Puppet timestamp: milliseconds or seconds since the epoch (both occur). */
  timestamp: number;
  /** File name for images and files, where the puppet gives it. */
  filename?: string;
  /** Quoted message id, where the puppet gives one (wechaty 1.20 payloads do not). */
  quotedMessageId?: string;
}

export interface TranslateContext {
  /**
   * When the current login happened. Messages sent before it (history replayed
   * after a login or a reconnect) are dropped. Absent: nothing is dropped for age.
   */
  loginAt?: Date;
  /**
   * Slack for clock skew between WeChat's servers and this host: a message is
   * "older than the login" only if it is older than loginAt - historyGraceMs.
   * Default 0.
   */
  historyGraceMs?: number;
}

/** Puppet MessageType values (wechaty-puppet schemas/message), mirrored so this file imports no SDK. */
const PUPPET_MESSAGE_TYPE = {
  Attachment: 1,
  Image: 6,
  Text: 7,
  Video: 15,
} as const;

export function kindFromPuppetType(type: number): WechatMessageKind {
  switch (type) {
    case PUPPET_MESSAGE_TYPE.Text:
      return 'text';
    case PUPPET_MESSAGE_TYPE.Image:
      return 'image';
    case PUPPET_MESSAGE_TYPE.Attachment:
      return 'file';
    case PUPPET_MESSAGE_TYPE.Video:
      return 'video';
    default:
      return 'other';
  }
}

/** Puppets give seconds or milliseconds; wechaty's timestampToDate uses the same cut-off. */
export function timestampToDate(timestamp: number): Date {
  return new Date(timestamp < 1e11 ? timestamp * 1000 : timestamp);
}

/**
 * Room ids: personal WeChat rooms end in "@chatroom"; WeCom (wxwork/workpro)
 * puppets use "R:…". Anything else is taken as a contact id (one-to-one chat).
 */
export function looksLikeRoomId(id: string): boolean {
  return id.endsWith('@chatroom') || id.startsWith('R:');
}

/** The name WeChat shows for a contact in a room, and what "@…" uses there. */
export function displayName(c: WechatContactSnapshot): string {
  return c.roomAlias?.trim() || c.name;
}

const QUOTE_BLOCK = /^「[\s\S]*?」\n- - - - - - - - - - - - - - -\n/;

/**
 * Some puppets (padlocal, wechat4u) render a quoted reply as
 * "「张三：原文」\n- - - - - - - - - - - - - - -\n回复". Keep only the reply.
 */
export function stripQuote(text: string): string {
  return text.replace(QUOTE_BLOCK, '');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Remove "@name" (followed by U+2005, a space or the end) for each name given. */
function removeMentionsOf(text: string, names: string[]): { text: string; found: boolean } {
  let found = false;
  let out = text;
  for (const name of names) {
    if (!name) continue;
    const re = new RegExp(`@${escapeRegExp(name)}(?:${AT_SEPARATOR}| |$)`, 'g');
    out = out.replace(re, () => {
      found = true;
      return '';
    });
  }
  return { text: out, found };
}

function normaliseText(text: string): string {
  return text
    .replaceAll(AT_SEPARATOR, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/**
 * A wechaty message snapshot → InboundMessage, or null when the bot must not
 * see it: its own messages, messages older than the login, and kinds we do not
 * handle (emoticons, links, mini programs, system notices…).
 */
export function toInboundMessage(
  snap: WechatMessageSnapshot,
  ctx: TranslateContext = {},
): InboundMessage | null {
  if (snap.isSelf || snap.talker.id === snap.self.id) return null;
  if (snap.kind === 'other') return null;

  const at = timestampToDate(snap.timestamp);
  if (ctx.loginAt && at.getTime() < ctx.loginAt.getTime() - (ctx.historyGraceMs ?? 0)) {
    return null;
  }

  const selfNames = [...new Set([snap.self.roomAlias, snap.self.name].filter((n): n is string => !!n))];
  const body = stripQuote(snap.text ?? '');
  const stripped = removeMentionsOf(body, selfNames);
  const mentionsBot = snap.mentions.some((m) => m.id === snap.self.id) || stripped.found;

  const seen = new Set<string>();
  const mentions: PlatformUser[] = [];
  for (const m of snap.mentions) {
    if (m.id === snap.self.id || seen.has(m.id)) continue;
    seen.add(m.id);
    mentions.push({ id: m.id, name: displayName(m) });
  }

  const attachments: AttachmentRef[] = [];
  if (snap.kind === 'image') {
    attachments.push({ kind: 'image', key: snap.id, ...(snap.filename ? { name: snap.filename } : {}) });
  } else if (snap.kind === 'file' || snap.kind === 'video') {
    attachments.push({ kind: 'file', key: snap.id, ...(snap.filename ? { name: snap.filename } : {}) });
  }

  const chat = snap.room
    ? { id: snap.room.id, type: 'group' as const, ...(snap.room.topic ? { title: snap.room.topic } : {}) }
    : { id: snap.talker.id, type: 'p2p' as const, title: displayName(snap.talker) };

  const msg: InboundMessage = {
    type: 'message',
    channel: 'wechat',
    eventId: snap.id,
    messageId: snap.id,
    chat,
    sender: { id: snap.talker.id, name: displayName(snap.talker) },
    at,
    text: snap.kind === 'text' ? normaliseText(stripped.text) : '',
    mentions,
    // In a one-to-one chat every message is addressed to the bot.
    mentionsBot: snap.room ? mentionsBot : true,
    raw: snap,
  };
  if (snap.quotedMessageId) msg.replyToMessageId = snap.quotedMessageId;
  if (attachments.length > 0) msg.attachments = attachments;
  return msg;
}
