/**
 * Neutral OutboundAction → what the WeCom intelligent bot sends.
 *
 * PURE: no SDK import (a boundary test enforces it), no I/O. The adapter turns each part
 * into one SDK call. Limits from the WeCom pages (模板卡片类型 …/101032, 主动回复消息 …/101138,
 * 被动回复消息 …/101031):
 * - markdown and stream content at most 20480 bytes (UTF-8);
 * - button_interaction cards: task_id required, unique per bot, [0-9a-zA-Z_-@] ≤ 128 bytes,
 *   at most 6 buttons, button key ≤ 1024 bytes and unique, text "建议不超过10个字",
 *   main_title.title "建议不超过26个字", sub_title_text "建议不超过112个字".
 * A card that does not fit (more buttons, long labels or text) is sent as the plain-text
 * card (title, text, numbered choices) that WeChat shows: never a card WeCom may refuse.
 * Cards carry no @mentions, so a card with mentions is preceded by one markdown line with them.
 */
import { createHash } from 'node:crypto';
import { renderCardText, type Mention, type OutboundAction } from '../neutral.js';

export const MARKDOWN_MAX_BYTES = 20480;
export const CARD_MAX_BUTTONS = 6;
export const CARD_LABEL_MAX_CHARS = 16;
export const CARD_TITLE_MAX_CHARS = 26;
export const CARD_TEXT_MAX_CHARS = 112;

/** How mentions are written: `<@userid>` (WeCom's markdown mention) or plain "@name". */
export type MentionStyle = 'tag' | 'name';

export interface RenderOptions {
  mentionStyle?: MentionStyle;
}

/** The card WeCom shows (the SDK's TemplateCard, the fields we use). */
export interface WecomTemplateCard {
  card_type: 'button_interaction';
  main_title: { title?: string; desc?: string };
  sub_title_text?: string;
  button_list: Array<{ text: string; style?: number; key: string }>;
  task_id: string;
}

export type WecomPart =
  | { kind: 'markdown'; content: string }
  | { kind: 'card'; card: WecomTemplateCard }
  | { kind: 'image'; png: Buffer; filename: string }
  /** Replace a card after a click (within 5 s of it); without that window, `fallback` is sent instead. */
  | { kind: 'update'; taskId: string; card: WecomTemplateCard; fallback: WecomPart | null };

/** A stable task_id for the outbox row: WeCom refuses a task_id twice, so a resend never shows twice. */
export function taskIdFor(idempotencyKey: string): string {
  return `sb-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
}

/** A stable stream id for a passive reply: resending the same id refreshes the same message. */
export function streamIdFor(idempotencyKey: string): string {
  return `sbs-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
}

/** Cuts `s` to at most `max` UTF-8 bytes on a character boundary, marking the cut. */
export function clipBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  const mark = '…';
  let out = '';
  let bytes = Buffer.byteLength(mark, 'utf8');
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out + mark;
}

function clipChars(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

function uniqueMentions(mentions: Mention[] | undefined): Mention[] {
  const seen = new Set<string>();
  return (mentions ?? []).filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
}

export function mentionLine(mentions: Mention[] | undefined, style: MentionStyle): string {
  const ms = uniqueMentions(mentions);
  return ms.map((m) => (style === 'tag' ? `<@${m.id}>` : `@${m.name}`)).join(' ');
}

function markdown(text: string, mentions: Mention[] | undefined, style: MentionStyle): WecomPart {
  const line = mentionLine(mentions, style);
  return { kind: 'markdown', content: clipBytes(line ? `${line} ${text}` : text, MARKDOWN_MAX_BYTES) };
}

/** Whether a card can be a WeCom button card as it is (else it goes as text, or its text first: buttonsFit). */
export function fitsTemplateCard(card: Extract<OutboundAction, { kind: 'card' }>): boolean {
  if ([...card.text.trim()].length > CARD_TEXT_MAX_CHARS) return false;
  return buttonsFit(card);
}

/** Whether the buttons (and a title) can be a WeCom button card, whatever the length of the text. */
export function buttonsFit(card: Extract<OutboundAction, { kind: 'card' }>): boolean {
  const n = card.buttons.length;
  if (n < 1 || n > CARD_MAX_BUTTONS) return false;
  if (!card.title.trim() && !card.text.trim()) return false;
  const keys = new Set<string>();
  for (const b of card.buttons) {
    const label = b.label.trim();
    if (!label || [...label].length > CARD_LABEL_MAX_CHARS) return false;
    if (!b.value || Buffer.byteLength(b.value, 'utf8') > 1024 || keys.has(b.value)) return false;
    keys.add(b.value);
  }
  return true;
}

const STYLE: Record<string, number> = { primary: 1, default: 2, danger: 3 };

export function templateCard(card: Extract<OutboundAction, { kind: 'card' }>, taskId: string): WecomTemplateCard {
  const title = card.title.trim();
  const text = card.text.trim();
  return {
    card_type: 'button_interaction',
    main_title: { title: clipChars(title || text, CARD_TITLE_MAX_CHARS) },
    ...(title && text ? { sub_title_text: text } : {}),
    button_list: card.buttons.map((b) => ({ text: b.label.trim(), key: b.value, ...(b.style ? { style: STYLE[b.style] ?? 1 } : {}) })),
    task_id: taskId,
  };
}

/** The card after a click: the same task, the choice (as the bot words it) shown as its only button. */
export function updatedCard(update: Extract<OutboundAction, { kind: 'card_update' }>, taskId: string): WecomTemplateCard {
  const title = update.title.trim();
  const text = update.text.trim();
  return {
    card_type: 'button_interaction',
    main_title: { title: clipChars(title || text || '已处理', CARD_TITLE_MAX_CHARS) },
    ...(text ? { sub_title_text: clipChars(text, CARD_TEXT_MAX_CHARS) } : {}),
    button_list: [{ text: clipChars(update.chosen ?? '已处理', CARD_LABEL_MAX_CHARS), key: 'sb-done', style: 2 }],
    task_id: taskId,
  };
}

/**
 * The parts to send for one action, in order; an empty list means nothing to post.
 * `idempotencyKey` is the outbox row's key: it names the card's task.
 */
export function renderWecomAction(action: OutboundAction, idempotencyKey: string, opts: RenderOptions = {}): WecomPart[] {
  const style = opts.mentionStyle ?? 'name';
  switch (action.kind) {
    case 'text':
      return action.text.trim() ? [markdown(action.text, action.mentions, style)] : [];
    case 'card': {
      if (!fitsTemplateCard(action)) {
        if (!buttonsFit(action) || !action.title.trim()) return [markdown(renderCardText(action), action.mentions, style)];
        // Text longer than a card holds (the staff's dispatch request): the text as markdown, then
        // the card with the title and the buttons, so the buttons still work.
        return [
          markdown(`【${action.title.trim()}】\n${action.text.trim()}`, action.mentions, style),
          { kind: 'card', card: templateCard({ ...action, text: '' }, taskIdFor(idempotencyKey)) },
        ];
      }
      const parts: WecomPart[] = [];
      const line = mentionLine(action.mentions, style);
      if (line) parts.push({ kind: 'markdown', content: line });
      parts.push({ kind: 'card', card: templateCard(action, taskIdFor(idempotencyKey)) });
      return parts;
    }
    case 'card_update': {
      // Only a click opens the 5 s window to replace a card; outside it a choice already shows
      // in the chat, and a status change is told in one short line (as on WeChat).
      const first = action.text.trim().split('\n')[0] ?? '';
      const fallback: WecomPart | null = action.chosen ? null : { kind: 'markdown', content: clipChars(`【${action.title.trim()}】${first}`, 60) };
      return [{ kind: 'update', taskId: action.messageId, card: updatedCard(action, action.messageId), fallback }];
    }
    case 'image': {
      const parts: WecomPart[] = [];
      if (action.caption?.trim()) parts.push({ kind: 'markdown', content: clipBytes(action.caption.trim(), MARKDOWN_MAX_BYTES) });
      parts.push({ kind: 'image', png: Buffer.from(action.pngBase64, 'base64'), filename: 'chart.png' });
      return parts;
    }
  }
}
