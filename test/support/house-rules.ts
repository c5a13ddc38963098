/**
 * The house rules of the bot's wording (issue 18): full-width punctuation, no
 * nested brackets, no spaces inside Chinese (quoted commands aside), levels in
 * words, short, and none of the staff's words in what a customer reads. Used by
 * the catalogue test and by the scenario tests on whole transcripts.
 */
/** Words the customer must never read: the supplier's internal process. */
export const STAFF_ONLY = ['升级', '超时', '违约', '副总', '派单', '不合格', '返工', '无效记录', '提醒：', '时限已到', '请经理'];
const CJK = '\\u3400-\\u9fff';

/** The house rules a rendered text breaks (empty when none). */
export function houseRuleBreaks(text: string, audience: 'customer' | 'staff'): string[] {
  const out: string[] = [];
  // What is quoted in 「」 is a command to type (spaces and all), kept as it is.
  const prose = text.replace(/「[^」]*」/g, '「」');
  if (new RegExp(`[${CJK}] +[${CJK}]`).test(prose)) out.push('a space between two Chinese characters');
  if (/ +[，。：；！？、）」]/.test(prose) || /[（「，。：；！？、] +/.test(prose)) out.push('a space next to full-width punctuation');
  if (new RegExp(`[${CJK}][,;!?]|[,;!?][${CJK}]|[${CJK}]:[^0-9/]|[${CJK}]\\(|\\)[${CJK}]`).test(text)) out.push('ASCII punctuation in Chinese text');
  let depth = 0;
  for (const ch of text) {
    if (ch === '（') depth++;
    if (ch === '）') depth--;
    if (depth > 1) {
      out.push('nested brackets');
      break;
    }
  }
  if (/[1-4１-４] ?级(?!服务)/.test(text) && !/第 \d 级/.test(text)) out.push('a level written with a digit (write 一级…四级)');
  const limit = audience === 'customer' ? 160 : 320;
  if ([...text].length > limit) out.push(`longer than ${limit} characters`);
  if (audience === 'customer') {
    for (const w of STAFF_ONLY) if (text.includes(w)) out.push(`the staff-only word「${w}」`);
  }
  return out;
}

