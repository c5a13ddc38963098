/**
 * The ticket page's history reads as plain Chinese: every action the bot writes
 * to the audit trail (found in its source, so a new one cannot slip through
 * untranslated) is described without field names, ids or English words.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEvent, historyLines, type HistoryContext, type HistoryEvent } from '../../src/web/dashboard/history.js';

const ctx: HistoryContext = {
  kind: 'fault',
  clockLabel: (c) => ({ first_response: '首次响应', on_site: '到场', consultation_response: '咨询响应' })[c] ?? '时限',
  levelName: (l) => ['', '一级', '二级', '三级', '四级'][l]!,
  personName: (id) => (id === 7 ? '李工' : undefined),
};
const ev = (action: string, detail: Record<string, unknown> = {}, actor: HistoryEvent['actor'] = { name: '张工', role: 'engineer' }): HistoryEvent => ({
  at: new Date('2026-11-24T02:00:00Z'),
  action,
  actor,
  from: null,
  to: null,
  detail,
});

/** Every audit action the bot writes: recordEvent(…, 'x', …) calls and the state machine's actions. */
function actionsInSource(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/recordEvent\(\s*ctx,\s*\w+,\s*'(\w+)'/g)) found.add(m[1]!);
    }
  };
  walk('src');
  const machine = readFileSync('src/domain/ticket.ts', 'utf8');
  const union = /export type TicketAction =([\s\S]*?);\n/.exec(machine)![1]!;
  for (const m of union.matchAll(/type: '(\w+)'/g)) found.add(m[1]!);
  return [...found].sort();
}

describe('the ticket history', () => {
  it('describes every action the bot records in Chinese, with no field names or English', () => {
    const actions = actionsInSource();
    expect(actions.length).toBeGreaterThan(25);
    for (const a of actions) {
      const text = describeEvent(ev(a, { clock: 'first_response', stage: 'remind_50', assigneeId: 7, evidence: ['不能'], level: 3 }), ctx);
      expect(text, a).not.toBe('其他记录');
      expect(text, a).not.toMatch(/[A-Za-z_]{3,}|\[|\{|assignee|evidence/);
    }
  });

  it('says who, when and what, as a manager would read it', () => {
    const lines = historyLines(
      [
        { ...ev('reported', { kind: 'fault', text: '北客站 2号闸机 不能刷卡' }, { name: '王工', role: 'customer' }), to: 'reported' },
        { ...ev('set_level', { level: 3, evidence: ['2号', '不能'] }, null), from: 'reported', to: 'level_known' },
        { ...ev('assign', { assigneeId: 1, to: '张工' }, { name: '李经理', role: 'manager' }), from: 'accepted', to: 'assigned' },
        ev('reminder', { clock: 'first_response', stage: 'remind_80', late: true }, null),
        ev('escalation', { clock: 'first_response', stage: 'escalate_2', to: ['vp'] }, null),
        ev('assign', { assigneeId: 7, by: 'rota' }, null),
        { ...ev('rate', { score: 2, dissatisfiedAtOrBelow: 2, comment: '太慢' }, { name: '王工', role: 'customer' }), from: 'confirmed', to: 'reopened' },
        ev('reminder', { clock: 'on_site', stage: 'remind_50', reopened: true }, null),
        ev('escalation', { clock: 'first_response', stage: 'escalate_1', to: ['manager'], reopened: true }, null),
      ],
      ctx,
    );
    expect(lines.map((l) => [l.who, l.what, l.status])).toEqual([
      ['王工（客户）', '报修：北客站 2号闸机 不能刷卡', '待确认'],
      ['系统', '根据报修内容定为三级', '待确认 → 待受理'],
      ['李经理（部门经理）', '派单给 张工', '待派单 → 已派单'],
      ['系统', '提醒：首次响应时限已过 80%（服务恢复后补发）', null],
      ['系统', '首次响应超时升级（第 2 级），已通知主管副总', null],
      ['系统', '按值班表派给 李工', null],
      ['王工（客户）', '评价 2 分，意见：太慢（不满意，撤回修复确认，工单重新打开）', '待评价 → 返工中'],
      ['系统', '提醒：返工到场时限已过 50%', null],
      ['系统', '返工首次响应超时，已通知部门经理', null],
    ]);
    expect(describeEvent(ev('resolve', { note: '在报表-交易明细导出' }), { ...ctx, kind: 'consultation' })).toBe('答复：在报表-交易明细导出');
    expect(describeEvent(ev('something_new'), ctx)).toBe('其他记录');
  });
});
