import { describe, expect, it } from 'vitest';
import { loadDefaultLexicon } from '../../scripts/corpus.js';
import { findPhone } from '../../src/domain/phone.js';
import { parseReport, type ParsedReport } from '../../src/domain/report-parser.js';

const lex = loadDefaultLexicon();
const rulesLex = loadDefaultLexicon({ model: false });
const parse = (t: string): ParsedReport => parseReport(t, lex);

describe('sound-alike and pinyin matching of the lexicon', () => {
  it.each([
    ['小在站匝机黑平了', '小寨站', '闸机'],
    ['xz站 zj 坏一台', '小寨站', '闸机'],
    ['zl站PIS黑了', '钟楼站', 'PIS屏'],
    ['售漂机不出票 钟楼', '钟楼站', '售票机'],
    ['摄象头没画面 航天成站', '航天城站', '摄像头'],
    ['dd台有杂音 控制中心', '控制中心', '调度台'],
    ['xiaozhai站闸机坏了', '小寨站', '闸机'],
    ['北客站的TVM不出票', '西安北站', '售票机'],
    ['南门tvm吞钱', '永宁门站', '售票机'],
  ])('%s → %s / %s', (text, site, device) => {
    const r = parseReport(text, rulesLex);
    expect(r.site).toBe(site);
    expect(r.device).toBe(device);
  });

  it('does not read ordinary words as places or devices', () => {
    expect(parseReport('始终刷不了卡', rulesLex).device).toBeNull();
    expect(parseReport('by the way 闸机坏了', rulesLex).site).toBeNull();
    expect(parseReport('同志们辛苦了', rulesLex).kind).toBe('other');
  });
});

describe('phones as people dictate them', () => {
  it.each([
    ['电话幺三八 九一二三 四五六七', '13891234567'],
    ['座机零二九 八七六五四三二一', '029-87654321'],
    ['联系电话零二九八七六五四三二一', '029-87654321'],
    ['电话 八七六五四三二一', '029-87654321'],
    ['手机：壹叁捌玖贰零肆伍壹壹贰', '13892045112'],
    ['电话 1 5 9 幺 2 3 4 5 6 7 8', '15912345678'],
    ['+86 138 0013 8000', '13800138000'],
    ['(029)86543210', '029-86543210'],
  ])('%s → %s', (text, phone) => {
    expect(findPhone(text.normalize('NFKC'), '029')?.phone).toBe(phone);
  });

  it.each(['一两个站', '三四台闸机', '订单号 87654321'])('%s has no phone', (text) => {
    expect(findPhone(text, '029')).toBeNull();
  });
});

describe('forwarded messages', () => {
  it('does not take the forward header as the place', () => {
    const r = parse('转自票务中心群：【紧急】今日9:05起全线AFC清分系统异常，车站数据无法上传');
    expect(r.forwarded).toBe(true);
    expect(r.site).toBe('全线');
    expect(r.kind).toBe('fault');
  });
});

describe('what the bot acts on', () => {
  it('gives the device number for linking duplicates', () => {
    expect(parse('小寨站3号闸机刷卡没反应').deviceNumber).toBe(3);
    expect(parse('小寨站5号闸机刷卡没反应').deviceNumber).toBe(5);
    expect(parse('钟楼站TVM05不出票').deviceNumber).toBe(5);
    expect(parse('小寨站 12号 13号闸机都不读卡').deviceNumbers).toEqual([12, 13]);
    expect(parse('小寨站闸机刷卡没反应').deviceNumber).toBeNull();
    expect(parse('2号线全线PIS黑屏').deviceNumber).toBeNull();
  });

  it('tells a complete report from a fragment', () => {
    expect(parse('小寨站3号闸机坏了').completeness).toBe('complete');
    expect(parse('小寨站').completeness).toBe('fragment');
    expect(parse('刷卡没反应').completeness).toBe('fragment');
    expect(parse('谢谢').completeness).toBe('none');
  });

  it('flags a fault that also asks a question', () => {
    const r = parse('小寨站A口闸机有一台扇门打不开，麻烦派人来看下。顺便问下扇门电机坏了在不在合同范围？');
    expect(r.kind).toBe('fault');
    expect(r.alsoConsultation).toBe(true);
    expect(parse('小寨站3号闸机坏了').alsoConsultation).toBe(false);
  });

  it('asks the level, the site and the phone of a fault that lacks them, nothing of chit-chat', () => {
    expect(parse('票务系统有问题 快来看看').asks).toEqual(['level', 'site', 'phone']);
    expect(parse('小寨站3号闸机坏了 电话13800138000').asks).toEqual([]);
    expect(parse('谢谢 辛苦了').asks).toEqual([]);
    expect(parse('已修好 测试正常').asks).toEqual([]);
  });

  it('reads report forms and reassurance clauses as faults', () => {
    expect(parse('报修\n地点：三爻站\n设备：门禁\n现象：设备室门锁不上\n联系人：周师傅').kind).toBe('fault');
    expect(parse('钟楼站站台有一个摄像头画面花了，其他都正常，不急')).toMatchObject({ kind: 'fault', level: 3 });
    expect(parse('设备都正常 误报').kind).toBe('other');
  });

  it('asks is_fault alone, before any other question', () => {
    for (const t of ['小寨站', '闸机', '好像有点问题', '北苑站的屏幕刚才闪了好几下然后现在又正常了也不知道要不要跟你们说一声']) {
      const r = parse(t);
      if (r.asks.includes('is_fault')) expect(r.asks).toEqual(['is_fault']);
    }
  });
});
