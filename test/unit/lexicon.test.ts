import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileLexicon, LexiconSchema, type Lexicon } from '../../src/domain/lexicon.js';
import { parseReport } from '../../src/domain/report-parser.js';

const raw = YAML.parse(readFileSync(new URL('../../config/lexicon.yaml', import.meta.url), 'utf8')) as unknown;
const lexicon = LexiconSchema.parse(raw);
const lex = compileLexicon(lexicon);

/** Canonical devices of each match in order, for "which word won" checks. */
const devicesIn = (text: string): string[] =>
  lex.scan(text.normalize('NFKC').toLowerCase()).flatMap((h) => h.tags.filter((t) => t.t === 'device').map((t) => t.name));

describe('default lexicon (config/lexicon.yaml)', () => {
  it('validates against the schema', () => {
    expect(() => LexiconSchema.parse(raw)).not.toThrow();
    expect(lexicon.areaCode).toBe('029');
  });

  it('has every canonical device the contract names', () => {
    const names = new Set(lexicon.devices.map((d) => d.name));
    for (const d of ['服务器', '交换机', '防火墙', '存储', '闸机', '售票机', 'PIS屏', '摄像头', 'NVR', 'UPS', '工作站', '打印机', '调度台', '时钟', '门禁', '票务系统', '综合监控系统', '乘客信息系统', '网络', '其他']) {
      expect(names, d).toContain(d);
    }
  });

  it('lists the 25 stations of Line 2, north to south, plus the control centre and depots', () => {
    const stations = lexicon.sites.filter((s) => s.kind === 'station').map((s) => s.name);
    expect(stations).toEqual([
      '草滩站', '红会医院北区站', '西安北站', '北苑站', '凤城十路站', '行政中心站', '凤城五路站', '市图书馆站', '大明宫西站',
      '龙首原站', '安远门站', '北大街站', '钟楼站', '永宁门站', '南稍门站', '体育场站', '小寨站', '纬一街站', '电视塔站',
      '三爻站', '凤栖原站', '航天城站', '韦曲南站', '何家营站', '常宁宫站',
    ]);
    expect(lexicon.sites.some((s) => s.kind === 'control' && s.name === '控制中心')).toBe(true);
    expect(lexicon.sites.filter((s) => s.kind === 'depot').length).toBeGreaterThan(0);
  });

  it('maps every alias to one site only', () => {
    const seen = new Map<string, string>();
    for (const s of lexicon.sites) {
      for (const a of [s.name, ...s.aliases]) {
        const key = a.toLowerCase();
        expect(seen.get(key) ?? s.name, `${a} is an alias of two sites`).toBe(s.name);
        seen.set(key, s.name);
      }
    }
  });

  it.each([
    ['北客站', '西安北站'],
    ['会展中心', '电视塔站'],
    ['运动公园', '凤城十路站'],
    ['OCC', '控制中心'],
    ['occ', '控制中心'],
    ['车辆段', '渭河车辆段'],
    ['小寨', '小寨站'],
  ])('site alias %s → %s', (alias, site) => {
    expect(parseReport(`${alias}闸机有问题`, lex).site).toBe(site);
  });

  it.each([
    ['AFC', '票务系统'],
    ['清分', '票务系统'],
    ['日终', '票务系统'],
    ['TVM', '售票机'],
    ['bom', '售票机'],
    ['监控', '摄像头'],
    ['综合监控', '综合监控系统'],
    ['ISCS', '综合监控系统'],
    ['NVR', 'NVR'],
    ['UPS', 'UPS'],
    ['PIS', 'PIS屏'],
    ['PIS系统', '乘客信息系统'],
    ['匝机', '闸机'],
  ])('device synonym %s → %s', (word, device) => {
    expect(parseReport(`${word}出问题了`, lex).device).toBe(device);
  });

  it('prefers the longest word: 综合监控 is the system, AFC机房 a room', () => {
    expect(devicesIn('综合监控黑屏')).toEqual(['综合监控系统']);
    expect(devicesIn('afc机房')).toEqual([]);
  });

  it('does not cut Latin abbreviations out of longer words, but allows a number after them', () => {
    expect(devicesIn('groups')).toEqual([]);
    expect(devicesIn('tvm03')).toEqual(['售票机']);
    expect(devicesIn('pisces')).toEqual([]);
  });

  it('marks hardware devices', () => {
    expect(lex.hardware.has('闸机')).toBe(true);
    expect(lex.hardware.has('票务系统')).toBe(false);
    expect(lex.hardware.has('网络')).toBe(false);
  });
});

describe('LexiconSchema', () => {
  const minimal = (): Lexicon =>
    LexiconSchema.parse({
      areaCode: '010',
      sites: [{ name: '测试站', kind: 'station', aliases: ['测试'] }],
      devices: [{ name: '闸机', hardware: true, synonyms: ['闸机'] }],
      cues: { down: { words: ['坏了'] }, fewScope: { words: ['一台'] } },
      grades: { byLevel: { 1: 'A', 2: 'C', 3: 'C', 4: 'D' }, consultation: 'B' },
    });

  it('fills defaults for omitted cue kinds', () => {
    const l = minimal();
    expect(l.cues.alarm).toEqual({ words: [], patterns: [] });
    expect(l.maxScanChars).toBe(2000);
  });

  it('makes another line a configuration change', () => {
    const other = compileLexicon(minimal());
    const r = parseReport('测试站有一台闸机坏了 电话 6512 3456', other);
    expect(r).toMatchObject({ kind: 'fault', site: '测试站', device: '闸机', level: 3 });
    // An 8-digit landline takes this contract's area code.
    expect(r.phone).toBe('010-65123456');
  });

  it.each([
    ['a bad area code', { areaCode: '29' }],
    ['no sites', { sites: [] }],
    ['a device without synonyms', { devices: [{ name: 'x', hardware: true, synonyms: [] }] }],
    ['an invalid pattern', { cues: { down: { patterns: ['(unclosed'] } } }],
    ['an unknown site kind', { sites: [{ name: 'x', kind: 'airport' }] }],
  ])('rejects %s', (_label, patch) => {
    expect(() => LexiconSchema.parse({ ...(raw as object), ...patch })).toThrow();
  });
});
