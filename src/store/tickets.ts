/**
 * Tickets as the bot works with them: typed (kind, status, level and fee
 * status as their types, not strings) and with the contract they are served
 * under resolved — their customer's, the default one without a customer. One
 * TicketStore per transaction; handlers ask it for tickets and never query
 * Prisma for one themselves. Changes of status go through the state machine
 * (bot/transitions.ts applyAction), which writes them here.
 */
import { DateTime } from 'luxon';
import type { ContractEntry, ContractRegistry } from '../core/contracts.js';
import type { TicketRef } from '../domain/commands.js';
import { TICKET_STEPS, type FaultLevel, type TicketKind } from '../domain/contract.js';
import { plannedWorkFor, windowsAffecting, type MaintenanceWindow, type PlannedWork } from '../domain/maintenance.js';
import { deadlines, type Deadline, type SlaTicket } from '../domain/sla.js';
import { windowsBetween } from './duties/notices.js';
import type { TicketState, TicketStatus } from '../domain/ticket.js';
import type { Chat, Customer, Prisma, Ticket as TicketRow, Tx } from './types.js';

export type FeeStatus = TicketState['feeStatus'];

export interface Ticket extends Omit<TicketRow, 'kind' | 'status' | 'level' | 'feeStatus'> {
  kind: TicketKind;
  status: TicketStatus;
  level: FaultLevel | null;
  feeStatus: FeeStatus;
  /** The contract the ticket is served under: its customer's (the default one without a customer). */
  contract: ContractEntry;
  /** Declared maintenance windows that move its clocks (the contract's plannedMaintenance rule). */
  plannedWork?: PlannedWork;
}

/** Tickets' numbers (GD-…) by id, for pages and exports that name tickets found by id. */
export async function ticketNumbers(db: Tx, ids: readonly number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  return new Map((await db.ticket.findMany({ where: { id: { in: unique } }, select: { id: true, number: true } })).map((t) => [t.id, t.number]));
}

/** A date after any ticket's life, as an upper bound both databases compare correctly. */
const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

/** The declared maintenance windows touching a fault, under its contract's rule for planned work (none: the clocks run). */
export async function plannedWorkOfTicket(
  tx: Tx,
  row: Pick<TicketRow, 'kind' | 'customerId' | 'device' | 'site' | 'reportedAt' | 'closedAt'>,
  entry: ContractEntry,
  read: (row: Pick<TicketRow, 'customerId' | 'reportedAt' | 'closedAt'>) => Promise<MaintenanceWindow[]> = (r) => windowsOfLife(tx, r),
): Promise<PlannedWork | undefined> {
  const terms = entry.contract.plannedMaintenance;
  if (!terms || terms.sla === 'run' || row.kind !== 'fault') return undefined;
  const windows = await read(row);
  return windows.length ? plannedWorkFor(terms, windowsAffecting(row, windows)) : undefined;
}

/** The windows of the ticket's customer (or of all) that touch its life, from its report to its close (or ever after). */
function windowsOfLife(tx: Tx, row: Pick<TicketRow, 'customerId' | 'reportedAt' | 'closedAt'>): Promise<MaintenanceWindow[]> {
  return windowsBetween(tx, { from: row.reportedAt, to: row.closedAt ?? FAR_FUTURE, customerId: row.customerId });
}

/** What the SLA plan needs of a stored ticket (also a row the web API read). */
export function slaTicketOf(
  t: Pick<TicketRow, 'kind' | 'status' | 'level' | 'hardware' | 'feeStatus'> &
    Partial<Record<(typeof TICKET_STEPS)[number], Date | null>> &
    Partial<Pick<TicketRow, 'reopenedAt' | 'reopenAcknowledgedAt' | 'reopenOnSiteAt'>> & { plannedWork?: PlannedWork | undefined },
): SlaTicket {
  const steps: SlaTicket['steps'] = {};
  for (const s of TICKET_STEPS) steps[s] = t[s] ?? null;
  // The latest reopening: its clocks stop at the steps done again since.
  const reopen = t.reopenedAt ? { at: t.reopenedAt, steps: { acknowledgedAt: t.reopenAcknowledgedAt ?? null, onSiteAt: t.reopenOnSiteAt ?? null } } : undefined;
  return {
    kind: t.kind as TicketKind,
    status: t.status as TicketStatus,
    level: t.level as FaultLevel | null,
    hardware: t.hardware,
    steps,
    feeStatus: t.feeStatus as NonNullable<SlaTicket['feeStatus']>,
    ...(t.plannedWork ? { plannedWork: t.plannedWork } : {}),
    ...(reopen ? { reopen } : {}),
  };
}

/** What the state machine needs of a ticket. */
export function stateOf(t: Ticket): TicketState {
  return {
    kind: t.kind,
    status: t.status,
    level: t.level,
    levelProvisional: t.levelProvisional,
    hardware: t.hardware,
    reporterId: t.reporterId,
    chatId: t.chatId,
    assigneeId: t.assigneeId,
    feeStatus: t.feeStatus,
    reopenCount: t.reopenCount,
    spareRequestedAt: t.spareRequestedAt,
    resolvedAt: t.resolvedAt,
    assignedAt: t.assignedAt,
    acknowledgedAt: t.acknowledgedAt,
    onSiteAt: t.onSiteAt,
    detectionReportAt: t.detectionReportAt,
    reopenedAt: t.reopenedAt,
    reopenAcknowledgedAt: t.reopenAcknowledgedAt,
    reopenOnSiteAt: t.reopenOnSiteAt,
  };
}

/** The ticket's deadlines under its own contract, as of `now`. */
export function deadlinesOf(t: Ticket, now: Date): Deadline[] {
  return deadlines(slaTicketOf(t), t.contract.contract, t.contract.calendar, now);
}

/** Not finished: everything but closed and cancelled. */
const NOT_FINISHED = { notIn: ['closed', 'cancelled'] satisfies TicketStatus[] };
/** An engineer's job in hand. */
const IN_HAND: TicketStatus[] = ['assigned', 'acknowledged', 'on_site', 'replacing', 'reopened'];

/** Who a list is about: a reporter's tickets, an assignee's, a chat's, or (empty) all. */
export type TicketScope = { reporterId?: number; assigneeId?: number; chatId?: number; customerId?: number };

export class TicketStore {
  /** Customer rows read in this transaction (a report reads one for its contract, its scope and term, and its timers). */
  private readonly customers = new Map<number, Promise<Customer | null>>();

  constructor(
    private readonly tx: Tx,
    private readonly contracts: ContractRegistry,
  ) {}

  /** The customer row, read once per transaction (customers change only when the organisation file is seeded). */
  customer(customerId: number): Promise<Customer | null> {
    let c = this.customers.get(customerId);
    if (!c) {
      // A real promise (run once): a Prisma query runs again on every then().
      c = (async () => this.tx.customer.findUnique({ where: { id: customerId } }))();
      this.customers.set(customerId, c);
    }
    return c;
  }

  /** The contract of a customer (the default one without a customer). */
  async contractOf(customerId: number | null): Promise<ContractEntry> {
    return this.contracts.get(customerId ? (await this.customer(customerId))?.contract : 'default');
  }

  private async typed(row: TicketRow): Promise<Ticket> {
    const contract = await this.contractOf(row.customerId);
    const plannedWork = await this.plannedWorkOf(row, contract);
    return {
      ...row,
      kind: row.kind as TicketKind,
      status: row.status as TicketStatus,
      level: row.level as FaultLevel | null,
      feeStatus: row.feeStatus as FeeStatus,
      contract,
      ...(plannedWork ? { plannedWork } : {}),
    };
  }

  private plannedWorkOf(row: TicketRow, entry: ContractEntry): Promise<PlannedWork | undefined> {
    return plannedWorkOfTicket(this.tx, row, entry, (r) => this.windowsOfLife(row.id, r));
  }

  /**
   * The windows read for each ticket in this transaction, with the fields the read depended on:
   * a ticket created, given its level and accepted in one report reads them once, not three times.
   */
  private readonly windows = new Map<number, { key: string; windows: Promise<MaintenanceWindow[]> }>();

  private windowsOfLife(ticketId: number, row: Pick<TicketRow, 'customerId' | 'reportedAt' | 'closedAt'>): Promise<MaintenanceWindow[]> {
    const key = `${row.customerId ?? ''}|${row.reportedAt.getTime()}|${row.closedAt?.getTime() ?? ''}`;
    const known = this.windows.get(ticketId);
    if (known?.key === key) return known.windows;
    // A real promise (run once): a Prisma query runs again on every then().
    const windows = (async () => windowsOfLife(this.tx, row))();
    this.windows.set(ticketId, { key, windows });
    return windows;
  }

  /** A window was declared or ended in this transaction: the windows are read again. */
  windowsChanged(): void {
    this.windows.clear();
  }

  /**
   * The windows running at `at` for a ticket's customer (a report inside one: windowsCovering):
   * from those read for the ticket in this transaction when they cover `at`, else read.
   */
  async activeWindows(ticket: Pick<Ticket, 'id' | 'customerId' | 'reportedAt' | 'closedAt'>, at: Date): Promise<MaintenanceWindow[]> {
    const key = `${ticket.customerId ?? ''}|${ticket.reportedAt.getTime()}|${ticket.closedAt?.getTime() ?? ''}`;
    const known = this.windows.get(ticket.id);
    // Those read run from the report to the close: a superset of the windows running at `at` within that span.
    if (known?.key === key && ticket.reportedAt <= at && (!ticket.closedAt || ticket.closedAt > at)) {
      const t = at.getTime();
      return (await known.windows).filter((w) => w.end.getTime() > t && w.start.getTime() <= t && (w.cancelledAt === null || w.cancelledAt.getTime() > t));
    }
    return windowsBetween(this.tx, { from: at, to: new Date(at.getTime() + 1), customerId: ticket.customerId });
  }

  private async maybe(row: TicketRow | null): Promise<Ticket | null> {
    return row ? this.typed(row) : null;
  }

  private async all(rows: TicketRow[]): Promise<Ticket[]> {
    const out: Ticket[] = [];
    for (const r of rows) out.push(await this.typed(r));
    return out;
  }

  get(id: number): Promise<Ticket | null> {
    return this.tx.ticket.findUnique({ where: { id } }).then((r) => this.maybe(r));
  }

  /** A ticket and the chat it lives in, in one read (a timer fires in the ticket's chat). */
  async withChat(id: number): Promise<{ ticket: Ticket; chat: Chat } | null> {
    const row = await this.tx.ticket.findUnique({ where: { id }, include: { chat: true } });
    if (!row) return null;
    const { chat, ...ticket } = row;
    return { ticket: await this.typed(ticket), chat };
  }

  /** Several tickets with their chats in two reads (a batch of timers), by id; missing ones are left out. */
  async manyWithChats(ids: readonly number[]): Promise<Map<number, { ticket: Ticket; chat: Chat }>> {
    const rows = ids.length ? await this.tx.ticket.findMany({ where: { id: { in: [...ids] } }, include: { chat: true } }) : [];
    const out = new Map<number, { ticket: Ticket; chat: Chat }>();
    for (const { chat, ...row } of rows) out.set(row.id, { ticket: await this.typed(row), chat });
    return out;
  }

  /** "#12" or "GD-20261124-0001". */
  byRef(ref: TicketRef): Promise<Ticket | null> {
    const where = 'short' in ref ? { id: ref.short } : { number: ref.number };
    return this.tx.ticket.findUnique({ where }).then((r) => this.maybe(r));
  }

  /** The ticket a platform message is about: a bot message about it, or the report itself. */
  async aboutMessage(platformMessageId: string): Promise<Ticket | null> {
    const out = await this.tx.outbox.findFirst({ where: { platformMessageId, ticketId: { not: null } }, select: { ticketId: true } });
    if (out?.ticketId) return this.get(out.ticketId);
    return this.tx.ticket.findFirst({ where: { sourceMessageId: platformMessageId } }).then((r) => this.maybe(r));
  }

  /** The unfinished ticket a customer's message opened in a chat (its source message). */
  openFromMessage(chatId: number, sourceMessageId: string): Promise<Ticket | null> {
    return this.tx.ticket
      .findFirst({ where: { chatId, sourceMessageId, status: { notIn: ['closed', 'cancelled'] } }, orderBy: { id: 'desc' } })
      .then((r) => this.maybe(r));
  }

  /** The ticket id a bot message was about, if any (any chat). */
  async idAboutBotMessage(platformMessageId: string): Promise<number | null> {
    const out = await this.tx.outbox.findFirst({ where: { platformMessageId }, select: { ticketId: true } });
    return out?.ticketId ?? null;
  }

  /** A person's latest ticket in a chat, optionally of a kind, in some statuses (default: not finished), reported since. */
  latestOfReporter(
    chatId: number,
    reporterId: number,
    o: { kind?: TicketKind; statuses?: TicketStatus[] | 'any'; reportedSince?: Date } = {},
  ): Promise<Ticket | null> {
    return this.tx.ticket
      .findFirst({
        where: {
          chatId,
          reporterId,
          ...(o.kind ? { kind: o.kind } : {}),
          ...(o.statuses === 'any' ? {} : { status: o.statuses ? { in: o.statuses } : NOT_FINISHED }),
          ...(o.reportedSince ? { reportedAt: { gte: o.reportedSince } } : {}),
        },
        orderBy: { id: 'desc' },
      })
      .then((r) => this.maybe(r));
  }

  /** A person's tickets in a chat in these statuses, newest first. */
  ofReporter(chatId: number, reporterId: number, statuses: readonly TicketStatus[], take: number): Promise<Ticket[]> {
    return this.tx.ticket
      .findMany({ where: { chatId, reporterId, status: { in: [...statuses] } }, take, orderBy: { id: 'desc' } })
      .then((r) => this.all(r));
  }

  /** A chat's tickets in these statuses, oldest first. */
  inChat(chatId: number, statuses: readonly TicketStatus[], take: number): Promise<Ticket[]> {
    return this.tx.ticket.findMany({ where: { chatId, status: { in: [...statuses] } }, orderBy: { id: 'asc' }, take }).then((r) => this.all(r));
  }

  /** An engineer's jobs in hand (assigned to them and not finished). */
  jobsOf(personId: number): Promise<Ticket[]> {
    return this.tx.ticket
      .findMany({ where: { assigneeId: personId, status: { in: IN_HAND } }, orderBy: { id: 'asc' }, take: 20 })
      .then((r) => this.all(r));
  }

  /** Unfinished tickets of a reporter, an assignee, a chat, or all, oldest first. */
  unfinished(scope: TicketScope, take: number): Promise<Ticket[]> {
    return this.tx.ticket.findMany({ where: { ...scope, status: NOT_FINISHED }, orderBy: { id: 'asc' }, take }).then((r) => this.all(r));
  }

  /** The open faults at a site and device, newest first (a few): the tickets a new report there may duplicate. */
  openFaults(site: string, device: string, where: { customerId: number } | { chatId: number }): Promise<Ticket[]> {
    return this.tx.ticket
      .findMany({
        where: { kind: 'fault', site, device, status: { notIn: ['closed', 'cancelled', 'resolved', 'confirmed'] }, ...where },
        orderBy: { id: 'desc' },
        take: 20,
      })
      .then((r) => this.all(r));
  }

  /** A chat's consultations waiting for an answer, with the platform id of who asked. */
  async openConsultations(chatId: number): Promise<Array<{ ticket: Ticket; reporterPlatformId: string }>> {
    const rows = await this.tx.ticket.findMany({
      where: { chatId, kind: 'consultation', status: { in: ['accepted', 'assigned', 'acknowledged'] } },
      include: { reporter: { select: { platformId: true } } },
      orderBy: { id: 'asc' },
      take: 20,
    });
    const out: Array<{ ticket: Ticket; reporterPlatformId: string }> = [];
    for (const { reporter, ...row } of rows) out.push({ ticket: await this.typed(row), reporterPlatformId: reporter.platformId });
    return out;
  }

  /**
   * GD-20261124-0001: per-day sequence by report date in the contract's time zone.
   * The counter row is taken inside the event's transaction, so a number is never
   * skipped; on PostgreSQL its lock serialises new tickets across replicas for the
   * length of a transaction (tens of ms: dozens of new tickets a second). Taking it
   * on a second connection instead would deadlock a busy pool.
   */
  async allocateNumber(entry: ContractEntry, reportedAt: Date): Promise<string> {
    const day = DateTime.fromJSDate(reportedAt, { zone: entry.contract.timezone }).toFormat('yyyyMMdd');
    const prefix = entry.contract.ticketNumberPrefix;
    const key = `ticket:${prefix}:${day}`;
    const counter = await this.tx.counter.upsert({ where: { key }, create: { key, value: 1 }, update: { value: { increment: 1 } } });
    return `${prefix}-${day}-${String(counter.value).padStart(4, '0')}`;
  }

  async create(data: Prisma.TicketUncheckedCreateInput): Promise<Ticket> {
    return this.typed(await this.tx.ticket.create({ data }));
  }

  /** Fields of the service record (a status change goes through applyAction). */
  async update(ticket: Pick<Ticket, 'id'>, data: Prisma.TicketUncheckedUpdateInput): Promise<Ticket> {
    return this.typed(await this.tx.ticket.update({ where: { id: ticket.id }, data }));
  }
}
