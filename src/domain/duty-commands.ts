/**
 * The chat commands of the planned duties, tolerant of how people type:
 *   巡检完成 #5 正常 · 巡检完成 #5 发现问题 1. 3号闸机读卡器无响应 2. 交换机风扇告警
 *   派巡检 #5 @张工 · 回访 #7 客户满意，希望增加巡检频次 · 派回访 #7 @客服小刘
 *   通告 全部 计划检修 12月5日 01:00-05:00 服务器 小寨站 系统升级
 *   收到故障件 #12 电源模块 · 送修 #12 · 维修费用 #12 1200元 周期10天
 *   修复返回 #12 · 已返还客户 #12 · 取消返修 #12 · 应急报告 #12 …
 *   取消通告 #3 · 结束维护 #3
 * Pure: text in, command out (time and the vocabularies are passed in). A
 * keyword with what follows malformed gives `usage` with an example, so the
 * bot can answer instead of taking the text for a report.
 *
 * None of these keywords begins an older command word (commands.ts), and the
 * older words do not begin these: the two parsers may run in either order
 * (test/unit/duty-commands.test.ts checks both ways).
 */
import { DateTime } from 'luxon';
import { extractRef, normalise, type TicketRef } from './commands.js';
import type { RepairAction } from './repair-return.js';
import type { NoticeKind, NoticeTarget } from './notice.js';

export type DutyCommand =
  | { type: 'inspection_done'; ref?: TicketRef; outcome: 'normal' | 'problems'; problems: string[]; note?: string }
  | { type: 'inspection_assign'; ref?: TicketRef }
  | { type: 'follow_up_done'; ref?: TicketRef; notes: string }
  | { type: 'follow_up_assign'; ref?: TicketRef }
  | {
      type: 'notice';
      target: NoticeTarget;
      kind: NoticeKind;
      /** The notice as written after the target (what the customers read). */
      text: string;
      /** Maintenance: the window's start and end. */
      window?: { start: Date; end: Date };
      systems: string[];
      allSystems: boolean;
      stations: string[];
    }
  | { type: 'repair'; ref?: TicketRef; action: RepairAction }
  | { type: 'emergency_report'; ref?: TicketRef; text: string }
  /** 取消通告 #3 (withdraw a notice, its window with it) · 结束维护 #3 (its window ends now). */
  | { type: 'notice_end'; ref: TicketRef; how: 'cancel' | 'end'; reason?: string };

export type DutyCommandType = DutyCommand['type'];

/** A known keyword with the rest malformed: answer with the example. */
export interface DutyUsage {
  type: 'usage';
  command: DutyCommandType;
  problem: string;
  example: string;
}

export const DUTY_EXAMPLES: Record<DutyCommandType, string> = {
  inspection_done: '巡检完成 #5 正常 / 巡检完成 #5 发现问题 3号闸机读卡器无响应；交换机风扇告警',
  inspection_assign: '派巡检 #5 @张工',
  follow_up_done: '回访 #7 客户对服务满意，希望增加巡检频次',
  follow_up_assign: '派回访 #7 @客服小刘',
  notice: '通告 全部 计划检修 12月5日 01:00-05:00 服务器 系统升级，期间暂停服务',
  repair: '收到故障件 #12 电源模块 / 送修 #12 / 维修费用 #12 1200元 周期10天 / 修复返回 #12 / 已返还客户 #12',
  emergency_report: '应急报告 #12 已启用备机恢复业务，原因为电源模块损坏，后续…',
  notice_end: '结束维护 #3 / 取消通告 #3',
};

/** A named thing and the words that name it (the lexicon's devices and sites). */
export interface VocabularyEntry {
  name: string;
  words: readonly string[];
}

export interface DutyParseOptions {
  /** Now and the contract's time zone: for dates written without a year, 今天, 明晚. */
  now: Date;
  timezone: string;
  /** Customer names, to read "通告 <客户> …". */
  customers?: readonly string[];
  /** Devices (systems) and stations, to read what a maintenance window covers. */
  systems?: readonly VocabularyEntry[];
  stations?: readonly VocabularyEntry[];
}

const noteOf = (s: string) => {
  const n = s.replace(/^[\s,，:：。.、]+/, '').trim();
  return n ? n : undefined;
};
const withoutMentions = (text: string) => text.replace(/@\S+/g, ' ').replace(/\s+/g, ' ').trim();
const opt = <T extends object>(ref: TicketRef | undefined, rest: T) => (ref ? { ...rest, ref } : rest);
const usage = (command: DutyCommandType, problem: string): DutyUsage => ({ type: 'usage', command, problem, example: DUTY_EXAMPLES[command] });

// ---------------------------------------------------------------------------
// 巡检完成

const PROBLEMS_RE = /(发现问题|发现异常|存在问题|有问题|问题如下|异常项|异常如下|异常[:：])\s*[:：]?/g;
/** "未发现问题", "没有问题", "无异常项": a marker said in the negative is not one. */
const NEGATED_RE = /(无|没|没有|未|未见|并无)$/;
const NORMAL_RE = /^(一切正常|全部正常|均正常|正常|无异常项|无异常|未见异常|未发现异常|未发现问题|良好)/;

/** "1. A 2. B", "A；B", lines: one problem each. */
export function splitProblems(text: string): string[] {
  return text
    .split(/[；;\n]+|(?:^|\s|[，,。])\(?\d{1,2}[.、)）](?!\d)\s*/)
    .map((s) => s.replace(/^[\s,，、:：。]+|[\s,，、。]+$/g, ''))
    .filter((s) => s.length > 0);
}

function inspectionDone(rest: string, ref: TicketRef | undefined): DutyCommand | DutyUsage {
  const body = rest.replace(/^[\s,，:：]+/, '');
  // A problem marker anywhere wins over "正常": "基本正常，发现问题：…" has problems.
  const p = [...body.matchAll(PROBLEMS_RE)].find((m) => !NEGATED_RE.test(body.slice(0, m.index).trimEnd()));
  if (p) {
    const problems = splitProblems(body.slice(p.index + p[0].length));
    if (!problems.length) return usage('inspection_done', '请写明发现的问题');
    // "基本正常，" before the problems says nothing more; anything else before them is a note.
    const before = noteOf(body.slice(0, p.index).replace(/^(基本|大体)/, '').replace(NORMAL_RE, '').replace(/[\s,，。;；、]+$/, ''));
    return opt(ref, { type: 'inspection_done' as const, outcome: 'problems' as const, problems, ...(before ? { note: before } : {}) });
  }
  const n = NORMAL_RE.exec(body);
  if (n) {
    const note = noteOf(body.slice(n[0].length));
    return opt(ref, { type: 'inspection_done' as const, outcome: 'normal' as const, problems: [], ...(note ? { note } : {}) });
  }
  return usage('inspection_done', '请注明「正常」或「发现问题 …」');
}

// ---------------------------------------------------------------------------
// 维修费用

/** "1200", "1,200.50", "1.2万", "免费" → fen; null when no amount. Integer arithmetic: no float rounding. */
export function parseAmountCents(text: string): number | null {
  if (/^\s*(免费|无费用|不收费|保修免费)/.test(text)) return 0;
  const m = AMOUNT_PARTS_RE.exec(text);
  if (!m) return null;
  const whole = Number(m[1]!.replace(/,/g, ''));
  const frac = (m[2] ?? '').padEnd(2, '0');
  let cents = whole * 100 + Number(frac || '0');
  if (m[3]?.startsWith('万')) cents *= 10_000;
  return Number.isSafeInteger(cents) ? cents : null;
}

const NUMBER_SRC = String.raw`(?:\d{1,3}(?:,\d{3})+|\d{1,9})(?:\.\d{1,2})?`;
/** An amount in its parts: whole (with thousands commas), fen, unit. */
const AMOUNT_PARTS_RE = /(?:¥|￥|RMB|人民币)?\s*(\d{1,3}(?:,\d{3})+|\d{1,9})(?:\.(\d{1,2}))?\s*(万元|万|元|块)?/i;
const AMOUNT_MARKED_RE = new RegExp(String.raw`(?:(?:¥|￥|RMB|人民币)\s*${NUMBER_SRC}\s*(?:万元|万|元|块)?|${NUMBER_SRC}\s*(?:万元|万|元|块))`, 'i');
const AMOUNT_BARE_RE = new RegExp(NUMBER_SRC);
const PERIOD_RE = /(?:维修|修复|返修)?(?:周期|工期|时间)\s*[:：]?\s*(?:约|预计)?\s*(\d{1,3})\s*个?\s*(天|日|周|星期)/;

function repairQuote(rest: string, ref: TicketRef | undefined): DutyCommand | DutyUsage {
  let body = rest;
  let periodDays: number | undefined;
  const p = PERIOD_RE.exec(body);
  if (p) {
    periodDays = Number(p[1]) * (p[2] === '周' || p[2] === '星期' ? 7 : 1);
    body = body.slice(0, p.index) + ' ' + body.slice(p.index + p[0].length);
  }
  const free = /(免费|无费用|不收费|保修免费)/.exec(body);
  // A number with a currency sign or unit is the amount ("更换2个电容 300元" costs 300); else the first number.
  const marked = AMOUNT_MARKED_RE.exec(body);
  const m = marked ?? AMOUNT_BARE_RE.exec(body);
  const amount = free ? { cents: 0, at: free.index, len: free[0].length } : m ? { cents: parseAmountCents(m[0]), at: m.index, len: m[0].length } : null;
  if (!amount || amount.cents === null) return usage('repair', '请写明维修费用金额（保修内免费可写「免费」或 0）');
  const note = noteOf((body.slice(0, amount.at) + ' ' + body.slice(amount.at + amount.len)).replace(/^\s*(费用|金额)\s*[:：]?/, '').replace(/\s+/g, ' '));
  return opt(ref, { type: 'repair' as const, action: { step: 'quoted' as const, costCents: amount.cents, ...(periodDays ? { periodDays } : {}), ...(note ? { note } : {}) } });
}

// ---------------------------------------------------------------------------
// 通告

const ALL_RE = /^(全部客户|所有客户|全体客户|全部|所有|全体)(?=$|\s)/;
const KIND_WORDS: Array<[RegExp, NoticeKind]> = [
  [/^(计划检修|停机割接|计划停机|检修通告|维护窗口|系统割接|割接|检修|维护)/, 'maintenance'],
  [/^(安全通告|安全公告|安全预警|安全漏洞|安全提示|安全)/, 'security'],
  [/^(产品更新|版本更新|软件升级|升级通知|产品通告|产品|升级)/, 'product'],
  [/^(通知|公告)/, 'general'],
];
const ALL_SYSTEMS_RE = /(全部系统|所有系统|全系统|全部设备|所有设备)/;

/** Words found in `text`, longest first, each place read once ("综合监控" is not also "监控"). */
export function findNames(text: string, vocabulary: readonly VocabularyEntry[]): string[] {
  const words = vocabulary
    .flatMap((e) => [e.name, ...e.words].map((w) => ({ w: w.toLowerCase(), name: e.name })))
    .filter((x) => x.w.length > 0)
    .sort((a, b) => b.w.length - a.w.length);
  let rest = text.toLowerCase();
  const first = new Map<string, number>();
  for (const { w, name } of words) {
    const i = rest.indexOf(w);
    if (i < 0) continue;
    rest = rest.split(w).join('\u0000'.repeat(w.length));
    first.set(name, Math.min(first.get(name) ?? Infinity, i));
  }
  // In the order the text names them.
  return [...first.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

function notice(rest: string, o: DutyParseOptions): DutyCommand | DutyUsage {
  let body = rest.replace(/^[\s,，:：]+/, '');
  let target: NoticeTarget = { here: true };
  const all = ALL_RE.exec(body);
  if (all) {
    target = { all: true };
    body = body.slice(all[0].length).trim();
  } else {
    const first = /^(?:客户\s*[:：]?\s*)?(\S+)/.exec(body);
    const names = o.customers ?? [];
    if (first) {
      const token = first[1]!;
      const exact = names.find((n) => n === token);
      const partial = names.filter((n) => token.length >= 2 && n.includes(token));
      const explicit = /^客户\s*[:：]?/.test(body);
      if (exact || partial.length >= 1 || explicit) {
        target = { customer: exact ?? (partial.length === 1 ? partial[0]! : token) };
        body = body.slice(first[0].length).trim();
      }
    }
  }
  let kind: NoticeKind = 'general';
  for (const [re, k] of KIND_WORDS) {
    const m = re.exec(body);
    if (m) {
      kind = k;
      body = body.slice(m[0].length).replace(/^[\s,，:：]+/, '');
      break;
    }
  }
  if (!body) return usage('notice', '请写明通告内容');
  const systems = findNames(body, o.systems ?? []);
  const stations = findNames(body, o.stations ?? []);
  const allSystems = ALL_SYSTEMS_RE.test(body);
  const base = { type: 'notice' as const, target, kind, text: body, systems, allSystems, stations };
  if (kind !== 'maintenance') return base;
  const w = parseWindow(body, o.now, o.timezone);
  if (!w) return usage('notice', '请写明检修的开始和结束时间，如「12月5日 01:00-05:00」');
  return { ...base, window: { start: w.start, end: w.end } };
}

// ---------------------------------------------------------------------------
// Time windows: "12月5日 01:00-05:00", "2026-12-05 23:00 至 次日 04:00", "今晚11点到明天凌晨3点"

const DATE_SRC = String.raw`(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号]?|\d{1,2}月\d{1,2}[日号]?|\d{1,2}/\d{1,2}|今天|今日|今晚|明天|明日|明晚|后天|次日|当日|当天)`;
const PERIOD_SRC = String.raw`(?:凌晨|早上|上午|中午|下午|傍晚|晚上|夜间|夜里)`;
const TIME_SRC = String.raw`\d{1,2}(?:[:：]\d{2}|点(?:半|\d{1,2}分?)?)`;
const POINT_SRC = String.raw`${DATE_SRC}?\s*${PERIOD_SRC}?\s*${TIME_SRC}`;
const RANGE_RE = new RegExp(String.raw`(${POINT_SRC})\s*(?:-|—|–|~|～|至|到)\s*(${POINT_SRC})`);
const POINT_RE = new RegExp(String.raw`^(${DATE_SRC})?\s*(${PERIOD_SRC})?\s*(\d{1,2})(?:[:：](\d{2})|点(?:(半)|(\d{1,2})分?)?)$`);

interface Point {
  date: DateTime | 'same' | 'next' | null;
  hour: number;
  minute: number;
  /** Said with a time of day (下午, 晚上, 凌晨…) or an evening date word (今晚). */
  period: 'am' | 'pm' | null;
}

function readPoint(s: string, now: DateTime): Point | null {
  const m = POINT_RE.exec(s.trim());
  if (!m) return null;
  const [, dateWord, period, h, mm, half, mFen] = m;
  let hour = Number(h);
  const minute = mm !== undefined ? Number(mm) : half ? 30 : mFen !== undefined ? Number(mFen) : 0;
  const evening = /下午|傍晚|晚上|夜间|夜里/.test(period ?? '') || /晚/.test(dateWord ?? '');
  if (evening && hour < 12) hour += 12;
  else if (period === '中午' && hour < 11) hour += 12;
  else if (period === '凌晨' && hour === 12) hour = 0;
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return null;
  let date: Point['date'] = null;
  if (dateWord) {
    if (dateWord === '次日') date = 'next';
    else if (dateWord === '当日' || dateWord === '当天') date = 'same';
    else date = readDate(dateWord, now);
    if (date === null) return null;
  }
  const said = evening || period === '中午' ? 'pm' : period ? 'am' : null;
  return { date, hour, minute, period: said };
}

function readDate(word: string, now: DateTime): DateTime | null {
  const today = now.startOf('day');
  if (/^(今天|今日|今晚)$/.test(word)) return today;
  if (/^(明天|明日|明晚)$/.test(word)) return today.plus({ days: 1 });
  if (word === '后天') return today.plus({ days: 2 });
  const full = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})/.exec(word);
  if (full) {
    const d = DateTime.fromObject({ year: Number(full[1]), month: Number(full[2]), day: Number(full[3]) }, { zone: now.zone });
    return d.isValid ? d : null;
  }
  const md = /^(\d{1,2})(?:月|\/)(\d{1,2})/.exec(word);
  if (!md) return null;
  // Without a year: this year's date, or next year's when this year's is well past (a December notice for January).
  let d = DateTime.fromObject({ year: today.year, month: Number(md[1]), day: Number(md[2]) }, { zone: now.zone });
  if (!d.isValid) return null;
  if (d < today.minus({ days: 31 })) d = d.plus({ years: 1 });
  return d;
}

/**
 * A time window written in the text, in the time zone: the first "start – end"
 * found. A start without a date is today; an end without a date is the start's
 * day, or the next day when it would not be after the start (23:00-04:00).
 */
export function parseWindow(text: string, now: Date, timezone: string): { start: Date; end: Date; matched: string } | null {
  const m = RANGE_RE.exec(text);
  if (!m) return null;
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const a = readPoint(m[1]!, local);
  const b = readPoint(m[2]!, local);
  if (!a || !b || a.date === 'same' || a.date === 'next') return null;
  // "下午2点至4点": an end said bare takes the start's afternoon.
  if (a.period === 'pm' && b.period === null && b.date === null && b.hour < 12 && b.hour + 12 > a.hour) b.hour += 12;
  const startDay = a.date ?? local.startOf('day');
  const at = (day: DateTime, p: Point) => day.startOf('day').plus({ hours: p.hour, minutes: p.minute });
  const start = at(startDay, a);
  let end: DateTime;
  if (b.date === 'next') end = at(startDay.plus({ days: 1 }), b);
  else if (b.date === 'same' || b.date === null) {
    end = at(startDay, b);
    if (b.date === null && end <= start) end = end.plus({ days: 1 });
  } else end = at(b.date, b);
  return { start: start.toJSDate(), end: end.toJSDate(), matched: m[0] };
}

// ---------------------------------------------------------------------------

type Rule = { re: RegExp; make: (rest: string, ref: TicketRef | undefined, o: DutyParseOptions) => DutyCommand | DutyUsage };

const RULES: Rule[] = [
  { re: /^(巡检完成|巡检已完成|完成巡检)/, make: (r, ref) => inspectionDone(r, ref) },
  { re: /^(派巡检|巡检派工)/, make: (_r, ref) => opt(ref, { type: 'inspection_assign' as const }) },
  {
    re: /^(回访记录|回访完成|回访)/,
    make: (r, ref) => {
      const notes = noteOf(r);
      return notes ? opt(ref, { type: 'follow_up_done' as const, notes }) : usage('follow_up_done', '请写明回访记录');
    },
  },
  { re: /^(派回访|回访派工)/, make: (_r, ref) => opt(ref, { type: 'follow_up_assign' as const }) },
  { re: /^(收到故障件|已收到故障件|收到坏件|故障件已收到|已收故障件)/, make: (r, ref) => opt(ref, { type: 'repair' as const, action: { step: 'received' as const, ...(noteOf(r) ? { part: noteOf(r)! } : {}) } }) },
  { re: /^(已送修|送修|已寄修|寄修|送厂维修)/, make: (r, ref) => opt(ref, { type: 'repair' as const, action: { step: 'sent' as const, ...(noteOf(r) ? { note: noteOf(r)! } : {}) } }) },
  { re: /^(维修费用|返修费用|维修报价|费用通告)/, make: (r, ref) => repairQuote(r, ref) },
  { re: /^(修复返回|维修完成返回|返修完成|修好返回)/, make: (r, ref) => opt(ref, { type: 'repair' as const, action: { step: 'repaired' as const, ...(noteOf(r) ? { note: noteOf(r)! } : {}) } }) },
  { re: /^(已返还客户|返还客户|已归还客户|已交还客户)/, make: (r, ref) => opt(ref, { type: 'repair' as const, action: { step: 'returned' as const, ...(noteOf(r) ? { note: noteOf(r)! } : {}) } }) },
  { re: /^(取消返修|返修撤销)/, make: (r, ref) => opt(ref, { type: 'repair' as const, action: { step: 'cancel' as const, ...(noteOf(r) ? { reason: noteOf(r)! } : {}) } }) },
  { re: /^(取消通告|撤回通告|撤销通告|取消检修|取消维护)/, make: (r, ref) => noticeEnd('cancel', r, ref) },
  { re: /^(结束维护|结束检修|提前结束检修|提前结束维护|维护已结束|检修已结束)/, make: (r, ref) => noticeEnd('end', r, ref) },
  {
    re: /^(应急响应报告|应急报告)/,
    make: (r, ref) => {
      const text = noteOf(r);
      return text ? opt(ref, { type: 'emergency_report' as const, text }) : usage('emergency_report', '请写明报告内容');
    },
  },
];

function noticeEnd(how: 'cancel' | 'end', rest: string, ref: TicketRef | undefined): DutyCommand | DutyUsage {
  if (!ref || !('short' in ref)) return usage('notice_end', '请带上通告编号');
  const reason = noteOf(rest);
  return { type: 'notice_end', ref, how, ...(reason ? { reason } : {}) };
}

const NOTICE_RE = /^(发布通告|发通告|通告)(?=$|\s|[:：])/;

/** Parses a chat message as a duty command; null when it is not one. */
export function parseDutyCommand(raw: string, o: DutyParseOptions): DutyCommand | DutyUsage | null {
  const text = normalise(raw);
  if (!text || text.length > 4000) return null;
  // A notice's text is kept as written (it may hold "#" or "工单3"): no reference is taken from it.
  const bare = withoutMentions(text);
  const n = NOTICE_RE.exec(bare);
  if (n) return notice(bare.slice(n[0].length), o);
  const { ref, rest } = extractRef(bare);
  for (const rule of RULES) {
    const m = rule.re.exec(rest);
    if (m) return rule.make(rest.slice(m[0].length), ref, o);
  }
  return null;
}
