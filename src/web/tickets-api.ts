/**
 * The JSON API over tickets: a filtered, paged list and one ticket with its
 * deadlines (met or not), reminders sent and full audit trail.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { deadlines } from '../domain/sla.js';
import { STATUSES } from '../domain/ticket.js';
import type { ContractRegistry } from '../core/contracts.js';
import { plannedWorkOfTicket, slaTicketOf } from '../store/tickets.js';
import { ticketDuties } from '../store/duties/index.js';
import { formatCost } from '../domain/repair-return.js';
import type { Clock } from '../core/clock.js';
import type { Db, Prisma } from '../store/types.js';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');

export const TicketFilterSchema = z
  .object({
    /** Free search: ticket number (#12, GD-…, or part of it), station, device, reporter, contact, phone, or words of the report. */
    q: z.string().trim().max(100).optional(),
    status: z.enum(STATUSES).optional(),
    level: z.coerce.number().int().min(1).max(4).optional(),
    kind: z.enum(['fault', 'consultation', 'complaint']).optional(),
    customer: z.string().max(100).optional(),
    engineer: z.string().max(64).optional(),
    breached: z.enum(['true', 'false']).optional(),
    from: isoDay.optional(),
    to: isoDay.optional(),
    open: z.enum(['true', 'false']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TicketFilter = z.infer<typeof TicketFilterSchema>;

/** Midnight of a calendar day in the contract's time zone. */
function dayStart(day: string, tz: string): Date {
  return DateTime.fromISO(day, { zone: tz }).startOf('day').toJSDate();
}

/** The conditions of a free search: any of number, station, device, reporter, contact, phone, customer or the report's text. */
export function searchWhere(q: string): Prisma.TicketWhereInput | null {
  const text = q.normalize('NFKC').trim();
  if (!text) return null;
  const ref = /^(?:#|工单)?\s*(\d{1,9})$/.exec(text);
  const or: Prisma.TicketWhereInput[] = [
    { number: { contains: text.toUpperCase() } },
    { site: { contains: text } },
    { device: { contains: text } },
    { content: { contains: text } },
    { contact: { contains: text } },
    { phone: { contains: text } },
    { reporter: { name: { contains: text } } },
    { customer: { name: { contains: text } } },
  ];
  if (ref) or.unshift({ id: Number(ref[1]) });
  return { OR: or };
}

export function ticketWhere(f: TicketFilter, tz: string): Prisma.TicketWhereInput {
  const where: Prisma.TicketWhereInput = {};
  const search = f.q ? searchWhere(f.q) : null;
  if (search) where.AND = [search];
  if (f.status) where.status = f.status;
  if (f.open === 'true') where.status = { notIn: ['closed', 'cancelled'] };
  if (f.open === 'false') where.status = { in: ['closed', 'cancelled'] };
  if (f.level) where.level = f.level;
  if (f.kind) where.kind = f.kind;
  if (f.customer) where.customer = { name: { contains: f.customer } };
  if (f.engineer) where.assignee = { name: f.engineer };
  if (f.from || f.to) {
    where.reportedAt = {
      ...(f.from ? { gte: dayStart(f.from, tz) } : {}),
      ...(f.to ? { lt: new Date(dayStart(f.to, tz).getTime() + 86_400_000) } : {}),
    };
  }
  if (f.breached === 'true') where.events = { some: { action: 'escalation' } };
  if (f.breached === 'false') where.events = { none: { action: 'escalation' } };
  return where;
}

export async function listTickets(db: Db, f: TicketFilter, tz: string) {
  const where = ticketWhere(f, tz);
  const [total, rows] = await Promise.all([
    db.ticket.count({ where }),
    db.ticket.findMany({
      where,
      orderBy: { id: 'desc' },
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
      include: { assignee: { select: { name: true } }, reporter: { select: { name: true } }, customer: { select: { name: true } } },
    }),
  ]);
  return {
    total,
    page: f.page,
    pageSize: f.pageSize,
    tickets: rows.map((t) => ({
      id: t.id,
      number: t.number,
      kind: t.kind,
      status: t.status,
      level: t.level,
      levelProvisional: t.levelProvisional,
      grade: t.grade,
      site: t.site,
      device: t.device,
      symptom: t.symptom,
      phone: t.phone,
      customer: t.customer?.name ?? null,
      reporter: t.reporter.name,
      assignee: t.assignee?.name ?? null,
      reportedAt: t.reportedAt.toISOString(),
      closedAt: t.closedAt?.toISOString() ?? null,
    })),
  };
}

export async function ticketDetail(db: Db, contracts: ContractRegistry, clock: Clock, ref: string) {
  const byNumber = /^\d{1,9}$/.test(ref) ? { id: Number(ref) } : { number: ref.toUpperCase() };
  const t = await db.ticket.findUnique({
    where: byNumber,
    include: {
      assignee: true,
      reporter: true,
      customer: true,
      chat: true,
      events: { orderBy: { id: 'asc' }, take: 1000 },
      timers: { orderBy: { dueAt: 'asc' } },
      ratings: true,
      complaint: true,
      attachments: true,
      nonConformances: true,
    },
  });
  if (!t) return null;
  const entry = contracts.get(t.customer?.contract);
  const now = clock.now();
  // The people the trail names: actors, and assignees the rota picked (their id only).
  const ids = new Set<number>();
  for (const e of t.events) {
    if (e.actorId !== null) ids.add(e.actorId);
    const a = /"assigneeId":(\d+)/.exec(e.detail)?.[1];
    if (a) ids.add(Number(a));
  }
  const persons = new Map(
    (ids.size ? await db.person.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true, role: true } }) : []).map((p) => [p.id, p]),
  );
  const plannedWork = await plannedWorkOfTicket(db, t, entry);
  const duties = await ticketDuties(db, t.id, entry.contract.timezone);
  return {
    id: t.id,
    number: t.number,
    kind: t.kind,
    status: t.status,
    level: t.level,
    levelProvisional: t.levelProvisional,
    levelEvidence: JSON.parse(t.levelEvidence) as string[],
    grade: t.grade,
    customer: t.customer?.name ?? null,
    chat: { channel: t.chat.channel, id: t.chat.platformId, title: t.chat.title },
    reporter: { name: t.reporter.name, phone: t.phone, contact: t.contact },
    assignee: t.assignee ? { name: t.assignee.name, department: t.assignee.department } : null,
    site: t.site,
    device: t.device,
    symptom: t.symptom,
    content: t.content,
    hardware: t.hardware,
    scopeStatus: t.scopeStatus,
    feeStatus: t.feeStatus,
    steps: Object.fromEntries(
      ['reportedAt', 'levelKnownAt', 'acceptedAt', 'assignedAt', 'acknowledgedAt', 'onSiteAt', 'spareRequestedAt', 'detectionReportAt', 'resolvedAt', 'confirmedAt', 'ratedAt', 'closedAt', 'cancelledAt', 'reopenedAt', 'reopenAcknowledgedAt', 'reopenOnSiteAt'].map((k) => [
        k,
        ((t as unknown as Record<string, Date | null>)[k] ?? null)?.toISOString() ?? null,
      ]),
    ),
    serviceRecord: {
      arrivalState: t.arrivalState,
      handling: t.handling,
      analysis: t.analysis,
      resolutionNote: t.resolutionNote,
      sparePart: t.sparePart,
      spareNew: t.spareNew,
      mediumRetained: t.mediumRetained,
      detectionReport: t.detectionReport,
      repairCost: t.repairCost,
      confirmation: t.confirmation,
      feedback: t.feedback,
      satisfaction: t.satisfaction,
      summary: t.summary,
    },
    deadlines: deadlines(slaTicketOf({ ...t, plannedWork }), entry.contract, entry.calendar, now).map((d) => ({
      clock: d.clock,
      label: d.label,
      startedAt: d.startedAt.toISOString(),
      dueAt: d.dueAt.toISOString(),
      stoppedAt: d.stoppedAt?.toISOString() ?? null,
      met: d.met,
      provisional: d.provisional,
      warnings: d.warnings,
      reopened: d.reopened ?? false,
    })),
    timers: t.timers.map((x) => ({ clock: x.clock, stage: x.stage, dueAt: x.dueAt.toISOString(), state: x.state, firedAt: x.firedAt?.toISOString() ?? null, late: x.late })),
    remindersSent: t.timers.filter((x) => x.state === 'fired').map((x) => ({ clock: x.clock, stage: x.stage, firedAt: x.firedAt!.toISOString(), late: x.late })),
    ratings: t.ratings.map((r) => ({ score: r.score, comment: r.comment, at: r.at.toISOString() })),
    complaint: t.complaint,
    nonConformances: t.nonConformances.map((n) => ({ reason: n.reason, at: n.at.toISOString() })),
    attachments: t.attachments.map((a) => ({ id: a.id, kind: a.kind, state: a.state, key: a.key, error: a.error, at: a.createdAt.toISOString() })),
    /** What the duties recorded about it: repair and return, emergency reports, the inspection it came from, the visit after it, a maintenance window. */
    repairs: duties.repairs.map((f) => ({ seq: f.seq, status: f.status, part: f.part, cost: f.costCents === null ? null : formatCost(f.costCents), periodDays: f.periodDays, flow: f.line })),
    emergencyReports: duties.emergencyReports.map((r) => ({ status: r.status, clock: r.clock, dueAt: r.dueAt?.toISOString() ?? null, text: r.text, by: r.submittedByName, submittedAt: r.submittedAt?.toISOString() ?? null, late: r.late })),
    inspection: duties.finding ? { job: duties.finding.job.id, plan: duties.finding.job.plan, finding: duties.finding.finding.text } : null,
    followUpVisit: duties.visit ? { id: duties.visit.id, status: duties.visit.status, dueAt: duties.visit.dueAt.toISOString(), notes: duties.visit.notes } : null,
    maintenanceWindows: duties.maintenance.map((m) => ({ start: m.start.toISOString(), end: m.end.toISOString(), reportedAt: m.at.toISOString() })),
    /** Names of the people the audit trail refers to by id (rota assignments). */
    people: Object.fromEntries([...persons.values()].map((p) => [p.id, p.name])),
    events: t.events.map((e) => ({
      at: e.at.toISOString(),
      action: e.action,
      actor: e.actorId ? (persons.get(e.actorId)?.name ?? null) : null,
      actorRole: e.actorId ? (persons.get(e.actorId)?.role ?? null) : null,
      from: e.fromStatus,
      to: e.toStatus,
      detail: JSON.parse(e.detail) as unknown,
    })),
  };
}
