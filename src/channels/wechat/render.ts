/**
 * WeChat outbound rendering: a neutral OutboundAction → the messages to say.
 * PURE: imports no SDK (a boundary test enforces it). The adapter turns each
 * part into a wechaty call: text → room.say(text, ...contacts) (real @mentions),
 * image → FileBox.fromBase64 → room.say(fileBox).
 *
 * WeChat has no buttons and cannot edit a sent message (the dispatcher already
 * turns such actions into plain text by the channel's capabilities; the same
 * rules, from core/plain-text.ts, apply here for a caller that renders directly):
 * - card with numbered: true → its text plus the buttons as numbered lines and
 *   "请回复数字 1–N" (the bot keeps the pending question and takes a bare number
 *   from that person as the answer). Labels that carry their own number
 *   ("5 非常满意", "1 确认修复") are shown as they are, since the bot reads a
 *   bare "5" as that value, not as the fifth line; and when the card text
 *   already lists them, they are not repeated.
 * - card without numbered → the button labels as words to reply with
 *   ("请回复：接单 / 转派"): we never promise a number the bot will not read.
 * - card_update with `chosen` → nothing: the person's own reply ("2") already
 *   shows the choice in the room, and the bot answers it anyway. Without
 *   `chosen` (a status change) → one short follow-up line "【title】first line".
 * - replyTo is ignored: wechaty 1.20 has no quote-reply API.
 */
import type { Mention, OutboundAction } from '../../core/channel.js';
import { cardAsText, cardUpdateLine, numberPrompt, ownNumbers } from '../../core/plain-text.js';

export interface WechatTextPart {
  kind: 'text';
  text: string;
  /** Contact ids to pass to room.say(text, ...contacts); wechaty puts "@name" in front. */
  mentionIds: string[];
  /** Names of those mentions, for when a contact cannot be loaded (written as plain "@name"). */
  mentionNames: string[];
}

export interface WechatImagePart {
  kind: 'image';
  pngBase64: string;
  /** File name shown in WeChat. */
  name: string;
}

export type WechatPart = WechatTextPart | WechatImagePart;

function uniqueMentions(mentions: Mention[] | undefined): Mention[] {
  const seen = new Set<string>();
  const out: Mention[] = [];
  for (const m of mentions ?? []) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

function textPart(text: string, mentions: Mention[] | undefined): WechatTextPart {
  const ms = uniqueMentions(mentions);
  return { kind: 'text', text, mentionIds: ms.map((m) => m.id), mentionNames: ms.map((m) => m.name) };
}

/** The card as WeChat text: the plain text every channel without cards shows (core/plain-text.ts). */
export const renderCardText = cardAsText;
export { numberPrompt, ownNumbers };

/**
 * What to say for one action, in order. An empty list means "nothing to post"
 * (the adapter then returns an empty SendResult and the outbox row is done).
 */
export function renderAction(action: OutboundAction): WechatPart[] {
  switch (action.kind) {
    case 'text':
      return [textPart(action.text, action.mentions)];
    case 'card':
      return [textPart(renderCardText(action), action.mentions)];
    case 'card_update': {
      const line = cardUpdateLine(action);
      return line === null ? [] : [textPart(line, [])];
    }
    case 'image': {
      const parts: WechatPart[] = [];
      if (action.caption?.trim()) parts.push(textPart(action.caption.trim(), []));
      parts.push({ kind: 'image', pngBase64: action.pngBase64, name: 'image.png' });
      return parts;
    }
  }
}

/**
 * What WeChat shows for a text part when mentions go through room.say: wechaty
 * writes "@a\u2005@b text". Used by tests and by the adapter's fallback for
 * mentions it could not load as contacts (plain "@name", not a real mention).
 */
export function mentionPrefix(names: string[]): string {
  return names.length === 0 ? '' : `${names.map((n) => `@${n}`).join('\u2005')} `;
}
