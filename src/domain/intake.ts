/**
 * Intake decisions that need no database: how a reporter answers the bot's
 * 需要为此报修吗 question and its duplicate notice, whether a new report is the
 * same fault as an open ticket, whether earlier messages may be merged into
 * this one, and a report the reporter confirmed as a fault. Pure.
 */
import type { CompiledLexicon } from './lexicon.js';
import type { ParsedReport } from './report-parser.js';

/** Strips what people put around a one-word answer ("1。", "是的，谢谢", "@机器人 不用了"). */
function bare(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/@\S+/gu, '')
    .replace(/[\s，,。.！!~～、]+/gu, '')
    .replace(/(谢谢|麻烦了?|辛苦了?|哈)+$/u, '')
    .trim();
}

const YES = /^(1|1号?|是|是的|对|对的|嗯|嗯嗯|好|好的|要|需要|要的|需要的|报修|请登记|登记|登记一下|帮忙登记|是请登记|是的请登记|麻烦登记|报一下|报修一下|确认报修)$/u;
const NO = /^(2|否|不|不用|不用了|不需要|不要|不要了|不必|没事|没事了|没事儿|算了|不报|不用报|不用报修|不需要报修|不用登记|只是说一下|随便说说)$/u;

/**
 * The reporter's answer to 需要为此报修吗？1 是，请登记 2 不用: "yes", "no", or
 * null when the message is not an answer (it is then read as anything else).
 */
export function readFaultAnswer(text: string): 'yes' | 'no' | null {
  const t = bare(text);
  if (!t || t.length > 12) return null;
  if (YES.test(t)) return 'yes';
  if (NO.test(t)) return 'no';
  return null;
}

const NOT_SAME: readonly RegExp[] = [
  /^(不是|不对)(的|啊|呀)?$/u, // a bare "不是" right after the notice
  /^(不是|并非|并不是)(同一|一)(个|台|处|件|套|回事|个故障|个问题|个设备)/u,
  /^不(一样|同)(的)?$/u,
  /^(不是|不对)?(是|这是)?另(外)?(一|的)/u, // 是另一台, 另外一台
  /^(不是|不对)?(这是|是)?新的?(故障|问题|报修)/u,
  /^不是(这|那)(个|台|处|一台)/u,
];

/**
 * The reporter says a duplicate notice got it wrong: "不是同一个", "不是同一台",
 * "是另一台", "这是新的故障", "不是". Only short answers count: a longer
 * message is read as a report of its own.
 */
export function readNotSameAnswer(text: string): boolean {
  const t = bare(text);
  if (!t || t.length > 20 || /吗|是不是/u.test(t)) return false;
  return NOT_SAME.some((re) => re.test(t));
}

/** What a fault is matched on: the place, the kind of device and its own numbers. */
export interface FaultIdentity {
  site: string | null;
  device: string | null;
  /** The device's own numbers ("3号闸机" → [3]); empty when none is given. */
  deviceNumbers: readonly number[];
}

/**
 * Whether a new report is the same fault as an open ticket: the same site and
 * device, and — when both name the device's own number — a number in common
 * ("3号闸机" and "5号闸机" at one station are two faults). A report without a
 * site or a device is never linked.
 */
export function sameFault(report: FaultIdentity, open: FaultIdentity): boolean {
  if (!report.site || !report.device || report.site !== open.site || report.device !== open.device) return false;
  if (report.deviceNumbers.length === 0 || open.deviceNumbers.length === 0) return true;
  return report.deviceNumbers.some((n) => open.deviceNumbers.includes(n));
}

/**
 * Whether an earlier message may be merged into a new one as part of one
 * report: only when it was incomplete by itself (a place, a device, a phone,
 * a symptom without a device); two complete reports are two reports.
 */
export function mayMerge(earlier: Pick<ParsedReport, 'completeness' | 'kind'>): boolean {
  return earlier.completeness === 'fragment' && earlier.kind !== 'consultation' && earlier.kind !== 'complaint';
}

/**
 * A reading the reporter confirmed as a fault (answered 是 to 需要为此报修吗):
 * kind fault, its level as read (null: the bot asks for it), the hardware flag
 * from the lexicon, nothing left to ask about whether it is a fault.
 */
export function confirmedFault(p: ParsedReport, lex: CompiledLexicon): ParsedReport {
  const level = p.kind === 'fault' ? p.level : null;
  return {
    ...p,
    kind: 'fault',
    level,
    levelEvidence: level === null ? [] : p.levelEvidence,
    grade: level === null ? null : lex.source.grades.byLevel[level],
    hardware: p.device !== null && lex.hardware.has(p.device),
    asks: p.asks.filter((a) => a !== 'is_fault'),
    alsoConsultation: false,
  };
}
