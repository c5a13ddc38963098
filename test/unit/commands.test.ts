/**
 * Reading chat commands (src/domain/commands.ts) with the registry's rules
 * (src/bot/commands): table-driven, one row per way people type a command,
 * plus the pieces every command shares — the ticket reference, full-width
 * text, ratings, button values — and what the registry builds from its list:
 * buttons, the role check and the help text.
 */
import { describe, expect, it } from 'vitest';
import { commandFromButton, COMMANDS, helpText, meantAsCommand, parseCommand, refusalFor } from '../../src/bot/commands/index.js';
import { buttonValue, extractRef, normalise, parseButtonValue, parseRating, type TicketRef } from '../../src/domain/commands.js';
import type { Role } from '../../src/domain/contract.js';

/** A parsed command as one plain object: its name, its arguments (without undefined ones) and the ticket it names. */
function read(text: string): Record<string, unknown> | null {
  const p = parseCommand(text);
  if (!p) return null;
  const args = Object.fromEntries(Object.entries(p.args).filter(([, v]) => v !== undefined));
  return { command: p.command.name, ...args, ...(p.ref && p.command.target === 'ticket' ? { ref: p.ref } : {}) };
}

const r12: TicketRef = { short: 12 };

describe('parseCommand', () => {
  it.each<[string, Record<string, unknown> | null]>([
    // acknowledge
    ['接单', { command: 'acknowledge' }],
    ['接单 #12', { command: 'acknowledge', ref: r12 }],
    ['#12 接单', { command: 'acknowledge', ref: r12 }],
    ['接 #12', { command: 'acknowledge', ref: r12 }],
    ['接单 GD-20261124-0001', { command: 'acknowledge', ref: { number: 'GD-20261124-0001' } }],
    ['接单 gd-20261124-0001', { command: 'acknowledge', ref: { number: 'GD-20261124-0001' } }],
    ['接单 工单12', { command: 'acknowledge', ref: r12 }],
    ['接单 ＃１２', { command: 'acknowledge', ref: r12 }],
    ['接着说', null],
    // arrive, resolve, with the note (the reference may sit between the words and the note)
    ['到场 #12 机房告警灯亮，阵列降级', { command: 'arrive', note: '机房告警灯亮，阵列降级', ref: r12 }],
    ['已到场', { command: 'arrive' }],
    ['到达现场 #12', { command: 'arrive', ref: r12 }],
    ['已修复 #12 更换电源模块', { command: 'resolve', note: '更换电源模块', ref: r12 }],
    ['#12 已修复：重启读卡器', { command: 'resolve', note: '重启读卡器', ref: r12 }],
    ['处理完毕', { command: 'resolve' }],
    ['我在路上了，一会儿到场', null],
    // assignment
    ['派单 #12 @张工', { command: 'assign', ref: r12 }],
    ['转派 #12 @李工 临时有事', { command: 'transfer', note: '临时有事', ref: r12 }],
    ['改派 #12 @李工', { command: 'transfer', ref: r12 }],
    // spare parts and reports
    ['申请备件 #12 硬盘 600G SAS', { command: 'request_spare', part: '硬盘 600G SAS', ref: r12 }],
    ['已更换 #12 电源模块', { command: 'replace_part', part: '电源模块', used: false, ref: r12 }],
    ['已更换 #12 电源模块（客户同意使用非新件）', { command: 'replace_part', part: '电源模块', used: true, ref: r12 }],
    ['介质已留存 #12', { command: 'medium_retained', ref: r12 }],
    ['检测报告 #12 主板故障 维修费用 1200元', { command: 'detection_report', text: '主板故障', cost: '1200元', ref: r12 }],
    ['检测报告 #12 费用：300 元', { command: 'detection_report', text: '维修费用 300元', cost: '300元', ref: r12 }],
    ['检测报告', null],
    // level and cancellation
    ['#12 改为一级', { command: 'set_level', level: 1, ref: r12 }],
    ['GD-20261124-0001 改成2级', { command: 'set_level', level: 2, ref: { number: 'GD-20261124-0001' } }],
    ['改为三级 #4', { command: 'set_level', level: 3, ref: { short: 4 } }],
    ['撤销 #12 重复报修', { command: 'cancel', reason: '重复报修', ref: r12 }],
    ['取消工单', { command: 'cancel' }],
    // the customer's
    ['确认修复', { command: 'confirm' }],
    ['确认', { command: 'confirm' }],
    ['确认一下', null],
    ['还没好', { command: 'deny_fix' }],
    ['还是不行 刷卡还是没反应', { command: 'deny_fix', note: '刷卡还是没反应' }],
    ['同意收费', { command: 'agree_fee' }],
    ['同意收费 #12', { command: 'agree_fee', ref: r12 }],
    ['更换工程师 #13', { command: 'other_engineer', ref: { short: 13 } }],
    // the desk's and the managers'
    ['免费处理 #12', { command: 'waive_fee', ref: r12 }],
    ['答复 #13 在SC后台 报表-交易明细 里导出', { command: 'answer', text: '在SC后台 报表-交易明细 里导出', ref: { short: 13 } }],
    ['答复 #13', null],
    ['调查结果 #13 经核实，工程师响应迟缓', { command: 'investigation', text: '经核实，工程师响应迟缓', ref: { short: 13 } }],
    ['整改 #13 由李工接手', { command: 'correction', text: '由李工接手', ref: { short: 13 } }],
    ['绑定客户 西安地铁二号线运营分公司', { command: 'bind_customer', name: '西安地铁二号线运营分公司' }],
    ['设为工程师 @张工', { command: 'set_role', role: 'engineer' }],
    ['设为经理 @李经理', { command: 'set_role', role: 'manager' }],
    ['设为客服 @小刘', { command: 'set_role', role: 'desk' }],
    ['设为主管副总 @王总', { command: 'set_role', role: 'vp' }],
    ['设为客户 @老王', { command: 'set_role', role: 'customer' }],
    // lists and help
    ['查询 #12', { command: 'query', ref: r12 }],
    ['查看 GD-20261124-0001', { command: 'query', ref: { number: 'GD-20261124-0001' } }],
    ['我的工单', { command: 'my_tickets' }],
    ['待处理', { command: 'open_tickets' }],
    ['帮助', { command: 'help' }],
    ['？', { command: 'help' }],
    // not commands
    ['小寨站 3号闸机刷卡没反应 电话13800138000', null],
    ['谢谢 辛苦了', null],
    ['5分 处理很及时', null],
    ['', null],
    ['接单'.repeat(1001), null],
  ])('%s', (text, want) => {
    expect(read(text)).toEqual(want);
  });

  it('every command that can be typed is read by its own words', () => {
    const typed = COMMANDS.filter((c) => c.parse);
    expect(typed.length).toBeGreaterThanOrEqual(24);
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});

describe('what every command shares', () => {
  it.each<[string, string]>([
    ['＃１２　接单', '#12 接单'],
    ['  到场   #3 ', '到场 #3'],
    ['ＧＤ－２０２６１１２４－０００１', 'GD-20261124-0001'],
    ['已修复，更换模块', '已修复，更换模块'],
  ])('normalise(%j) = %j', (raw, want) => expect(normalise(raw)).toBe(want));

  it.each<[string, ReturnType<typeof extractRef>]>([
    ['已修复 #3 更换电源模块', { ref: { short: 3 }, rest: '已修复 更换电源模块' }],
    ['工单12 已修复', { ref: { short: 12 }, rest: '已修复' }],
    ['查询 GD-20261124-0001', { ref: { number: 'GD-20261124-0001' }, rest: '查询' }],
    ['没有工单号', { rest: '没有工单号' }],
  ])('extractRef(%j)', (text, want) => expect(extractRef(text)).toEqual(want));

  it.each<[string, ReturnType<typeof parseRating>]>([
    ['5', { score: 5 }],
    ['5分 处理很及时', { score: 5, comment: '处理很及时' }],
    ['评分 4 态度很好', { score: 4, comment: '态度很好' }],
    ['满意', { score: 5 }],
    ['基本满意', { score: 3 }],
    ['不满意 太慢', { score: 2, comment: '太慢' }],
    ['很不满意', { score: 1 }],
    ['3号闸机坏了', null],
    ['6', null],
  ])('parseRating(%j)', (text, want) => expect(parseRating(text)).toEqual(want));

  it('button values round-trip, and a button no command knows is nothing', () => {
    expect(parseButtonValue(buttonValue('level', 4, 2))).toEqual({ action: 'level', ticketId: 4, arg: '2' });
    expect(parseButtonValue('ack:x')).toBeNull();
    expect(parseButtonValue('ack:1:toolong-toolong-toolong-toolong-x')).toBeNull();
    const b = (v: string) => {
      const p = commandFromButton(v);
      return p ? { name: p.command.name, ...p.args, ref: p.ref } : null;
    };
    expect(b('ack:1')).toEqual({ name: 'acknowledge', ref: { short: 1 } });
    expect(b('arrive:1')).toEqual({ name: 'arrive', ref: { short: 1 } });
    expect(b('resolve:1')).toEqual({ name: 'resolve', ref: { short: 1 } });
    expect(b('level:4:2')).toEqual({ name: 'set_level', level: 2, ref: { short: 4 } });
    expect(b('confirm:5')).toEqual({ name: 'confirm', ref: { short: 5 } });
    expect(b('deny:6')).toEqual({ name: 'deny_fix', ref: { short: 6 } });
    expect(b('rate:7:5')).toEqual({ name: 'rate', score: 5, ref: { short: 7 } });
    expect(b('fee:8')).toEqual({ name: 'agree_fee', ref: { short: 8 } });
    expect(b('level:4:9')).toBeNull();
    expect(b('rate:7:0')).toBeNull();
    expect(b('nope:1')).toBeNull();
  });
});

describe('built from the registry', () => {
  it.each<[string, Role, boolean]>([
    ['到场了吗', 'customer', false],
    ['到场了没？', 'customer', false],
    ['到场 #12', 'customer', true],
    ['确认修复', 'customer', true],
    ['查询 #12', 'customer', true],
    ['到场了吗', 'engineer', true],
  ])('%j from a %s is meant as a command: %s', (text, role, want) => {
    expect(meantAsCommand(parseCommand(text)!, text, role)).toBe(want);
  });

  it.each<[string, Role, string | null]>([
    ['接单', 'customer', '抱歉，「接单」是服务人员的操作。如需报修或咨询，请直接描述情况，我们会尽快处理。'],
    ['接单', 'engineer', null],
    ['派单 #1 @张工', 'engineer', '抱歉，「派单」需由部门经理或客服操作。'],
    ['派单 #1 @张工', 'desk', null],
    ['免费处理 #1', 'engineer', '抱歉，「免费处理」需由部门经理或客服操作。'],
    ['设为工程师 @张工', 'customer', '抱歉，「设置角色」是服务人员的操作。如需报修或咨询，请直接描述情况，我们会尽快处理。'],
    ['设为工程师 @张工', 'engineer', '抱歉，「设置角色」需由部门经理或客服操作。'],
    ['设为工程师 @张工', 'desk', '抱歉，设置角色需由部门经理操作。'],
    ['设为工程师 @张工', 'manager', null],
    ['绑定客户 某公司', 'engineer', '抱歉，绑定客户需由客服或部门经理操作。'],
    ['绑定客户 某公司', 'desk', null],
    ['撤销 #1', 'customer', null],
    ['确认修复', 'engineer', null],
  ])('%j from a %s: refused with %j', (text, role, want) => {
    expect(refusalFor(parseCommand(text)!.command, role)).toBe(want);
  });

  it('the help text for each role, from every command’s help line', () => {
    expect(helpText('customer')).toBe(
      [
        '可用命令：',
        '· 报修：直接描述故障，如「小寨站 3号闸机刷卡没反应 电话13800138000」',
        '· 咨询：直接提问，如「请问闸机交易数据怎么导出？」',
        '· 确认修复 / 还没好',
        '· 评价：「5分 处理及时」或 满意 / 基本满意 / 不满意',
        '· 同意收费 · 撤销 #12 · 更换工程师 #12（投诉整改）',
        '· 查询 #12 · 我的工单 · 待处理',
        '· 删除我的信息（申请删除个人信息）',
      ].join('\n'),
    );
    const engineer = [
      '· 接单 [#12]',
      '· 到场 [#12]',
      '· 已修复 #12 更换电源模块',
      '· 转派 #12 @李工',
      '· 申请备件 #12 电源模块',
      '· 已更换 #12 电源模块',
      '· 检测报告 #12 主板故障 维修费用 1200元',
      '· 介质已留存 #12',
      '· 答复 #12 内容（咨询）',
      '· #12 改为一级',
      '· 撤销 #12 重复报修',
      '· 查询 #12 · 我的工单 · 待处理',
      '· 巡检完成 #5 正常 / 巡检完成 #5 发现问题 交换机风扇告警',
      '· 回访 #7 客户满意，希望增加巡检频次',
      '· 返修：收到故障件 #12 电源模块 → 送修 #12 → 维修费用 #12 1200元 周期10天 → 修复返回 #12 → 已返还客户 #12',
      '· 应急报告 #12 已启用备机恢复业务，原因为…',
    ];
    expect(helpText('engineer')).toBe(['可用命令：', ...engineer].join('\n'));
    const managers = ['· 派单 #12 @张工', '· 免费处理 #12', '· 调查结果 #12 内容（投诉）', '· 整改 #12 内容（投诉）', '· 绑定客户 西安地铁二号线', '· 设为工程师 @张工', '· 派巡检 #5 @张工', '· 派回访 #7 @客服小刘', '· 通告 全部 计划检修 12月5日 01:00-05:00 服务器 系统升级（或 安全通告 / 产品更新；全部 可换成客户名称）', '· 结束维护 #3（检修提前结束）· 取消通告 #3', '· 取消返修 #12', '· 删除个人信息 用户17（客户申请删除时）'];
    for (const role of ['manager', 'vp', 'desk'] as const) expect(helpText(role)).toBe(['可用命令：', ...engineer, ...managers].join('\n'));
  });
});
