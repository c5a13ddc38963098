/**
 * Personal data in free text, for erasure and retention: phone numbers (mobile,
 * landline with its area code or after 电话/座机), ID-card numbers, e-mail
 * addresses, and the names of the people concerned. Pure: the store decides
 * which texts and which names.
 */

/** What takes the place of erased or anonymised personal data. */
export const ERASED = '[已删除]';

const PATTERNS: RegExp[] = [
  // ID-card numbers (18 digits, the last may be X; the old 15-digit form).
  /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/gu,
  /(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])/gu,
  // Mobile numbers, with or without +86, single spaces or dashes between digits.
  /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/gu,
  // Landlines with an area code: 029-87654321, (029)8765 4321.
  /(?<!\d)\(?0\d{2,3}\)?[\s-]?[2-9]\d{2,3}[\s-]?\d{4}(?!\d)/gu,
  // A bare 7–8 digit number the text calls a phone.
  /(?<=(?:电话|座机|手机|联系|tel|TEL|Tel)[:：\s]{0,3})\d{3,4}[\s-]?\d{4}(?!\d)/gu,
  // E-mail addresses.
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu,
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text with personal data replaced by ERASED: every phone, ID-card number and e-mail address
 * it contains, the given phone numbers as written, and the given names (names shorter than two
 * characters are left alone: one character is not a name, it is part of other words).
 */
export function maskPersonal(text: string, names: readonly (string | null | undefined)[] = [], phones: readonly (string | null | undefined)[] = []): string {
  let out = text;
  const exact = [...names.filter((n): n is string => typeof n === 'string' && [...n.trim()].length >= 2 && n.trim() !== ERASED), ...phones.filter((p): p is string => typeof p === 'string' && p.trim().length >= 5)]
    .map((s) => s.trim())
    .sort((a, b) => b.length - a.length);
  for (const s of exact) out = out.replace(new RegExp(escape(s), 'gu'), ERASED);
  for (const p of PATTERNS) out = out.replace(p, ERASED);
  return out;
}

/** maskPersonal for a nullable column: null stays null. */
export function maskNullable(text: string | null, names: readonly (string | null | undefined)[] = [], phones: readonly (string | null | undefined)[] = []): string | null {
  return text === null ? null : maskPersonal(text, names, phones);
}

/**
 * Masks the text fields of a JSON document (audit details, outbox actions), keys and
 * numbers kept, so the document still reads the same way.
 */
export function maskJson(json: string, names: readonly (string | null | undefined)[] = [], phones: readonly (string | null | undefined)[] = []): string {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return maskPersonal(json, names, phones);
  }
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key === 'pngBase64' ? v : maskPersonal(v, names, phones);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return JSON.stringify(walk(doc));
}
