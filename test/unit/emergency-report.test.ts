/**
 * The emergency response report: owed when a hardware fault passes the 28-hour
 * resolve-or-replace limit of the default contract, due 24 hours after the
 * breach, reminded, and recorded (or amended) by the engineer.
 *
 * T0 = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import { ContractSchema, type Contract } from '../../src/domain/contract.js';
import {
  emergencyReportKey,
  emergencyReportOverdue,
  emergencyReportsOwed,
  emergencyReportTimerPlan,
  submitEmergencyReport,
} from '../../src/domain/emergency-report.js';
import { deadlines, type SlaTicket } from '../../src/domain/sla.js';

const contract: Contract = ContractSchema.parse(YAML.parse(readFileSync(fileURLToPath(new URL('../../config/contract.yaml', import.meta.url)), 'utf8')));
const calendar = new BusinessCalendar({ timezone: contract.timezone, ...contract.calendar });
const T0 = new Date('2026-11-24T02:00:00Z');
const H = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * H);
const terms = contract.emergencyReport!;

function owed(steps: SlaTicket['steps'], now: Date, over: Partial<SlaTicket> = {}) {
  const t: SlaTicket = { kind: 'fault', status: 'on_site', level: 2, hardware: true, steps: { reportedAt: T0, ...steps }, ...over };
  return emergencyReportsOwed(12, deadlines(t, contract, calendar, now), terms, calendar, now);
}

describe('when a report is owed', () => {
  const breach = at(28);
  const cases: Array<[string, SlaTicket['steps'], Date, Partial<SlaTicket>, boolean]> = [
    ['not fixed at 27 h', {}, at(27), {}, false],
    ['exactly at the limit', {}, at(28), {}, false],
    ['not fixed or replaced after 28 h', {}, at(28.01), {}, true],
    ['fixed in time', { resolvedAt: at(20) }, at(40), {}, false],
    ['fixed late', { resolvedAt: at(30) }, at(40), {}, true],
    ['spare requested in time', { spareRequestedAt: at(27) }, at(40), {}, false],
    ['spare requested late', { spareRequestedAt: at(29) }, at(40), {}, true],
    ['not hardware: the clock does not apply', {}, at(40), { hardware: false }, false],
    ['cancelled before the limit', {}, at(40), { status: 'cancelled' }, false],
  ];
  it.each(cases)('%s: owed %s', (_name, steps, now, over, expected) => {
    const r = owed(steps, now, over);
    expect(r.length).toBe(expected ? 1 : 0);
    if (expected) {
      expect(r[0]).toEqual({
        key: emergencyReportKey(12, 'resolve_or_replace', breach),
        ticketId: 12,
        clock: 'resolve_or_replace',
        label: '修复或更换备件',
        breachAt: breach,
        dueAt: at(28 + 24),
      });
    }
  });

  it('the same breach gives the same key however often asked', () => {
    expect(owed({}, at(30))[0]!.key).toBe(owed({ spareRequestedAt: at(35) }, at(50))[0]!.key);
  });

  it('a contract without the duty owes none', () => {
    const t: SlaTicket = { kind: 'fault', status: 'on_site', level: 2, hardware: true, steps: { reportedAt: T0 } };
    expect(emergencyReportsOwed(12, deadlines(t, contract, calendar, at(40)), undefined, calendar, at(40))).toEqual([]);
  });

  it('a deadline in working days ends at the end of a working day', () => {
    const d = emergencyReportsOwed(12, deadlines({ kind: 'fault', status: 'on_site', level: 2, hardware: true, steps: { reportedAt: T0 } }, contract, calendar, at(40)), { ...terms, deadline: { workingDays: 1 } }, calendar, at(40));
    // Breach Wed 25 Nov 14:00 → end of Thu 26 Nov.
    expect(d[0]!.dueAt.toISOString()).toBe('2026-11-26T10:00:00.000Z');
  });
});

describe('reminders and overdue', () => {
  const report = { id: 4, status: 'requested' as const, breachAt: at(28), dueAt: at(52) };
  it('at 50 % and 80 % of the 24 hours after the breach, overdue at the deadline', () => {
    expect(emergencyReportTimerPlan(report, terms, contract.reminders.points, calendar).map((p) => [p.subject, p.subjectId, p.stage, (p.dueAt.getTime() - T0.getTime()) / H])).toEqual([
      ['emergency_report', 4, 'remind_50', 40],
      ['emergency_report', 4, 'remind_80', 28 + 24 * 0.8],
      ['emergency_report', 4, 'overdue', 52],
    ]);
    expect(emergencyReportTimerPlan({ ...report, status: 'submitted' }, terms, [0.5], calendar)).toEqual([]);
  });
  it.each([
    ['requested', 51, false],
    ['requested', 53, true],
    ['submitted', 53, false],
  ] as const)('%s at %i h: overdue %s', (status, hours, expected) => {
    expect(emergencyReportOverdue({ status, dueAt: report.dueAt }, at(hours))).toBe(expected);
  });
});

describe('recording the report', () => {
  const requested = { status: 'requested' as const, dueAt: at(52) };
  const text = '已启用同型号备机恢复业务；故障原因为电源模块损坏，原件已送修。';
  const cases: Array<[string, Parameters<typeof submitEmergencyReport>, object]> = [
    ['on time', [requested, { role: 'engineer' }, text, at(40)], { ok: true, amend: false, late: false, text }],
    ['late', [requested, { role: 'engineer' }, text, at(60)], { ok: true, amend: false, late: true, text }],
    ['a second time: an amendment', [{ status: 'submitted', dueAt: at(52) }, { role: 'engineer' }, text, at(61)], { ok: true, amend: true, late: false, text }],
    ['without a request (the engineer reports first)', [null, { role: 'manager' }, ` ${text} `, at(10)], { ok: true, amend: false, late: false, text }],
    ['by a customer', [requested, { role: 'customer' }, text, at(40)], { ok: false, reason: '应急响应报告由服务工程师提交。' }],
    ['empty', [requested, { role: 'engineer' }, ' 好的 ', at(40)], { ok: false, reason: expect.stringContaining('请写明报告内容') }],
    ['on a cancelled request', [{ status: 'cancelled', dueAt: at(52) }, { role: 'engineer' }, text, at(40)], { ok: false, reason: '该应急响应报告要求已撤销。' }],
  ];
  it.each(cases)('%s', (_name, args, expected) => {
    expect(submitEmergencyReport(...args)).toEqual(expected);
  });
});
