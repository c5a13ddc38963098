/**
 * Contact phones in a chat message: mobiles (11 digits, with +86, spaces or
 * dashes), landlines ("(029)8765-4321", or 8 digits after 电话/座机), and the
 * same written in Chinese numerals the way people dictate them
 * ("幺三八 九一二三 四五六七", "零二九 八七六五四三二一", "一三九两…").
 */

export interface PhoneMatch {
  start: number;
  end: number;
  /** Mobile as 11 digits; landline as "029-87654321". */
  phone: string;
}

// Bounded on both sides by "not a digit"; separators are single spaces or dashes.
const MOBILE = /(?<!\d)(?:\+?86[\s-]?)?(1[\s-]?[3-9](?:[\s-]?\d){9})(?!\d)/gu;
// Three-digit area codes first: "02987654321" is 029 + 8 digits, not 0298 + 7.
const LANDLINE = /(?<!\d)(?:\(?(0\d{2}|0\d{3})\)?[\s-]?)?([2-9](?:[\s-]?\d){6,7})(?!\d)/gu;
// International form of a landline: "+86 29 8729 0013", "+86 (0)29-87290013" (the area code without its 0).
const INTL_LANDLINE = /\+\s?86[\s-]?(?:\(0\)\s?)?([2-9]\d{1,2})[\s-]?([2-9](?:[\s-]?\d){6,7})(?!\d)/gu;
const LABEL_BEFORE = /(?:电话|座机|联系|tel|手机|分机|号码|打)[^\d]{0,8}$/iu;

const CN_DIGIT: Record<string, string> = {
  零: '0', 〇: '0', 洞: '0', 幺: '1', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 拐: '7', 八: '8', 九: '9',
  壹: '1', 贰: '2', 叁: '3', 肆: '4', 伍: '5', 陆: '6', 柒: '7', 捌: '8', 玖: '9',
};
// A run of digits in either script with single separators; 7 digits or more is a number, not words ("一两个", "三四台").
const DIGIT_RUN = /[0-9零〇洞幺一二两三四五六七拐八九壹贰叁肆伍陆柒捌玖](?:[\s-]?[0-9零〇洞幺一二两三四五六七拐八九壹贰叁肆伍陆柒捌玖]){6,}/gu;

/**
 * Chinese numerals in long digit runs become ASCII digits, one character for
 * one, so offsets into the text stay valid.
 */
export function digitsOf(text: string): string {
  if (!/[零〇洞幺一二两三四五六七拐八九壹贰叁肆伍陆柒捌玖]/u.test(text)) return text;
  return text.replace(DIGIT_RUN, (run) => {
    if (!/[零〇洞幺一二两三四五六七拐八九壹贰叁肆伍陆柒捌玖]/u.test(run)) return run;
    return run.replace(/[零〇洞幺一二两三四五六七拐八九壹贰叁肆伍陆柒捌玖]/gu, (c) => CN_DIGIT[c]!);
  });
}

/** The first contact phone in `text` (normalised by NFKC already), or null. */
export function findPhone(text: string, areaCode: string): PhoneMatch | null {
  const t = digitsOf(text);
  MOBILE.lastIndex = 0;
  const m = MOBILE.exec(t);
  if (m) return { start: m.index, end: m.index + m[0].length, phone: m[1]!.replace(/\D/g, '') };
  INTL_LANDLINE.lastIndex = 0;
  for (let l = INTL_LANDLINE.exec(t); l; l = INTL_LANDLINE.exec(t)) {
    const local = l[2]!.replace(/\D/g, '');
    if (local.length === 8 || (l[1]!.length === 3 && local.length === 7)) return { start: l.index, end: l.index + l[0].length, phone: `0${l[1]}-${local}` };
  }
  LANDLINE.lastIndex = 0;
  for (let l = LANDLINE.exec(t); l; l = LANDLINE.exec(t)) {
    const local = l[2]!.replace(/\D/g, '');
    if (local.length !== 8 && !(l[1] && local.length === 7)) continue;
    // A bare 8-digit number is only a phone when the text says so (电话/座机/联系).
    if (!l[1] && !LABEL_BEFORE.test(t.slice(Math.max(0, l.index - 12), l.index))) continue;
    return { start: l.index, end: l.index + l[0].length, phone: `${l[1] ?? areaCode}-${local}` };
  }
  return null;
}
