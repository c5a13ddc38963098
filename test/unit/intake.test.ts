/** The intake's pure decisions: answers to 需要为此报修吗 and to a duplicate notice, duplicate matching, merging, a confirmed fault. */
import { describe, expect, it } from 'vitest';
import { loadDefaultLexicon } from '../../scripts/corpus.js';
import { confirmedFault, mayMerge, readFaultAnswer, readNotSameAnswer, sameFault, type FaultIdentity } from '../../src/domain/intake.js';
import { parseReport } from '../../src/domain/report-parser.js';
import { commandFromButton } from '../../src/bot/commands/index.js';
import { isFaultCard } from '../../src/bot/questions.js';
import { cardAsText } from '../../src/core/plain-text.js';

const lex = loadDefaultLexicon();

describe('readFaultAnswer: 需要为此报修吗？1 是，请登记 2 不用', () => {
  it.each([
    ['1', 'yes'],
    ['１', 'yes'],
    ['1。', 'yes'],
    ['是', 'yes'],
    ['是的，谢谢', 'yes'],
    ['需要', 'yes'],
    ['请登记', 'yes'],
    ['@服务台 报修', 'yes'],
    ['2', 'no'],
    ['不用', 'no'],
    ['不用了 谢谢', 'no'],
    ['不需要', 'no'],
    ['没事了', 'no'],
    ['算了', 'no'],
  ] as const)('%s → %s', (text, want) => {
    expect(readFaultAnswer(text)).toBe(want);
  });

  it.each(['3', '12', '小寨站3号闸机坏了', '是不是又坏了', '不是同一个', '', '   ', '好像还有点问题，需要看看'])('%s is no answer', (text) => {
    expect(readFaultAnswer(text)).toBeNull();
  });
});

describe('readNotSameAnswer: the reporter corrects a duplicate notice', () => {
  it.each(['不是同一个', '不是同一台', '不是同一台！', '不是', '不对', '是另一台', '另外一台', '这是新的故障', '不是这台', '不一样', '不是一回事'])('%s', (text) => {
    expect(readNotSameAnswer(text)).toBe(true);
  });

  it.each(['是同一个', '好的', '谢谢', '1', '是不是同一个？', '不是同一个吗', '小寨站5号闸机也坏了 刷卡没反应 麻烦派人来看一下 谢谢', ''])('%s is not', (text) => {
    expect(readNotSameAnswer(text)).toBe(false);
  });
});

describe('sameFault: a report is linked to an open ticket only when site, device and number match', () => {
  const open: FaultIdentity = { site: '小寨站', device: '闸机', deviceNumbers: [3] };
  it.each<[string, FaultIdentity, boolean]>([
    ['same site, device and number', { site: '小寨站', device: '闸机', deviceNumbers: [3] }, true],
    ['another number', { site: '小寨站', device: '闸机', deviceNumbers: [5] }, false],
    ['one of several numbers', { site: '小寨站', device: '闸机', deviceNumbers: [2, 3] }, true],
    ['no number given', { site: '小寨站', device: '闸机', deviceNumbers: [] }, true],
    ['another site', { site: '钟楼站', device: '闸机', deviceNumbers: [3] }, false],
    ['another device', { site: '小寨站', device: '售票机', deviceNumbers: [3] }, false],
    ['no site', { site: null, device: '闸机', deviceNumbers: [3] }, false],
    ['no device', { site: '小寨站', device: null, deviceNumbers: [] }, false],
  ])('%s', (_what, report, want) => {
    expect(sameFault(report, open)).toBe(want);
  });

  it('an open ticket without a number matches any number at its site and device', () => {
    expect(sameFault({ site: '小寨站', device: '闸机', deviceNumbers: [5] }, { site: '小寨站', device: '闸机', deviceNumbers: [] })).toBe(true);
  });

  it('reads the numbers the reader gives: 3号闸机 and 5号闸机 at one station are two faults', () => {
    const a = parseReport('小寨站3号闸机刷卡没反应', lex);
    const b = parseReport('小寨站5号闸机刷卡没反应', lex);
    const c = parseReport('小寨站3号闸机还是刷不了卡', lex);
    expect(sameFault(b, a)).toBe(false);
    expect(sameFault(c, a)).toBe(true);
  });
});

describe('mayMerge: only incomplete messages are parts of a report', () => {
  it.each([
    ['小寨站', true],
    ['电话13800138000', true],
    ['小寨站3号闸机刷卡没反应', false],
    ['请问闸机交易数据怎么导出？', false],
  ] as const)('%s → %s', (text, want) => {
    expect(mayMerge(parseReport(text, lex))).toBe(want);
  });
});

describe('confirmedFault: the reporter said 是 to 需要为此报修吗', () => {
  it('is a fault with nothing more to ask about whether it is one, its level asked when unread', () => {
    const p = confirmedFault({ ...parseReport('小寨站闸机有点不太对劲', lex), kind: 'other', asks: ['is_fault'] }, lex);
    expect(p.kind).toBe('fault');
    expect(p.asks).not.toContain('is_fault');
    expect(p.level).toBeNull();
    expect(p.grade).toBeNull();
    expect(p.site).toBe('小寨站');
    expect(p.device).toBe('闸机');
    expect(p.hardware).toBe(lex.hardware.has('闸机'));
  });

  it('keeps a level read from a hedged fault', () => {
    const read = parseReport('小寨站3号闸机刷卡没反应', lex);
    expect(read.kind).toBe('fault');
    const p = confirmedFault({ ...read, asks: ['is_fault'] }, lex);
    expect(p.level).toBe(read.level);
    expect(p.levelEvidence).toEqual(read.level === null ? [] : read.levelEvidence);
  });
});

describe('the 需要为此报修吗 card', () => {
  const card = isFaultCard(42);

  it('has two buttons that are the choice command for this question, for the customer', () => {
    expect(card.buttons.map((b) => b.label)).toEqual(['1 是，请登记', '2 不用']);
    expect(card.audience).toBe('customer');
    const [yes, no] = card.buttons.map((b) => commandFromButton(b.value));
    expect(yes).toMatchObject({ command: { name: 'is_fault_choice' }, args: { questionId: 42, answer: 'yes' } });
    expect(no).toMatchObject({ args: { questionId: 42, answer: 'no' } });
    expect(yes!.ref).toBeUndefined();
  });

  it('is the same question with numbered choices where the channel has no cards, each choice once', () => {
    const text = cardAsText(card);
    expect(text).toContain('需要为此报修吗？');
    expect(text.match(/1 是，请登记/g)).toHaveLength(1);
    expect(text.match(/2 不用/g)).toHaveLength(1);
    expect(text).toContain('请回复数字 1–2');
    // What the fallback asks for is what the answer reader takes.
    expect(readFaultAnswer('1')).toBe('yes');
    expect(readFaultAnswer('2')).toBe('no');
  });
});
