/**
 * The digest's figures recounted the slow, obvious way, for tests: every ticket,
 * rating, timer and audit event read straight from the tables, the time limits
 * taken from the contract file's YAML as written (not through the contract
 * loader or sla.ts), and each definition of src/domain/digest.ts applied by hand.
 * Nothing here calls the digest's own loading or computing code, so a figure
 * that disagrees points at one of the two.
 */
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import YAML from 'yaml';
import type { BusinessCalendar } from '../../src/domain/calendar.js';
import type { Db } from '../../src/store/types.js';

type Limit = { minutes?: number; hours?: number; workingDays?: number; levelColumn?: 'firstResponse' | 'onSite' };
interface RawClock {
  label: string;
  kinds: string[];
  hardwareOnly?: boolean;
  startsAt: string;
  stopsAt: string[];
  limit: Limit;
}
interface RawContract {
  faultLevels: Array<{ level: number; firstResponse: Limit; onSite: Limit }>;
  clocks: Record<string, RawClock>;
  confirmation: { dissatisfiedAtOrBelow: number };
  reopening?: { clocks: string[] };
}

export interface Recount {
  newTotal: number;
  newByKind: Record<string, number>;
  newFaultsByLevel: Record<string, number>;
  openTotal: number;
  openByStatus: Record<string, number>;
  openByAge: number[];
  sla: Record<string, { done: number; onTime: number; late: number; overdue: number; minutes: number[] }>;
  /** number|clock|late or overdue → { holder, overdueMinutes }; a clock run again after a reopening is "clock~reopened". */
  breaches: Map<string, { holder: string | null; overdueMinutes: number }>;
  dueToday: Set<string>;
  ratings: { count: number; sum: number; byScore: Record<number, number>; dissatisfied: string[] };
  complaints: Map<string, string | null>;
  engineers: Map<string, { inHand: number; waiting: number; resolved: number; breaches: number }>;
  resolvedTickets: number;
}

const STEP_COLUMNS = ['reportedAt', 'levelKnownAt', 'acceptedAt', 'assignedAt', 'acknowledgedAt', 'onSiteAt', 'spareRequestedAt', 'detectionReportAt', 'resolvedAt', 'confirmedAt', 'ratedAt', 'closedAt'] as const;
const TERMINAL = new Set(['closed', 'cancelled']);

function minutesOf(l: Limit): number | null {
  if (l.minutes !== undefined) return l.minutes;
  if (l.hours !== undefined) return l.hours * 60;
  return null;
}

export function nearestRank(values: number[], p: number): number | null {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.max(1, Math.ceil(p * s.length)) - 1]! : null;
}

export async function recountDigest(
  db: Db,
  opts: { contractFile: string; calendar: BusinessCalendar; start: Date; end: Date; asOf: Date; tz: string },
): Promise<Recount> {
  const contract = YAML.parse(readFileSync(opts.contractFile, 'utf8')) as RawContract;
  const { start, end, asOf } = opts;
  const cut = new Date(Math.min(end.getTime(), asOf.getTime()));
  const inPeriod = (d: Date | null | undefined) => !!d && d >= start && d < end;

  const tickets = await db.ticket.findMany({ include: { assignee: true, customer: true } });
  const people = new Map((await db.person.findMany()).map((p) => [p.id, p]));
  const events = await db.ticketEvent.findMany({ where: { action: { in: ['assign', 'transfer', 'resolve'] } }, orderBy: { id: 'asc' } });

  const r: Recount = {
    newTotal: 0,
    newByKind: {},
    newFaultsByLevel: {},
    openTotal: 0,
    openByStatus: {},
    openByAge: [0, 0, 0, 0],
    sla: {},
    breaches: new Map(),
    dueToday: new Set(),
    ratings: { count: 0, sum: 0, byScore: {}, dissatisfied: [] },
    complaints: new Map(),
    engineers: new Map(),
    resolvedTickets: 0,
  };
  const eng = (name: string) => {
    let e = r.engineers.get(name);
    if (!e) r.engineers.set(name, (e = { inHand: 0, waiting: 0, resolved: 0, breaches: 0 }));
    return e;
  };
  for (const name of Object.keys(contract.clocks)) r.sla[name] = { done: 0, onTime: 0, late: 0, overdue: 0, minutes: [] };

  for (const t of tickets) {
    if (inPeriod(t.reportedAt)) {
      r.newTotal++;
      r.newByKind[t.kind] = (r.newByKind[t.kind] ?? 0) + 1;
      if (t.kind === 'fault') r.newFaultsByLevel[String(t.level)] = (r.newFaultsByLevel[String(t.level)] ?? 0) + 1;
    }
    if (!TERMINAL.has(t.status) && t.reportedAt < asOf) {
      r.openTotal++;
      r.openByStatus[t.status] = (r.openByStatus[t.status] ?? 0) + 1;
      const days = (asOf.getTime() - t.reportedAt.getTime()) / 86_400_000;
      r.openByAge[days < 1 ? 0 : days < 3 ? 1 : days < 7 ? 2 : 3]!++;
      if (t.assignee) {
        if (t.status === 'assigned') eng(t.assignee.name).waiting++;
        else if (['acknowledged', 'on_site', 'replacing', 'reopened'].includes(t.status)) eng(t.assignee.name).inHand++;
      }
    }

    // Time limits: each clock's first run, and the contract's reopening clocks again from the latest reopening.
    const steps = Object.fromEntries(STEP_COLUMNS.map((k) => [k, (t as unknown as Record<string, Date | null>)[k] ?? null])) as Record<string, Date | null>;
    const reopening = t.reopenedAt ? (contract.reopening?.clocks ?? []) : [];
    const limitFrom = (clock: RawClock, from: Date): Date => {
      if (clock.limit.levelColumn) {
        const col = clock.limit.levelColumn;
        const m = t.level === null ? Math.min(...contract.faultLevels.map((l) => minutesOf(l[col])!)) : minutesOf(contract.faultLevels.find((l) => l.level === t.level)![col])!;
        return new Date(from.getTime() + m * 60_000);
      }
      if (clock.limit.workingDays !== undefined) return opts.calendar.endOfNthWorkingDayAfter(from, clock.limit.workingDays).value;
      return new Date(from.getTime() + minutesOf(clock.limit)! * 60_000);
    };
    const runs: Array<{ key: string; started: Date; due: Date; stop: Date | null }> = [];
    for (const [name, clock] of Object.entries(contract.clocks)) {
      if (!clock.kinds.includes(t.kind) || (clock.hardwareOnly && !t.hardware) || t.status === 'awaiting_fee') continue;
      let started = steps[clock.startsAt];
      if (!started) continue;
      if ((t.feeStatus === 'agreed' || t.feeStatus === 'waived') && clock.startsAt === 'reportedAt' && steps.acceptedAt && steps.acceptedAt > started) started = steps.acceptedAt;
      const due = limitFrom(clock, started);
      const from = started;
      let stops = clock.stopsAt.map((s) => steps[s]).filter((d): d is Date => !!d && d >= from);
      // A clock that runs again ends its first run at the reopening at the latest (the fix that stopped it was undone).
      if (!stops.length && t.reopenedAt && t.reopenedAt >= started && reopening.includes(name)) stops = [t.reopenedAt];
      stops = stops.filter((d) => d <= asOf);
      runs.push({ key: name, started, due, stop: stops.length ? new Date(Math.min(...stops.map((d) => d.getTime()))) : null });
      if (!reopening.includes(name)) continue;
      // Run again from the reopening: 接单 and 到场 again are their own columns; other steps count when done since.
      const at = t.reopenedAt!;
      const again: Record<string, Date | null> = { acknowledgedAt: t.reopenAcknowledgedAt, onSiteAt: t.reopenOnSiteAt };
      const stops2 = clock.stopsAt
        .map((s) => (s in again ? (again[s] ?? (steps[s] && steps[s]! >= at ? steps[s] : null)) : steps[s] && steps[s]! >= at ? steps[s] : null))
        .filter((d): d is Date => !!d && d <= asOf);
      runs.push({ key: `${name}~reopened`, started: at, due: limitFrom(clock, at), stop: stops2.length ? new Date(Math.min(...stops2.map((d) => d.getTime()))) : null });
    }
    for (const { key, started, due, stop } of runs) {
      const name = key.replace(/~reopened$/, '');
      const c = r.sla[name]!;
      let type: 'late' | 'overdue' | null = null;
      if (stop && stop >= start && stop < cut) {
        c.done++;
        c.minutes.push((stop.getTime() - started.getTime()) / 60_000);
        if (stop <= due) c.onTime++;
        else {
          c.late++;
          type = 'late';
        }
      } else if (due >= start && due < cut && !(stop && stop < cut) && t.status !== 'cancelled') {
        c.overdue++;
        type = 'overdue';
      }
      if (!type) continue;
      // Who held the ticket at the due time: the last assignment or transfer before it.
      const handOvers = events.filter((e) => e.ticketId === t.id && (e.action === 'assign' || e.action === 'transfer'));
      let holder: string | null;
      if (handOvers.some((e) => e.action === 'transfer')) {
        const last = handOvers.filter((e) => e.at <= due).at(-1);
        const id = last ? (JSON.parse(last.detail) as { assigneeId?: number }).assigneeId : undefined;
        holder = id === undefined ? null : (people.get(id)?.name ?? null);
      } else {
        const assignedAt = t.assignedAt ?? t.acknowledgedAt;
        holder = assignedAt && assignedAt <= due ? (t.assignee?.name ?? null) : null;
      }
      r.breaches.set(`${t.number}|${key}|${type}`, { holder, overdueMinutes: Math.round(((stop ?? asOf).getTime() - due.getTime()) / 60_000) });
      if (holder) eng(holder).breaches++;
    }

    if (t.kind === 'complaint' && !TERMINAL.has(t.status)) {
      const due = opts.calendar.endOfNthWorkingDayAfter(t.reportedAt, contract.clocks.complaint_answer!.limit.workingDays!).value;
      r.complaints.set(t.number, due.toISOString());
    }
  }

  // Resolutions in the period: distinct tickets, per engineer who reported the fix.
  const resolves = events.filter((e) => e.action === 'resolve' && inPeriod(e.at));
  r.resolvedTickets = new Set(resolves.map((e) => e.ticketId)).size;
  const byEngineer = new Map<string, Set<number>>();
  for (const e of resolves) {
    const p = e.actorId === null ? undefined : people.get(e.actorId);
    if (p?.role !== 'engineer') continue;
    byEngineer.set(p.name, (byEngineer.get(p.name) ?? new Set()).add(e.ticketId));
  }
  for (const [name, set] of byEngineer) eng(name).resolved = set.size;

  const ratings = await db.rating.findMany({ where: { at: { gte: start, lt: end } }, include: { ticket: true } });
  for (const x of ratings) {
    r.ratings.count++;
    r.ratings.sum += x.score;
    r.ratings.byScore[x.score] = (r.ratings.byScore[x.score] ?? 0) + 1;
    if (x.score <= contract.confirmation.dissatisfiedAtOrBelow) r.ratings.dissatisfied.push(x.ticket.number);
  }

  const dayEnd = DateTime.fromJSDate(asOf, { zone: opts.tz }).startOf('day').plus({ days: 1 }).toJSDate();
  const timers = await db.timer.findMany({ where: { state: 'pending', deadlineAt: { gte: asOf, lt: dayEnd } }, include: { ticket: true } });
  for (const x of timers) if (contract.clocks[x.clock] && !TERMINAL.has(x.ticket.status)) r.dueToday.add(`${x.ticket.number}|${x.clock}`);
  return r;
}

/**
 * Compares every figure of a digest, its chat text and its chart data with a
 * recount. Returns nothing; fails the calling test at the first difference.
 */
export function expectDigestMatches(
  expect: (v: unknown, msg?: string) => { toBe(x: unknown): void; toEqual(x: unknown): void; toContain(x: unknown): void; toBeCloseTo(x: number, d?: number): void },
  d: import('../../src/domain/digest.js').Digest,
  r: Recount,
  text: string,
  chart: ReturnType<typeof import('../../src/domain/digest.js').digestChartData>,
): void {
  // New and open tickets.
  expect(d.newTickets.total, 'new').toBe(r.newTotal);
  for (const k of d.newTickets.byKind) expect(k.count, `new ${k.kind}`).toBe(r.newByKind[k.kind] ?? 0);
  for (const l of d.newTickets.byLevel) expect(l.count, `new level ${l.level}`).toBe(r.newFaultsByLevel[String(l.level)] ?? 0);
  expect(d.open.total, 'open').toBe(r.openTotal);
  expect(Object.fromEntries(d.open.byStatus.map((s) => [s.status, s.count])), 'open by status').toEqual(r.openByStatus);
  expect(d.open.byAge.map((a) => a.count), 'open by age').toEqual(r.openByAge);
  expect(text, 'text: new').toContain(`【新增工单】共 ${r.newTotal} 件`);
  expect(text, 'text: open').toContain(`【未关闭工单】共 ${r.openTotal} 件`);

  // Time limits: the figures, the text's line and the chart's bar of each clock.
  for (const c of d.sla) {
    const x = r.sla[c.clock]!;
    expect([c.clock, c.done, c.onTime, c.late, c.overdue], c.clock).toEqual([c.clock, x.done, x.onTime, x.late, x.overdue]);
    expect([c.times.count, c.times.medianMinutes, c.times.p90Minutes], `${c.clock} times`).toEqual([x.minutes.length, nearestRank(x.minutes, 0.5), nearestRank(x.minutes, 0.9)]);
    const shown = c.clock === 'first_response' || c.clock === 'on_site' || x.done + x.overdue > 0;
    const line = text.split('\n').find((l) => l.startsWith(`  ${c.label}（`) || l.startsWith(`  ${c.label}：`));
    const bar = chart.sla.find((b) => b.clock.replace(/\n/g, '') === c.label);
    if (!shown) {
      expect(line, `${c.clock} not in the text`).toBe(undefined);
      expect(bar, `${c.clock} not in the chart`).toBe(undefined);
      continue;
    }
    expect(bar, `${c.clock} chart`).toEqual({ clock: bar!.clock, onTime: x.onTime, late: x.late, overdue: x.overdue });
    const done = /完成 (\d+) 次/.exec(line!)?.[1];
    const split = /按时 (\d+)、超时 (\d+)/.exec(line!);
    const overdue = /(\d+) 项到期未完成/.exec(line!)?.[1];
    expect(Number(done ?? 0), `${c.clock} text done: ${line}`).toBe(x.done);
    expect(split ? [Number(split[1]), Number(split[2])] : line!.includes('全部按时') ? [x.done, 0] : [0, 0], `${c.clock} text split: ${line}`).toEqual([x.onTime, x.late]);
    expect(Number(overdue ?? 0), `${c.clock} text overdue: ${line}`).toBe(x.overdue);
  }

  // Breaches: the same set, each with who held the ticket at the due time.
  const keyOf = (b: { number: string; clock: string; reopened?: true; type: string }) => `${b.number}|${b.clock}${b.reopened ? '~reopened' : ''}|${b.type}`;
  expect(d.breaches.map(keyOf).sort(), 'breaches').toEqual([...r.breaches.keys()].sort());
  for (const b of d.breaches) {
    const x = r.breaches.get(keyOf(b))!;
    expect([b.number, b.clock, b.holder, b.overdueMinutes], 'breach').toEqual([b.number, b.clock, x.holder, x.overdueMinutes]);
  }
  expect(text, 'text: breaches').toContain(r.breaches.size ? `【超时】${r.breaches.size} 项` : '【超时】无');

  expect(new Set(d.dueToday.map((x) => `${x.number}|${x.clock}`)), 'due today').toEqual(r.dueToday);

  // Satisfaction.
  expect(d.satisfaction.count, 'ratings').toBe(r.ratings.count);
  if (r.ratings.count) expect(d.satisfaction.average!, 'average').toBeCloseTo(r.ratings.sum / r.ratings.count, 2);
  expect(Object.fromEntries(d.satisfaction.distribution.map((x) => [x.score, x.count])), 'distribution').toEqual(r.ratings.byScore);
  expect(chart.satisfaction.filter((x) => x.count).map((x) => [x.score, x.count]).sort(), 'chart ratings').toEqual(Object.entries(r.ratings.byScore).map(([s, n]) => [Number(s), n]).sort());
  expect(d.satisfaction.dissatisfied.map((x) => x.number).sort(), 'dissatisfied').toEqual([...r.ratings.dissatisfied].sort());

  // Open complaints and their answer deadlines.
  expect(new Map(d.complaints.map((c) => [c.number, c.dueAt])), 'complaints').toEqual(r.complaints);

  // Engineers: each figure, and the text's line for each.
  expect(d.resolvedTickets, 'resolved tickets').toBe(r.resolvedTickets);
  const engineers = new Map(d.engineers.map((e) => [e.name, { inHand: e.inHand, waiting: e.waiting, resolved: e.resolved, breaches: e.breaches }]));
  expect(engineers, 'engineers').toEqual(r.engineers);
  for (const e of d.engineers) {
    if (e.resolved) expect(e.resolved <= d.resolvedTickets, `${e.name} resolved ≤ all resolved`).toBe(true);
    expect(text, `text: ${e.name}`).toContain(`${e.name}：在手 ${e.inHand} 件，待接单 ${e.waiting} 件，本期完成 ${e.resolved} 件${e.breaches ? `，超时 ${e.breaches} 项` : ''}`);
  }
  if (d.engineers.length) expect(text, 'text: resolved').toContain(`本期完成工单 ${r.resolvedTickets} 件`);

  // The chart's other panels.
  expect(chart.newByLevel.reduce((a, x) => a + x.count, 0), 'chart new').toBe(r.newTotal);
  expect(chart.openByStatus.reduce((a, x) => a + x.count, 0), 'chart open').toBe(r.openTotal);
}
