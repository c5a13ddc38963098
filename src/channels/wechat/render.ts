/**
 * WeChat outbound rendering: a neutral OutboundAction → the messages to say.
 * PURE: imports no SDK (a boundary test enforces it). The adapter turns each
 * part into a wechaty call: text → room.say(text, ...contacts) (real @mentions),
 * image → FileBox.fromBase64 → room.say(fileBox).
 *
 * WeChat has no buttons and cannot edit a sent message:
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

/** Longest follow-up line for a card_update (characters). */
const UPDATE_LINE_MAX = 60;

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

/** "请回复数字 1–4" (en dash), or "请回复数字 1" for a single choice. */
export function numberPrompt(count: number): string {
  return count <= 1 ? '请回复数字 1' : `请回复数字 1–${count}`;
}

/** "请回复数字 1–5" for the numbers a card's labels carry themselves (5 4 3 2 1 → 1–5). */
function ownNumberPrompt(numbers: number[]): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const contiguous = sorted.every((n, i) => i === 0 || n === sorted[i - 1]! + 1);
  if (sorted.length === 1) return `请回复数字 ${sorted[0]}`;
  return contiguous ? `请回复数字 ${sorted[0]}–${sorted.at(-1)}` : `请回复数字 ${sorted.join('/')}`;
}

/**
 * The numbers the labels start with ("5 非常满意" → 5), when every label has
 * one and they are distinct; else null. Such a card means "reply the number on
 * the line" (the bot reads a bare "5" as the score 5, not as the fifth line),
 * so WeChat shows the labels as they are instead of numbering them again.
 */
export function ownNumbers(labels: string[]): number[] | null {
  const nums = labels.map((l) => /^\s*(\d{1,2})(?=[\s.、:：)）]|$)/.exec(l)?.[1]);
  if (nums.some((n) => n === undefined)) return null;
  const values = nums.map(Number);
  return new Set(values).size === values.length ? values : null;
}

/** The card as WeChat text: title, body, then the choices. */
export function renderCardText(card: Extract<OutboundAction, { kind: 'card' }>): string {
  const lines: string[] = [];
  const body = card.text.trim();
  if (card.title.trim()) lines.push(`【${card.title.trim()}】`);
  if (body) lines.push(body);
  if (card.buttons.length > 0) {
    if (card.numbered) {
      const labels = card.buttons.map((b) => b.label.trim());
      const own = ownNumbers(labels);
      if (own) {
        // The text may already list the choices ("1 确认修复  2 还没好"): do not repeat them.
        const squash = (s: string) => s.replace(/\s+/g, '');
        if (!labels.every((l) => squash(body).includes(squash(l)))) lines.push(...labels);
        if (!/回复数字/.test(body)) lines.push(ownNumberPrompt(own));
      } else {
        card.buttons.forEach((b, i) => lines.push(`${i + 1}. ${b.label}`));
        lines.push(numberPrompt(card.buttons.length));
      }
    } else {
      lines.push(`请回复：${card.buttons.map((b) => b.label).join(' / ')}`);
    }
  }
  return lines.join('\n');
}

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

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
      if (action.chosen) return [];
      const first = action.text.trim().split('\n')[0] ?? '';
      const line = truncate(`【${action.title.trim()}】${first}`, UPDATE_LINE_MAX);
      return [textPart(line, [])];
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
