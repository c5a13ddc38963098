/**
 * The managers' digest (日报/周报/月报): its figures, its Chinese text and the
 * data of its chart, computed from plain rows and counts. Pure: no I/O, no
 * clock — the period and the moment the figures are taken (asOf) are passed in.
 * The store (src/report/digest-store.ts) loads the rows with indexed queries
 * and does the counting that pays to do in SQL.
 *
 * Definitions (each figure is counted once in a period; a deadline missed in one
 * period and met late in a later one is in both: overdue, then late):
 * - new tickets: reported in the period, by kind and (faults) by level;
 * - open tickets: not closed or cancelled and reported before asOf, by status and age at asOf;
 * - time limits, per clock: the steps done in the period (the clock stopped in
 *   it), on time or late (a reopened ticket's clocks run again from the reopening
 *   and count under their clock, as a second deadline), with the time from start to stop (median and 90th
 *   percentile, nearest-rank); and the deadlines that passed in the period with
 *   the step still not done at the period's end (or asOf, if earlier). A breach
 *   is a late step or such an overdue deadline, with who held the ticket at the
 *   due time. The text, the chart and the dashboard show these same figures;
 * - due today: pending deadlines of open tickets falling due between asOf and the
 *   end of asOf's day;
 * - satisfaction: ratings given in the period;
 * - complaints: every complaint still open at asOf, with its answer deadline;
 * - engineers: tickets in hand now; tickets they resolved in the period (a ticket
 *   fixed twice after a reopening counts once); breaches they held.
 */
import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendar.js';
import { describeDuration, durationMinutes, type Contract, type TicketKind, type TicketStep } from './contract.js';
import { deadlines, type SlaTicket } from './sla.js';
import { STATUSES, STATUS_LABELS, TERMINAL, type TicketStatus } from './ticket.js';
import { KIND_LABELS, formatSpan } from './wording.js';

export const PERIOD_KINDS = ['daily', 'weekly', 'monthly'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
export const PERIOD_LABELS: Record<PeriodKind, string> = { daily: '日报', weekly: '周报', monthly: '月报' };

export interface DigestPeriod {
  kind: PeriodKind;
  /** 2026-11-24, 2026-W48, 2026-11 (the DigestRun key). */
  key: string;
  /** Human label: 2026-11-24（周二）, 2026年第48周（11月23日—11月29日）, 2026年11月. */
  label: string;
  start: Date;
  /** Exclusive. */
  end: Date;
}

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The period of `kind` that contains the calendar day `day` (YYYY-MM-DD) in `tz`. */
export function periodContaining(kind: PeriodKind, day: string, tz: string): DigestPeriod {
  const d = DateTime.fromISO(day, { zone: tz });
  if (!d.isValid) throw new Error(`not a date: ${day} (write YYYY-MM-DD)`);
  if (kind === 'daily') {
    const s = d.startOf('day');
    return { kind, key: s.toISODate()!, label: `${s.toISODate()}（${WEEKDAYS[s.weekday]}）`, start: s.toJSDate(), end: s.plus({ days: 1 }).toJSDate() };
  }
  if (kind === 'weekly') {
    const s = d.startOf('week'); // ISO week: Monday
    const e = s.plus({ weeks: 1 });
    const last = e.minus({ days: 1 });
    return {
      kind,
      key: `${s.weekYear}-W${String(s.weekNumber).padStart(2, '0')}`,
      label: `${s.weekYear}年第${s.weekNumber}周（${s.toFormat('M月d日')}—${last.toFormat('M月d日')}）`,
      start: s.toJSDate(),
      end: e.toJSDate(),
    };
  }
  const s = d.startOf('month');
  return { kind, key: s.toFormat('yyyy-MM'), label: s.toFormat('yyyy年M月'), start: s.toJSDate(), end: s.plus({ months: 1 }).toJSDate() };
}

/** Parses a period key back (2026-11-24, 2026-W48, 2026-11). */
export function periodFromKey(key: string, tz: string): DigestPeriod {
  const w = /^(\d{4})-W(\d{2})$/.exec(key);
  if (w) {
    const d = DateTime.fromObject({ weekYear: Number(w[1]), weekNumber: Number(w[2]), weekday: 1 }, { zone: tz });
    return periodContaining('weekly', d.toISODate()!, tz);
  }
  if (/^\d{4}-\d{2}$/.test(key)) return periodContaining('monthly', `${key}-01`, tz);
  return periodContaining('daily', key, tz);
}

/** The time of day a digest is posted, from a cron line "M H * * *" (or with seconds "S M H * * *"). */
export function digestTimeOfDay(cron: string): { hour: number; minute: number } {
  const f = cron.trim().split(/\s+/);
  const [m, h, ...rest] = f.length === 6 ? f.slice(1) : f;
  const ok = f.length >= 5 && f.length <= 6 && /^\d{1,2}$/.test(m ?? '') && /^\d{1,2}$/.test(h ?? '') && rest.every((x) => x === '*');
  const hour = Number(h);
  const minute = Number(m);
  if (!ok || hour > 23 || minute > 59) {
    throw new Error(`DIGEST_CRON: "${cron}" — give a daily time as "minute hour * * *", e.g. "0 9 * * *" (weekly digests go on Mondays, monthly on the 1st)`);
  }
  return { hour, minute };
}

/**
 * The digest of `kind` that should have been posted by `now`: the last posting
 * moment at or before now (daily: every day; weekly: Mondays; monthly: the 1st, at
 * the digest time) and the period it covers (the day, week or month before).
 */
export function latestDue(kind: PeriodKind, now: Date, tz: string, at: { hour: number; minute: number }): { period: DigestPeriod; postAt: DateTime } {
  const local = DateTime.fromJSDate(now, { zone: tz });
  let post = local.set({ hour: at.hour, minute: at.minute, second: 0, millisecond: 0 });
  if (kind === 'daily') {
    if (post > local) post = post.minus({ days: 1 });
  } else if (kind === 'weekly') {
    post = post.minus({ days: post.weekday - 1 });
    if (post > local) post = post.minus({ weeks: 1 });
  } else {
    post = post.set({ day: 1 });
    if (post > local) post = post.minus({ months: 1 });
  }
  const inPrevious = post.minus({ days: 1 }).toISODate()!;
  return { period: periodContaining(kind, inPrevious, tz), postAt: post };
}

/** When the digest of a period is posted: the digest time on the day after the period. */
export function postTimeOf(period: DigestPeriod, tz: string, at: { hour: number; minute: number }): Date {
  return DateTime.fromJSDate(period.end, { zone: tz }).set({ hour: at.hour, minute: at.minute, second: 0, millisecond: 0 }).toJSDate();
}

// ---------------------------------------------------------------------------
// Input rows

export interface ContractView {
  contract: Contract;
  calendar: BusinessCalendar;
}

/** A ticket as the SLA part of the digest needs it. */
export interface DigestTicket {
  id: number;
  number: string;
  kind: TicketKind;
  status: TicketStatus;
  level: 1 | 2 | 3 | 4 | null;
  hardware: boolean;
  /** Contract configuration name of the ticket's customer (null: default). */
  contract?: string | null;
  customer?: string | null;
  site?: string | null;
  device?: string | null;
  /** Current assignee's name. */
  assignee: string | null;
  steps: Partial<Record<TicketStep, Date | null>>;
  /** The latest reopening: its clocks run again from it and count as the first run's do. */
  reopen?: SlaTicket['reopen'];
}

/** An assignment or transfer of a ticket (from its audit trail): who held it from `at`. */
export interface HandOver {
  ticketId: number;
  at: Date;
  to: string | null;
}

export interface PendingDeadline {
  ticketId: number;
  number: string;
  clock: string;
  deadlineAt: Date;
  assignee: string | null;
  level: number | null;
}

export interface RatingRow {
  ticketId: number;
  number: string;
  score: number;
  comment: string | null;
  at: Date;
  engineer: string | null;
  kind?: string;
}

export interface ComplaintRow extends DigestTicket {
  complainant: string;
  content: string;
  demand: string | null;
  receiver: string;
}

export interface DigestInput {
  period: DigestPeriod;
  /** When the figures are taken (the posting moment, or the end of a past period). */
  asOf: Date;
  timezone: string;
  /** The default contract (labels, limits, the dissatisfied threshold). */
  contract: Contract;
  /** Contract by configuration name (for a ticket's deadlines). */
  contractFor: (name: string | null | undefined) => ContractView;
  /** Tickets reported in the period, counted by kind and level. */
  newCounts: Array<{ kind: string; level: number | null; count: number }>;
  /** Open tickets (reported before asOf) by status. */
  openCounts: Array<{ status: string; count: number }>;
  /** Open tickets by age at asOf. */
  openAges: Array<{ bucket: AgeBucket; count: number }>;
  /** Tickets whose deadlines may fall due, or whose clocks may stop, in the period. */
  slaTickets: DigestTicket[];
  handOvers: HandOver[];
  pending: PendingDeadline[];
  /** Ratings given in the period (at least the dissatisfied ones when ratingCounts is given). */
  ratings: RatingRow[];
  /** Ratings in the period counted by score (SQL); when absent, counted from `ratings`. */
  ratingCounts?: Array<{ score: number; count: number }>;
  openComplaints: ComplaintRow[];
  /** Open tickets assigned to each engineer, by status. */
  assigned: Array<{ engineer: string; status: string; count: number }>;
  /**
   * Resolve events in the period: the ticket and the engineer who reported the fix
   * (null when someone else did, e.g. the desk closing a complaint).
   */
  resolutions: Array<{ ticketId: number; engineer: string | null }>;
  /** Faults reported in the period as a device failing again (linked to its earlier ticket). */
  recurrences?: Array<{ ticketId: number; number: string; earlier: string | null }>;
}

// ---------------------------------------------------------------------------
// Output

export const AGE_BUCKETS = [
  { bucket: 'lt1d', label: '1天内', maxDays: 1 },
  { bucket: 'd1to3', label: '1–3天', maxDays: 3 },
  { bucket: 'd3to7', label: '3–7天', maxDays: 7 },
  { bucket: 'ge7d', label: '7天以上', maxDays: Infinity },
] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number]['bucket'];

/** Boundaries of the age buckets at asOf: reportedAt >= bound[i] is younger than bucket i's limit. */
export function ageBounds(asOf: Date): Array<{ bucket: AgeBucket; from: Date | null; to: Date | null }> {
  const day = 86_400_000;
  let to: Date | null = null;
  return AGE_BUCKETS.map((b) => {
    const from = Number.isFinite(b.maxDays) ? new Date(asOf.getTime() - b.maxDays * day) : null;
    const r = { bucket: b.bucket, from, to };
    to = from;
    return r;
  });
}

export function ageBucketOf(reportedAt: Date, asOf: Date): AgeBucket {
  const days = (asOf.getTime() - reportedAt.getTime()) / 86_400_000;
  return AGE_BUCKETS.find((b) => days < b.maxDays)?.bucket ?? 'ge7d';
}

export interface TimeStats {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export interface ClockFigures {
  clock: string;
  label: string;
  /** The contract's limit, as said (30 分钟; 24–48 小时 by level). */
  limit: string;
  /** The smallest and largest limit in minutes (null for working-day limits). */
  limitMinutes: { min: number; max: number } | null;
  /** Steps done in the period (the clock stopped in it): onTime + late. */
  done: number;
  onTime: number;
  late: number;
  /** Deadlines that passed in the period with the step still not done at its end. */
  overdue: number;
  /** The steps done in the period: time from start to stop. */
  times: TimeStats;
}

export interface Breach {
  /** late: the step was done in the period, after its deadline; overdue: the deadline passed in the period and the step was not done by its end. */
  type: 'late' | 'overdue';
  ticketId: number;
  number: string;
  kind: string;
  level: number | null;
  clock: string;
  /** A clock run again after a reopening (its label says 返工…). */
  reopened?: true;
  label: string;
  dueAt: string;
  stoppedAt: string | null;
  /** Minutes past the deadline at the stop, or at asOf while still running. */
  overdueMinutes: number;
  /** Who held the ticket at the due time (null: nobody was assigned yet). */
  holder: string | null;
  customer: string | null;
  site: string | null;
  device: string | null;
}

export interface Digest {
  period: { kind: PeriodKind; key: string; label: string; start: string; end: string };
  asOf: string;
  timezone: string;
  newTickets: {
    total: number;
    byKind: Array<{ kind: string; label: string; count: number }>;
    /** Faults by level; level null = not yet known (待定). */
    byLevel: Array<{ level: number | null; label: string; count: number }>;
  };
  open: {
    total: number;
    byStatus: Array<{ status: string; label: string; count: number }>;
    byAge: Array<{ bucket: AgeBucket; label: string; count: number }>;
  };
  sla: ClockFigures[];
  breaches: Breach[];
  dueToday: Array<{ ticketId: number; number: string; clock: string; label: string; dueAt: string; assignee: string | null; level: number | null }>;
  satisfaction: {
    count: number;
    average: number | null;
    distribution: Array<{ score: number; count: number }>;
    dissatisfiedAtOrBelow: number;
    dissatisfied: Array<{ ticketId: number; number: string; score: number; comment: string | null; at: string; engineer: string | null }>;
  };
  complaints: Array<{
    ticketId: number;
    number: string;
    status: string;
    complainant: string;
    receiver: string;
    content: string;
    demand: string | null;
    reportedAt: string;
    dueAt: string | null;
    /** When the investigation result went back (the clock stopped); null while it is awaited. */
    answeredAt: string | null;
    overdue: boolean;
  }>;
  /** Tickets resolved in the period (each once, by whoever reported the fix). */
  resolvedTickets: number;
  /** Faults reported in the period as the same device failing again, with the earlier ticket. */
  recurrences: Array<{ ticketId: number; number: string; earlier: string | null }>;
  engineers: Array<{ name: string; inHand: number; waiting: number; resolved: number; breaches: number }>;
}

/** Nearest-rank percentile of sorted values (p in (0, 1]). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

export function timeStats(minutes: number[]): TimeStats {
  const s = [...minutes].sort((a, b) => a - b);
  return { count: s.length, medianMinutes: percentile(s, 0.5), p90Minutes: percentile(s, 0.9) };
}

function limitOf(contract: Contract, clock: string): { text: string; minutes: { min: number; max: number } | null } {
  const c = contract.clocks[clock]!;
  if ('levelColumn' in c.limit) {
    const col = c.limit.levelColumn;
    const mins = contract.faultLevels.map((l) => durationMinutes(l[col])).filter((x): x is number => x !== null);
    const texts = [...new Set(contract.faultLevels.map((l) => describeDuration(l[col])))];
    if (!mins.length) return { text: texts.join('/'), minutes: null };
    const min = Math.min(...mins);
    const max = Math.max(...mins);
    const text = texts.length === 1 ? texts[0]! : min % 60 === 0 && max % 60 === 0 ? `按级别 ${min / 60}–${max / 60} 小时` : texts.join('/');
    return { text, minutes: { min, max } };
  }
  const m = durationMinutes(c.limit);
  return { text: describeDuration(c.limit), minutes: m === null ? null : { min: m, max: m } };
}

function slaTicket(t: DigestTicket): SlaTicket {
  return { kind: t.kind, status: t.status, level: t.level, hardware: t.hardware, steps: t.steps, ...(t.reopen ? { reopen: t.reopen } : {}) };
}

const iso = (d: Date) => d.toISOString();
const inRange = (d: Date, start: Date, end: Date) => d >= start && d < end;

function holderAt(t: DigestTicket, at: Date, handOvers: Map<number, HandOver[]>): string | null {
  const hs = handOvers.get(t.id);
  if (hs?.length) {
    let who: string | null | undefined;
    for (const h of hs) if (h.at <= at) who = h.to;
    if (who !== undefined) return who;
    return null;
  }
  const assignedAt = t.steps.assignedAt ?? t.steps.acknowledgedAt ?? null;
  return assignedAt && assignedAt <= at ? t.assignee : null;
}

/** Computes the digest's figures. */
export function computeDigest(input: DigestInput): Digest {
  const { period, asOf, contract } = input;
  const levelLabel = (level: number | null) =>
    level === null ? '待定' : (contract.faultLevels.find((l) => l.level === level)?.name ?? `${level}级`);

  // New tickets.
  const byKind = new Map<string, number>();
  const byLevel = new Map<number | null, number>();
  let newTotal = 0;
  for (const r of input.newCounts) {
    newTotal += r.count;
    byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + r.count);
    if (r.kind === 'fault') byLevel.set(r.level, (byLevel.get(r.level) ?? 0) + r.count);
  }
  const kinds = ['fault', 'consultation', 'complaint', ...[...byKind.keys()].filter((k) => !['fault', 'consultation', 'complaint'].includes(k))];
  const levels: Array<number | null> = [...contract.faultLevels.map((l) => l.level as number), ...(byLevel.has(null) ? [null] : [])];

  // Open tickets.
  const statusCounts = new Map<string, number>();
  for (const r of input.openCounts) statusCounts.set(r.status, (statusCounts.get(r.status) ?? 0) + r.count);
  const ageCounts = new Map<string, number>();
  for (const r of input.openAges) ageCounts.set(r.bucket, (ageCounts.get(r.bucket) ?? 0) + r.count);
  const openStatuses = [...STATUSES.filter((s) => !TERMINAL.has(s)), ...[...statusCounts.keys()].filter((s) => !(STATUSES as readonly string[]).includes(s))];

  // Deadlines: due in the period (met / breached), stopped in the period (times).
  const handOvers = new Map<number, HandOver[]>();
  for (const h of [...input.handOvers].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const list = handOvers.get(h.ticketId) ?? [];
    list.push(h);
    handOvers.set(h.ticketId, list);
  }
  type Tally = { onTime: number; late: number; overdue: number; times: number[] };
  const clocks = new Map<string, Tally>();
  for (const name of Object.keys(contract.clocks)) clocks.set(name, { onTime: 0, late: 0, overdue: 0, times: [] });
  const breaches: Breach[] = [];
  const seen = new Set<number>();
  // What is known at the end of the period (or at asOf, for a period still running).
  const cut = new Date(Math.min(period.end.getTime(), asOf.getTime()));
  for (const t of input.slaTickets) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    const view = input.contractFor(t.contract);
    for (const d of deadlines(slaTicket(t), view.contract, view.calendar, asOf)) {
      let c = clocks.get(d.clock);
      if (!c) clocks.set(d.clock, (c = { onTime: 0, late: 0, overdue: 0, times: [] }));
      const stop = d.stoppedAt && d.stoppedAt <= asOf ? d.stoppedAt : null;
      let type: Breach['type'] | null = null;
      if (stop && inRange(stop, period.start, cut)) {
        c.times.push((stop.getTime() - d.startedAt.getTime()) / 60_000);
        if (stop <= d.dueAt) c.onTime++;
        else {
          c.late++;
          type = 'late';
        }
      } else if (inRange(d.dueAt, period.start, cut) && !(stop && stop < cut) && t.status !== 'cancelled') {
        // Passed in the period, not done by its end. (A cancelled ticket's clocks stopped counting.)
        c.overdue++;
        type = 'overdue';
      }
      if (!type) continue;
      const until = stop ?? asOf;
      breaches.push({
        type,
        ticketId: t.id,
        number: t.number,
        kind: t.kind,
        level: t.level,
        clock: d.clock,
        ...(d.reopened ? { reopened: true as const } : {}),
        label: d.label,
        dueAt: iso(d.dueAt),
        stoppedAt: stop ? iso(stop) : null,
        overdueMinutes: Math.round((until.getTime() - d.dueAt.getTime()) / 60_000),
        holder: holderAt(t, d.dueAt, handOvers),
        customer: t.customer ?? null,
        site: t.site ?? null,
        device: t.device ?? null,
      });
    }
  }
  breaches.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ticketId - b.ticketId);
  const sla: ClockFigures[] = [...clocks.entries()]
    .filter(([name, c]) => contract.clocks[name] || c.onTime + c.late + c.overdue > 0)
    .map(([name, c]) => {
      const lim = contract.clocks[name] ? limitOf(contract, name) : { text: '', minutes: null };
      return {
        clock: name,
        label: contract.clocks[name]?.label ?? name,
        limit: lim.text,
        limitMinutes: lim.minutes,
        done: c.onTime + c.late,
        onTime: c.onTime,
        late: c.late,
        overdue: c.overdue,
        times: timeStats(c.times),
      };
    });

  // Due today: pending deadlines between asOf and the end of asOf's day.
  const dayEnd = DateTime.fromJSDate(asOf, { zone: input.timezone }).startOf('day').plus({ days: 1 }).toJSDate();
  const dueSeen = new Set<string>();
  const dueToday = input.pending
    .filter((p) => p.deadlineAt >= asOf && p.deadlineAt < dayEnd && contract.clocks[p.clock])
    .sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime() || a.ticketId - b.ticketId)
    .filter((p) => {
      const k = `${p.ticketId}|${p.clock}`;
      if (dueSeen.has(k)) return false;
      dueSeen.add(k);
      return true;
    })
    .map((p) => ({ ticketId: p.ticketId, number: p.number, clock: p.clock, label: contract.clocks[p.clock]!.label, dueAt: iso(p.deadlineAt), assignee: p.assignee, level: p.level }));

  // Satisfaction.
  const threshold = contract.confirmation.dissatisfiedAtOrBelow;
  const ratings = input.ratings.filter((r) => inRange(r.at, period.start, period.end));
  const dist = new Map<number, number>();
  if (input.ratingCounts) for (const r of input.ratingCounts) dist.set(r.score, (dist.get(r.score) ?? 0) + r.count);
  else for (const r of ratings) dist.set(r.score, (dist.get(r.score) ?? 0) + 1);
  const ratingCount = [...dist.values()].reduce((a, b) => a + b, 0);
  const sum = [...dist.entries()].reduce((a, [score, n]) => a + score * n, 0);

  // Complaints.
  const complaints = input.openComplaints
    .filter((c) => !TERMINAL.has(c.status))
    .map((c) => {
      const view = input.contractFor(c.contract);
      const all = deadlines(slaTicket(c), view.contract, view.calendar, asOf);
      // The answer deadline: the one still running, else the last one (answered, waiting for the rating).
      const d = all.find((x) => x.stoppedAt === null) ?? all[all.length - 1] ?? null;
      return {
        ticketId: c.id,
        number: c.number,
        status: c.status,
        complainant: c.complainant,
        receiver: c.receiver,
        content: c.content,
        demand: c.demand,
        reportedAt: iso(c.steps.reportedAt!),
        dueAt: d ? iso(d.dueAt) : null,
        answeredAt: d?.stoppedAt ? iso(d.stoppedAt) : null,
        overdue: d ? !d.stoppedAt && d.dueAt < asOf : false,
      };
    })
    .sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9') || a.ticketId - b.ticketId);

  // Engineers.
  const eng = new Map<string, { inHand: number; waiting: number; resolved: number; breaches: number }>();
  const e = (name: string) => {
    let x = eng.get(name);
    if (!x) eng.set(name, (x = { inHand: 0, waiting: 0, resolved: 0, breaches: 0 }));
    return x;
  };
  for (const a of input.assigned) {
    if (a.status === 'assigned') e(a.engineer).waiting += a.count;
    else if (!TERMINAL.has(a.status as TicketStatus) && a.status !== 'resolved' && a.status !== 'confirmed') e(a.engineer).inHand += a.count;
  }
  const resolvedBy = new Map<string, Set<number>>();
  for (const r of input.resolutions) {
    if (r.engineer === null) continue;
    const set = resolvedBy.get(r.engineer) ?? new Set<number>();
    set.add(r.ticketId);
    resolvedBy.set(r.engineer, set);
  }
  for (const [name, set] of resolvedBy) e(name).resolved = set.size;
  for (const b of breaches) if (b.holder) e(b.holder).breaches++;

  return {
    period: { kind: period.kind, key: period.key, label: period.label, start: iso(period.start), end: iso(period.end) },
    asOf: iso(asOf),
    timezone: input.timezone,
    newTickets: {
      total: newTotal,
      byKind: kinds.map((k) => ({ kind: k, label: KIND_LABELS[k as TicketKind] ?? k, count: byKind.get(k) ?? 0 })),
      byLevel: levels.map((l) => ({ level: l, label: levelLabel(l), count: byLevel.get(l) ?? 0 })),
    },
    open: {
      total: [...statusCounts.values()].reduce((a, b) => a + b, 0),
      byStatus: openStatuses.map((s) => ({ status: s, label: STATUS_LABELS[s as TicketStatus] ?? s, count: statusCounts.get(s) ?? 0 })).filter((s) => s.count > 0),
      byAge: AGE_BUCKETS.map((b) => ({ bucket: b.bucket, label: b.label, count: ageCounts.get(b.bucket) ?? 0 })),
    },
    sla,
    breaches,
    dueToday,
    satisfaction: {
      count: ratingCount,
      average: ratingCount ? Math.round((sum / ratingCount) * 100) / 100 : null,
      distribution: [...dist.entries()].sort((a, b) => b[0] - a[0]).map(([score, count]) => ({ score, count })),
      dissatisfiedAtOrBelow: threshold,
      dissatisfied: ratings
        .filter((r) => r.score <= threshold)
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .map((r) => ({ ticketId: r.ticketId, number: r.number, score: r.score, comment: r.comment, at: iso(r.at), engineer: r.engineer })),
    },
    complaints,
    resolvedTickets: new Set(input.resolutions.map((r) => r.ticketId)).size,
    recurrences: input.recurrences ?? [],
    engineers: [...eng.entries()]
      .map(([name, x]) => ({ name, ...x }))
      .sort((a, b) => b.inHand + b.waiting - (a.inHand + a.waiting) || a.name.localeCompare(b.name, 'zh')),
  };
}

// ---------------------------------------------------------------------------
// Helpers that turn plain rows into the counts above (the store counts in SQL;
// tests and small callers count here).

export interface PlainTicket extends DigestTicket {
  reportedAt: Date;
}

export function countNew(rows: PlainTicket[], period: DigestPeriod): DigestInput['newCounts'] {
  const m = new Map<string, { kind: string; level: number | null; count: number }>();
  for (const t of rows) {
    if (!inRange(t.reportedAt, period.start, period.end)) continue;
    const k = `${t.kind}|${t.level}`;
    const x = m.get(k) ?? { kind: t.kind, level: t.level, count: 0 };
    x.count++;
    m.set(k, x);
  }
  return [...m.values()];
}

export function countOpen(rows: PlainTicket[], asOf: Date): Pick<DigestInput, 'openCounts' | 'openAges'> {
  const s = new Map<string, number>();
  const a = new Map<AgeBucket, number>();
  for (const t of rows) {
    if (TERMINAL.has(t.status) || t.reportedAt >= asOf) continue;
    s.set(t.status, (s.get(t.status) ?? 0) + 1);
    const b = ageBucketOf(t.reportedAt, asOf);
    a.set(b, (a.get(b) ?? 0) + 1);
  }
  return { openCounts: [...s].map(([status, count]) => ({ status, count })), openAges: [...a].map(([bucket, count]) => ({ bucket, count })) };
}

// ---------------------------------------------------------------------------
// Chinese text (WeChat, the sandbox, the Feishu card) and the chart's data.

function fmt(d: string | Date, tz: string): string {
  return DateTime.fromJSDate(typeof d === 'string' ? new Date(d) : d, { zone: tz }).toFormat('M月d日 HH:mm');
}

function mins(m: number | null): string {
  return m === null ? '—' : formatSpan(m * 60_000).replace(/ /g, '');
}

/**
 * The clocks the text and the chart show: first response and on-site always,
 * the others when something happened on them in the period.
 */
export function slaShown(d: Digest): ClockFigures[] {
  return d.sla.filter((c) => c.clock === 'first_response' || c.clock === 'on_site' || c.done + c.overdue > 0);
}

/** 首次响应（30 分钟）：完成 4 次，按时 3、超时 1；另有 1 项到期未完成；用时中位 12分钟，90% 40分钟 */
export function slaLine(c: ClockFigures): string {
  const parts: string[] = [];
  if (c.done) parts.push(`完成 ${c.done} 次，${c.late ? `按时 ${c.onTime}、超时 ${c.late}` : '全部按时'}`);
  if (c.overdue) parts.push(`${c.done ? '另有 ' : ''}${c.overdue} 项到期未完成`);
  if (!parts.length) parts.push('本期无完成、无到期');
  if (c.times.count) parts.push(`用时中位 ${mins(c.times.medianMinutes)}，90% ${mins(c.times.p90Minutes)}`);
  return `${c.label}${c.limit ? `（${c.limit}）` : ''}：${parts.join('；')}`;
}

export interface DigestTextOptions {
  /** Posted after its time (the service was down): the title says 补发. */
  late?: boolean;
  /** Most lines per list; the rest is counted ("另有 N 项"). Default 30. */
  maxItems?: number;
  /** Where the full lists are (the dashboard's address), added at the end. */
  link?: string;
}

export function digestTitle(d: Digest, opts: DigestTextOptions = {}): string {
  return `售后服务${PERIOD_LABELS[d.period.kind]} ${d.period.label}${opts.late ? '（补发）' : ''}`;
}

/** The digest as chat text, in Chinese. */
export function renderDigestText(d: Digest, opts: DigestTextOptions = {}): string {
  const tz = d.timezone;
  const max = opts.maxItems ?? 30;
  const lines: string[] = [];
  const list = <T>(items: T[], line: (x: T) => string) => {
    for (const x of items.slice(0, max)) lines.push(`· ${line(x)}`);
    if (items.length > max) lines.push(`· …另有 ${items.length - max} 项${opts.link ? '，详见看板' : ''}`);
  };
  lines.push(`📊 ${digestTitle(d, opts)}`);
  lines.push(`统计区间：${fmt(d.period.start, tz)} 至 ${fmt(d.period.end, tz)}；数据截至 ${fmt(d.asOf, tz)}`);

  const n = d.newTickets;
  const kindPart = n.byKind.filter((k) => k.count > 0).map((k) => {
    if (k.kind !== 'fault') return `${k.label} ${k.count}`;
    const lv = n.byLevel.filter((l) => l.count > 0).map((l) => `${l.label} ${l.count}`).join('、');
    return `${k.label} ${k.count}${lv ? `（${lv}）` : ''}`;
  });
  lines.push('', `【新增工单】共 ${n.total} 件${kindPart.length ? `：${kindPart.join('；')}` : ''}`);
  const again = d.recurrences ?? [];
  if (again.length) {
    lines.push(`  其中同一设备再次故障 ${again.length} 件`);
    list(again, (r) => `${r.number}${r.earlier ? `，前次工单 ${r.earlier}` : ''}`);
  }

  const o = d.open;
  lines.push(`【未关闭工单】共 ${o.total} 件${o.byStatus.length ? `：${o.byStatus.map((s) => `${s.label} ${s.count}`).join('、')}` : ''}`);
  if (o.total) lines.push(`  按时长：${o.byAge.map((a) => `${a.label} ${a.count}`).join('、')}`);

  lines.push(`【时限达成】${slaShown(d).length ? '' : '本期无'}`);
  for (const c of slaShown(d)) lines.push(`  ${slaLine(c)}`);

  lines.push(`【超时】${d.breaches.length ? `${d.breaches.length} 项` : '无'}`);
  list(d.breaches, (b) => `${b.number} ${b.label}超时 ${mins(b.overdueMinutes)}${b.stoppedAt ? (b.type === 'overdue' ? `（${fmt(b.stoppedAt, tz)} 完成）` : '') : '（仍未完成）'}，时限 ${fmt(b.dueAt, tz)}，当时处理人：${b.holder ?? '未派单'}`);

  lines.push(`【今日到期】${d.dueToday.length ? `${d.dueToday.length} 项` : '无'}`);
  list(d.dueToday, (x) => `${x.number} ${x.label} ${fmt(x.dueAt, tz)} 到期，处理人：${x.assignee ?? '未派单'}`);

  const s = d.satisfaction;
  lines.push(`【满意度】${s.count ? `平均 ${s.average!.toFixed(1)} 分（${s.count} 条评价）` : '本期无评价'}${s.dissatisfied.length ? `；不满意 ${s.dissatisfied.length} 条` : ''}`);
  list(s.dissatisfied, (r) => `${r.number} ${r.score} 分${r.comment ? `「${r.comment}」` : ''}，工程师：${r.engineer ?? '—'}`);

  lines.push(`【未结投诉】${d.complaints.length ? `${d.complaints.length} 件` : '无'}`);
  list(d.complaints, (c) => `${c.number} 投诉人 ${c.complainant}：${c.content.length > 40 ? `${c.content.slice(0, 39)}…` : c.content}；${c.answeredAt ? `已于 ${fmt(c.answeredAt, tz)} 答复，待客户评价` : `答复期限 ${c.dueAt ? fmt(c.dueAt, tz) : '—'}${c.overdue ? '（已超期）' : ''}`}`);

  lines.push(`【工程师负荷】${d.engineers.length ? `本期完成工单 ${d.resolvedTickets} 件` : '无'}`);
  list(d.engineers, (x) => `${x.name}：在手 ${x.inHand} 件，待接单 ${x.waiting} 件，本期完成 ${x.resolved} 件${x.breaches ? `，超时 ${x.breaches} 项` : ''}`);
  if (opts.link) lines.push('', `详情：${opts.link}`);
  return lines.join('\n');
}

/** Breaks a long axis label into lines of at most 4 characters (修复或更换\n备件). */
export function wrapLabel(label: string, width = 4): string {
  const chars = [...label];
  if (chars.length <= width + 1) return label;
  const lines: string[] = [];
  for (let i = 0; i < chars.length; i += width) lines.push(chars.slice(i, i + width).join(''));
  return lines.join('\n');
}

/** The chart's figures (src/report/chart.ts draws them). */
export function digestChartData(d: Digest, opts: DigestTextOptions = {}): {
  title: string;
  newByLevel: { level: string; count: number }[];
  openByStatus: { status: string; count: number }[];
  sla: { clock: string; onTime: number; late: number; overdue: number }[];
  satisfaction: { score: number; count: number }[];
} {
  const kinds = d.newTickets.byKind.filter((k) => k.kind !== 'fault');
  return {
    title: digestTitle(d, opts),
    newByLevel: [...d.newTickets.byLevel.map((l) => ({ level: l.label, count: l.count })), ...kinds.map((k) => ({ level: k.label, count: k.count }))],
    openByStatus: d.open.byStatus.map((s) => ({ status: [...s.label].length > 4 ? wrapLabel(s.label, 3) : s.label, count: s.count })),
    sla: slaShown(d).map((c) => ({ clock: wrapLabel(c.label), onTime: c.onTime, late: c.late, overdue: c.overdue })),
    satisfaction: [5, 4, 3, 2, 1].map((score) => ({ score, count: d.satisfaction.distribution.find((x) => x.score === score)?.count ?? 0 })),
  };
}
