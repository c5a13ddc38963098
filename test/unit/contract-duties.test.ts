/**
 * The contract's terms for inspections, follow-up visits, repair and return,
 * emergency reports and planned maintenance, and the customers' plans in the
 * organisation file: the defaults as written in config/contract.yaml, optional
 * blocks, and clear errors naming the file, the field and what was expected.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadOrg } from '../../src/config.js';
import { ContractSchema, type Contract } from '../../src/domain/contract.js';
import { OrgSchema } from '../../src/domain/org.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rawContract = (): Record<string, any> => YAML.parse(readFileSync(path.join(root, 'config/contract.yaml'), 'utf8'));
const rawOrg = (): Record<string, any> => YAML.parse(readFileSync(path.join(root, 'test/fixtures/config/org-plans.yaml'), 'utf8'));
const contract: Contract = ContractSchema.parse(rawContract());

function problems(schema: typeof ContractSchema | typeof OrgSchema, input: unknown): string[] {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('default terms in config/contract.yaml', () => {
  it('inspections: made 14 days ahead, reminded 3 days and 1 day before, next working day, by the rota, problems as level 4', () => {
    expect(contract.inspections).toEqual({
      leadTime: { days: 14 },
      remindBefore: [{ days: 3 }, { days: 1 }],
      remind: ['assignee'],
      overdueNotify: ['assignee', 'manager'],
      onNonWorkingDay: 'next',
      assignment: 'rota',
      problemLevel: 4,
    });
  });

  it('follow-ups: made 7 days ahead by the desk; after every closed level 1–2 fault within 5 working days', () => {
    expect(contract.followUps).toEqual({
      leadTime: { days: 7 },
      remindBefore: [{ days: 1 }],
      remind: ['assignee'],
      overdueNotify: ['manager'],
      onNonWorkingDay: 'next',
      owner: 'desk',
      afterFault: { levels: [1, 2], within: { workingDays: 5 }, owner: 'desk' },
    });
  });

  // step → after, limit, quoted period replaces it
  const steps: Array<[string, string, object, boolean]> = [
    ['quoted', 'received', { hours: 8 }, false],
    ['sent', 'received', { workingDays: 2 }, false],
    ['repaired', 'sent', { days: 30 }, true],
    ['returned', 'repaired', { workingDays: 2 }, false],
  ];
  it.each(steps)('repair step %s: within %j of %s… (quoted period: %s)', (step, after, limit, quoted) => {
    const l = contract.repairReturn!.limits[step as 'sent']!;
    expect(l.after).toBe(after);
    expect(l.limit).toEqual(limit);
    expect(l.useQuotedPeriod).toBe(quoted);
  });

  it('repair reminders default to the contract reminder points', () => {
    expect(contract.repairReturn!.reminders).toBeUndefined();
    expect(contract.reminders.points).toEqual([0.5, 0.8]);
  });

  it('emergency report: after the 28-hour resolve-or-replace clock breaches, within 24 hours', () => {
    expect(contract.emergencyReport).toEqual({ triggeredBy: ['resolve_or_replace'], deadline: { hours: 24 }, remind: ['assignee'], overdueNotify: ['manager'] });
    expect(contract.clocks.resolve_or_replace!.limit).toEqual({ hours: 28 });
  });

  it('planned maintenance: clocks pause during a declared window, at most 72 hours long', () => {
    expect(contract.plannedMaintenance).toEqual({ sla: 'pause', maxWindow: { hours: 72 } });
  });
});

describe('terms are optional blocks', () => {
  it('a contract without any of them is valid and carries none of the duties', () => {
    const raw = rawContract();
    for (const k of ['inspections', 'followUps', 'repairReturn', 'emergencyReport', 'plannedMaintenance']) delete raw[k];
    const c = ContractSchema.parse(raw);
    expect([c.inspections, c.followUps, c.repairReturn, c.emergencyReport, c.plannedMaintenance]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('a follow-ups block without afterFault makes no visits after faults', () => {
    const raw = rawContract();
    delete raw.followUps.afterFault;
    expect(ContractSchema.parse(raw).followUps!.afterFault).toBeUndefined();
  });
});

describe('malformed terms name the field and what was expected', () => {
  const cases: Array<[string, (c: Record<string, any>) => void, RegExp]> = [
    ['a lead time in two units', (c) => (c.inspections.leadTime = { days: 14, hours: 2 }), /^inspections\.leadTime: give exactly one of minutes, hours or days$/],
    ['a lead time in working days', (c) => (c.inspections.leadTime = { workingDays: 10 }), /^inspections\.leadTime: /],
    ['a negative reminder', (c) => (c.followUps.remindBefore = [{ days: -1 }]), /^followUps\.remindBefore\.0\.days: /],
    ['no lead time', (c) => delete c.inspections.leadTime, /^inspections\.leadTime: /],
    ['an unknown holiday rule', (c) => (c.inspections.onNonWorkingDay = 'skip'), /^inspections\.onNonWorkingDay: /],
    ['a problem level 5', (c) => (c.inspections.problemLevel = 5), /^inspections\.problemLevel: /],
    ['an unknown audience', (c) => (c.inspections.remind = ['customer']), /^inspections\.remind\.0: /],
    ['a follow-up after a level 7 fault', (c) => (c.followUps.afterFault.levels = [1, 7]), /^followUps\.afterFault\.levels\.1: /],
    ['a repair limit running from a later step', (c) => (c.repairReturn.limits.sent.after = 'repaired'), /^repairReturn\.limits\.sent\.after: must be a step before sent \(received\)$/],
    ['a repair limit running from itself', (c) => (c.repairReturn.limits.returned.after = 'returned'), /^repairReturn\.limits\.returned\.after: must be a step before returned/],
    ['the quoted period on another step', (c) => (c.repairReturn.limits.returned.useQuotedPeriod = true), /^repairReturn\.limits\.returned\.useQuotedPeriod: only the repaired step/],
    ['an unknown repair step', (c) => (c.repairReturn.limits.inspected = { after: 'received', limit: { hours: 1 } }), /^repairReturn\.limits: .*inspected/],
    ['a repair limit in two units', (c) => (c.repairReturn.limits.repaired.limit = { days: 3, workingDays: 2 }), /^repairReturn\.limits\.repaired\.limit: give exactly one of minutes, hours, days or workingDays$/],
    ['an emergency report after an unknown clock', (c) => (c.emergencyReport.triggeredBy = ['resolve']), /^emergencyReport\.triggeredBy\.0: no clock named "resolve" \(clocks: first_response, .*\)$/],
    ['an unknown planned-work rule', (c) => (c.plannedMaintenance.sla = 'stop'), /^plannedMaintenance\.sla: /],
    ['planned work for an unknown clock', (c) => (c.plannedMaintenance.clocks = ['on_site', 'arrival']), /^plannedMaintenance\.clocks\.1: no clock named "arrival"/],
    ['no longest window', (c) => delete c.plannedMaintenance.maxWindow, /^plannedMaintenance\.maxWindow: /],
    ['a misspelt key', (c) => (c.emergencyReport.dealine = { hours: 1 }), /^emergencyReport: .*dealine/],
  ];
  it.each(cases)('%s', (_name, mutate, expected) => {
    const raw = rawContract();
    mutate(raw);
    const found = problems(ContractSchema, raw);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((p) => expected.test(p)), found.join('\n')).toBe(true);
  });
});

describe('customers’ plans in the organisation file', () => {
  it('the example organisation is valid: two plans and a monthly visit schedule', () => {
    const org = OrgSchema.parse(rawOrg());
    const c = org.customers[0]!;
    expect(c.inspections.map((p) => [p.name, p.every, p.from, p.systems.length, p.checklist.length])).toEqual([
      ['季度巡检-中心机房', 'quarterly', '2026-01-15', 4, 5],
      ['月度巡检-车站AFC', 'monthly', '2026-01-31', 2, 2],
    ]);
    expect(c.followUps).toEqual({ every: 'monthly', from: '2026-01-10', owner: '客服小刘' });
    expect(org.customers[1]!.inspections).toEqual([]);
    expect(org.customers[1]!.followUps).toBeUndefined();
  });

  it('the shipped config/org.yaml stays valid', () => {
    expect(() => loadOrg(path.join(root, 'config/org.yaml'))).not.toThrow();
  });

  const cases: Array<[string, (o: Record<string, any>) => void, RegExp]> = [
    ['an unknown engineer', (o) => (o.customers[0].inspections[0].engineer = '赵工'), /^customers\.0\.inspections\.0\.engineer: "赵工" is not in staff$/],
    ['an unknown visit owner', (o) => (o.customers[0].followUps.owner = '小王'), /^customers\.0\.followUps\.owner: "小王" is not in staff$/],
    ['two plans of one name', (o) => (o.customers[0].inspections[1].name = '季度巡检-中心机房'), /^customers\.0\.inspections\.1\.name: "季度巡检-中心机房" is used by another plan/],
    ['a date that does not exist', (o) => (o.customers[0].inspections[0].from = '2026-02-30'), /^customers\.0\.inspections\.0\.from: a calendar date that exists$/],
    ['an end before the start', (o) => (o.customers[0].inspections[0].until = '2025-12-31'), /^customers\.0\.inspections\.0\.until: must not be before from$/],
    ['an unknown frequency', (o) => (o.customers[0].inspections[0].every = 'fortnightly'), /^customers\.0\.inspections\.0\.every: .*weekly, monthly, bimonthly, quarterly, semiannual, yearly/],
    ['every 0 months', (o) => (o.customers[0].followUps.every = { months: 0 }), /^customers\.0\.followUps\.every/],
    ['no systems', (o) => (o.customers[0].inspections[0].systems = []), /^customers\.0\.inspections\.0\.systems: /],
    ['no checklist', (o) => delete o.customers[0].inspections[0].checklist, /^customers\.0\.inspections\.0\.checklist: /],
  ];
  it.each(cases)('%s', (_name, mutate, expected) => {
    const raw = rawOrg();
    mutate(raw);
    const found = problems(OrgSchema, raw);
    expect(found.some((p) => expected.test(p)), found.join('\n')).toBe(true);
  });
});

describe('plans need their contract’s terms (checked at start-up)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-duties-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (contractFile: string, orgFile: string) => ({ CONTRACT_FILE: contractFile, ORG_FILE: orgFile, LEXICON_FILE: path.join(root, 'config/lexicon.yaml') });

  it('the example organisation starts with the default contract', () => {
    const config = loadConfig(env(path.join(root, 'config/contract.yaml'), path.join(root, 'test/fixtures/config/org-plans.yaml')), root);
    expect(config.org.customers[0]!.inspections).toHaveLength(2);
  });

  it('inspection plans under a contract without an inspections block: one line naming the organisation file and the field', () => {
    const raw = rawContract();
    delete raw.inspections;
    delete raw.followUps;
    const contractFile = path.join(dir, 'no-duties.yaml');
    writeFileSync(contractFile, YAML.stringify(raw));
    const orgFile = path.join(root, 'test/fixtures/config/org-plans.yaml');
    let error: unknown;
    try {
      loadConfig(env(contractFile, orgFile), root);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toEqual([
      `${orgFile}: customers.0.inspections: contract "default" has no inspections block (lead time, reminders, assignment): add it to the contract file`,
      `${orgFile}: customers.0.followUps: contract "default" has no followUps block (reminders, owner): add it to the contract file`,
    ]);
  });
});
