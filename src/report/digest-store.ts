/**
 * Loads what the digest needs with indexed, bounded queries and hands it to the
 * pure computeDigest (src/domain/digest.ts). Nothing here reads all tickets:
 * - counts of new tickets: GROUP BY kind, level over the reportedAt index range;
 * - open tickets: GROUP BY status over the status index, ages as range counts;
 * - deadlines: only tickets reported within the longest contract limit before the
 *   period (reportedAt index), complaints within their working-day window, and
 *   tickets with an escalation event in the period (TicketEvent action+at index);
 * - due today: pending timers by due time (Timer state+dueAt index);
 * - ratings: GROUP BY score over the Rating at index, the dissatisfied ones listed;
 * - engineers: GROUP BY assignee, status over open tickets; resolutions from the
 *   audit trail's resolve events in the period (ticket and actor, distinct pairs).
 */
import type { ContractRegistry } from '../core/contracts.js';
import type { Contract, FaultLevel, TicketKind, TicketStep } from '../domain/contract.js';
import { durationMinutes } from '../domain/contract.js';
import type { BusinessCalendar } from '../domain/calendar.js';
import {
  ageBounds,
  type ContractView,
  computeDigest,
  type ComplaintRow,
  type Digest,
  type DigestInput,
  type DigestPeriod,
  type DigestTicket,
  type HandOver,
} from '../domain/digest.js';
import { TERMINAL, STATUSES, type TicketStatus } from '../domain/ticket.js';
import type { Db, Prisma } from '../store/types.js';

export const OPEN_STATUSES = STATUSES.filter((s) => !TERMINAL.has(s));

const STEP_SELECT = {
  reportedAt: true,
  levelKnownAt: true,
  acceptedAt: true,
  assignedAt: true,
  acknowledgedAt: true,
  onSiteAt: true,
  spareRequestedAt: true,
  detectionReportAt: true,
  resolvedAt: true,
  confirmedAt: true,
  ratedAt: true,
  closedAt: true,
} as const;

const TICKET_SELECT = {
  id: true,
  number: true,
  kind: true,
  status: true,
  level: true,
  hardware: true,
  site: true,
  device: true,
  ...STEP_SELECT,
  // Ids, not relations: the joins cost more than the rows (customers and people are few; looked up once).
  customerId: true,
  assigneeId: true,
  // The latest reopening: its clocks run again (domain/sla.ts).
  reopenedAt: true,
  reopenAcknowledgedAt: true,
  reopenOnSiteAt: true,
} satisfies Prisma.TicketSelect;

type TicketPick = Prisma.TicketGetPayload<{ select: typeof TICKET_SELECT }>;

interface Lookup {
  customers: Map<number, { name: string; contract: string }>;
  people: Map<number, { name: string; role: string }>;
}

function toDigestTicket(t: TicketPick, lk: Lookup): DigestTicket {
  const steps: Partial<Record<TicketStep, Date | null>> = {};
  for (const k of Object.keys(STEP_SELECT) as TicketStep[]) steps[k] = (t as unknown as Record<string, Date | null>)[k] ?? null;
  return {
    id: t.id,
    number: t.number,
    kind: t.kind as TicketKind,
    status: t.status as TicketStatus,
    level: t.level as FaultLevel | null,
    hardware: t.hardware,
    contract: t.customerId === null ? null : (lk.customers.get(t.customerId)?.contract ?? null),
    customer: t.customerId === null ? null : (lk.customers.get(t.customerId)?.name ?? null),
    site: t.site,
    device: t.device,
    assignee: t.assigneeId === null ? null : (lk.people.get(t.assigneeId)?.name ?? null),
    ...(t.reopenedAt ? { reopen: { at: t.reopenedAt, steps: { acknowledgedAt: t.reopenAcknowledgedAt ?? null, onSiteAt: t.reopenOnSiteAt ?? null } } } : {}),
    steps,
  };
}

const DAY = 86_400_000;

/** Audit actions that set a step a clock stops on (acknowledgedAt, onSiteAt, …). */
/** Audit actions that may reopen a ticket (还没好, a rating). */
const REOPEN_ACTIONS = ['deny_fix', 'rate'];
const STEP_ACTIONS = ['accept', 'assign', 'acknowledge', 'transfer', 'arrive', 'request_spare', 'detection_report', 'resolve'];

/**
 * How far before a period a ticket may have been reported and still have a
 * deadline in it: the longest fixed limit of any contract clock, plus a day.
 * Working-day limits (complaints) are handled by their own, wider query.
 */
export function lookbackMs(contracts: Contract[]): { fixed: number; workingDays: number } {
  let fixed = 0;
  let workingDays = 0;
  for (const c of contracts) {
    for (const clock of Object.values(c.clocks)) {
      if ('levelColumn' in clock.limit) {
        const col = clock.limit.levelColumn;
        for (const l of c.faultLevels) fixed = Math.max(fixed, (durationMinutes(l[col]) ?? 0) * 60_000);
      } else if (clock.limit.workingDays !== undefined) {
        workingDays = Math.max(workingDays, clock.limit.workingDays);
      } else {
        fixed = Math.max(fixed, (durationMinutes(clock.limit) ?? 0) * 60_000);
      }
    }
  }
  // Clocks that start after the report (acceptance, assignment) start within hours of it.
  // A working day can be ~10 calendar days away over the Spring Festival or National Day.
  return { fixed: fixed + DAY / 4, workingDays: workingDays ? (workingDays + 12) * DAY : 0 };
}

async function names(db: Db, ids: Iterable<number | null>): Promise<Map<number, { name: string; role: string }>> {
  const list = [...new Set([...ids].filter((x): x is number => typeof x === 'number'))];
  if (!list.length) return new Map();
  const rows = await db.person.findMany({ where: { id: { in: list } }, select: { id: true, name: true, role: true } });
  return new Map(rows.map((r) => [r.id, { name: r.name, role: r.role }]));
}

function assigneeOf(detail: string): number | null {
  try {
    const d = JSON.parse(detail) as { assigneeId?: unknown };
    return typeof d.assigneeId === 'number' ? d.assigneeId : null;
  } catch {
    return null;
  }
}

/**
 * Contracts whose calendars remember "the end of the n-th working day after a
 * day": a complaint's deadline depends only on its day, and a month of complaints
 * would otherwise walk the holiday table once each.
 */
function memoCalendars(contracts: ContractRegistry): DigestInput['contractFor'] {
  const views = new Map<string, ContractView>();
  return (name) => {
    const entry = contracts.get(name);
    let v = views.get(entry.name);
    if (!v) {
      const cal = entry.calendar;
      const memo = new Map<string, ReturnType<BusinessCalendar['endOfNthWorkingDayAfter']>>();
      const calendar = Object.create(cal) as BusinessCalendar;
      calendar.endOfNthWorkingDayAfter = (instant: Date, n: number) => {
        const key = `${cal.dateOf(instant)}|${n}`;
        let r = memo.get(key);
        if (!r) memo.set(key, (r = cal.endOfNthWorkingDayAfter(instant, n)));
        return r;
      };
      views.set(entry.name, (v = { contract: entry.contract, calendar }));
    }
    return v;
  };
}

/** Loads the digest's rows for a period as of a moment. */
export async function loadDigestInput(db: Db, contracts: ContractRegistry, period: DigestPeriod, asOf: Date): Promise<DigestInput> {
  const entry = contracts.default;
  const tz = entry.contract.timezone;
  // Only the step times some clock starts or stops on: each DateTime column read costs.
  const used = new Set<string>(['reportedAt']);
  for (const c of Object.values(entry.contract.clocks)) for (const k of [c.startsAt, ...c.stopsAt]) used.add(k);
  const slaSelect = { ...TICKET_SELECT, ...Object.fromEntries(Object.keys(STEP_SELECT).map((k) => [k, used.has(k)])) } as typeof TICKET_SELECT;
  const open = { in: [...OPEN_STATUSES] };
  const lb = lookbackMs([entry.contract]);
  const upTo = new Date(Math.min(period.end.getTime(), asOf.getTime()));
  const reportedWindow = { gte: new Date(period.start.getTime() - lb.fixed), lt: upTo };

  const bounds = ageBounds(asOf);
  const [newGroups, openGroups, ageCounts, slaRows, complaintRows, escalations, transfers, pendingRows, ratingGroups, lowRatings, assignedGroups, resolvedRows, recurrenceRows] =
    await Promise.all([
      db.ticket.groupBy({ by: ['kind', 'level'], where: { reportedAt: { gte: period.start, lt: period.end } }, _count: { _all: true } }),
      db.ticket.groupBy({ by: ['status'], where: { status: open, reportedAt: { lt: asOf } }, _count: { _all: true } }),
      Promise.all(
        bounds.map((b) =>
          db.ticket.count({
            where: { status: open, reportedAt: { ...(b.from ? { gte: b.from } : {}), lt: b.to && b.to < asOf ? b.to : asOf } },
          }),
        ),
      ),
      db.ticket.findMany({ where: { reportedAt: reportedWindow, kind: { not: 'complaint' } }, select: slaSelect }),
      lb.workingDays
        ? db.ticket.findMany({ where: { reportedAt: { gte: new Date(period.start.getTime() - lb.workingDays), lt: upTo }, kind: 'complaint' }, select: TICKET_SELECT })
        : Promise.resolve([]),
      // Tickets reported before the window with a deadline passing (escalation) or a step done in the period: late steps of long-running tickets.
      // … and tickets reopened recently enough for a reopening clock to fall due in the period.
      db.ticketEvent.findMany({
        where: {
          OR: [
            { action: { in: ['escalation', ...STEP_ACTIONS] }, at: { gte: period.start, lte: upTo } },
            { action: { in: REOPEN_ACTIONS }, at: { gte: reportedWindow.gte, lte: upTo } },
          ],
          ticket: { reportedAt: { lt: reportedWindow.gte } },
        },
        select: { ticketId: true },
        distinct: ['ticketId'],
      }),
      db.ticketEvent.findMany({ where: { action: 'transfer', at: { gte: new Date(period.start.getTime() - lb.fixed), lt: upTo } }, select: { ticketId: true } }),
      db.timer.findMany({
        where: { state: 'pending', dueAt: { lt: new Date(asOf.getTime() + 3 * DAY) }, deadlineAt: { gte: asOf, lt: new Date(asOf.getTime() + DAY) } },
        select: { ticketId: true, clock: true, deadlineAt: true, ticket: { select: { number: true, level: true, status: true, assignee: { select: { name: true } } } } },
      }),
      db.rating.groupBy({ by: ['score'], where: { at: { gte: period.start, lt: period.end } }, _count: { _all: true } }),
      db.rating.findMany({
        where: { at: { gte: period.start, lt: period.end }, score: { lte: entry.contract.confirmation.dissatisfiedAtOrBelow } },
        select: { ticketId: true, score: true, comment: true, at: true, ticket: { select: { number: true, kind: true, assignee: { select: { name: true } } } } },
        orderBy: { at: 'asc' },
      }),
      db.ticket.groupBy({ by: ['assigneeId', 'status'], where: { status: open, assigneeId: { not: null } }, _count: { _all: true } }),
      db.ticketEvent.findMany({ where: { action: 'resolve', at: { gte: period.start, lt: period.end } }, select: { ticketId: true, actorId: true }, distinct: ['ticketId', 'actorId'] }),
      db.ticketEvent.findMany({
        where: { action: 'recurrence', at: { gte: period.start, lt: period.end } },
        select: { ticketId: true, detail: true, ticket: { select: { number: true } } },
        orderBy: { at: 'asc' },
      }),
    ]);

  // Tickets the windows above did not load (long clocks, late stops).
  const loaded = new Set<number>([...slaRows.map((t) => t.id), ...complaintRows.map((t) => t.id)]);
  const extraIds = [...new Set(escalations.map((e) => e.ticketId))].filter((id) => !loaded.has(id));
  const extra = extraIds.length ? await db.ticket.findMany({ where: { id: { in: extraIds } }, select: TICKET_SELECT }) : [];

  // Hand-overs: only tickets that were transferred need their history; the others were held by their assignee.
  const transferred = [...new Set(transfers.map((t) => t.ticketId))];
  const handOverRows = transferred.length
    ? // By ticket only (the ticketId index); with the action in the WHERE, SQLite walks every assign event.
      (await db.ticketEvent.findMany({ where: { ticketId: { in: transferred } }, select: { ticketId: true, at: true, action: true, detail: true } })).filter(
        (e) => e.action === 'assign' || e.action === 'transfer',
      )
    : [];
  const openComplaints = await db.ticket.findMany({ where: { kind: 'complaint', status: open }, select: { ...TICKET_SELECT, complaint: true } });

  const ticketRows = [...slaRows, ...complaintRows, ...extra, ...openComplaints];
  const people = await names(db, [
    ...handOverRows.map((h) => assigneeOf(h.detail)),
    ...assignedGroups.map((g) => g.assigneeId),
    ...resolvedRows.map((g) => g.actorId),
    ...ticketRows.map((t) => t.assigneeId),
  ]);
  const customerIds = [...new Set(ticketRows.map((t) => t.customerId).filter((x): x is number => x !== null))];
  const lk: Lookup = {
    people,
    customers: new Map(
      (customerIds.length ? await db.customer.findMany({ where: { id: { in: customerIds } }, select: { id: true, name: true, contract: true } }) : []).map((c) => [c.id, { name: c.name, contract: c.contract }]),
    ),
  };
  const handOvers: HandOver[] = handOverRows.map((h) => {
    const id = assigneeOf(h.detail);
    return { ticketId: h.ticketId, at: h.at, to: id === null ? null : (people.get(id)?.name ?? null) };
  });

  const openAges: DigestInput['openAges'] = bounds.map((b, i) => ({ bucket: b.bucket, count: ageCounts[i]! }));
  const complaintOf = (t: TicketPick & { complaint: { complainant: string; content: string; demand: string | null; receiver: string } | null }): ComplaintRow => ({
    ...toDigestTicket(t, lk),
    complainant: t.complaint?.complainant ?? '',
    content: t.complaint?.content ?? '',
    demand: t.complaint?.demand ?? null,
    receiver: t.complaint?.receiver ?? '',
  });

  return {
    period,
    asOf,
    timezone: tz,
    contract: entry.contract,
    contractFor: memoCalendars(contracts),
    newCounts: newGroups.map((g) => ({ kind: g.kind, level: g.level, count: g._count._all })),
    openCounts: openGroups.map((g) => ({ status: g.status, count: g._count._all })),
    openAges,
    slaTickets: [...slaRows, ...complaintRows, ...extra].map((t) => toDigestTicket(t, lk)),
    handOvers,
    pending: pendingRows
      .filter((p) => !TERMINAL.has(p.ticket.status as TicketStatus))
      .map((p) => ({ ticketId: p.ticketId, number: p.ticket.number, clock: p.clock, deadlineAt: p.deadlineAt, assignee: p.ticket.assignee?.name ?? null, level: p.ticket.level })),
    // The distribution comes from SQL; the rows listed are the dissatisfied ones.
    ratings: lowRatings.map((r) => ({ ticketId: r.ticketId, number: r.ticket.number, score: r.score, comment: r.comment, at: r.at, engineer: r.ticket.assignee?.name ?? null, kind: r.ticket.kind })),
    ratingCounts: ratingGroups.map((g) => ({ score: g.score, count: g._count._all })),
    openComplaints: openComplaints.map(complaintOf),
    assigned: assignedGroups.map((g) => ({ engineer: people.get(g.assigneeId!)?.name ?? `#${g.assigneeId}`, status: g.status, count: g._count._all })),
    // Engineers' resolutions (the desk closing a complaint is not an engineer's load).
    resolutions: resolvedRows.map((r) => {
      const who = r.actorId === null ? undefined : people.get(r.actorId);
      return { ticketId: r.ticketId, engineer: who?.role === 'engineer' ? who.name : null };
    }),
    recurrences: recurrenceRows.map((r) => ({ ticketId: r.ticketId, number: r.ticket.number, earlier: earlierNumber(r.detail) })),
  };
}

/** The earlier ticket's number from a recurrence event's detail (untrusted JSON: null when absent or malformed). */
function earlierNumber(detail: string): string | null {
  try {
    const d: unknown = JSON.parse(detail);
    return d && typeof d === 'object' && typeof (d as { number?: unknown }).number === 'string' ? (d as { number: string }).number : null;
  } catch {
    return null;
  }
}

/** The digest of a period, as of a moment (default: the period's end, or now if earlier). */
export async function loadDigest(db: Db, contracts: ContractRegistry, period: DigestPeriod, asOf: Date): Promise<Digest> {
  return computeDigest(await loadDigestInput(db, contracts, period, asOf));
}
