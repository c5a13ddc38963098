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
    ['电话：+86 (0)29 8729 0013', '029-87290013'],
    ['+86 29-87290013', '029-87290013'],
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

  it.each([
    ['[转发]控制中心值班员：凤栖原站UPS告警，切到电池了', '凤栖原站'],
    ['转自信息中心群：控制中心值班员反映，小寨站B口3号闸机不读卡', '小寨站 B口'],
    ['以下是OCC转来的消息：北大街站TVM卡币 ——控制中心调度', '北大街站'],
    ['[转发] 行调 王工：钟楼站站台PIS屏黑屏', '钟楼站 站台'],
    // The body names no place: where it came from is the best the reader has.
    ['---原始消息---\n发件人：钟楼站 值班站长\n内容：车站PIS屏全部黑屏', '钟楼站'],
    // Not forwarded: the control centre is the place.
    ['控制中心值班员反映：调度台没声音', '控制中心'],
  ])('reads the body\'s place, not the speaker\'s or the signature\'s: %s', (text, site) => {
    expect(parseReport(text, rulesLex).site).toBe(site);
  });
});

describe('places', () => {
  it.each([
    ['韦曲南站站厅和站台的子钟都慢了3分钟', '韦曲南站'],
    ['草滩站A口和B口所有的进站闸机都显示暂停服务', '草滩站'],
    ['西安北站站厅所有的闸机都离线了', '西安北站'],
    ['北大街站网络全断了 车控室所有电脑都连不上', '北大街站 车控室'],
    ['小寨站B口3号闸机刷卡没反应', '小寨站 B口'],
  ])('two joined places, or an area taken as a whole, are no one spot: %s', (text, site) => {
    expect(parseReport(text, rulesLex).site).toBe(site);
  });

  it.each([
    ['调度大厅1号调度台通话有回声', '控制中心 调度大厅', '调度台'],
    ['wqn站 ckz dyj 卡纸', '韦曲南站 车控室', '打印机'],
    ['cng zhanting zj 显示屏不亮', '常宁宫站 站厅', '闸机'],
    ['小寨 exit D gate closing too fast', '小寨站 D口', '闸机'],
    ['北门站车控室的打印机字迹发虚', '安远门站 车控室', '打印机'],
    ['安远门站厅摄像头掉线三个', '安远门站 站厅', '摄像头'],
    ['钟楼站站台那个屏黑了', '钟楼站 站台', 'PIS屏'],
    ['全线网络中断，各站与控制中心通信全部断开', '全线', '网络'],
    ['全线PIS一半车站不显示', '全线', '乘客信息系统'],
  ])('room abbreviations, English entrances, local names, bare 屏: %s', (text, site, device) => {
    const r = parseReport(text, rulesLex);
    expect([r.site, r.device]).toEqual([site, device]);
  });
});

describe('false alarms and implicit complaints (rules)', () => {
  it.each([
    '@客服 刚才那单取消吧，闸机扇门卡住是有个矿泉水瓶卡在里面，拿出来就好了',
    '北苑站摄像头画面模糊是因为施工扬尘，擦干净就清楚了，不用派人',
    '门禁刷不开是卡过期了，找人事重新开了权限就行',
    '各位 刚才的一级故障报错了 是演练 演练 演练',
    '调度台没声音是因为音量被调到最小了，不好意思',
  ])('an alarm explained away is nothing to ticket: %s', (text) => {
    expect(parseReport(text, rulesLex).kind).toBe('other');
  });

  it.each([
    '客服这边回复就一句已转工程师，然后就没下文了',
    '你们工程师干活把网线碰掉了，走的时候也不说一声',
    '承诺的周三更换硬盘，周三周四都过去了还没来',
    '上周说好的巡检报告到现在还没给我们',
    '修完的售票机今天又不行了，修了个寂寞',
    '约好九点到，等了两个小时人才来',
  ])('dissatisfaction without the word 投诉 is a complaint: %s', (text) => {
    expect(parseReport(text, rulesLex).kind).toBe('complaint');
  });

  it('a symptom beside a reassurance stays a fault', () => {
    expect(parseReport('服务器机柜里有股焦糊味，暂时设备都正常在跑，请尽快来人看', rulesLex).kind).toBe('fault');
    expect(parseReport('草滩站PIS屏上行方向的到站时间一直不对，下行的就是正常的', rulesLex).kind).toBe('fault');
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

  it('asks the level the model is unsure of, and gives the one it is sure of', () => {
    const model = lex.model!;
    // The threshold is data (config/reader-model.json), chosen by batch CV on the training split.
    expect(model.levelAskProb).toBeGreaterThan(0);
    const text = '小寨站3号闸机坏了 电话13800138000';
    const sure = parseReport(text, lex, { model });
    expect(sure.level).not.toBeNull();
    expect(sure.asks).not.toContain('level');
    // No level is that sure: the same message now has its level asked, without a guess or evidence.
    const unsure = parseReport(text, lex, { model: { ...model, levelAskProb: 1 } });
    expect(unsure).toMatchObject({ kind: 'fault', level: null, levelEvidence: [], asks: ['level'] });
    // Below the threshold only: a threshold of 0 never asks a level the readers settled.
    expect(parseReport(text, lex, { model: { ...model, levelAskProb: 0 } }).level).toBe(sure.level);
  });

  it('asks the level when the rules and the model are two levels or more apart', () => {
    const model = { ...lex.model!, farDisagreeAsk: true, levelMarginAsk: 0 };
    // The rules read the whole station down (level 1); a level model that leans to 3 is two levels off.
    const text = '小寨站全部闸机都刷不了卡了 电话13800138000';
    const rules = parseReport(text, rulesLex);
    expect(rules.level).toBe(1);
    const lean3 = { ...model, rulesBelowProb: 0, levelAskProb: 0, level: { ...model.level, bias: model.level.classes.map((c) => (c === '3' ? 50 : 0)) } };
    expect(parseReport(text, lex, { model: { ...lean3, farDisagreeAsk: false } }).level).toBe(3);
    // The shipped setting is data (config/reader-model.json), chosen by batch CV.
    expect(typeof lex.model!.farDisagreeAsk).toBe('boolean');
    expect(parseReport(text, lex, { model: lean3 })).toMatchObject({ kind: 'fault', level: null, asks: ['level'] });
    // One level apart (2 against 1) is left to the thresholds.
    const lean2 = { ...lean3, level: { ...model.level, bias: model.level.classes.map((c) => (c === '2' ? 50 : 0)) } };
    expect(parseReport(text, lex, { model: lean2 }).level).toBe(2);
  });

  it('reads dissatisfaction with the service as features only: the rules and the entities do not change', () => {
    // "乘客无法" is an impact cue for the model; the rules still see 无法 (a failure) inside it.
    expect(lex.featureCues('乘客无法进站'.toLowerCase())).toContain('impact');
    const r = parseReport('小寨站闸机乘客无法进站', rulesLex);
    expect(r).toMatchObject({ kind: 'fault', site: '小寨站', device: '闸机' });
    expect(lex.featureCues('工程师来了重启一下就走了，单子也没签字')).toEqual(expect.arrayContaining(['serviceActor', 'dissatisfied']));
    expect(lex.featureCues('小寨站3号闸机坏了')).toEqual([]);
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
