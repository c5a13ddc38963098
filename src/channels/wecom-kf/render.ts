/**
 * Neutral OutboundAction → kf/send_msg bodies (发送消息, developer.work.weixin.qq.com/document/path/94677).
 * PURE. Limits: text content at most 2048 bytes (longer text goes in several messages, each
 * counting against the window); msgmenu head/tail at most 1024 bytes, at most 10 click items,
 * item content at most 128 bytes, id at most 128 bytes ("建议只使用 a-z、A-Z、0-9、_").
 * A card becomes a menu whose click items carry the buttons' values (menuIdFor); a card that
 * does not fit is sent as the plain-text card with numbered choices. One-to-one: no mentions.
 */
import { createHash } from 'node:crypto';
import { renderCardText, type OutboundAction } from '../neutral.js';
import { clipBytes } from '../wecom/render.js';
import { menuIdFor } from './translate.js';

export const KF_TEXT_MAX_BYTES = 2048;
export const KF_MENU_MAX_ITEMS = 10;

export type KfPart =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'msgmenu'; msgmenu: { head_content?: string; list: Array<{ type: 'click'; click: { id: string; content: string } }>; tail_content?: string } }
  | { msgtype: 'image'; png: Buffer; filename: string };

/** The msgid of part `i` of an outbox row: stable, unique per account, ≤ 32 of [0-9a-f]. */
export function kfMsgId(idempotencyKey: string, part: number): string {
  return createHash('sha256').update(`${idempotencyKey}\u0000${part}`).digest('hex').slice(0, 32);
}

/** Splits text into pieces of at most `max` UTF-8 bytes, at line ends where it can. */
export function splitBytes(text: string, max = KF_TEXT_MAX_BYTES): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of text.split('\n')) {
    const add = cur ? `${cur}\n${line}` : line;
    if (Buffer.byteLength(add, 'utf8') <= max) {
      cur = add;
      continue;
    }
    if (cur) out.push(cur);
    cur = '';
    let rest = line;
    while (Buffer.byteLength(rest, 'utf8') > max) {
      let piece = '';
      for (const ch of rest) {
        if (Buffer.byteLength(piece + ch, 'utf8') > max) break;
        piece += ch;
      }
      out.push(piece);
      rest = rest.slice(piece.length);
    }
    cur = rest;
  }
  if (cur) out.push(cur);
  return out;
}

function text(content: string, maxParts = 3): KfPart[] {
  const pieces = splitBytes(content.trim());
  const kept = pieces.slice(0, maxParts);
  if (pieces.length > maxParts) kept[maxParts - 1] = clipBytes(kept[maxParts - 1]!, KF_TEXT_MAX_BYTES - 4);
  return kept.map((c) => ({ msgtype: 'text', text: { content: c } }));
}

export function menuFor(card: Extract<OutboundAction, { kind: 'card' }>): KfPart | null {
  if (card.buttons.length < 1 || card.buttons.length > KF_MENU_MAX_ITEMS) return null;
  const list: Array<{ type: 'click'; click: { id: string; content: string } }> = [];
  for (const b of card.buttons) {
    const menuId = menuIdFor(b.value);
    const label = b.label.trim();
    if (!menuId || !label || Buffer.byteLength(label, 'utf8') > 128) return null;
    list.push({ type: 'click', click: { id: menuId, content: label } });
  }
  const head = [card.title.trim() ? `【${card.title.trim()}】` : '', card.text.trim()].filter(Boolean).join('\n');
  if (Buffer.byteLength(head, 'utf8') > 1024) return null;
  return { msgtype: 'msgmenu', msgmenu: { ...(head ? { head_content: head } : {}), list } };
}

export function renderKfAction(action: OutboundAction): KfPart[] {
  switch (action.kind) {
    case 'text':
      return action.text.trim() ? text(action.text) : [];
    case 'card':
      return [menuFor(action) ?? text(renderCardText(action), 1)[0]!];
    case 'card_update': {
      // A menu cannot be changed once sent; a made choice already shows in the chat.
      if (action.chosen) return [];
      const first = action.text.trim().split('\n')[0] ?? '';
      return text(`【${action.title.trim()}】${first}`, 1);
    }
    case 'image': {
      const parts: KfPart[] = action.caption?.trim() ? text(action.caption, 1) : [];
      parts.push({ msgtype: 'image', png: Buffer.from(action.pngBase64, 'base64'), filename: 'chart.png' });
      return parts;
    }
  }
}
