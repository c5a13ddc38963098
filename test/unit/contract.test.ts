/**
 * The default contract file reproduces ../shared/CONTRACT.md exactly, and a
 * malformed contract is refused with a message that names the field.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  ContractSchema,
  contractHash,
  describeDuration,
  durationMinutes,
  levelInfo,
  type Contract,
  type FaultLevel,
} from '../../src/domain/contract.js';

const CONTRACT_FILE = fileURLToPath(new URL('../../config/contract.yaml', import.meta.url));

/** The file as written, before validation: a fresh copy each call, free to mutate. */
function rawContract(): Record<string, any> {
  return YAML.parse(readFileSync(CONTRACT_FILE, 'utf8')) as Record<string, any>;
}

const contract: Contract = ContractSchema.parse(rawContract());

/** "field.path: message" for each problem, as the config loader prints them. */
function problems(input: unknown): string[] {
  const r = ContractSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('default contract file = CONTRACT.md', () => {
  it('is valid and names itself', () => {
    expect(problems(rawContract())).toEqual([]);
    expect(contract.timezone).toBe('Asia/Shanghai');
    expect(contract.ticketNumberPrefix).toBe('GD');
    expect(contract.calendar).toEqual({ workdayStart: '09:00', workdayEnd: '18:00', overrides: [] });
  });

  // | level | definition | first response | on-site response | spare parts |
  const levels: Array<[FaultLevel, string, string, number, number, boolean]> = [
    [1, '一级', '应用系统瘫痪', 30, 24, true],
    [2, '二级', '应用系统无法正常工作', 30, 36, true],
    [3, '三级', '局部应用系统异常', 30, 36, false],
    [4, '四级', '出现事件，但暂时不影响应用系统的运行', 30, 48, false],
  ];

  it('has exactly the four fault levels, in order', () => {
    expect(contract.faultLevels.map((l) => l.level)).toEqual([1, 2, 3, 4]);
  });

  it.each(levels)('level %i %s: %s — first response %i min, on site %i h, spare parts %s', (level, name, definition, first, onSiteHours, spare) => {
    const l = levelInfo(contract, level);
    expect(l.name).toBe(name);
    expect(l.definition).toBe(definition);
    expect(l.firstResponse).toEqual({ minutes: first });
    expect(durationMinutes(l.firstResponse)).toBe(first);
    expect(l.onSite).toEqual({ hours: onSiteHours });
    expect(durationMinutes(l.onSite)).toBe(onSiteHours * 60);
    expect(l.spareParts).toBe(spare);
    expect(l.question.length).toBeGreaterThan(0);
  });

  it('has the four service grades A–D', () => {
    expect(contract.serviceGrades.map((g) => [g.grade, g.situation])).toEqual([
      ['A', '系统瘫痪'],
      ['B', '功能、安装、配置等技术支持，不影响业务'],
      ['C', '系统性能下降'],
      ['D', '存在隐患，业务仍正常'],
    ]);
  });

  // clock → kinds, hardware only, starts at, limit
  const clocks: Array<[string, string[], boolean, string, object]> = [
    ['first_response', ['fault'], false, 'reportedAt', { levelColumn: 'firstResponse' }],
    ['consultation_response', ['consultation'], false, 'reportedAt', { minutes: 30 }],
    ['acceptance', ['fault', 'consultation'], false, 'reportedAt', { hours: 1 }],
    ['assignment', ['fault'], false, 'acceptedAt', { minutes: 30 }],
    ['on_site', ['fault'], false, 'reportedAt', { levelColumn: 'onSite' }],
    ['resolve_or_replace', ['fault'], true, 'reportedAt', { hours: 28 }],
    ['detection_report', ['fault'], true, 'spareRequestedAt', { hours: 8 }],
    ['complaint_answer', ['complaint'], false, 'reportedAt', { workingDays: 2 }],
  ];

  it('has exactly these clocks', () => {
    expect(Object.keys(contract.clocks).sort()).toEqual(clocks.map((c) => c[0]).sort());
  });

  it.each(clocks)('clock %s: kinds %j, hardware only %s, from %s, limit %j', (name, kinds, hardwareOnly, startsAt, limit) => {
    const c = contract.clocks[name]!;
    expect(c.kinds).toEqual(kinds);
    expect(c.hardwareOnly).toBe(hardwareOnly);
    expect(c.startsAt).toBe(startsAt);
    expect(c.limit).toEqual(limit);
    expect(c.label.length).toBeGreaterThan(0);
  });

  it('all clocks run from the moment the report reaches the supplier (except the ones that start later by nature)', () => {
    const later = Object.entries(contract.clocks)
      .filter(([, c]) => c.startsAt !== 'reportedAt')
      .map(([n, c]) => `${n}:${c.startsAt}`);
    expect(later.sort()).toEqual(['assignment:acceptedAt', 'detection_report:spareRequestedAt']);
  });

  it('resolve-or-replace at 28 h prompts the spare replacement; the others escalate', () => {
    expect(contract.clocks.resolve_or_replace!.onBreach).toBe('spare_replacement');
    expect(contract.clocks.resolve_or_replace!.stopsAt).toEqual(['resolvedAt', 'spareRequestedAt']);
    const others = Object.entries(contract.clocks).filter(([n]) => n !== 'resolve_or_replace');
    expect(others.every(([, c]) => c.onBreach === 'escalate')).toBe(true);
  });

  it('detection report stops at the report; complaint answer at the result', () => {
    expect(contract.clocks.detection_report!.stopsAt).toEqual(['detectionReportAt']);
    expect(contract.clocks.complaint_answer!.stopsAt).toEqual(['resolvedAt']);
    expect(describeDuration(contract.clocks.complaint_answer!.limit as { workingDays: number })).toBe('2 个工作日');
  });

  it('reminds at 50% and 80%, escalates engineer → manager → vice-president', () => {
    expect(contract.reminders.points).toEqual([0.5, 0.8]);
    expect(contract.escalation.chain).toEqual(['engineer', 'manager', 'vp']);
    expect(contract.escalation.steps).toEqual([
      { after: { minutes: 0 }, notify: ['assignee', 'manager'] },
      { after: { minutes: 60 }, notify: ['vp'] },
    ]);
    // The manager did not assign: straight to the vice-president at the breach.
    expect(contract.clocks.assignment!.escalation).toEqual([{ after: { minutes: 0 }, notify: ['vp'] }]);
    // Only the assignment clock overrides the chain; no clock overrides the points.
    expect(Object.entries(contract.clocks).filter(([, c]) => c.escalation).map(([n]) => n)).toEqual(['assignment']);
    expect(Object.values(contract.clocks).some((c) => c.reminders)).toBe(false);
  });

  it('hotline: answered or called back within 10 minutes', () => {
    expect(contract.hotlineCallback).toEqual({ minutes: 10 });
    expect(describeDuration(contract.hotlineCallback)).toBe('10 分钟');
  });

  it('keeps the magnetic media with the customer', () => {
    expect(contract.magneticMedia).toEqual(expect.arrayContaining(['硬盘', '磁盘', '磁带']));
  });
});

describe('durations', () => {
  it.each([
    [{ minutes: 30 }, 30, '30 分钟'],
    [{ hours: 1 }, 60, '1 小时'],
    [{ hours: 28 }, 1680, '28 小时'],
    [{ minutes: 90 }, 90, '90 分钟'],
    [{ minutes: 120 }, 120, '2 小时'],
    [{ workingDays: 2 }, null, '2 个工作日'],
  ])('%j = %s minutes, "%s"', (d, minutes, words) => {
    expect(durationMinutes(d)).toBe(minutes);
    expect(describeDuration(d)).toBe(words);
  });

  it('levelInfo of a level not in the contract throws', () => {
    expect(() => levelInfo(contract, 5 as FaultLevel)).toThrow(/fault level 5/);
  });
});

describe('malformed contracts are refused, naming the field', () => {
  const cases: Array<[string, (c: Record<string, any>) => void, RegExp]> = [
    [
      'fault levels out of order',
      (c) => {
        c.faultLevels = [c.faultLevels[1], c.faultLevels[0], c.faultLevels[2], c.faultLevels[3]];
      },
      /^faultLevels: levels must be listed in order 1, 2, 3, 4$/,
    ],
    ['three fault levels', (c) => void c.faultLevels.pop(), /^faultLevels: the contract defines exactly four fault levels$/],
    ['a level 5', (c) => void (c.faultLevels[3].level = 5), /^faultLevels\.3\.level: /],
    [
      'a level limit with both minutes and hours',
      (c) => void (c.faultLevels[0].onSite = { minutes: 30, hours: 24 }),
      /^faultLevels\.0\.onSite: give exactly one of minutes, hours or workingDays$/,
    ],
    [
      'a clock limit with both minutes and hours',
      (c) => void (c.clocks.acceptance.limit = { minutes: 60, hours: 1 }),
      /^clocks\.acceptance\.limit: give exactly one of minutes, hours or workingDays$/,
    ],
    ['an empty limit', (c) => void (c.clocks.acceptance.limit = {}), /^clocks\.acceptance\.limit: give exactly one of/],
    ['a negative limit', (c) => void (c.faultLevels[2].firstResponse = { minutes: -5 }), /^faultLevels\.2\.firstResponse\.minutes: /],
    ['an unknown top-level key', (c) => void (c.reminderPoints = [0.5]), /: Unrecognized key: "reminderPoints"$/],
    ['an unknown key in a clock', (c) => void (c.clocks.acceptance.startAt = 'reportedAt'), /^clocks\.acceptance: Unrecognized key: "startAt"$/],
    ['an unknown key in a level', (c) => void (c.faultLevels[1].onsite = { hours: 36 }), /^faultLevels\.1: Unrecognized key: "onsite"$/],
    [
      'levelColumn on a consultation clock',
      (c) => void (c.clocks.consultation_response.limit = { levelColumn: 'firstResponse' }),
      /^clocks\.consultation_response\.limit: a limit taken from the fault level table applies to faults only/,
    ],
    [
      'levelColumn on a clock for faults and consultations',
      (c) => void (c.clocks.acceptance.limit = { levelColumn: 'onSite' }),
      /^clocks\.acceptance\.limit: a limit taken from the fault level table applies to faults only/,
    ],
    ['an unknown level column', (c) => void (c.clocks.on_site.limit = { levelColumn: 'resolve' }), /^clocks\.on_site\.limit: /],
    ['workdayEnd 25:00', (c) => void (c.calendar.workdayEnd = '25:00'), /^calendar\.workdayEnd: a time of day written HH:mm$/],
    ['workdayStart 9h', (c) => void (c.calendar.workdayStart = '9h'), /^calendar\.workdayStart: a time of day written HH:mm$/],
    ['workdayStart 09:60', (c) => void (c.calendar.workdayStart = '09:60'), /^calendar\.workdayStart: a time of day written HH:mm$/],
    ['working hours ending before they start', (c) => void (c.calendar.workdayEnd = '08:00'), /^calendar\.workdayEnd: must be after workdayStart \(09:00\)$/],
    ['a lower-case prefix', (c) => void (c.ticketNumberPrefix = 'gd'), /^ticketNumberPrefix: capital letters and digits, starting with a letter, at most 8$/],
    ['a prefix with a dash', (c) => void (c.ticketNumberPrefix = 'GD-'), /^ticketNumberPrefix: capital letters/],
    ['a prefix of 9 characters', (c) => void (c.ticketNumberPrefix = 'ABCDEFGHI'), /^ticketNumberPrefix: capital letters/],
    ['a prefix starting with a digit', (c) => void (c.ticketNumberPrefix = '1GD'), /^ticketNumberPrefix: capital letters/],
    ['an unknown time zone', (c) => void (c.timezone = 'Mars/Olympus'), /^timezone: an IANA time zone such as Asia\/Shanghai$/],
    ['a reminder point of 1', (c) => void (c.reminders.points = [0.5, 1]), /^reminders\.points\.1: /],
    ['an unknown step', (c) => void (c.clocks.on_site.stopsAt = ['arrivedAt']), /^clocks\.on_site\.stopsAt\.0: /],
    ['a clock name with capitals', (c) => void (c.clocks.OnSite = c.clocks.on_site), /^clocks\.OnSite: /],
    ['an unknown escalation audience', (c) => void (c.escalation.steps[1].notify = ['ceo']), /^escalation\.steps\.1\.notify\.0: /],
    ['an unknown role in the chain', (c) => void (c.escalation.chain = ['engineer', 'boss']), /^escalation\.chain\.1: /],
    ['a rating threshold of 6', (c) => void (c.confirmation.dissatisfiedAtOrBelow = 6), /^confirmation\.dissatisfiedAtOrBelow: /],
    [
      'an override date that does not exist',
      (c) => void (c.calendar.overrides = [{ year: 2027, holidays: ['2027-02-30'] }]),
      /^calendar\.overrides\.0\.holidays\.0: a calendar date that exists$/,
    ],
    [
      'an override date in another year',
      (c) => void (c.calendar.overrides = [{ year: 2027, holidays: ['2028-01-01'] }]),
      /^calendar\.overrides\.0\.holidays\.0: 2028-01-01 is not in 2027/,
    ],
    [
      'an override date written 2027/10/01',
      (c) => void (c.calendar.overrides = [{ year: 2027, holidays: ['2027/10/01'] }]),
      /^calendar\.overrides\.0\.holidays\.0: a date written YYYY-MM-DD$/,
    ],
    [
      'a day both holiday and make-up day',
      (c) => void (c.calendar.overrides = [{ year: 2027, holidays: ['2027-10-01'], workdays: ['2027-10-01'] }]),
      /^calendar\.overrides\.0\.workdays\.0: 2027-10-01 is listed both as a holiday and as a working day$/,
    ],
    [
      'two overrides for one year',
      (c) =>
        void (c.calendar.overrides = [
          { year: 2027, holidays: ['2027-10-01'] },
          { year: 2027, holidays: ['2027-10-02'] },
        ]),
      /^calendar\.overrides\.1\.year: 2027 has more than one override$/,
    ],
    ['a missing section', (c) => void delete c.escalation, /^escalation: /],
  ];

  it.each(cases)('%s', (_what, mutate, expected) => {
    const c = rawContract();
    mutate(c);
    const found = problems(c);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((p) => expected.test(p)), `expected ${expected} among:\n${found.join('\n')}`).toBe(true);
  });

  it('a valid override is accepted, make-up days default to none', () => {
    const c = rawContract();
    c.calendar.overrides = [{ year: 2027, holidays: ['2027-10-01', '2027-10-04'] }];
    expect(ContractSchema.parse(c).calendar.overrides).toEqual([{ year: 2027, holidays: ['2027-10-01', '2027-10-04'], workdays: [] }]);
  });

  it('defaults fill what may be left out', () => {
    const c = rawContract();
    delete c.timezone;
    delete c.ticketNumberPrefix;
    delete c.clocks.on_site.remind;
    delete c.clocks.first_response.hardwareOnly;
    const parsed = ContractSchema.parse(c);
    expect(parsed.timezone).toBe('Asia/Shanghai');
    expect(parsed.ticketNumberPrefix).toBe('GD');
    expect(parsed.clocks.on_site!.remind).toEqual(['assignee']);
    expect(parsed.clocks.first_response!.hardwareOnly).toBe(false);
  });
});

describe('contractHash', () => {
  /** The same object with every key order reversed, at every depth. */
  function reverseKeys<T>(value: T): T {
    if (Array.isArray(value)) return value.map(reverseKeys) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)])) as T;
    }
    return value;
  }

  it('is 16 hex digits and the same for the same contract', () => {
    const h = contractHash(contract);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(contractHash(ContractSchema.parse(rawContract()))).toBe(h);
  });

  it('does not depend on key order', () => {
    const reversed = reverseKeys(contract);
    expect(Object.keys(reversed)[0]).toBe(Object.keys(contract).at(-1));
    expect(contractHash(reversed)).toBe(contractHash(contract));
    // Nor on the order of keys in the file.
    expect(contractHash(ContractSchema.parse(reverseKeys(rawContract())))).toBe(contractHash(contract));
  });

  it('changes with any number', () => {
    const c = rawContract();
    c.faultLevels[3].onSite = { hours: 47 };
    expect(contractHash(ContractSchema.parse(c))).not.toBe(contractHash(contract));
    const d = rawContract();
    d.reminders.points = [0.8, 0.5];
    expect(contractHash(ContractSchema.parse(d))).not.toBe(contractHash(contract));
  });
});
