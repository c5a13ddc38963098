/**
 * Finding personal data in free text (phones, ID-card numbers, e-mail, given
 * names), and the retention settings' schema and cut-offs.
 */
import { describe, expect, it } from 'vitest';
import { ERASED, maskJson, maskNullable, maskPersonal } from '../../src/domain/personal-data.js';
import { RetentionSchema, retentionCutoffs } from '../../src/domain/retention.js';

describe('maskPersonal', () => {
  const cases: Array<[string, string, string[]?, string[]?]> = [
    ['小寨站 3号闸机刷卡没反应 电话13800138000', `小寨站 3号闸机刷卡没反应 电话${ERASED}`],
    ['联系 +86 138-0013-8000 王工', `联系 ${ERASED} ${ERASED}`, ['王工']],
    ['手机 138 0013 8000', `手机 ${ERASED}`],
    ['座机 029-87654321 或 (029)8765 4321', `座机 ${ERASED} 或 ${ERASED}`],
    ['电话 87654321 找刘师傅', `电话 ${ERASED} 找${ERASED}`, ['刘师傅']],
    ['我的身份证号 61010219900101123X 发错了', `我的身份证号 ${ERASED} 发错了`],
    ['旧证 610102900101123', `旧证 ${ERASED}`],
    ['邮件 wang.gong@metro.example.cn 收', `邮件 ${ERASED} 收`],
    // Not personal: ticket numbers, dates, device numbers, times, money.
    ['工单 GD-20261124-0001 3号闸机 10:30前 维修费用 1200元', '工单 GD-20261124-0001 3号闸机 10:30前 维修费用 1200元'],
    ['2026-11-24 更换 600G 硬盘', '2026-11-24 更换 600G 硬盘'],
    // A one-character "name" is part of other words: left alone.
    ['王站长说闸机坏了', '王站长说闸机坏了', ['王']],
    // The longest name first, so a shorter one inside it leaves nothing behind.
    ['王站长和王站都说', `${ERASED}和${ERASED}都说`, ['王站', '王站长']],
    ['号码 1390000111 太短', '号码 1390000111 太短'],
    ['给的号码 5551234567', `给的号码 ${ERASED}`, [], ['5551234567']],
  ];
  for (const [text, want, names, phones] of cases) {
    it(`${text} → ${want}`, () => expect(maskPersonal(text, names ?? [], phones ?? [])).toBe(want));
  }
  it('leaves null as null and masks the text values of JSON, not its keys or numbers', () => {
    expect(maskNullable(null, ['王工'])).toBeNull();
    const action = JSON.stringify({ kind: 'text', text: '@王工 已收到报修，电话13800138000', mentions: [{ id: 'c1', name: '王工' }], level: 3, pngBase64: 'MTM4MDAxMzgwMDA=' });
    expect(JSON.parse(maskJson(action, ['王工']))).toEqual({ kind: 'text', text: `@${ERASED} 已收到报修，电话${ERASED}`, mentions: [{ id: 'c1', name: ERASED }], level: 3, pngBase64: 'MTM4MDAxMzgwMDA=' });
    expect(maskJson('not json 13800138000')).toBe(`not json ${ERASED}`);
  });
});

describe('retention settings', () => {
  it('default to 7 days for ignored messages and 3 years for closed tickets, daily at 03:30', () => {
    expect(RetentionSchema.parse({})).toEqual({ ignoredMessages: { dropTextAfterDays: 7 }, closedTickets: { anonymiseAfterDays: 1095 }, dailyAt: '30 3 * * *' });
  });
  it('refuse nonsense, naming the field', () => {
    const bad = (v: unknown) => RetentionSchema.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(bad({ ignoredMessages: { dropTextAfterDays: 0 } })).toEqual(['ignoredMessages.dropTextAfterDays']);
    expect(bad({ closedTickets: { anonymiseAfterDays: 7 } })).toEqual(['closedTickets.anonymiseAfterDays']);
    expect(bad({ closedTickets: { anonymiseAfterYears: 3 } })).toEqual(['closedTickets']);
    expect(bad({ dailyAt: 'daily' })).toEqual(['dailyAt']);
  });
  it('give the cut-off moments as of now', () => {
    const now = new Date('2026-11-24T02:00:00Z');
    const c = retentionCutoffs(RetentionSchema.parse({}), now);
    expect(c.ignoredText.toISOString()).toBe('2026-11-17T02:00:00.000Z');
    expect(c.closedTickets.toISOString()).toBe('2023-11-25T02:00:00.000Z');
  });
});
