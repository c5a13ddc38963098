/**
 * The plain text every channel can show, for what a channel cannot: a card
 * without buttons becomes its text with numbered choices (the bot keeps the
 * pending question and reads a bare number from the person asked), a thread
 * reply becomes a plain message, a card update a short line or nothing.
 * fitToChannel applies it by a channel's capabilities, before the channel
 * sees the action, so every channel without cards shows the same words.
 * Pure: no I/O.
 */
import type { ChannelCapabilities, Mention, OutboundAction } from './channel.js';

type Card = Extract<OutboundAction, { kind: 'card' }>;
type CardUpdate = Extract<OutboundAction, { kind: 'card_update' }>;

/** Longest follow-up line for a card update (characters). */
const UPDATE_LINE_MAX = 60;

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
 * so the labels are shown as they are instead of being numbered again.
 */
export function ownNumbers(labels: string[]): number[] | null {
  const nums = labels.map((l) => /^\s*(\d{1,2})(?=[\s.、:：)）]|$)/.exec(l)?.[1]);
  if (nums.some((n) => n === undefined)) return null;
  const values = nums.map(Number);
  return new Set(values).size === values.length ? values : null;
}

/**
 * A card as text: title, body, then the choices. With `numbered` (a pending
 * question reads a bare number) the buttons become numbered lines and
 * "请回复数字 1–N"; labels that carry their own number ("5 非常满意") are shown
 * as they are, and not repeated when the body already lists them. Without
 * `numbered` the labels become words to reply with ("请回复：接单 / 到场"): never
 * a number the bot would not read.
 */
export function cardAsText(card: Card): string {
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
 * A card update where a sent message cannot change: nothing when it records
 * a choice (the person's own reply already shows it), else one short line
 * "【title】first line".
 */
export function cardUpdateLine(update: CardUpdate): string | null {
  if (update.chosen) return null;
  const first = update.text.trim().split('\n')[0] ?? '';
  return truncate(`【${update.title.trim()}】${first}`, UPDATE_LINE_MAX);
}

/** "@a @b " in front of the text, for a channel without real mentions. */
function writtenMentions(mentions: Mention[] | undefined): string {
  return mentions?.length ? `${mentions.map((m) => `@${m.name}`).join(' ')} ` : '';
}

/**
 * The action as this channel can show it, or null when there is nothing to
 * post. Unchanged for a channel that can show all of it.
 */
export function fitToChannel(action: OutboundAction, can: ChannelCapabilities): OutboundAction | null {
  let a: OutboundAction = action;
  if (a.kind === 'card' && !can.cards) {
    const { title: _t, buttons: _b, numbered: _n, text: _x, kind: _k, ...rest } = a;
    a = { ...rest, kind: 'text', text: cardAsText(a) };
  }
  if (a.kind === 'card_update' && !can.cardUpdates) {
    const line = cardUpdateLine(a);
    if (line === null) return null;
    a = { kind: 'text', text: line };
  }
  if (a.kind === 'image' && !can.images) {
    if (!a.caption?.trim()) return null;
    const { pngBase64: _p, caption, kind: _k, ...rest } = a;
    a = { ...rest, kind: 'text', text: caption.trim() };
  }
  if (!can.threads && 'replyTo' in a && a.replyTo !== undefined) {
    const { replyTo: _r, ...rest } = a;
    a = rest as OutboundAction;
  }
  if (!can.mentions && (a.kind === 'text' || a.kind === 'card') && a.mentions?.length) {
    const { mentions, ...rest } = a;
    a = { ...rest, text: writtenMentions(mentions) + rest.text } as OutboundAction;
  }
  return a;
}
