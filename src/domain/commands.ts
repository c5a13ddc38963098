/**
 * Chat commands, tolerant of how people type: "接单", "接 #3", "到场 GD-20261124-0001",
 * "已修复 #3 更换电源模块", "派单 #3 @张工", "#3 改为一级". Pure: text in, command out.
 * Button values on cards use the compact form of parseButtonValue.
 */
import type { FaultLevel } from './contract.js';

/** How a ticket is named: "#12" (its short reference) or its full number. */
export type TicketRef = { short: number } | { number: string };

export type Command =
  | { type: 'acknowledge'; ref?: TicketRef }
  | { type: 'assign'; ref?: TicketRef }
  | { type: 'transfer'; ref?: TicketRef; note?: string }
  | { type: 'arrive'; ref?: TicketRef; note?: string }
  | { type: 'resolve'; ref?: TicketRef; note?: string }
  | { type: 'request_spare'; ref?: TicketRef; part?: string }
  | { type: 'replace_part'; ref?: TicketRef; part?: string; used: boolean }
  | { type: 'medium_retained'; ref?: TicketRef }
  | { type: 'detection_report'; ref?: TicketRef; text: string; cost?: string }
  | { type: 'set_level'; ref?: TicketRef; level: FaultLevel }
  | { type: 'cancel'; ref?: TicketRef; reason?: string }
  | { type: 'query'; ref?: TicketRef }
  | { type: 'my_tickets' }
  | { type: 'open_tickets' }
  | { type: 'confirm'; ref?: TicketRef }
  | { type: 'deny_fix'; ref?: TicketRef; note?: string }
  | { type: 'rate'; ref?: TicketRef; score: number; comment?: string }
  | { type: 'agree_fee'; ref?: TicketRef }
  | { type: 'waive_fee'; ref?: TicketRef }
  | { type: 'answer'; ref?: TicketRef; text: string }
  | { type: 'investigation'; ref?: TicketRef; text: string }
  | { type: 'correction'; ref?: TicketRef; text: string }
  | { type: 'other_engineer'; ref?: TicketRef }
  | { type: 'bind_customer'; name: string }
  | { type: 'set_role'; role: 'engineer' | 'manager' | 'desk' | 'vp' | 'customer' }
  | { type: 'help' };

export type CommandType = Command['type'];

const LEVEL_WORDS: Record<string, FaultLevel> = { 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

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
function withoutMentions(text: string): string {
  return text.replace(/@\S+/g, ' ').replace(/\s+/g, ' ').trim();
}

type Rule = { re: RegExp; make: (rest: string, ref: TicketRef | undefined, m: RegExpExecArray) => Command | null };

const opt = <T extends object>(ref: TicketRef | undefined, rest: T) => (ref ? { ...rest, ref } : rest);
const noteOf = (s: string) => {
  const n = s.replace(/^[\s,，:：。.、]+/, '').trim();
  return n ? n : undefined;
};

/**
 * Ordered rules: the first whose keyword starts the message wins. Keywords
 * are anchored at the start so that chit-chat mentioning a word ("我在路上了，
 * 一会儿到场") is not taken for a command.
 */
const RULES: Rule[] = [
  { re: /^(帮助|help|\?|？|命令)$/i, make: () => ({ type: 'help' }) },
  { re: /^(我的工单|我的单)$/, make: () => ({ type: 'my_tickets' }) },
  { re: /^(待处理|待办|未完成工单|未关闭工单)$/, make: () => ({ type: 'open_tickets' }) },
  { re: /^(查询|查看|查单)/, make: (_r, ref) => opt(ref, { type: 'query' as const }) },
  { re: /^(接单|接)(?=$|\s|#|[A-Z])/i, make: (_r, ref) => opt(ref, { type: 'acknowledge' as const }) },
  { re: /^派单/, make: (_r, ref) => opt(ref, { type: 'assign' as const }) },
  { re: /^(转派|转单|改派)/, make: (r, ref) => opt(ref, { type: 'transfer' as const, note: noteOf(withoutMentions(r)) }) },
  { re: /^(已到场|到场|到达现场|已到达)/, make: (r, ref) => opt(ref, { type: 'arrive' as const, note: noteOf(r) }) },
  { re: /^(已修复|修复完成|已解决|已处理完|处理完毕)/, make: (r, ref) => opt(ref, { type: 'resolve' as const, note: noteOf(r) }) },
  { re: /^申请备件/, make: (r, ref) => opt(ref, { type: 'request_spare' as const, part: noteOf(r) }) },
  {
    re: /^(已更换|更换备件|已换)/,
    make: (r, ref) => {
      const used = /(非新件|旧件|二手|翻新|同意使用)/.test(r);
      return opt(ref, { type: 'replace_part' as const, part: noteOf(r.replace(/[（(]?(客户同意使用)?(非新件|旧件|二手|翻新)[）)]?/g, '')), used });
    },
  },
  { re: /^(介质已留存|硬盘已留存|介质留存|磁盘已留存|已留存)/, make: (_r, ref) => opt(ref, { type: 'medium_retained' as const }) },
  {
    re: /^检测报告/,
    make: (r, ref) => {
      const cost = /[，,；;]?\s*(?:维修)?费用[:：]?\s*([\d,.]+\s*元?)/.exec(r);
      // The report's text without the cost, which is kept apart ("主板故障" + "1200元").
      const text = noteOf(cost ? r.slice(0, cost.index) + r.slice(cost.index + cost[0].length) : r) ?? (cost ? `维修费用 ${cost[1]!.replace(/\s/g, '')}` : undefined);
      if (!text) return null;
      return opt(ref, { type: 'detection_report' as const, text, ...(cost ? { cost: cost[1]!.replace(/\s/g, '') } : {}) });
    },
  },
  { re: /^(撤销|取消工单|撤单)/, make: (r, ref) => opt(ref, { type: 'cancel' as const, reason: noteOf(r) }) },
  { re: /^(确认修复|确认已修复|已修好了|确认)$/, make: (_r, ref) => opt(ref, { type: 'confirm' as const }) },
  { re: /^(还没好|没修好|未修好|还是不行|没好)/, make: (r, ref) => opt(ref, { type: 'deny_fix' as const, note: noteOf(r) }) },
  { re: /^同意收费/, make: (_r, ref) => opt(ref, { type: 'agree_fee' as const }) },
  { re: /^(免费处理|免收费用|免费)/, make: (_r, ref) => opt(ref, { type: 'waive_fee' as const }) },
  {
    re: /^(答复|回复咨询)/,
    make: (r, ref) => (noteOf(r) ? opt(ref, { type: 'answer' as const, text: noteOf(r)! }) : null),
  },
  {
    re: /^(调查结果|投诉处理结果|处理结果)/,
    make: (r, ref) => (noteOf(r) ? opt(ref, { type: 'investigation' as const, text: noteOf(r)! }) : null),
  },
  {
    re: /^(整改措施|整改情况|整改)/,
    make: (r, ref) => (noteOf(r) ? opt(ref, { type: 'correction' as const, text: noteOf(r)! }) : null),
  },
  { re: /^(更换工程师|换个工程师|要求更换工程师)/, make: (_r, ref) => opt(ref, { type: 'other_engineer' as const }) },
  { re: /^绑定客户/, make: (r) => (noteOf(r) ? { type: 'bind_customer', name: noteOf(r)! } : null) },
  {
    re: /^设为(工程师|经理|部门经理|客服|副总|主管副总|客户)/,
    make: (_r, _ref, m) => {
      const word = m[1]!;
      const role = word.includes('工程师') ? 'engineer' : word.includes('副总') ? 'vp' : word.includes('经理') ? 'manager' : word === '客服' ? 'desk' : 'customer';
      return { type: 'set_role', role };
    },
  },
];

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

/** Parses a chat message as a command; null when it is not one. */
export function parseCommand(raw: string): Command | null {
  const text = withoutMentions(normalise(raw));
  if (!text || text.length > 2000) return null;
  // "#3 改为一级" / "GD-… 改为2级": the reference comes first.
  const lvl = /改(?:为|成)\s*([一二三四1-4])\s*级/.exec(text);
  if (lvl) {
    const { ref } = extractRef(text);
    return opt(ref, { type: 'set_level' as const, level: LEVEL_WORDS[lvl[1]!]! });
  }
  const { ref, rest } = extractRef(text);
  // A reference may sit between the keyword and the note ("已修复 #3 更换电源模块"),
  // so rules match on the text with the reference taken out.
  for (const rule of RULES) {
    const m = rule.re.exec(rest);
    if (!m) continue;
    const cmd = rule.make(rest.slice(m[0].length), ref, m);
    if (cmd) return cmd;
  }
  return null;
}

/** Button values: "<action>:<ticketId>[:<arg>]" — compact, under Feishu's value limits. */
export type ButtonAction = 'ack' | 'arrive' | 'resolve' | 'level' | 'confirm' | 'deny' | 'rate' | 'fee';

export function buttonValue(action: ButtonAction, ticketId: number, arg?: string | number): string {
  return arg === undefined ? `${action}:${ticketId}` : `${action}:${ticketId}:${arg}`;
}

export function parseButtonValue(value: string): { action: ButtonAction; ticketId: number; arg?: string } | null {
  const m = /^(ack|arrive|resolve|level|confirm|deny|rate|fee):(\d{1,12})(?::([\w-]{1,32}))?$/.exec(value);
  if (!m) return null;
  return { action: m[1] as ButtonAction, ticketId: Number(m[2]), ...(m[3] !== undefined ? { arg: m[3] } : {}) };
}

/** Turns a button click into the command it stands for. */
export function commandFromButton(b: { action: ButtonAction; ticketId: number; arg?: string }): Command | null {
  const ref: TicketRef = { short: b.ticketId };
  switch (b.action) {
    case 'ack':
      return { type: 'acknowledge', ref };
    case 'arrive':
      return { type: 'arrive', ref };
    case 'resolve':
      return { type: 'resolve', ref };
    case 'confirm':
      return { type: 'confirm', ref };
    case 'deny':
      return { type: 'deny_fix', ref };
    case 'fee':
      return { type: 'agree_fee', ref };
    case 'level': {
      const level = Number(b.arg);
      return level >= 1 && level <= 4 ? { type: 'set_level', ref, level: level as FaultLevel } : null;
    }
    case 'rate': {
      const score = Number(b.arg);
      return score >= 1 && score <= 5 ? { type: 'rate', ref, score } : null;
    }
  }
}
