/**
 * A reopened ticket (还没好, or a low rating) runs the contract's reopening clocks
 * again from the reopening, reminded and escalated as a new ticket's; taking the
 * job again and arriving again meet them. The limits come from the contract file.
 *
 * T0 = Tuesday 24 Nov 2026, 10:00 in Shanghai (02:00Z).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/domain/calendar.js';
import { ContractSchema, durationMinutes, levelInfo, type Contract } from '../../src/domain/contract.js';
import { deadlines, timerPlan, type SlaTicket } from '../../src/domain/sla.js';
import { transition, type Actor, type TicketState } from '../../src/domain/ticket.js';

const raw = () => YAML.parse(readFileSync(fileURLToPath(new URL('../../config/contract.yaml', import.meta.url)), 'utf8'));
const contract: Contract = ContractSchema.parse(raw());
const calendar = new BusinessCalendar({ timezone: contract.timezone, ...contract.calendar });

const T0 = new Date('2026-11-24T02:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const REOPENED = 300;
const minutesOf = (name: 'first_response' | 'on_site') => {
  const c = contract.clocks[name]!;
  if (!('levelColumn' in c.limit)) throw new Error(`${name} is expected to take its limit from the level table`);
  return durationMinutes(levelInfo(contract, 2)[c.limit.levelColumn])!;
};

/** A level-2 fault fixed on site, confirmed, then rated low: reopened at T0 + 300 min. */
function reopened(again: SlaTicket['steps'] = {}, over: Partial<SlaTicket> = {}): SlaTicket {
  return {
    kind: 'fault',
    status: 'reopened',
    level: 2,
    hardware: false,
    steps: { reportedAt: at(0), levelKnownAt: at(0), acceptedAt: at(5), assignedAt: at(10), acknowledgedAt: at(15), onSiteAt: at(120), ratedAt: at(REOPENED) },
    reopen: { at: at(REOPENED), steps: again },
    ...over,
  };
}

describe('the clocks of a reopened ticket', () => {
  it('are the contract reopening clocks, from the reopening, with their limits', () => {
    expect(contract.reopening?.clocks.length).toBeGreaterThan(0);
    const all = deadlines(reopened(), contract, calendar, at(REOPENED));
    const again = all.filter((d) => d.reopened);
    // A fault that is not hardware: the hardware-only clocks (resolve or replace) stay out.
    const applying = contract.reopening!.clocks.filter((c) => !contract.clocks[c]!.hardwareOnly);
    expect(again.map((d) => d.clock).sort()).toEqual([...applying].sort());
    for (const d of again) {
      expect(d.startedAt).toEqual(at(REOPENED));
      expect(d.dueAt).toEqual(at(REOPENED + minutesOf(d.clock as 'first_response' | 'on_site')));
      expect(d.met).toBeNull();
      expect(d.label).toBe(`返工${contract.clocks[d.clock]!.label}`);
    }
    // The first run keeps its first-time steps: met as it was.
    const first = all.filter((d) => !d.reopened && contract.reopening!.clocks.includes(d.clock));
    expect(first.map((d) => [d.clock, d.met])).toEqual(applying.map((c) => [c, true]));
  });

  it('a hardware fault runs the resolve-or-replace clock again, met by the fix or the spare part requested', () => {
    expect(contract.reopening!.clocks).toContain('resolve_or_replace');
    const limit = contract.clocks.resolve_or_replace!.limit;
    if (!('hours' in limit) || limit.hours === undefined) throw new Error('resolve_or_replace is expected to have a limit in hours');
    const hours = limit.hours;
    const firstFix = { ...reopened().steps, resolvedAt: at(200) };
    const hw = (again: SlaTicket['steps'] = {}, over: Partial<SlaTicket> = {}) => reopened(again, { hardware: true, steps: firstFix, ...over });
    const rr = (t: SlaTicket, now: Date) => deadlines(t, contract, calendar, now).filter((d) => d.clock === 'resolve_or_replace');
    // The first run was met by the first fix; the second runs from the reopening, 28 h.
    const running = rr(hw(), at(REOPENED));
    expect(running.map((d) => [d.reopened ?? false, d.met])).toEqual([[false, true], [true, null]]);
    expect(running[1]!.dueAt).toEqual(at(REOPENED + hours * 60));
    expect(running[1]!.label).toBe(`返工${contract.clocks.resolve_or_replace!.label}`);
    // Arriving again does not meet it; it is reminded and escalated.
    const arrived = hw({ acknowledgedAt: at(REOPENED + 10), onSiteAt: at(REOPENED + 60) });
    expect(new Set(timerPlan(arrived, contract, calendar).map((p) => p.clock))).toEqual(new Set(['resolve_or_replace']));
    // Breached when nothing was done in time.
    expect(rr(arrived, at(REOPENED + hours * 60 + 1))[1]!.met).toBe(false);
    // Met by a spare part requested after the reopening, or by a fix after it.
    const spare = hw({}, { steps: { ...firstFix, spareRequestedAt: at(REOPENED + 120) } });
    expect(rr(spare, at(REOPENED + 120))[1]!.met).toBe(true);
    const fixed = hw({}, { status: 'resolved', steps: { ...firstFix, resolvedAt: at(REOPENED + 600) } });
    expect(rr(fixed, at(REOPENED + 600))[1]!.met).toBe(true);
  });

  it('are reminded at the contract points and escalated after the breach, as a new ticket', () => {
    const plan = timerPlan(reopened(), contract, calendar);
    for (const name of ['first_response', 'on_site'] as const) {
      const due = REOPENED + minutesOf(name);
      const mine = plan.filter((p) => p.clock === name);
      const reminders = mine.filter((p) => p.stage.startsWith('remind_')).map((p) => p.dueAt.getTime());
      expect(reminders).toEqual(contract.reminders.points.map((pt) => at(REOPENED + minutesOf(name) * pt).getTime()));
      const steps = contract.clocks[name]!.escalation ?? contract.escalation.steps;
      expect(mine.filter((p) => p.stage.startsWith('escalate_')).map((p) => p.dueAt)).toEqual(steps.map((s) => at(due + s.after.minutes)));
      expect(mine.every((p) => p.deadlineAt.getTime() === at(due).getTime())).toBe(true);
    }
    // No confirmation or rating follow-up while the work is redone.
    expect(plan.filter((p) => p.clock === 'confirmation' || p.clock === 'rating')).toEqual([]);
  });

  it('taking the job again meets the first response; arriving again meets the arrival', () => {
    const taken = reopened({ acknowledgedAt: at(REOPENED + 10) });
    const d1 = deadlines(taken, contract, calendar, at(REOPENED + 10)).filter((d) => d.reopened);
    expect(d1.find((d) => d.clock === 'first_response')?.met).toBe(true);
    expect(d1.find((d) => d.clock === 'on_site')?.met).toBeNull();
    expect(new Set(timerPlan(taken, contract, calendar).map((p) => p.clock))).toEqual(new Set(['on_site']));

    const arrived = reopened({ acknowledgedAt: at(REOPENED + 10), onSiteAt: at(REOPENED + 60) });
    expect(timerPlan(arrived, contract, calendar)).toEqual([]);
    // Late: taken after the limit.
    const late = reopened({ acknowledgedAt: at(REOPENED + minutesOf('first_response') + 1) });
    expect(deadlines(late, contract, calendar, at(REOPENED + 100)).find((d) => d.reopened && d.clock === 'first_response')?.met).toBe(false);
  });

  it('a fix after the reopening meets them all', () => {
    const fixed = reopened({}, { status: 'resolved' });
    fixed.steps.resolvedAt = at(REOPENED + 20);
    expect(deadlines(fixed, contract, calendar, at(REOPENED + 20)).filter((d) => d.reopened).every((d) => d.met === true)).toBe(true);
    expect(timerPlan(fixed, contract, calendar).filter((p) => p.clock !== 'confirmation')).toEqual([]);
  });

  it('a remote fix erased by the reopening does not revive the first run with its old deadline', () => {
    const remote = reopened({}, { steps: { reportedAt: at(0), levelKnownAt: at(0), acceptedAt: at(5), assignedAt: at(10), ratedAt: at(REOPENED) } });
    // Without the first run ended at the reopening, the long-past first-response deadline would escalate at once.
    const plan = timerPlan(remote, contract, calendar);
    expect(plan.every((p) => p.deadlineAt >= at(REOPENED))).toBe(true);
    expect(plan.filter((p) => p.clock === 'first_response').length).toBeGreaterThan(0);
  });

  it('a contract without a reopening section runs no clock again', () => {
    const { reopening: _, ...rest } = raw();
    const without = ContractSchema.parse(rest);
    expect(timerPlan(reopened(), without, calendar)).toEqual([]);
    expect(deadlines(reopened(), without, calendar, at(REOPENED)).some((d) => d.reopened)).toBe(false);
  });

  it('a reopening clock must be one of the clocks', () => {
    const r = ContractSchema.safeParse({ ...raw(), reopening: { clocks: ['on_sight'] } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('on_sight is not one of the clocks');
  });
});

describe('the state machine records the reopening', () => {
  const customer: Actor = { personId: 1, role: 'customer', chatId: 10 };
  const engineer: Actor = { personId: 2, role: 'engineer', chatId: 10 };
  const base: TicketState = {
    kind: 'fault',
    status: 'confirmed',
    level: 2,
    hardware: false,
    reporterId: 1,
    chatId: 10,
    assigneeId: 2,
    feeStatus: 'none',
    reopenCount: 0,
    spareRequestedAt: null,
    resolvedAt: at(200),
    acknowledgedAt: at(15),
    onSiteAt: at(120),
  };

  it('a low rating withdraws the confirmation and starts the reopened clocks', () => {
    const r = transition(base, { type: 'rate', score: 1, dissatisfiedAtOrBelow: 2 }, customer, at(REOPENED));
    expect(r.ok && r.patch).toMatchObject({ status: 'reopened', confirmation: null, confirmedAt: null, reopenedAt: at(REOPENED), reopenAcknowledgedAt: null, reopenOnSiteAt: null });
  });

  it('还没好 after a fix starts them too', () => {
    const r = transition({ ...base, status: 'resolved' }, { type: 'deny_fix' }, customer, at(REOPENED));
    expect(r.ok && r.patch).toMatchObject({ status: 'reopened', reopenedAt: at(REOPENED) });
  });

  it('接单 and 到场 after the reopening are recorded again; the first-time steps keep their time', () => {
    const re: TicketState = { ...base, status: 'reopened', reopenedAt: at(REOPENED), reopenAcknowledgedAt: null, reopenOnSiteAt: null };
    const ack = transition(re, { type: 'acknowledge' }, engineer, at(REOPENED + 5));
    expect(ack.ok && ack.patch).toEqual({ status: 'acknowledged', assigneeId: 2, reopenAcknowledgedAt: at(REOPENED + 5) });
    // Arriving straight from the reopening also counts as taking the job again.
    const arrive = transition(re, { type: 'arrive' }, engineer, at(REOPENED + 50));
    expect(arrive.ok && arrive.patch).toEqual({ status: 'on_site', reopenAcknowledgedAt: at(REOPENED + 50), reopenOnSiteAt: at(REOPENED + 50) });
    // Before any reopening nothing of the kind is written.
    const fresh = transition({ ...base, status: 'assigned', acknowledgedAt: null }, { type: 'acknowledge' }, engineer, at(20));
    expect(fresh.ok && Object.keys(fresh.patch)).not.toContain('reopenAcknowledgedAt');
  });
});
