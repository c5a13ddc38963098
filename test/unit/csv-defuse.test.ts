/**
 * CSV exports defuse formulas: a cell that starts, after any whitespace or control
 * characters, with = + - @ (or a full-width or small form of them) is written with a
 * leading apostrophe, so a spreadsheet shows it as text instead of running it.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { defuseCell, toCsv } from '../../src/web/exports.js';

const FORMULAS = ['=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1:A2)', '=HYPERLINK("http://evil","点我")'];
const LEADERS: Array<[string, string]> = [
  ['nothing', ''],
  ['a space', ' '],
  ['a tab', '\t'],
  ['a bare carriage return', '\r'],
  ['a line feed', '\n'],
  ['CR LF', '\r\n'],
  ['spaces and tabs', '  \t '],
  ['an ideographic space', '\u3000'],
  ['a no-break space', '\u00a0'],
  ['a zero-width space', '\u200b'],
  ['a byte-order mark', '\ufeff'],
  ['a NUL and other control characters', '\u0000\u0001\u001f\u007f'],
  ['a right-to-left mark', '\u200f'],
];
const WIDE: Array<[string, string]> = [
  ['full-width =', '＝1+1'],
  ['full-width +', '＋1'],
  ['full-width -', '－1'],
  ['full-width @', '＠SUM(A1)'],
  ['small =', '\ufe66 1'],
  ['small +', '\ufe62 1'],
  ['small -', '\ufe63 1'],
  ['small @', '\ufe6b x'],
  ['minus sign', '\u22121'],
];

describe('defuseCell', () => {
  for (const [what, lead] of LEADERS) {
    it(`defuses a formula after ${what}`, () => {
      for (const f of FORMULAS) expect(defuseCell(lead + f)).toBe(`'${lead}${f}`);
    });
  }
  for (const [what, text] of WIDE) {
    it(`defuses a ${what}, also after CR, LF and tab`, () => {
      for (const lead of ['', '\r', '\n', '\t', ' \u3000']) expect(defuseCell(lead + text)).toBe(`'${lead}${text}`);
    });
  }
  it('leaves ordinary text, numbers and empty cells alone', () => {
    for (const t of ['小寨站 3号闸机刷卡没反应', '13800138000', 'a=b', '工单 #12 -> 已修复', '5分', '', '   ', '\r\n']) expect(defuseCell(t)).toBe(t);
    expect(defuseCell(5)).toBe(5);
    expect(defuseCell(-5)).toBe(-5);
    expect(defuseCell(null)).toBe('');
    expect(defuseCell(undefined)).toBe('');
  });
});

describe('toCsv', () => {
  it('writes every hostile cell defused, and the value survives a CSV reader otherwise intact', () => {
    const hostile = [...LEADERS.flatMap(([, lead]) => FORMULAS.map((f) => lead + f)), ...WIDE.map(([, t]) => t), ...WIDE.map(([, t]) => `\r\n\t${t}`)];
    const csv = toCsv({ title: 't', columns: [{ key: 'a', header: 'a' }], rows: hostile.map((a) => ({ a })) });
    const rows = parse(csv, { bom: true, columns: true, relax_quotes: true }) as Array<{ a: string }>;
    expect(rows.map((r) => r.a)).toEqual(hostile.map((h) => `'${h}`));
  });
});
