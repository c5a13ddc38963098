import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadDefaultLexicon } from '../../scripts/corpus.js';
import {
  hasFaultSignal,
  parseFragment,
  parseLevelAnswer,
  parseReport,
  type ParsedReport,
} from '../../src/domain/report-parser.js';

const lex = loadDefaultLexicon();
const parse = (t: string): ParsedReport => parseReport(t, lex);

describe('parseReport: kind', () => {
  it.each([
    ['票务系统有问题 快来看看', 'fault'],
    ['小寨站3号闸机坏了', 'fault'],
    ['UPS一直在报警', 'fault'],
    ['怎么导出日志', 'consultation'],
    ['保修期到什么时候', 'consultation'],
    ['请问售票机坏了一般多久能换备件', 'consultation'],
    ['综合监控里怎么添加报警点', 'consultation'],
    ['我要投诉', 'complaint'],
    ['报修两个小时了还没人来', 'complaint'],
    ['这个闸机上周刚修过 又坏了', 'complaint'],
    ['工程师态度太差了', 'complaint'],
    ['谢谢 辛苦了', 'other'],
    ['收到', 'other'],
    ['好的👌', 'other'],
    ['我在路上了', 'other'],
    ['已修好 测试正常', 'other'],
    ['误报 不用来了', 'other'],
    ['闸机没问题 是乘客的卡坏了', 'other'],
    ['接单', 'other'],
    ['到场 #3', 'other'],
    ['已修复 #3', 'other'],
    ['【通知】今晚票务系统升级 暂停售票', 'other'],
    ['明天上午消防演练 门禁全部打开', 'other'],
    ['哈哈 闸机比我还忙', 'other'],
    ['小寨站', 'other'],
    ['13800138000', 'other'],
    ['', 'other'],
    ['   \n\t ', 'other'],
    ['😂😂😂', 'other'],
    ['<b>hello</b>', 'other'],
    ["'; DROP TABLE tickets; --", 'other'],
    ['Hello, anyone here?', 'other'],
    ['こんにちは', 'other'],
  ])('%s → %s', (text, kind) => {
    expect(parse(text).kind).toBe(kind);
  });
});

describe('parseReport: level and its evidence', () => {
  it.each([
    ['小寨站全部闸机都刷不了卡', 1],
    ['全线AFC系统瘫痪', 1],
    ['钟楼站全站断网了', 1],
    ['北大街站PIS全部黑屏', 1],
    ['行政中心站门禁全部失效', 1],
    ['南稍门站闸机全挂了', 1],
    ['小寨站好多闸机刷卡很慢', 2],
    ['票务系统日终对账失败', 2],
    ['所有闸机都不能刷二维码 刷卡正常', 2],
    ['永宁门站A口闸机全部不能进 排长队了', 2],
    ['全线闸机过闸很慢', 2],
    ['十几台TVM不收纸币', 2],
    ['3号闸机坏了', 3],
    ['有一台售票机不找零', 3],
    ['B口的摄像头不亮了', 3],
    ['车控室的打印机卡纸', 3],
    ['小寨站 12号闸机 13号闸机 都不读卡', 3],
    ['两台闸机扇门不动作 其他正常', 3],
    ['UPS告警 不影响使用', 4],
    ['交换机风扇异响', 4],
    ['存储容量快满了', 4],
    ['服务器有一个电源坏了 冗余的那个在跑', 4],
    ['票务系统有问题 快来看看', null],
    ['闸机坏了', null],
    ['网络不太好', null],
    ['小寨站售票机出故障了', null],
  ])('%s → %s', (text, level) => {
    const r = parse(text);
    expect(r.kind).toBe('fault');
    expect(r.level).toBe(level);
    if (level === null) expect(r.levelEvidence).toEqual([]);
    else expect(r.levelEvidence.length).toBeGreaterThan(0);
  });

  it('shows the words that decided the level, as written', () => {
    expect(parse('小寨站全部闸机都刷不了').levelEvidence).toEqual(expect.arrayContaining(['全部', '刷不了']));
    expect(parse('3号TVM不出票').levelEvidence).toEqual(expect.arrayContaining(['3号']));
    expect(parse('UPS告警 不影响使用').levelEvidence).toEqual(expect.arrayContaining(['不影响使用', '告警']));
  });

  it('leaves level and grade empty for anything but a fault', () => {
    for (const t of ['谢谢', '我要投诉 全站闸机都坏了三天了没人修', '全站闸机怎么设置成紧急模式']) {
      expect(parse(t).level).toBeNull();
    }
  });
});

describe('parseReport: grade', () => {
  it.each([
    ['全线AFC系统瘫痪', 'A'],
    ['日终对账失败', 'C'],
    ['3号闸机坏了', 'C'],
    ['UPS告警 不影响使用', 'D'],
    ['票务系统有问题', null],
    ['TVM的票价参数怎么修改', 'B'],
    ['我要投诉', null],
    ['收到', null],
  ])('%s → %s', (text, grade) => {
    expect(parse(text).grade).toBe(grade);
  });
});

describe('parseReport: phone', () => {
  it.each([
    ['电话13800138000', '13800138000'],
    ['电话 138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['+86 13800138000', '13800138000'],
    ['+86-138-0013-8000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['手机：１３８００１３８０００', '13800138000'],
    ['电话：029-8765 4321', '029-87654321'],
    ['(029)86543210', '029-86543210'],
    ['座机 029 8888 6666', '029-88886666'],
    ['座机 8765 4321', '029-87654321'],
    ['座机029-87654321 手机13800138000', '13800138000'],
    ['订单号 87654321', null],
    ['138001380001', null],
    ['TVM03 3号闸机 2023年6月27日', null],
    ['1380013800', null],
  ])('%s → %s', (text, phone) => {
    expect(parse(text).phone).toBe(phone);
  });
});

describe('parseReport: site', () => {
  it.each([
    ['小寨站B口闸机坏了', '小寨站 B口'],
    ['小寨站 a2口 摄像头不亮', '小寨站 A2口'],
    ['钟楼站C出入口的售票机坏了', '钟楼站 C口'],
    ['OCC机房服务器告警', '控制中心 机房'],
    ['三爻站车控室打印机卡纸', '三爻站 车控室'],
    ['车控室打印机卡纸', null],
    ['全线闸机瘫痪', '全线'],
    ['北客站的TVM不出票', '西安北站'],
    ['会展中心站有台闸机坏了', '电视塔站'],
    ['永宁门站门禁全部失效 所有设备房都进不去', '永宁门站'],
    ['闸机坏了', null],
  ])('%s → %s', (text, site) => {
    expect(parse(text).site).toBe(site);
  });
});

describe('parseReport: device', () => {
  it.each([
    ['AFC闸机都刷不了', '闸机'],
    ['ISCS服务器宕机', '服务器'],
    ['BOM打印机打不出票', '打印机'],
    ['综合监控工作站死机', '工作站'],
    ['闸机网络不通', '闸机'],
    ['售票机 闸机都离线', '售票机'],
    ['监控录像调不出来', 'NVR'],
    ['钟楼站全站断网了', '网络'],
    ['门禁控制器电池电量低', '门禁'],
    ['电池鼓包了', 'UPS'],
    ['小寨站出问题了', null],
  ])('%s → %s', (text, device) => {
    expect(parse(text).device).toBe(device);
  });

  it('marks hardware faults only', () => {
    expect(parse('3号闸机坏了').hardware).toBe(true);
    expect(parse('票务系统有问题').hardware).toBe(false);
    expect(parse('闸机已修好').hardware).toBe(false);
  });

  it('counts devices when a number is given', () => {
    expect(parse('两台闸机扇门不动作').deviceCount).toBe(2);
    expect(parse('10台闸机有6台刷卡很慢').deviceCount).toBe(10);
    expect(parse('闸机坏了').deviceCount).toBeUndefined();
  });
});

describe('parseReport: contact, time, symptom', () => {
  it.each([
    ['联系人：王芳 电话13709121234', '王芳'],
    ['联系人李强 138 0013 8000', '李强'],
    ['联系我 刘梅 137-0987-6543', '刘梅'],
    ['联系 周工 029 85556666', '周工'],
    ['联系方式：陈静 +86 135-0000-1122', '陈静'],
    ['电话13800138000', null],
    ['闸机坏了', null],
  ])('contact in %s → %s', (text, contact) => {
    expect(parse(text).contact).toBe(contact);
  });

  it.each([
    ['今早7点半开始 小寨站闸机刷不了', '今早7点半'],
    ['刚才售票机黑屏了', '刚才'],
    ['昨天晚上10点多售票机就不行了', '昨天晚上10点多'],
    ['从下午3:30开始一直黑屏', '下午3:30'],
    ['3号闸机坏了', null],
  ])('started at in %s → %s', (text, at) => {
    expect(parse(text).startedAt).toBe(at);
  });

  it('keeps the description without mentions, phone or contact', () => {
    const r = parse('@张工 小寨站3号闸机刷卡没反应 联系人王芳 电话13800138000');
    expect(r.symptom).toContain('小寨站3号闸机刷卡没反应');
    expect(r.symptom).not.toMatch(/张工|13800138000|王芳/);
    expect(parse('【故障报修】\n站点：小寨站\n现象：刷卡无反应\n电话：13709121234').symptom).toBe('刷卡无反应');
    expect(parse('收到').symptom).toBeNull();
  });

  it('keeps the description as typed: full-width punctuation and digits, no separator left where the phone was', () => {
    expect(parse('小寨站B口2号闸机刷卡没反应，电话13800138000').symptom).toBe('小寨站B口2号闸机刷卡没反应');
    expect(parse('钟楼站 ２号TVM不出票，画面花了；其他正常 联系人：张三 13900000000').symptom).toBe('钟楼站 ２号TVM不出票，画面花了；其他正常');
    expect(parse('@张工 现象：屏幕黑屏，无法显示').symptom).toBe('屏幕黑屏，无法显示');
  });

  it('reads @mentions, fullwidth text and several lines', () => {
    const r = parse('@李工\u2005@王工 \n西安北站全部ＴＶＭ都黑屏了\n赶紧安排人');
    expect(r).toMatchObject({ kind: 'fault', level: 1, site: '西安北站', device: '售票机' });
  });
});

describe('parseLevelAnswer', () => {
  it.each([
    ['1', 1],
    ['１', 1],
    ['一', 1],
    ['①', 1],
    ['选2', 2],
    ['2吧', 2],
    ['3级', 3],
    ['四', 4],
    ['1 整个系统/车站业务中断', 1],
    ['全部都刷不了', 1],
    ['全线都进不去', 1],
    ['整个系统都用不了', 1],
    ['能用但是很慢', 2],
    ['主要功能不正常', 2],
    ['好几台', 2],
    ['一半', 2],
    ['就一台', 3],
    ['只有一个', 3],
    ['3号闸机', 3],
    ['只是告警', 4],
    ['有告警但暂不影响', 4],
  ])('%s → %s', (text, level) => {
    expect(parseLevelAnswer(text, lex)?.level).toBe(level);
  });

  it.each(['不知道', '', '你好', '5', '12', '稍等我问一下'])('%s → null (ask again)', (text) => {
    expect(parseLevelAnswer(text, lex)).toBeNull();
  });
});

describe('split reports: parseFragment and hasFaultSignal', () => {
  it('tells a details-only message from a report', () => {
    expect(parseFragment('小寨站', lex)).toMatchObject({ site: '小寨站', hasFaultSignal: false, detailsOnly: true });
    expect(parseFragment('电话 138 0013 8000', lex)).toMatchObject({ phone: '13800138000', detailsOnly: true });
    expect(parseFragment('3号闸机坏了', lex)).toMatchObject({ device: '闸机', hasFaultSignal: true, detailsOnly: false });
    expect(parseFragment('谢谢', lex)).toMatchObject({ hasFaultSignal: false, detailsOnly: false });
    expect(parseFragment('闸机已修好', lex).detailsOnly).toBe(false);
  });

  it('lets the bot complete "小寨站" + "3号闸机坏了" into one report', () => {
    const first = parseFragment('小寨站', lex);
    const second = parse('3号闸机坏了');
    expect({ ...second, site: second.site ?? first.site }).toMatchObject({ kind: 'fault', level: 3, site: '小寨站', device: '闸机' });
  });

  it('hasFaultSignal', () => {
    expect(hasFaultSignal('小寨站', lex)).toBe(false);
    expect(hasFaultSignal('闸机坏了', lex)).toBe(true);
    expect(hasFaultSignal('UPS告警', lex)).toBe(true);
  });
});

describe('corpus (test/fixtures/corpus)', () => {
  it('has labelled messages covering every kind and level, with unique ids', () => {
    const all = [...loadCorpus('train'), ...loadCorpus('test')];
    expect(all.length).toBeGreaterThanOrEqual(300);
    const keys = new Set(all.map((r) => (r.kind === 'fault' ? `fault:${r.severity}` : r.kind)));
    for (const k of ['fault:1', 'fault:2', 'fault:3', 'fault:4', 'fault:null', 'consultation', 'complaint', 'other']) expect(keys).toContain(k);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  });
});

describe('bad input', () => {
  const KINDS = ['fault', 'consultation', 'complaint', 'other'];
  const check = (text: string): void => {
    const r = parse(text);
    expect(KINDS).toContain(r.kind);
    if (r.kind !== 'fault') expect(r.level).toBeNull();
    if (r.phone !== null) expect(r.phone).toMatch(/^(?:1\d{10}|0\d{2,3}-\d{7,8})$/);
    if (r.level !== null) expect(r.grade).toBe(lex.source.grades.byLevel[r.level]);
    parseLevelAnswer(text, lex);
    parseFragment(text, lex);
    hasFaultSignal(text, lex);
  };

  it('parses any string without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc.string({ unit: 'binary-ascii', maxLength: 300 }),
        ),
        (s) => {
          check(s);
        },
      ),
      { numRuns: 500 },
    );
  });

  // Pieces chosen to stress the patterns: entrances, numbers, scope words, separators, mentions.
  const pieces = fc.constantFrom(
    '全部', '都', '口', 'a', 'B口', '1', '3号', '-', ' ', '\n', '\u0000', '\u2005', '@', '+86', '138', '029',
    '闸机', '告警', '不影响', '坏了', '小寨站', '车控室', '联系人', '电话', '：', '😂', '<', "'", '功能', '第', '次', '\uD800',
  );

  it('parses long adversarial text in bounded time', () => {
    fc.assert(
      fc.property(fc.array(pieces, { minLength: 1, maxLength: 60 }), (parts) => {
        const unit = parts.join('');
        const text = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
        const t0 = performance.now();
        check(text);
        expect(performance.now() - t0).toBeLessThan(2000);
      }),
      { numRuns: 40 },
    );
  });

  it.each([
    ['100 KB of one character', '闸'.repeat(100_000)],
    ['100 KB of digits', '1'.repeat(100_000)],
    ['100 KB of control characters', '\u0001\u0002\u001f'.repeat(34_000)],
    ['emoji only', '😂🙏👍'.repeat(1000)],
    ['HTML', '<div onclick="x()">闸机</div>'.repeat(3000)],
  ])('%s', (_label, text) => {
    const t0 = performance.now();
    check(text);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
