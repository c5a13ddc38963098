/**
 * Neutral OutboundAction → Feishu message payloads (msg_type + content string),
 * and ReceiveResult → card callback answer.
 *
 * PURE: no SDK import, no I/O.
 *
 * Size policy: Feishu refuses a text message over 150 KB and a card or rich
 * text (post) over 30 KB (error 230025). A reply the bot composed is better delivered shortened
 * than lost, so the free text (message text, card markdown) is cut to fit and
 * ends with TRUNCATION_NOTE. If the message still does not fit with the text
 * emptied (a huge title, hundreds of buttons or mentions), rendering throws
 * PermanentSendError with code 'content_too_long': retrying cannot help.
 */
import { PermanentSendError, type Button, type Mention, type OutboundAction, type ReceiveResult } from '../../core/channel.js';

/** Feishu's limits, less a margin for the rest of the request body. */
export const FEISHU_LIMITS = {
  textBytes: 150 * 1024 - 1024,
  cardBytes: 30 * 1024 - 512,
  /** Rich text (post) is limited like cards. */
  postBytes: 30 * 1024 - 512,
} as const;

export const TRUNCATION_NOTE = '\n…（内容过长，已截断）';

export type FeishuMsgType = 'text' | 'post' | 'interactive' | 'image';

/** What im.message.create / reply take besides the receiver: `content` is a JSON string. */
export interface FeishuMessage {
  msg_type: FeishuMsgType;
  content: string;
}

/** The value object put on every card button; InboundClick.value is read back from `value`. */
export interface FeishuButtonValue {
  value: string;
}

export function encodeButtonValue(value: string): FeishuButtonValue {
  return { value };
}

/** Bytes the content takes inside the JSON request body (it is sent as a JSON string). */
export function contentBytes(content: string): number {
  return Buffer.byteLength(JSON.stringify(content), 'utf8');
}

/**
 * Text written by people can reach a message the bot posts (a report quoted
 * back). `<at …>` in it would ping people for real, so it is defused with a
 * zero-width space; nothing else is changed.
 */
export function defuseMentions(s: string): string {
  return s.replace(/<(\/?)at/gi, '<\u200b$1at');
}

function cleanName(name: string): string {
  return name.replace(/[<>]/g, '');
}

function cleanId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '');
}

/**
 * Cut `text` (by code points, never inside a surrogate pair) to the longest
 * prefix for which `render(prefix + note)` fits in `limit` bytes.
 */
function fitText(text: string, limit: number, render: (t: string) => string): string {
  if (contentBytes(render(text)) <= limit) return render(text);
  const cps = Array.from(text);
  const empty = render(TRUNCATION_NOTE.trimStart());
  if (contentBytes(empty) > limit) {
    throw new PermanentSendError(
      `message too large for Feishu even without its text (${contentBytes(empty)} > ${limit} bytes)`,
      'content_too_long',
    );
  }
  let lo = 0;
  let hi = cps.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (contentBytes(render(cps.slice(0, mid).join('') + TRUNCATION_NOTE)) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return render(cps.slice(0, lo).join('') + TRUNCATION_NOTE);
}

// ---------------------------------------------------------------------------
// text

/** Real mentions in text messages: `<at user_id="ou_…">name</at>`, in front of the text. */
export function textMentions(mentions: Mention[] | undefined): string {
  if (!mentions || mentions.length === 0) return '';
  return (
    mentions
      .map((m) =>
        m.id === 'all' ? '<at user_id="all">所有人</at>' : `<at user_id="${cleanId(m.id)}">${cleanName(m.name)}</at>`,
      )
      .join(' ') + ' '
  );
}

export function renderText(text: string, mentions?: Mention[]): FeishuMessage {
  const prefix = textMentions(mentions);
  const content = fitText(defuseMentions(text), FEISHU_LIMITS.textBytes, (t) => JSON.stringify({ text: prefix + t }));
  return { msg_type: 'text', content };
}

// ---------------------------------------------------------------------------
// cards (message card JSON 1.0: header + markdown + action module)

const BUTTON_TYPE: Record<NonNullable<Button['style']>, string> = {
  primary: 'primary',
  default: 'default',
  danger: 'danger',
};

/** Mentions inside card markdown: `<at id=ou_…></at>`. */
function cardMentions(mentions: Mention[] | undefined): string {
  if (!mentions || mentions.length === 0) return '';
  return mentions.map((m) => (m.id === 'all' ? '<at id=all></at>' : `<at id=${cleanId(m.id)}></at>`)).join(' ') + ' ';
}

export interface CardInput {
  title: string;
  text: string;
  buttons: Button[];
  mentions?: Mention[];
}

export function cardJson(card: CardInput, markdown = cardMentions(card.mentions) + defuseMentions(card.text)): Record<string, unknown> {
  const elements: unknown[] = [{ tag: 'markdown', content: markdown }];
  if (card.buttons.length > 0) {
    elements.push({
      tag: 'action',
      actions: card.buttons.map((b) => ({
        tag: 'button',
        text: { tag: 'plain_text', content: b.label },
        type: BUTTON_TYPE[b.style ?? 'default'],
        value: encodeButtonValue(b.value),
      })),
    });
  }
  return {
    // update_multi: a shared card, so an update (PATCH or callback answer) shows for everyone.
    config: { wide_screen_mode: true, update_multi: true },
    header: { template: 'blue', title: { tag: 'plain_text', content: card.title } },
    elements,
  };
}

export function renderCard(card: CardInput): FeishuMessage {
  const prefix = cardMentions(card.mentions);
  const content = fitText(defuseMentions(card.text), FEISHU_LIMITS.cardBytes, (t) =>
    JSON.stringify(cardJson(card, prefix + t)),
  );
  return { msg_type: 'interactive', content };
}

/**
 * A card as a text message, for chats that refuse cards (230054): the title,
 * the text, and the buttons as numbered choices. The bot's questions already
 * take a bare number; other buttons name the command to write instead.
 */
export function renderCardAsText(card: CardInput): FeishuMessage {
  const choices = card.buttons.map((b, i) => (/^\d/.test(b.label) ? b.label : `${i + 1}. ${b.label}`));
  const body = [card.title ? `【${card.title}】` : '', card.text, choices.length ? `可选：\n${choices.join('\n')}\n（请回复选项）` : '']
    .filter((x) => x.trim())
    .join('\n');
  return renderText(body, card.mentions);
}

type CardUpdate = Extract<OutboundAction, { kind: 'card_update' }>;

/**
 * The card after a click: title and text kept, buttons gone, the choice shown.
 * An empty title or text (the bot may only know the choice) is left out rather
 * than rendered blank.
 */
export function cardUpdateJson(update: Pick<CardUpdate, 'title' | 'text' | 'chosen'>, text = update.text): Record<string, unknown> {
  const elements: unknown[] = [];
  if (text.trim()) elements.push({ tag: 'markdown', content: defuseMentions(text) });
  if (update.chosen !== undefined) {
    if (elements.length > 0) elements.push({ tag: 'hr' });
    elements.push({ tag: 'markdown', content: `✅ 已选择：**${defuseMentions(update.chosen)}**` });
  }
  if (elements.length === 0) elements.push({ tag: 'markdown', content: '✅ 已处理' });
  const card: Record<string, unknown> = { config: { wide_screen_mode: true, update_multi: true }, elements };
  if (update.title.trim()) {
    card['header'] = {
      template: update.chosen !== undefined ? 'green' : 'grey',
      title: { tag: 'plain_text', content: update.title },
    };
  }
  return card;
}

/** Body of PATCH /im/v1/messages/:id. */
export function renderCardUpdate(update: Pick<CardUpdate, 'title' | 'text' | 'chosen'>): { content: string } {
  return {
    content: fitText(update.text, FEISHU_LIMITS.cardBytes, (t) => JSON.stringify(cardUpdateJson(update, t))),
  };
}

// ---------------------------------------------------------------------------
// images

/** An image alone is an `image` message; with a caption, a `post` holding both. */
export function renderImage(imageKey: string, caption?: string): FeishuMessage {
  if (!caption) return { msg_type: 'image', content: JSON.stringify({ image_key: imageKey }) };
  const content = fitText(defuseMentions(caption), FEISHU_LIMITS.postBytes, (t) =>
    JSON.stringify({
      zh_cn: { title: '', content: [[{ tag: 'img', image_key: imageKey }], [{ tag: 'text', text: t }]] },
    }),
  );
  return { msg_type: 'post', content };
}

// ---------------------------------------------------------------------------
// card callback answer (card.action.trigger response body)

export interface FeishuCardCallbackAnswer {
  toast?: { type: 'info' | 'success' | 'error' | 'warning'; content: string };
  card?: { type: 'raw'; data: Record<string, unknown> };
}

/** ReceiveResult of a click → what Feishu shows the clicker (toast) and the card as it should look now. */
export function renderCardCallbackAnswer(result: ReceiveResult): FeishuCardCallbackAnswer {
  const answer: FeishuCardCallbackAnswer = {};
  if (result.toast) answer.toast = { type: 'info', content: result.toast };
  if (result.card) {
    try {
      answer.card = { type: 'raw', data: JSON.parse(renderCardUpdate(result.card).content) as Record<string, unknown> };
    } catch {
      // Too large even with its text cut: leave the card as it is rather than
      // failing the click.
    }
  }
  return answer;
}
