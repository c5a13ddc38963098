/**
 * Report parser: one chat message (free, informal Simplified Chinese) to the
 * fields of a service request. Pure and deterministic: rules over a compiled
 * lexicon (config/lexicon.yaml), no model, no clock, no I/O.
 *
 * Every input is cut to `maxScanChars` before scanning and every pattern is
 * bounded, so any string is parsed in time linear in that cap.
 */
import {
  lowerAscii,
  type CompiledLexicon,
  type CueKind,
  type FaultLevel,
  type Hit,
  type ServiceGrade,
} from './lexicon.js';
import { hashFeature, ngramFeatures, ngramHashes, predictHashed, type ReaderModel } from './classifier.js';
import { findPhone, type PhoneMatch } from './phone.js';

export type ReportKind = 'fault' | 'consultation' | 'complaint' | 'other';

export interface ParsedReport {
  kind: ReportKind;
  /** Contract fault level, or null when the text does not settle it (the bot asks). */
  level: FaultLevel | null;
  /** The words that decided the level, as written (shown to engineers). */
  levelEvidence: string[];
  /** Contract service grade: from the level for faults, B for consultations. */
  grade: ServiceGrade | null;
  /** Canonical site, with the entrance and/or room appended: "小寨站 B口", "控制中心 机房". */
  site: string | null;
  /** Canonical device name from the lexicon. */
  device: string | null;
  /** How many devices the text says are affected, when it gives a number. */
  deviceCount?: number;
  /** The message as the customer described it, minus mentions, phone and contact. */
  symptom: string | null;
  contact: string | null;
  /** Mobile as 11 digits; landline as "029-87654321". */
  phone: string | null;
  /** When it started, as written: "今早7点半", "刚才". */
  startedAt: string | null;
  /** A fault on a device the lexicon marks as hardware (contract hardware clocks apply). */
  hardware: boolean;
  /**
   * What the bot would ask next, in order; empty when nothing. "is_fault"
   * (需要为此报修吗？) comes alone: the reader cannot tell whether this is a
   * report, and the other questions follow a "yes". Otherwise, for a fault:
   * "level" when the text does not settle it, "site" and "phone" when missing
   * (the bot drops "phone" when it already knows the reporter's).
   */
  asks: Ask[];
  /** A fault that also asks a separate question: a ticket and a consultation. */
  alsoConsultation: boolean;
  /** The device's own number, "3号闸机" → 3, "TVM05" → 5: the first of `deviceNumbers`. */
  deviceNumber: number | null;
  /** Every device number named ("12号 13号闸机" → [12, 13]), for linking duplicates. */
  deviceNumbers: number[];
  /**
   * "complete": a device and a symptom, a report by itself (never merged into
   * an earlier one); "fragment": part of one (a place, a device, a phone, or a
   * symptom without a device); "none": nothing of a report.
   */
  completeness: 'complete' | 'fragment' | 'none';
  /** The message was forwarded (its header was not read as the place). */
  forwarded: boolean;
}

export type Ask = 'is_fault' | 'level' | 'site' | 'phone';

/** What a single message carries, for merging a report split over several messages. */
export interface Fragment {
  site: string | null;
  device: string | null;
  phone: string | null;
  contact: string | null;
  /** The message describes a problem (a fault, or a complaint about one). */
  hasFaultSignal: boolean;
  /** It carries only details (site, device, phone, contact) and no problem: merge it, don't ticket it. */
  detailsOnly: boolean;
}

/** Normalised views of a message; all three strings have the same length and offsets. */
interface Prepared {
  /** NFKC, control characters and @mentions blanked, case kept: for output slices. */
  text: string;
  /** The text as typed (before NFKC), cut to the same length bound: what is shown back keeps its characters. */
  typed: string;
  /** `text` with ASCII lower-cased: for matching. */
  low: string;
  hits: Hit[];
  cues: Map<CueKind, Span[]>;
  /** A forward header was blanked ("转自票务中心群：", "[转发]", "---原始消息---"). */
  forwarded: boolean;
  /**
   * In a forwarded message, who speaks and who signs ("控制中心值班员：", "发件人：钟楼站",
   * "——票务中心"): a place there is where the message came from, read as the site only
   * when the body names none.
   */
  meta: Span[];
}

interface Span {
  start: number;
  end: number;
}

// --- Preparation ------------------------------------------------------------

// WeChat puts U+2005 after a mention; Feishu a plain space. A mention without a
// following space is left alone rather than guessing where the name ends.
const MENTION = /@[^\s@]{1,20}(?:[\s\u2005]|$)/gu;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200d\u2028\u2029\ufeff]/gu;

/**
 * Forward headers, blanked before reading: "转自票务中心群：", "转发自 小寨站值班群:",
 * "[转发]", "【转发】", "Fwd:", "---原始消息---", "以下为转发内容", "发件人：… " lines.
 * Bounded: every repeat has a small fixed limit.
 */
const FORWARD_HEADER =
  /(?:^|(?<=\n))\s{0,4}(?:\[转发?\]|【转发?】|#转发#|\[forward(?:ed)?\]|fwd?\s?[:：]|转发\s?[:：])|(?:转自|转发自|转发|转|来自|摘自)[^\n:：。!！?？]{0,24}?(?:群|中心|部门|科室|工班|调度|通知|消息|室)[^\n:：]{0,8}[:：]|-{2,}\s{0,2}(?:原始消息|转发消息|转发的消息|forwarded message)\s{0,2}-{2,}|以下(?:为|是)?转发(?:内容|消息)?[:：]?/giu;

function prepare(raw: string, lex: CompiledLexicon): Prepared {
  let text = typeof raw === 'string' ? raw : String(raw ?? '');
  // Cut before normalising: NFKC can grow a string, and the cap is what bounds the work.
  if (text.length > lex.maxScanChars) text = text.slice(0, lex.maxScanChars);
  const typed = text;
  text = text.normalize('NFKC');
  if (text.length > lex.maxScanChars * 2) text = text.slice(0, lex.maxScanChars * 2);
  text = text.replace(CONTROL, ' ').replace(MENTION, (m) => ' '.repeat(m.length));
  let forwarded = false;
  const headers: Span[] = [];
  // The header of a forwarded message names where it came from, not where the fault is.
  text = text.replace(FORWARD_HEADER, (m, at: number) => {
    forwarded = true;
    headers.push({ start: at, end: at + m.length });
    return ' '.repeat(m.length);
  });
  // A forward marker the header pattern does not blank ("转一下", "帮车站转发", "以下是调度群的消息").
  forwarded ||= FORWARD_MARK.test(text);
  const meta = forwarded ? metaSpans(text) : [];
  // "以下是OCC转来的消息：": what leads up to a header on its line belongs to it.
  for (const h of headers) {
    const ls = text.lastIndexOf('\n', h.start - 1) + 1;
    if (h.start - ls <= 16) meta.push({ start: ls, end: h.end });
  }
  const low = lowerAscii(text);
  const hits = lex.scan(low);
  const cues = new Map<CueKind, Span[]>();
  const push = (k: CueKind, s: Span): void => {
    const list = cues.get(k);
    if (list) list.push(s);
    else cues.set(k, [s]);
  };
  for (const h of hits) for (const t of h.tags) if (t.t === 'cue') push(t.cue, h);
  for (const [k, res] of lex.cuePatterns) {
    for (const re of res) {
      re.lastIndex = 0;
      for (let m = re.exec(low); m; m = re.exec(low)) {
        push(k, { start: m.index, end: m.index + m[0].length });
        if (m[0].length === 0) re.lastIndex++;
      }
    }
  }
  return { text, typed, low, hits, cues, forwarded, meta };
}

const FORWARD_MARK = /转自|转发|转一下|转给|转来|转过来|[(（]转[)）]|帮.{0,8}转|以下(?:是|为).{0,12}(?:消息|内容|通知)|群里(?:发|说)的|聊天记录|原始消息|【[^】\n]{1,16}群】/u;

/** A speaker label at a line's start: a role or a group, then a colon ("信息中心 王工：", "行调："). */
const SPEAKER =
  /(?:^|\n)[\s>》"“]{0,6}([^\n:：“”"]{1,16}?(?:值班员|值班站长|值班|调度|行调|电调|环调|中心|部|群|工班|分部|客服|站长|班长|热线|工|员|DCC|OCC|occ|dcc))\s?[:：]/gu;
/** "发件人：钟楼站 值班站长", "来自：何家营站" lines. */
const SENDER = /(?:^|\n)[\s>》]{0,6}(?:发件人|发送人|来自|from|发自)\s?[:：][^\n]{0,30}/giu;
/** A header line the forward pattern left: "以下是OCC转来的消息：", "调度群消息：". */
const HEADER_LINE = /(?:^|\n)[^\n:：]{0,30}?(?:转|消息|通知|群)[^\n:：]{0,12}[:：]/gu;
/** Who passed it on: "控制中心值班员反映", "调度来电" (a station reporting is the place: "接小寨站报"). */
const REPORTED_BY = /[^\s，。,:：、]{1,12}?(?:值班员|调度|行调|环调|电调|中心|部|工班|分部|客服|热线)(?:反映|反馈|来电|报告|称|说|通知|通报)/gu;
/** Where it came from, written without a colon: "转发控制中心的消息 …", "转自OCC …", "【控制中心调度群】". */
const SOURCE = /(?:转自|转发自|来自|摘自|转发|转)\s?[^\s\n:：，,。！!“"]{1,16}?(?:的消息|的通知|发的|群|(?=\s))|【[^】\n]{0,16}(?:群|中心|部|调度|值班)[^】\n]{0,6}】/gu;
/** A signature at the end of a line: "——票务中心", "-- 安保部". */
const SIGNATURE = /(?:——|--|—)\s?[^\n—-]{1,20}$/gmu;

function metaSpans(text: string): Span[] {
  const out: Span[] = [];
  for (const re of [SPEAKER, SENDER, SIGNATURE, HEADER_LINE, REPORTED_BY, SOURCE]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push({ start: m.index, end: m.index + m[0].length });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return out;
}

const has = (p: Prepared, k: CueKind): boolean => (p.cues.get(k)?.length ?? 0) > 0;
const words = (p: Prepared, k: CueKind): string[] => (p.cues.get(k) ?? []).map((s) => p.text.slice(s.start, s.end).trim());

// --- Site, device, contact, time ------------------------------------------------

const ENTRANCE = /(?<![a-z])([a-h])\s?(\d{1,2})?\s?号?\s?(?:出入口|出口|入口|口)/u;

/** Clause breaks: a room or entrance in another clause than the device is about something else. */
const CLAUSE_BREAK = /[，。,；;！!？?\n]|另外|还有|然后/u;

function findSite(p: Prepared, lex: CompiledLexicon): string | null {
  let sites: { name: string; kind: string; start: number; end: number }[] = [];
  for (const h of p.hits) for (const t of h.tags) if (t.t === 'site') sites.push({ name: t.name, kind: t.kind, start: h.start, end: h.end });
  if (sites.length === 0) {
    // "调度大厅1号调度台…": a room only one site has names that site.
    for (const h of p.hits) {
      for (const t of h.tags) {
        if (t.t !== 'room') continue;
        const home = lex.roomSite.get(t.name);
        if (home) return `${home} ${t.name}`;
      }
    }
    return null;
  }
  // A forwarded message's speaker or signature names where it came from: the body's place wins.
  if (p.meta.length > 0) {
    const body = sites.filter((x) => !p.meta.some((m) => x.start >= m.start && x.end <= m.end));
    if (body.length > 0) sites = body;
  }
  const stations = [...new Set(sites.filter((x) => x.kind === 'station').map((x) => x.name))];
  // Several stations and the whole line: the line. Several stations in a list or a range
  // ("小寨站、钟楼站", "三爻站至韦曲南站"): no one place.
  if (stations.length >= 2 && sites.some((x) => x.kind === 'line')) return sites.find((x) => x.kind === 'line')!.name;
  if (stations.length >= 2) {
    const st = sites.filter((x) => x.kind === 'station');
    for (let i = 1; i < st.length; i++) {
      const gap = p.text.slice(st[i - 1]!.end, st[i]!.start);
      if (st[i]!.name !== st[i - 1]!.name && /^\s{0,2}(?:[、,，和及与至到\-~—]|以及)\s{0,2}$/u.test(gap)) return null;
    }
  }
  const first = sites[0]!;
  const site = first.name;
  // A room or entrance is left out when it comes after the main device in a clause that
  // names another device ("钟楼站售票机卡币了，另外车控室打印机也…").
  const devs = deviceMentions(p);
  const dev = devs[0];
  const sameClauseBefore = (pos: number): boolean => {
    if (!dev || pos < dev.start) return true;
    let cs = pos;
    while (cs > 0 && !CLAUSE_BREAK.test(p.text[cs - 1]!)) cs--;
    let ce = pos;
    while (ce < p.text.length && !CLAUSE_BREAK.test(p.text[ce]!)) ce++;
    const other = devs.some((d) => d.start >= cs && d.start < ce && d.name !== dev.name);
    return !(other && cs > dev.start);
  };
  let room: string | null = null;
  let prev: Hit | undefined;
  for (const h of p.hits) {
    for (const t of h.tags) {
      if (t.t !== 'room') continue;
      // "所有设备房都进不去": every room of a kind is not a place; nor is "站厅所有的闸机" one spot.
      const quantified =
        (prev?.end === h.start && prev.tags.some((x) => x.t === 'cue' && x.cue === 'allScope')) || (t.kind === 'area' && ALL_AFTER.test(p.text.slice(h.end, h.end + 5)));
      // "站厅和站台的子钟": two areas are no one place.
      const joined = /^\s{0,2}(?:和|、|及|与|以及|跟)\s{0,2}$/u.test(p.text.slice(prev?.end ?? 0, h.start)) && prev?.tags.some((x) => x.t === 'room');
      if (joined) room = null;
      else if (room === null && !quantified && sameClauseBefore(h.start)) room = t.name;
    }
    prev = h;
  }
  // "三爻站台", "安远门站厅": the station's name runs into 站台 / 站厅.
  if (room === null && first.kind === 'station' && p.text.slice(first.start, first.end).endsWith('站')) {
    const next = p.text.slice(first.end, first.end + 1);
    if (next === '台') room = '站台';
    else if (next === '厅') room = '站厅';
  }
  ENTRANCE_ALL.lastIndex = 0;
  const entrances: { name: string; at: number }[] = [];
  for (let e = ENTRANCE_ALL.exec(p.low); e; e = ENTRANCE_ALL.exec(p.low)) {
    const n = e[2] && !/^\d+$/u.test(e[2]) ? String(parseCount(e[2]) ?? '') : (e[2] ?? '');
    entrances.push({ name: `${e[1]!.toUpperCase()}${n}口`, at: e.index });
  }
  ENTRANCE_EN.lastIndex = 0;
  for (let e = ENTRANCE_EN.exec(p.low); e; e = ENTRANCE_EN.exec(p.low)) {
    entrances.push({ name: `${(e[1] ?? e[3])!.toUpperCase()}${e[2] ?? e[4] ?? ''}口`, at: e.index });
  }
  entrances.sort((a, b) => a.at - b.at);
  const distinct = new Set(entrances.map((e) => e.name));
  // The entrance written right before the main device ("B口TVM全部离线，同时C口…") is its place;
  // two joined ("A口和B口所有的闸机") are no one place.
  const current = entrances;
  const joinedEntrances = /(?<![a-z])[a-h]\s?\d{0,2}\s?号?\s?(?:出入口|出口|入口|口)\s{0,2}(?:和|、|及|与|跟|以及)\s{0,2}[a-h]\s?\d{0,2}\s?号?\s?(?:出入口|出口|入口|口)/u.test(p.low);
  const before = dev && !joinedEntrances ? current.find((x) => x.at < dev.start && !CLAUSE_BREAK.test(p.text.slice(x.at, dev.start))) : undefined;
  const e = before ?? (distinct.size === 1 && !joinedEntrances ? current.find((x) => sameClauseBefore(x.at)) : undefined);
  // "站厅屏", "站台钟": the device word carries its area.
  if (room === null && dev) {
    const w = p.text.slice(dev.start, dev.end);
    if (w.startsWith('站厅')) room = '站厅';
    else if (w.startsWith('站台')) room = '站台';
  }
  return [site, e?.name ?? null, room].filter(Boolean).join(' ');
}

/** "exit D", "C exit", "entrance B2". */
const ENTRANCE_EN = /(?<![a-z])(?:exit|entrance)\s?([a-h])(\d{1,2})?(?![a-z])|(?<![a-z])([a-h])(\d{1,2})?\s?(?:exit|entrance)(?![a-z])/gu;

const ALL_AFTER = /^\s?的?\s?(?:所有|全部|每个|每台|各个)/u;

const ENTRANCE_ALL = /(?<![a-z])([a-h])\s?(\d{1,2}|[一二两三四五六七八九])?\s?号?\s?(?:出入口|出口|入口|口)/gu;

interface DeviceMention extends Span {
  name: string;
  rank: number;
}

function deviceMentions(p: Prepared): DeviceMention[] {
  const out: DeviceMention[] = [];
  for (const h of p.hits) {
    for (const t of h.tags) if (t.t === 'device') out.push({ start: h.start, end: h.end, name: t.name, rank: t.rank });
  }
  return out;
}

/**
 * The first device mentioned, where a run of adjacent device words ("AFC闸机",
 * "ISCS服务器", "BOM打印机") resolves to its head, the last word, unless the
 * head ranks lower (a generic word: "闸机网络" stays 闸机).
 */
function findDevice(p: Prepared, lex: CompiledLexicon): string | null {
  const d = headDevice(p);
  for (const r of lex.source.deviceRules) {
    if ((r.device === 'any' ? d !== null && !r.unless.includes(d) : r.device === d) && r.when.some((w) => p.low.includes(lowerAscii(w)))) return r.becomes;
  }
  return d;
}

function headDevice(p: Prepared): string | null {
  const ms = deviceMentions(p);
  const first = ms[0];
  if (!first) return null;
  let best = first;
  let prevEnd = first.end;
  for (let i = 1; i < ms.length; i++) {
    const m = ms[i]!;
    const gap = p.text.slice(prevEnd, m.start);
    // Only words written together (or joined by 的) form one noun; a space separates a list.
    if (!/^的?$/u.test(gap)) break;
    if (m.rank >= best.rank) best = m;
    prevEnd = m.end;
  }
  return best.name;
}

const CJK_NAME = '[\\u4e00-\\u9fff]{1,3}?(?:工|师傅|经理|老师|班长|站长)?';
const CONTACT_LABELLED = new RegExp(
  `(?:联系人|联系方式|报修人|报告人)\\s*[:：]?\\s*(${CJK_NAME})(?=电话|手机|座机|[\\s\\d+(:,。!]|$)`,
  'u',
);
const CONTACT_BEFORE_PHONE = new RegExp(`(?:联系我?|找)\\s*[:：]?\\s*(${CJK_NAME})\\s*(?:电话|手机|座机)?\\s*[:：]?\\s*$`, 'u');
const NOT_A_NAME = /^(?:电话|手机|座机|号码|方式|我|人|一下|下)$/u;

function findContact(p: Prepared, phone: PhoneMatch | null): string | null {
  const m = CONTACT_LABELLED.exec(p.text);
  if (m?.[1] && !NOT_A_NAME.test(m[1])) return m[1];
  if (phone) {
    const before = p.text.slice(Math.max(0, phone.start - 16), phone.start);
    const b = CONTACT_BEFORE_PHONE.exec(before);
    if (b?.[1] && !NOT_A_NAME.test(b[1])) return b[1];
  }
  return null;
}

const STARTED_AT =
  /(?:(?:今天|今早|今晚|昨天|昨晚|前天)?(?:早上|早晨|上午|中午|下午|傍晚|晚上|凌晨|夜里)?\s?\d{1,2}\s?(?:点|:)\s?(?:半|\d{1,2}\s?分?)?(?:左右|多)?)|刚才|刚刚|今早|今天早上|今天上午|今天下午|昨晚|昨天晚上|昨天|前天|早上|上午|下午|半夜|凌晨|夜里|一早/u;

function findStartedAt(text: string): string | null {
  const m = STARTED_AT.exec(text);
  if (!m) return null;
  const s = m[0].trim();
  return s.length > 0 ? s : null;
}

const PROGRESS_QUESTION = /(?:什么时候|几点|多久|啥时候|多长时间)(?:能|才能|可以)?(?:到|来|到场|过来|修好)|到哪了|到了吗|到场了吗|还要多久/u;
const OWN_COMPLAINT = /(?:我|我们)(?:要|想|必须|得)?投诉|投诉你们|要投诉|我要反映你们/u;
const REQUEST = /请.{0,6}(?:安排|派|处理|到场|过来|来人|检查|查一下|维修|修)|麻烦.{0,6}(?:派|来|看|处理|查)|(?<!不用|无需|不需要|别|不必)派人|尽快|速来|赶紧来|快来|立即到场/u;
const CLOCK_DRIFT = /慢了|快了|差了|不准|不同步|out of sync|偏差/u;
const CLOCK_STOPPED = /停|不走|不亮|黑|坏|没显示|不显示/u;
const TWO_INTENTS = /[，。,.;；!！\s](?:顺便|另外|还有|再|想)?\s?(?:问一?下|请问|想问|咨询一?下|想了解|想确认)/u;

// --- Kind ---------------------------------------------------------------------

/** Any sign that something is wrong (not counting alarm-only notes). */
function problemSignal(p: Prepared): boolean {
  return has(p, 'down') || has(p, 'systemDown') || has(p, 'degraded') || has(p, 'problem') || has(p, 'vague');
}

/** A symptom that says what fails (黑屏, 卡纸, 没声音), not only that something is wrong. */
function specificSymptom(p: Prepared): boolean {
  const vague = p.cues.get('vague') ?? [];
  const isVague = (s: Span): boolean => vague.some((v) => v.start <= s.start && v.end >= s.end);
  return (['down', 'problem', 'degraded'] as const).some((k) => (p.cues.get(k) ?? []).some((s) => !isVague(s)));
}

function classifyKind(p: Prepared, lex: CompiledLexicon): ReportKind {
  if (!/[\p{L}\p{N}]/u.test(p.text)) return 'other';
  const trimmed = p.low.trimStart();
  if (lex.commandPatterns.some((re) => re.test(trimmed))) return 'other';
  if (has(p, 'complaint')) return 'complaint';
  // Resolved or status words, unless the writer describes a symptom and asks for someone
  // ("…刷卡无反应，请安排工程师到场"): then it is a report.
  if (has(p, 'resolved') && !(specificSymptom(p) && REQUEST.test(p.text))) return 'other';
  // A notice that also reports a fault ("【通知】…另：B口有一台闸机…故障"), or a forwarded
  // report whose header says 通知, is still a report.
  if (has(p, 'notice') && !(specificSymptom(p) && (p.forwarded || /另[:：外]|顺便报|另外/u.test(p.text)))) return 'other';
  if (has(p, 'outOfScope') && deviceMentions(p).length === 0) return 'other';
  if (has(p, 'resolvedWeak') && !has(p, 'down') && !has(p, 'systemDown')) return 'other';
  // An explicit report marker ("报修", a "现象：" line): the writer says it is a report.
  if (has(p, 'report') && !has(p, 'consultStrong')) return 'fault';
  // A fault, then a separate question ("…麻烦派人。顺便问下…"): a fault that also asks.
  if ((has(p, 'consultStrong') || has(p, 'consult')) && specificSymptom(p) && deviceMentions(p).length > 0 && TWO_INTENTS.test(p.text)) return 'fault';
  if (has(p, 'consultStrong')) return 'consultation';
  const problem = problemSignal(p);
  if (has(p, 'consult') && !problem) return 'consultation';
  if (problem || has(p, 'alarm') || has(p, 'majorFunction') && has(p, 'down')) return 'fault';
  return 'other';
}

// --- Level ----------------------------------------------------------------------

interface LevelDecision {
  level: FaultLevel;
  evidence: string[];
}

const CN_NUM: Record<string, number> = { 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const COUNT = /(\d{1,3}|[一两二三四五六七八九十]{1,2})\s?(?:台|个|块|路|部)(?!站|车站)/gu;

function parseCount(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  if (s.length === 1) return CN_NUM[s] ?? null;
  if (s.startsWith('十')) return 10 + (CN_NUM[s[1]!] ?? 0);
  if (s.endsWith('十')) return (CN_NUM[s[0]!] ?? 0) * 10;
  // "四五台", "两三个": a rough range; the upper end decides whether it is "many".
  return CN_NUM[s[1]!] ?? null;
}

/** The largest device count the text gives ("10台闸机有6台" → 10), with its words. */
function deviceCount(p: Prepared): { n: number; word: string } | null {
  let best: { n: number; word: string } | null = null;
  COUNT.lastIndex = 0;
  for (let m = COUNT.exec(p.text); m; m = COUNT.exec(p.text)) {
    // "凤城五路站": a number inside a place name counts nothing.
    const at = m.index;
    if (p.hits.some((h) => h.start <= at && h.end > at && h.tags.some((t) => t.t === 'site'))) continue;
    const n = parseCount(m[1]!);
    if (n !== null && n > 0 && (!best || n > best.n)) best = { n, word: m[0] };
  }
  return best;
}

/** Clauses: informal chat separates them by spaces as often as by punctuation. */
function clauses(low: string): Span[] {
  const out: Span[] = [];
  const re = /[^\s,.!?;:，。！？；：、~]+/gu;
  for (let m = re.exec(low); m; m = re.exec(low)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

const within = (s: Span, c: Span): boolean => s.start >= c.start && s.end <= c.end;

/**
 * Level from the cues of a fault report, most specific rule first. Returns
 * null when the text does not say how far the fault reaches.
 *
 * `answer` relaxes the rules for a reply to the bot's level question, where
 * a scope alone ("就一台", "全部") is the answer.
 */
function decideLevel(p: Prepared, lex: CompiledLexicon, answer: boolean): LevelDecision | null {
  const w = (...ks: CueKind[]): string[] => ks.flatMap((k) => words(p, k));
  const down = has(p, 'down') || has(p, 'systemDown');
  const problem = problemSignal(p) || (answer && has(p, 'majorFunction'));
  const count = deviceCount(p);
  const many = has(p, 'manyScope') || (count !== null && count.n >= lex.source.manyDevicesFrom);
  const few = has(p, 'fewScope') || (count !== null && count.n < lex.source.manyDevicesFrom);
  const located = locatedDevice(p);
  const all = has(p, 'allScope') || (has(p, 'allWeak') && !few && !many && !located);
  const specific = specificSymptom(p);

  // An alarm or hidden danger with no effect on operation yet (contract level 4). A reassurance
  // beside a real symptom ("画面花了，其他都正常") does not make it one: that is level 3.
  // A clock a few minutes off (not stopped, not dark) is an event, not a failure.
  if (findDevice(p, lex) === '时钟' && CLOCK_DRIFT.test(p.low) && !CLOCK_STOPPED.test(p.low) && !all && !many) {
    return { level: 4, evidence: [CLOCK_DRIFT.exec(p.text)?.[0] ?? ''] };
  }
  if (has(p, 'noEffect') && !has(p, 'systemDown') && !all && has(p, 'alarm')) {
    return { level: 4, evidence: w('noEffect', 'alarm') };
  }

  // "宕机" of one terminal (a workstation, a gate) is that device down, not the system.
  if (has(p, 'systemDown') && !(terminalDevice(p, lex) && !all && !many)) {
    if (has(p, 'partial')) return { level: 2, evidence: w('systemDown', 'partial') };
    return { level: 1, evidence: w('systemDown', 'allScope') };
  }
  if (all && (down || answer)) {
    const ev = w('allScope', 'allWeak', 'down');
    // Everything at one entrance is many devices, not the station: passengers use another entrance.
    if (entranceScoped(p) || / [A-H]\d*口/u.test(findSite(p, lex) ?? '')) return { level: 2, evidence: [...ev, entranceWord(p)] };
    // Some functions still work, or what fails is one major function: the system runs (level 2).
    if (has(p, 'partial') || has(p, 'noEffect') || has(p, 'majorFunction')) {
      return { level: 2, evidence: [...w('allScope', 'allWeak'), ...w('partial', 'noEffect', 'majorFunction')] };
    }
    return { level: 1, evidence: ev };
  }
  if (all && has(p, 'degraded')) return { level: 2, evidence: w('allScope', 'allWeak', 'degraded') };
  if (many && (problem || answer)) return { level: 2, evidence: [...w('manyScope'), ...(count && count.n >= lex.source.manyDevicesFrom ? [count.word] : []), ...w('down', 'degraded', 'problem')] };
  if (has(p, 'majorFunction') && (problem || answer) && (answer || !terminalDevice(p, lex))) {
    return { level: 2, evidence: w('majorFunction', 'down') };
  }
  if (has(p, 'alarm') && !down && !has(p, 'degraded')) return { level: 4, evidence: w('alarm', 'noEffect') };
  if ((few || located) && (problem || answer)) {
    const ev = w('fewScope');
    if (count && ev.length === 0) ev.push(count.word);
    if (ev.length === 0 && located) ev.push(located);
    return { level: 3, evidence: [...ev, ...w('down', 'problem')] };
  }
  if (has(p, 'partial') && (problem || answer) && !terminalDevice(p, lex)) return { level: 2, evidence: w('partial', 'down') };
  if (has(p, 'degraded') && systemDevice(p)) return { level: 2, evidence: w('degraded') };
  if (answer && has(p, 'degraded')) return { level: 2, evidence: w('degraded') };
  if (answer && has(p, 'alarm')) return { level: 4, evidence: w('alarm') };
  // One concrete device with a concrete symptom ("打印机不出纸", "站厅屏花了"): one device is
  // abnormal (level 3). A vague word ("闸机出毛病了") or a whole system leaves it open.
  if (!answer && specific && concreteDevice(p)) return { level: 3, evidence: w('down', 'problem', 'degraded').filter((x) => x.length > 0) };
  return null;
}

/** An entrance qualifies an all-scope word in the same clause: "A口闸机全部不能进". */
function entranceScoped(p: Prepared): boolean {
  const re = /(?<![a-z])[a-h]\s?\d{0,2}\s?号?\s?(?:出入口|出口|入口|口)/gu;
  const cl = clauses(p.low);
  for (let m = re.exec(p.low); m; m = re.exec(p.low)) {
    const c = cl.find((x) => m!.index >= x.start && m!.index < x.end);
    if (!c) continue;
    const all = [...(p.cues.get('allScope') ?? []), ...(p.cues.get('allWeak') ?? [])];
    if (all.some((s) => within(s, c) && s.start > m!.index)) return true;
  }
  return false;
}

function entranceWord(p: Prepared): string {
  const e = ENTRANCE.exec(p.text.replace(/[A-H]/g, (c) => c.toLowerCase()));
  return e ? p.text.slice(e.index, e.index + e[0].length) : '';
}

/** A device named by its entrance or room ("B口的摄像头", "车控室打印机") is one identified device. */
function locatedDevice(p: Prepared): string | null {
  const devices = deviceMentions(p);
  if (devices.length === 0) return null;
  for (const h of p.hits) {
    if (h.tags.some((t) => t.t === 'room' && t.kind === 'room')) return p.text.slice(h.start, h.end);
  }
  const e = ENTRANCE.exec(p.low);
  if (e) return p.text.slice(e.index, e.index + e[0].length);
  return null;
}

/** Devices that stand for a system or serve many: their failure reaches beyond themselves. */
const SHARED_DEVICES = new Set(['服务器', '存储', '交换机', '防火墙']);

/** The main device is one terminal (a gate, a printer, a workstation), not a system or a shared device. */
function terminalDevice(p: Prepared, lex: CompiledLexicon): boolean {
  const d = findDevice(p, lex);
  if (d === null) return false;
  const m = deviceMentions(p).find((x) => x.name === d);
  return m !== undefined && m.rank >= 2 && !SHARED_DEVICES.has(d);
}

/** The device named is a piece of equipment (a gate, a printer), not a system or a network. */
function concreteDevice(p: Prepared): boolean {
  const d = deviceMentions(p)[0];
  return d !== undefined && d.rank >= 2;
}

/** A degraded system (slow ISCS, slow servers) is a major function not working normally. */
function systemDevice(p: Prepared): boolean {
  return deviceMentions(p).some((d) => d.rank <= 1 || d.name === '服务器' || d.name === '存储');
}

// --- Symptom ------------------------------------------------------------------

/**
 * `p.text` with the characters as the customer typed them (full-width punctuation and digits kept:
 * NFKC turns "，" into ","), where NFKC moved no character; else `p.text`. The blanks of
 * prepare() (control characters, @mentions, forward headers) stay blank.
 */
function asTyped(p: Prepared): string {
  const { typed, text } = p;
  if (typed.length !== text.length) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const a = typed[i]!;
    const b = text[i]!;
    if (b === ' ') out += ' '; // blanked by prepare(), or a space NFKC made of a wide one
    else if (a === b || a.normalize('NFKC') === b) out += a;
    else return text;
  }
  return out;
}

/** Separators left where a phone or a contact label was cut from the end ("没反应，电话…" → "没反应"). */
const TRAILING_SEPARATORS = /[\s,，;；、:：]+$/u;

function findSymptom(p: Prepared, phone: PhoneMatch | null, contact: string | null): string | null {
  let t = asTyped(p);
  if (phone) t = t.slice(0, phone.start) + ' ' + t.slice(phone.end);
  const labelled = /(?:现象|故障|问题|情况)\s*[:：]\s*([^\n]{1,120})/u.exec(t);
  if (labelled?.[1]) t = labelled[1];
  t = t
    .replace(/【[^】]{0,12}】/gu, ' ')
    .replace(/(?:联系人|联系方式|联系我|联系|电话|手机|座机)\s*[:：]?/gu, ' ');
  if (contact) t = t.replace(contact, ' ');
  t = t.replace(/\s+/gu, ' ').replace(TRAILING_SEPARATORS, '').trim();
  if (t.length > 120) t = t.slice(0, 120) + '…';
  return t.length > 0 ? t : null;
}

// --- Reading: rules, model, questions ---------------------------------------------

/** Which reader decides kind and level; entities and evidence always come from the rules. */
export type ReaderMode = 'rules' | 'model' | 'combined';

export interface ParseOptions {
  /** Default: "combined" when the lexicon carries a model, else "rules". */
  mode?: ReaderMode;
  /** A model to use instead of the lexicon's (the evaluation compares several). */
  model?: ReaderModel | null;
}

/** The rules' findings as features for the combined model. */
function ruleFeatures(p: Prepared, lex: CompiledLexicon, kind: ReportKind, level: FaultLevel | null, device: string | null, site: string | null, phone: boolean): string[] {
  const f = [`R:kind=${kind}`, `R:level=${kind === 'fault' ? String(level) : '-'}`];
  for (const [k, spans] of p.cues) if (spans.length > 0) f.push(`R:cue=${k}`);
  if (device) f.push('R:dev', `R:dev=${device}`);
  if (site) f.push('R:site');
  if (phone) f.push('R:phone');
  if (p.forwarded) f.push('R:fwd');
  if (/[?？]/u.test(p.text)) f.push('R:q');
  if (p.hits.some((h) => h.fuzzy)) f.push('R:fuzzy');
  const count = deviceCount(p);
  if (count) f.push(count.n >= 5 ? 'R:count>=5' : 'R:count<5');
  if (deviceNumbers(p).length > 0) f.push('R:num');
  if (FORM_MARKER.test(p.text)) f.push('R:form');
  // Feature-only cues: the service's people or paperwork, dissatisfaction, passengers affected.
  const fc = lex.featureCues(p.low);
  for (const k of fc) f.push(`R:cue=${k}`);
  if (fc.includes('serviceActor') && fc.includes('dissatisfied')) f.push('R:svc+dis');
  if (fc.includes('dissatisfied') && !specificSymptom(p)) f.push('R:dis-nosym');
  // Scope: how many stations are named, and whether a device count comes with them.
  const stations = new Set<string>();
  for (const h of p.hits) for (const t of h.tags) if (t.t === 'site' && t.kind === 'station') stations.add(t.name);
  if (stations.size >= 2) f.push('R:stations>=2');
  if (has(p, 'allScope') && has(p, 'partial')) f.push('R:all+partial');
  if (has(p, 'allScope') && has(p, 'noEffect')) f.push('R:all+noeffect');
  if (has(p, 'alarm') && has(p, 'noEffect')) f.push('R:alarm+noeffect');
  if (fc.includes('impact') && (has(p, 'allScope') || has(p, 'manyScope'))) f.push('R:impact+wide');
  const n = p.text.trim().length;
  f.push(n < 10 ? 'R:len<10' : n < 30 ? 'R:len<30' : n < 80 ? 'R:len<80' : 'R:len>=80');
  return f;
}

/** A report form or an explicit report marker: 报修 / 报障 / 故障报告, or 地点：/设备：/现象： lines. */
const FORM_MARKER = /报修|报障|故障报告|故障上报|(?:现象|故障现象|故障描述|设备|地点|位置)\s?[:：]/u;

/** The words that support a level, for engineers: the cue categories that rule reads. */
function evidenceFor(p: Prepared, level: FaultLevel, lex: CompiledLexicon): string[] {
  const w = (...ks: CueKind[]): string[] => ks.flatMap((k) => words(p, k));
  switch (level) {
    case 1:
      return w('systemDown', 'allScope', 'allWeak', 'down');
    case 2: {
      const count = deviceCount(p);
      return [...w('manyScope', 'partial', 'majorFunction', 'degraded', 'allScope'), ...(count && count.n >= lex.source.manyDevicesFrom ? [count.word] : [])];
    }
    case 3: {
      const ev = w('fewScope');
      const count = deviceCount(p);
      if (count && ev.length === 0) ev.push(count.word);
      const located = locatedDevice(p);
      if (ev.length === 0 && located) ev.push(located);
      return [...ev, ...w('down', 'problem')];
    }
    case 4:
      return w('noEffect', 'alarm');
  }
}

const argmax = (xs: readonly number[]): number => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);

/** Numbers that name one device: "3号闸机" → 3, "TVM05" → 5, "第2台" → 2. */
const DEVICE_NUMBER =
  /(?:(\d{1,3}|[一二两三四五六七八九十]{1,3})\s?号(?!线|站|口|出口|入口|楼|下午|上午|晚|早|凌晨))|(?:(?<![a-z])(?:tvm|bom|agm|tcm|ups|nvr|pis|cctv)\s?-?\s?(\d{1,3})(?!\d))|(?:第\s?(\d{1,2}|[一二两三四五六七八九十]{1,3})\s?[台个路部块])/gu;

function deviceNumbers(p: Prepared): number[] {
  const out: number[] = [];
  DEVICE_NUMBER.lastIndex = 0;
  for (let m = DEVICE_NUMBER.exec(p.low); m && out.length < 10; m = DEVICE_NUMBER.exec(p.low)) {
    const raw = m[1] ?? m[2] ?? m[3]!;
    const n = /^\d+$/u.test(raw) ? Number(raw) : parseCount(raw);
    if (n !== null && n > 0 && !out.includes(n)) out.push(n);
  }
  return out;
}

/** A question asked beside a fault: "…顺便问下这个在不在合同范围", "另外UPS电池保修吗". */
function asksQuestionToo(p: Prepared): boolean {
  if (has(p, 'consultStrong') || has(p, 'consult')) return true;
  return /(?:顺便|另外|还有|再问|问下|问一下).{0,30}(?:吗|么|呢|[?？])/u.test(p.text);
}

/** Hedged reports that a careful desk would ask about: "好像有点问题 现在又好了?". */
const HEDGE = /好像|似乎|是不是|不知道是不是|感觉|可能|貌似|偶尔|有时候/u;

/** Parse one chat message into the fields of a service request. Never throws. */
export function parseReport(text: string, lex: CompiledLexicon, opts: ParseOptions = {}): ParsedReport {
  const p = prepare(text, lex);
  const phoneM = findPhone(p.text, lex.source.areaCode);
  const contact = findContact(p, phoneM);
  const device = findDevice(p, lex);
  const site = findSite(p, lex);
  const rulesKind = classifyKind(p, lex);
  const decision = rulesKind === 'fault' ? decideLevel(p, lex, false) : null;
  let kind = rulesKind;
  let level: FaultLevel | null = decision?.level ?? null;
  let evidence = decision ? decision.evidence : [];
  let pFault: number | null = null;

  const model = opts.model === undefined ? lex.model : opts.model;
  const mode: ReaderMode = opts.mode ?? (model ? 'combined' : 'rules');
  if (mode !== 'rules' && model) {
    const feats = ngramHashes(p.text);
    if (mode === 'combined' || model.features === 'ngram+rules') {
      for (const f of ruleFeatures(p, lex, rulesKind, level, device, site, phoneM !== null)) feats.add(hashFeature(f));
    }
    const kp = predictHashed(model.kind, feats);
    pFault = kp[model.kind.classes.indexOf('fault')] ?? 0;
    kind = model.kind.classes[argmax(kp)] as ReportKind;
    // "工程师什么时候到场啊": a question about progress, which the bot answers with the ticket's
    // status; a complaint only when the rules see one too.
    if (mode === 'combined' && kind === 'complaint' && rulesKind !== 'complaint' && PROGRESS_QUESTION.test(p.text)) kind = rulesKind;
    // "我要投诉": the writer says it in so many words.
    if (mode === 'combined' && rulesKind === 'complaint' && OWN_COMPLAINT.test(p.text)) kind = 'complaint';
    // The rules' explicit "not a report" (resolved, planned work) stands against a model's fault:
    // the writer said so in words the model may not weigh; the is_fault question below remains.
    if (kind === 'fault' && rulesKind === 'other' && (has(p, 'resolved') || has(p, 'notice'))) kind = 'other';
    if (kind === 'fault') {
      const lp = predictHashed(model.level, feats);
      const best = argmax(lp);
      const l = model.level.classes[best]!;
      const sure = lp[best]!;
      level = l === 'null' ? null : (Number(l) as FaultLevel);
      // The model unsure: the rules' level, where they read one (their evidence is the customer's
      // own words); else, below levelMinProb, the level is asked rather than guessed.
      if (mode === 'combined' && decision && level !== decision.level && sure < model.rulesBelowProb) {
        // Both readers unsure of each other's level: ask rather than give a wrong one.
        const forRules = lp[model.level.classes.indexOf(String(decision.level))] ?? 0;
        level = forRules >= model.disagreeAskProb ? decision.level : null;
      }
      else if (!(mode === 'combined' && decision) && level !== null && sure < model.levelMinProb) level = null;
      // Whichever reader gave it, a level the model scarcely believes is asked: a wrong level sets the
      // wrong contract clock, while one question costs the customer a tap.
      if (mode === 'combined' && level !== null && (lp[model.level.classes.indexOf(String(level))] ?? 0) < model.levelAskProb) level = null;
      // The model torn between two levels, or the rules and the model two levels or more apart
      // (one reads a whole system down, the other one device): neither is trusted, the level is asked.
      if (mode === 'combined' && level !== null && model.levelMarginAsk > 0) {
        const sorted = [...lp].sort((a, b) => b - a);
        if (sorted[0]! - (sorted[1] ?? 0) < model.levelMarginAsk) level = null;
      }
      if (mode === 'combined' && level !== null && model.farDisagreeAsk && decision && l !== 'null' && Math.abs(Number(l) - decision.level) >= 2) level = null;
      evidence = level === null ? [] : level === decision?.level ? decision.evidence : evidenceFor(p, level, lex);
    } else {
      level = null;
      evidence = [];
    }
  }

  // Never drop a possible fault in silence: when the readers disagree, or the
  // writer hedges, the bot asks 需要为此报修吗 instead of guessing either way.
  const byModel = mode === 'model' && model !== null;
  const possible = byModel
    ? pFault !== null && pFault >= model.faultAskProb
    : rulesKind === 'fault' || (pFault !== null && model !== null && pFault >= model.faultAskProb) || (hasFaultSignalIn(p) && (device !== null || FORM_MARKER.test(p.text)));
  const unsure = byModel
    ? kind !== 'fault' && possible
    : (kind !== 'fault' && (kind === 'other' || kind === 'consultation') && possible && !has(p, 'resolved') && !(has(p, 'notice') && !specificSymptom(p))) ||
    (kind === 'fault' && HEDGE.test(p.text) && has(p, 'resolvedWeak'));

  const grade: ServiceGrade | null =
    kind === 'consultation' ? lex.source.grades.consultation : kind === 'fault' && level !== null ? lex.source.grades.byLevel[level] : null;
  const count = deviceCount(p);
  const numbers = deviceNumbers(p);
  const problem = hasFaultSignalIn(p);
  const asks: Ask[] = [];
  if (unsure) asks.push('is_fault');
  else if (kind === 'fault') {
    if (level === null) asks.push('level');
    if (site === null) asks.push('site');
    if (phoneM === null) asks.push('phone');
  }
  const report: ParsedReport = {
    kind,
    level: kind === 'fault' ? level : null,
    levelEvidence: kind === 'fault' && level !== null ? unique(evidence) : [],
    grade,
    site,
    device,
    symptom: kind === 'other' && !unsure ? null : findSymptom(p, phoneM, contact),
    contact,
    phone: phoneM?.phone ?? null,
    startedAt: kind === 'fault' || kind === 'complaint' || unsure ? findStartedAt(p.text) : null,
    hardware: kind === 'fault' && device !== null && lex.hardware.has(device),
    asks,
    alsoConsultation: kind === 'fault' && asksQuestionToo(p),
    deviceNumber: numbers[0] ?? null,
    deviceNumbers: numbers,
    completeness: device !== null && problem ? 'complete' : problem || site || device || phoneM || contact ? 'fragment' : 'none',
    forwarded: p.forwarded,
  };
  if (count && device) report.deviceCount = count.n;
  return report;
}

/** The features the learned reader sees for a message (training and prediction use the same). */
export function readerFeatures(text: string, lex: CompiledLexicon, features: ReaderModel['features']): string[] {
  const p = prepare(text, lex);
  const feats = ngramFeatures(p.text);
  if (features === 'ngram+rules') {
    const kind = classifyKind(p, lex);
    const level = kind === 'fault' ? (decideLevel(p, lex, false)?.level ?? null) : null;
    feats.push(...ruleFeatures(p, lex, kind, level, findDevice(p, lex), findSite(p, lex), findPhone(p.text, lex.source.areaCode) !== null));
  }
  return feats;
}

function hasFaultSignalIn(p: Prepared): boolean {
  return problemSignal(p) || has(p, 'alarm');
}

// An option number stands alone or before the copied option text ("1 整个系统"); "一半",
// "一台", "四五台", "3号闸机" are scopes, not options, and go to the cue rules.
const OPTION =
  /^[(（]?\s*(?:就是|应该是|是|选|选择|第|答|算)?\s*([1-4一二三四])\s*(?:级|项|种)?\s*(?:吧|啊|呀|哈|的)?(?=$|[\s,.;:!?，。、；：！？()（）])/u;
const OPTION_CN: Record<string, FaultLevel> = { '1': 1, '2': 2, '3': 3, '4': 4, 一: 1, 二: 2, 三: 3, 四: 4 };

/**
 * Understand an answer to the bot's level question ("影响范围？1 整个系统/车站业务中断
 * 2 系统能用但主要功能不正常 3 个别设备异常 4 有告警但暂不影响运行"): an option number in
 * any form ("1", "１", "一", "①", "选2", "3级") or free text ("全部都刷不了" → 1,
 * "就一台" → 3, "只是告警" → 4). Null when the answer does not say.
 */
export function parseLevelAnswer(text: string, lex: CompiledLexicon): { level: FaultLevel; evidence: string[] } | null {
  const p = prepare(text, lex);
  const t = p.text.trim();
  const o = OPTION.exec(t);
  if (o) return { level: OPTION_CN[o[1]!]!, evidence: [o[0].trim()] };
  const d = decideLevel(p, lex, true);
  return d ? { level: d.level, evidence: unique(d.evidence) } : null;
}

/** Whether a message describes a problem at all (used to decide whether to merge or ticket). */
export function hasFaultSignal(text: string, lex: CompiledLexicon): boolean {
  const p = prepare(text, lex);
  return hasFaultSignalIn(p) || has(p, 'complaint');
}

/**
 * What a message carries on its own, for a report split over consecutive
 * messages ("小寨站" then "3号闸机坏了"): a message with details but no problem
 * completes the reporter's pending report instead of being chit-chat.
 */
export function parseFragment(text: string, lex: CompiledLexicon): Fragment {
  const p = prepare(text, lex);
  const phoneM = findPhone(p.text, lex.source.areaCode);
  const site = findSite(p, lex);
  const device = findDevice(p, lex);
  const contact = findContact(p, phoneM);
  const hasFault = problemSignal(p) || has(p, 'alarm') || has(p, 'complaint');
  const detailsOnly =
    !hasFault &&
    (site !== null || device !== null || phoneM !== null || contact !== null) &&
    classifyKind(p, lex) === 'other' &&
    !has(p, 'resolved') &&
    !has(p, 'notice');
  return { site, device, phone: phoneM?.phone ?? null, contact, hasFaultSignal: hasFault, detailsOnly };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x.length > 0))];
}
