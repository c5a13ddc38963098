/**
 * The duty commands as people type them: inspections, visits, notices with a
 * maintenance window, the repair-and-return steps with amounts and periods,
 * emergency reports; a malformed one gives its example; none is confused with
 * the older ticket commands, either way round.
 *
 * now = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z).
 */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/bot/commands/index.js';
import { findNames, parseAmountCents, parseDutyCommand, parseWindow, splitProblems, type DutyParseOptions } from '../../src/domain/duty-commands.js';

const now = new Date('2026-11-24T02:00:00Z');
const TZ = 'Asia/Shanghai';
const o: DutyParseOptions = {
  now,
  timezone: TZ,
  customers: ['西安地铁二号线运营分公司', '西安地铁三号线运营分公司'],
  systems: [
    { name: '服务器', words: ['服务器', '数据库服务器', '应用服务器'] },
    { name: '交换机', words: ['交换机', '核心交换'] },
    { name: '闸机', words: ['闸机', 'AGM'] },
    { name: '摄像头', words: ['摄像头', '监控'] },
    { name: '综合监控', words: ['综合监控'] },
  ],
  stations: [
    { name: '小寨站', words: ['小寨'] },
    { name: '钟楼站', words: ['钟楼'] },
    { name: '全线', words: ['全线'] },
  ],
};
const parse = (text: string) => parseDutyCommand(text, o);
/** A Shanghai wall-clock time as an instant. */
const sh = (s: string) => new Date(`${s}+08:00`);

describe('inspections and visits', () => {
  const cases: Array<[string, object]> = [
    ['巡检完成 #5 正常', { type: 'inspection_done', ref: { short: 5 }, outcome: 'normal', problems: [] }],
    ['巡检完成 #5 一切正常，UPS放电测试通过', { type: 'inspection_done', ref: { short: 5 }, outcome: 'normal', problems: [], note: 'UPS放电测试通过' }],
    ['#5 巡检完成 无异常', { type: 'inspection_done', ref: { short: 5 }, outcome: 'normal', problems: [] }],
    ['巡检完成 ＃５ 正常', { type: 'inspection_done', ref: { short: 5 }, outcome: 'normal', problems: [] }],
    ['巡检完成 #5 未发现问题', { type: 'inspection_done', ref: { short: 5 }, outcome: 'normal', problems: [] }],
    ['巡检完成 #5 发现问题 3号闸机读卡器无响应；核心交换机风扇告警', { type: 'inspection_done', ref: { short: 5 }, outcome: 'problems', problems: ['3号闸机读卡器无响应', '核心交换机风扇告警'] }],
    ['巡检完成 #5 发现问题：1. UPS电池鼓包 2. 机房空调漏水', { type: 'inspection_done', ref: { short: 5 }, outcome: 'problems', problems: ['UPS电池鼓包', '机房空调漏水'] }],
    ['巡检完成 #5 基本正常，发现问题：2.5G 光模块告警', { type: 'inspection_done', ref: { short: 5 }, outcome: 'problems', problems: ['2.5G 光模块告警'] }],
    ['巡检完成 #5 无异常项，发现问题：机柜门锁坏', { type: 'inspection_done', ref: { short: 5 }, outcome: 'problems', problems: ['机柜门锁坏'] }],
    ['巡检完成 正常', { type: 'inspection_done', outcome: 'normal', problems: [] }],
    ['派巡检 #5 @张工', { type: 'inspection_assign', ref: { short: 5 } }],
    ['回访 #7 客户对服务满意，希望增加巡检频次', { type: 'follow_up_done', ref: { short: 7 }, notes: '客户对服务满意，希望增加巡检频次' }],
    ['回访记录 #7：客户无其他需求', { type: 'follow_up_done', ref: { short: 7 }, notes: '客户无其他需求' }],
    ['派回访 #7 @客服小刘', { type: 'follow_up_assign', ref: { short: 7 } }],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  const usage: Array<[string, string, RegExp]> = [
    ['巡检完成 #5', 'inspection_done', /正常.*发现问题/],
    ['巡检完成 #5 3号闸机异常', 'inspection_done', /正常.*发现问题/],
    ['巡检完成 #5 发现问题：', 'inspection_done', /请写明发现的问题/],
    ['回访 #7', 'follow_up_done', /回访记录/],
  ];
  it.each(usage)('%s → how to write it', (text, command, problem) => {
    expect(parse(text)).toMatchObject({ type: 'usage', command, problem: expect.stringMatching(problem), example: expect.any(String) });
  });

  it.each([
    ['1. A 2. B', ['A', 'B']],
    ['A；B;C\nD', ['A', 'B', 'C', 'D']],
    ['1、A，2、B', ['A', 'B']],
    ['(1) A (2) B', ['A', 'B']],
    ['交换机 2.5G 端口 3.2 版本告警', ['交换机 2.5G 端口 3.2 版本告警']],
  ])('problems in %j', (text, expected) => {
    expect(splitProblems(text)).toEqual(expected);
  });
});

describe('repair and return', () => {
  const cases: Array<[string, object]> = [
    ['收到故障件 #12 电源模块', { type: 'repair', ref: { short: 12 }, action: { step: 'received', part: '电源模块' } }],
    ['收到故障件 #12', { type: 'repair', ref: { short: 12 }, action: { step: 'received' } }],
    ['送修 #12 寄原厂维修', { type: 'repair', ref: { short: 12 }, action: { step: 'sent', note: '寄原厂维修' } }],
    ['已送修 GD-20261124-0001', { type: 'repair', ref: { number: 'GD-20261124-0001' }, action: { step: 'sent' } }],
    ['维修费用 #12 1200元', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 120000 } }],
    ['维修费用 #12 1200元 周期10天', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 120000, periodDays: 10 } }],
    ['维修费用 #12 周期 2 周 ¥1,250.5', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 125050, periodDays: 14 } }],
    ['维修费用 #12 更换2个电容 300元', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 30000, note: '更换2个电容' } }],
    ['维修费用 #12 1.2万', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 1_200_000 } }],
    ['维修费用 #12 免费 保修期内', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 0, note: '保修期内' } }],
    ['维修费用 #12 0', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 0 } }],
    ['维修费用 #12 费用：800 元，维修周期约7天', { type: 'repair', ref: { short: 12 }, action: { step: 'quoted', costCents: 80000, periodDays: 7 } }],
    ['修复返回 #12', { type: 'repair', ref: { short: 12 }, action: { step: 'repaired' } }],
    ['已返还客户 #12 客户王工签收', { type: 'repair', ref: { short: 12 }, action: { step: 'returned', note: '客户王工签收' } }],
    ['取消返修 #12 客户自行处理', { type: 'repair', ref: { short: 12 }, action: { step: 'cancel', reason: '客户自行处理' } }],
    ['应急报告 #12 已启用备机恢复业务，原因为电源模块损坏', { type: 'emergency_report', ref: { short: 12 }, text: '已启用备机恢复业务，原因为电源模块损坏' }],
    ['应急响应报告 #12：已更换同型号备机', { type: 'emergency_report', ref: { short: 12 }, text: '已更换同型号备机' }],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it.each([
    ['维修费用 #12', 'repair'],
    ['维修费用 #12 待定', 'repair'],
    ['应急报告 #12', 'emergency_report'],
  ])('%s → how to write it', (text, command) => {
    expect(parse(text)).toMatchObject({ type: 'usage', command });
  });

  it.each([
    ['1200', 120000],
    ['1,200.5元', 120050],
    ['¥99.99', 9999],
    ['3万元', 3_000_000],
    ['免费', 0],
    ['待定', null],
  ] as const)('amount %s = %s fen', (text, cents) => {
    expect(parseAmountCents(text)).toBe(cents);
  });
});

describe('notices', () => {
  it('to everyone: a maintenance window with its systems and stations', () => {
    expect(parse('通告 全部 计划检修 12月5日 01:00-05:00 小寨站 服务器、核心交换 系统升级，期间暂停服务')).toEqual({
      type: 'notice',
      target: { all: true },
      kind: 'maintenance',
      text: '12月5日 01:00-05:00 小寨站 服务器、核心交换 系统升级，期间暂停服务',
      window: { start: sh('2026-12-05T01:00:00'), end: sh('2026-12-05T05:00:00') },
      systems: ['服务器', '交换机'],
      allSystems: false,
      stations: ['小寨站'],
    });
  });

  it('to one customer by part of its name: a security advisory', () => {
    expect(parse('通告 二号线 安全通告 请尽快修补 OpenSSL 漏洞')).toMatchObject({ target: { customer: '西安地铁二号线运营分公司' }, kind: 'security', text: '请尽快修补 OpenSSL 漏洞' });
  });

  it('a name matching several customers is kept as written (the bot asks which)', () => {
    expect(parse('通告 西安地铁 产品更新 新版本发布')).toMatchObject({ target: { customer: '西安地铁' }, kind: 'product' });
  });

  it('without a target: the chat’s own customer; without a kind: a general notice', () => {
    expect(parse('通告 春节期间值班电话 13900000001')).toMatchObject({ target: { here: true }, kind: 'general', text: '春节期间值班电话 13900000001' });
  });

  it('a notice keeps "#" and ticket words as written', () => {
    expect(parse('通告 全部 通知 #3 工单已处理完毕')).toMatchObject({ kind: 'general', text: '#3 工单已处理完毕' });
  });

  it('all systems, and 综合监控 is not also 监控', () => {
    expect(parse('通告 全部 停机割接 今晚23:00至次日04:00 全部系统')).toMatchObject({ allSystems: true, window: { start: sh('2026-11-24T23:00:00'), end: sh('2026-11-25T04:00:00') } });
    expect(parse('通告 全部 计划检修 明天 9:00-12:00 综合监控 升级')).toMatchObject({ systems: ['综合监控'] });
  });

  it.each([
    ['通告', /通告内容/],
    ['通告 全部 计划检修 服务器升级', /开始和结束时间/],
  ])('%s → how to write it', (text, problem) => {
    expect(parse(text)).toMatchObject({ type: 'usage', command: 'notice', problem: expect.stringMatching(problem) });
  });

  it('"通告栏坏了" is not a notice', () => {
    expect(parse('通告栏坏了')).toBeNull();
  });
});

describe('withdrawing a notice, ending its window', () => {
  it.each([
    ['结束维护 #3', { type: 'notice_end', ref: { short: 3 }, how: 'end' }],
    ['提前结束检修 #3 升级顺利完成', { type: 'notice_end', ref: { short: 3 }, how: 'end', reason: '升级顺利完成' }],
    ['取消通告 #3', { type: 'notice_end', ref: { short: 3 }, how: 'cancel' }],
    ['撤销通告 #3 发错了', { type: 'notice_end', ref: { short: 3 }, how: 'cancel', reason: '发错了' }],
  ])('%s', (text, want) => {
    expect(parse(text)).toEqual(want);
  });
  it('without the notice number: the example', () => {
    expect(parse('结束维护')).toMatchObject({ type: 'usage', command: 'notice_end', problem: '请带上通告编号' });
  });
  it('撤销通告 #3 is about notice #3, never a cancellation of ticket #3', () => {
    expect(parseCommand('撤销通告 #3')?.command.name).toBe('notice_end');
    expect(parseCommand('撤销 #3 重复报修')?.command.name).toBe('cancel');
  });
});

describe('time windows', () => {
  const cases: Array<[string, string, string]> = [
    ['12月5日 01:00-05:00', '2026-12-05T01:00:00', '2026-12-05T05:00:00'],
    ['2026-12-05 01:00 至 2026-12-06 05:30', '2026-12-05T01:00:00', '2026-12-06T05:30:00'],
    ['2026年12月5日 23:00~04:00', '2026-12-05T23:00:00', '2026-12-06T04:00:00'],
    ['12/5 1:00～5:00', '2026-12-05T01:00:00', '2026-12-05T05:00:00'],
    ['12月5日凌晨1点到5点半', '2026-12-05T01:00:00', '2026-12-05T05:30:00'],
    ['今晚11点到明天凌晨3点', '2026-11-24T23:00:00', '2026-11-25T03:00:00'],
    ['明天下午2点至4点', '2026-11-25T14:00:00', '2026-11-25T16:00:00'],
    ['后天 9:00-当日 17:00', '2026-11-26T09:00:00', '2026-11-26T17:00:00'],
    ['14:00-16:00', '2026-11-24T14:00:00', '2026-11-24T16:00:00'],
    ['1月3日 02:00-06:00', '2027-01-03T02:00:00', '2027-01-03T06:00:00'],
    ['11月20日 02:00-06:00', '2026-11-20T02:00:00', '2026-11-20T06:00:00'],
  ];
  it.each(cases)('%s', (text, start, end) => {
    const w = parseWindow(`计划检修 ${text} 服务器升级`, now, TZ)!;
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual([sh(start).toISOString(), sh(end).toISOString()]);
  });

  it.each(['服务器升级', '12月5日 01:00', '12月32日 01:00-05:00', '25:00-26:00', '次日 01:00-05:00'])('no window in %j', (text) => {
    expect(parseWindow(text, now, TZ)).toBeNull();
  });
});

describe('findNames', () => {
  it('longest first, each place once, in the vocabulary’s names', () => {
    expect(findNames('综合监控和站台监控 AGM', o.systems!)).toEqual(['综合监控', '摄像头', '闸机']);
  });
});

describe('the duty commands and the ticket commands do not overlap', () => {
  const duty = [
    '巡检完成 #5 正常',
    '派巡检 #5 @张工',
    '回访 #7 客户满意',
    '派回访 #7 @客服小刘',
    '通告 全部 安全通告 请修补漏洞',
    '收到故障件 #12 电源模块',
    '送修 #12',
    '维修费用 #12 1200元',
    '修复返回 #12',
    '已返还客户 #12',
    '取消返修 #12',
    '应急报告 #12 已启用备机',
    '结束维护 #3',
    '取消通告 #3',
  ];
  // Wired into the registry, each is read as its duty command, never as a ticket command.
  const DUTY_COMMANDS = ['inspection_done', 'inspection_assign', 'follow_up_done', 'follow_up_assign', 'notice', 'repair', 'emergency_report', 'notice_end'];
  it.each(duty)('the registry reads %s as a duty command', (text) => {
    expect(DUTY_COMMANDS).toContain(parseCommand(text)?.command.name);
  });

  const ticket = [
    '接单 #12',
    '到场 #12',
    '已修复 #12 更换电源模块',
    '转派 #12 @李工',
    '派单 #12 @张工',
    '申请备件 #12 硬盘',
    '已更换 #12 电源模块',
    '介质已留存 #12',
    '检测报告 #12 主板故障 维修费用 1200元',
    '撤销 #12 重复报修',
    '确认修复',
    '还没好',
    '同意收费',
    '免费处理 #12',
    '答复 #13 在后台导出',
    '调查结果 #13 已核实',
    '整改 #13 已复查',
    '更换工程师 #13',
    '绑定客户 西安地铁二号线运营分公司',
    '设为工程师 @张工',
    '#12 改为一级',
    '查询 #12',
    '我的工单',
    '帮助',
  ];
  it.each(ticket)('the duty parser leaves %s alone', (text) => {
    expect(DUTY_COMMANDS).not.toContain(parseCommand(text)?.command.name);
    expect(parse(text)).toBeNull();
  });

  it.each(['小寨站 3号闸机刷卡没反应', '服务器宕机了 快来', '谢谢 辛苦了', '回头再说', '送修的那台什么时候回来？'])('a customer’s message is not a duty command: %s', (text) => {
    const r = parse(text);
    // "送修的那台…" begins with a command word and reads as one; from a customer the router's check that
    // a question is not meant as a command (as for "到场了吗") passes it on to intake.
    if (text.startsWith('送修')) expect(r).toMatchObject({ type: 'repair' });
    else expect(r).toBeNull();
  });
});
