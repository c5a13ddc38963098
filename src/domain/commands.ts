/**
 * Reading chat commands, tolerant of how people type: "接单", "接 #3", "到场
 * GD-20261124-0001", "已修复 #3 更换电源模块", "派单 #3 @张工", "#3 改为一级".
 * Pure: text in, command out. The commands themselves — their words, what
 * they take, who may give them — are the registry's (src/bot/commands/): this
 * module is the reading every command shares (full-width text, the ticket
 * reference anywhere, mentions apart), ratings, and button values.
 */
import type { FaultLevel } from './contract.js';

/** How a ticket is named: "#12" (its short reference) or its full number. */
export type TicketRef = { short: number } | { number: string };

/** How one command is read: the words that start it, and its arguments from the text after them (null: not this command after all). */
export interface CommandRule<A = unknown> {
  pattern: RegExp;
  args(rest: string, m: RegExpExecArray): A | null;
}

/** A level as people write it: 一 … 四 or 1 … 4. */
export const LEVEL_WORDS: Record<string, FaultLevel> = { 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

/**
 * Full-width digits, letters, "＃", "＠" and "－" to ASCII, so "＃３" reads as "#3".
 * Chinese punctuation (，：；！？（）) stays as typed: notes, answers and
 * investigation results are stored from this text.
 */
export function normalise(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF03\uFF20\uFF0D]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const REF_RE = /(?:#\s?(\d{1,9})|\b([A-Z]{1,8}-\d{8}-\d{4,6})\b|(?:工单|单号)\s?(\d{1,9})(?!\d))/i;

/** Finds a ticket reference anywhere in the text and returns it with the text around it. */
export function extractRef(text: string): { ref?: TicketRef; rest: string } {
  const m = REF_RE.exec(text);
  if (!m) return { rest: text.trim() };
  const rest = (text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)).replace(/\s+/g, ' ').trim();
  if (m[2]) return { ref: { number: m[2].toUpperCase() }, rest };
  return { ref: { short: Number(m[1] ?? m[3]) }, rest };
}

/** Drops "@name" tokens (mentions are passed separately). */
export function withoutMentions(text: string): string {
  return text.replace(/@\S+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The note after a command's words ("到场 #3 机房告警灯亮" → "机房告警灯亮"), without leading punctuation; undefined when empty. */
export function noteOf(s: string): string | undefined {
  const n = s.replace(/^[\s,，:：。.、]+/, '').trim();
  return n ? n : undefined;
}

const RATING_WORDS: Array<[RegExp, number]> = [
  [/^(非常满意|很满意)/, 5],
  [/^满意/, 5],
  [/^(基本满意|一般|还行)/, 3],
  [/^(很不满意|非常不满意)/, 1],
  [/^不满意/, 2],
];

/** A rating in words or numbers: "5分", "评分 4 态度很好", "满意", "不满意 拖了两天". */
export function parseRating(text: string): { score: number; comment?: string } | null {
  const t = normalise(text);
  // "3 号闸机坏了" is a report, not a 3 with a comment.
  const num = /^(?:评分|评价|打分)?\s*([1-5])\s*(?:分|星)?(?:$|\s+(?![号台个站楼层线路点只块张#]|[A-Z]{2,})(.*))/.exec(t) ?? /^(?:评分|评价|打分)\s*[:：]?\s*([1-5])\s*(?:分|星)?\s*(.*)$/.exec(t);
  if (num) {
    const comment = num[2]?.trim();
    return comment ? { score: Number(num[1]), comment } : { score: Number(num[1]) };
  }
  for (const [re, score] of RATING_WORDS) {
    const m = re.exec(t);
    if (m) {
      const comment = noteOf(t.slice(m[0].length));
      return comment ? { score, comment } : { score };
    }
  }
  return null;
}

/**
 * Reads a chat message with the rules in order: the first whose words start
 * the message (the ticket reference, anywhere, taken out) and that reads its
 * arguments wins. Words are anchored at the start so that chit-chat mentioning
 * one ("我在路上了，一会儿到场") is not taken for a command. null: no command.
 */
export function parseWith<R extends { readonly parse?: CommandRule | undefined }>(rules: readonly R[], raw: string): { rule: R; args: unknown; ref?: TicketRef } | null {
  const text = withoutMentions(normalise(raw));
  if (!text || text.length > 2000) return null;
  // A reference may sit between the keyword and the note ("已修复 #3 更换电源模块"),
  // so rules match on the text with the reference taken out.
  const { ref, rest } = extractRef(text);
  for (const rule of rules) {
    if (!rule.parse) continue;
    const m = rule.parse.pattern.exec(rest);
    if (!m) continue;
    const args = rule.parse.args(rest.slice(m.index + m[0].length), m);
    if (args) return ref ? { rule, args, ref } : { rule, args };
  }
  return null;
}

/** Button values: "<action>:<ticketId>[:<arg>]" — compact, under Feishu's value limits. The actions are the commands' (their `button`). */
export function buttonValue(action: string, ticketId: number, arg?: string | number): string {
  return arg === undefined ? `${action}:${ticketId}` : `${action}:${ticketId}:${arg}`;
}

export function parseButtonValue(value: string): { action: string; ticketId: number; arg?: string } | null {
  const m = /^([a-z]{1,16}):(\d{1,12})(?::([\w-]{1,32}))?$/.exec(value);
  if (!m) return null;
  return { action: m[1]!, ticketId: Number(m[2]), ...(m[3] !== undefined ? { arg: m[3] } : {}) };
}
