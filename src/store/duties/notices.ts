/**
 * Notices, their deliveries to chats, the maintenance windows they declare,
 * and the reports that came in inside a window. A delivery is unique per
 * notice and chat, so a retried command or dashboard post never posts twice.
 */
import type { MaintenanceWindow } from '../../domain/maintenance.js';
import { NOTICE_KINDS, type NoticeKind } from '../../domain/notice.js';
import type { MaintenanceWindow as WindowModel, Notice } from '../generated/sqlite/client.js';
import { oneOf, stringArray, type Store } from './rows.js';

export interface NoticeRow {
  id: number;
  kind: NoticeKind;
  customerId: number | null;
  text: string;
  authorId: number | null;
  authorName: string;
  source: 'chat' | 'dashboard';
  postedAt: Date;
  /** Withdrawn (取消通告): when and by whom. */
  cancelledAt: Date | null;
  cancelledByName: string | null;
  window: MaintenanceWindow | null;
  /** Chats it was delivered to. */
  deliveries: number;
}

export function windowOf(w: WindowModel): MaintenanceWindow {
  return {
    id: w.id,
    customerId: w.customerId,
    start: w.start,
    end: w.end,
    systems: stringArray(w.systems),
    allSystems: w.allSystems,
    stations: stringArray(w.stations),
    cancelledAt: w.cancelledAt,
    endedByName: w.endedByName,
  };
}

function noticeRow(n: Notice & { window: WindowModel | null; _count?: { deliveries: number } }): NoticeRow {
  return {
    id: n.id,
    kind: oneOf(NOTICE_KINDS, n.kind, `Notice ${n.id} kind`),
    customerId: n.customerId,
    text: n.text,
    authorId: n.authorId,
    authorName: n.authorName,
    source: oneOf(['chat', 'dashboard'] as const, n.source, `Notice ${n.id} source`),
    postedAt: n.postedAt,
    cancelledAt: n.cancelledAt,
    cancelledByName: n.cancelledByName,
    window: n.window && windowOf(n.window),
    deliveries: n._count?.deliveries ?? 0,
  };
}

export interface NoticeDraft {
  kind: NoticeKind;
  /** null: every customer. */
  customerId: number | null;
  text: string;
  authorId: number | null;
  authorName: string;
  source: 'chat' | 'dashboard';
  postedAt: Date;
  inboundEventId?: number | null;
  /** A maintenance notice declares its window (check it with windowProblem first). */
  window?: { start: Date; end: Date; systems: string[]; allSystems: boolean; stations: string[] };
}

/** Records a notice, and the window it declares. */
export async function createNotice(db: Store, d: NoticeDraft): Promise<NoticeRow> {
  if (d.window && d.kind !== 'maintenance') throw new Error('only a maintenance notice declares a window');
  const n = await db.notice.create({
    data: {
      kind: d.kind,
      customerId: d.customerId,
      text: d.text,
      authorId: d.authorId,
      authorName: d.authorName,
      source: d.source,
      postedAt: d.postedAt,
      inboundEventId: d.inboundEventId ?? null,
      ...(d.window
        ? {
            window: {
              create: {
                customerId: d.customerId,
                start: d.window.start,
                end: d.window.end,
                systems: JSON.stringify(d.window.systems),
                allSystems: d.window.allSystems,
                stations: JSON.stringify(d.window.stations),
                createdAt: d.postedAt,
              },
            },
          }
        : {}),
    },
    include: { window: true },
  });
  return noticeRow(n);
}

export async function findNotice(db: Store, id: number): Promise<NoticeRow | null> {
  const n = await db.notice.findUnique({ where: { id }, include: { window: true, _count: { select: { deliveries: true } } } });
  return n && noticeRow(n);
}

/**
 * Claims the delivery of a notice to a chat, the first time only: returns the
 * delivery's id to this call, null to any later (or concurrent) one. Write the
 * outbox row after a claim, then setDeliveryOutbox to keep which row carried it.
 */
export async function claimNoticeDelivery(db: Store, noticeId: number, chatId: number, at: Date): Promise<number | null> {
  // The row is made once (INSERT … ON CONFLICT: see createInspectionJobs); the conditional update is the claim:
  // a concurrent one waits for the row lock and then finds postedAt set.
  const row = await db.noticeDelivery.upsert({ where: { noticeId_chatId: { noticeId, chatId } }, update: { chatId }, create: { noticeId, chatId, createdAt: at } });
  const claim = await db.noticeDelivery.updateMany({ where: { id: row.id, postedAt: null }, data: { postedAt: at } });
  return claim.count === 1 ? row.id : null;
}

export async function setDeliveryOutbox(db: Store, deliveryId: number, outboxId: number): Promise<void> {
  await db.noticeDelivery.update({ where: { id: deliveryId }, data: { outboxId } });
}

/** Who ended or withdrew something, for the record. */
export interface EndedBy {
  id: number | null;
  name: string;
}

/**
 * Withdraws a notice (取消通告), with when and by whom, and ends its window at
 * once (a window not yet begun never runs; reports after now are outside it).
 * False when it was withdrawn already.
 */
export async function cancelNotice(db: Store, id: number, at: Date, by: EndedBy | null = null): Promise<boolean> {
  const r = await db.notice.updateMany({ where: { id, cancelledAt: null }, data: { cancelledAt: at, cancelledById: by?.id ?? null, cancelledByName: by?.name ?? null } });
  if (r.count !== 1) return false;
  await db.maintenanceWindow.updateMany({ where: { noticeId: id, cancelledAt: null }, data: { cancelledAt: at, endedById: by?.id ?? null, endedByName: by?.name ?? null } });
  return true;
}

/** Ends a running window now (结束维护), with by whom. False unless it is running (begun, not over, not ended). */
export async function endWindow(db: Store, windowId: number, at: Date, by: EndedBy): Promise<boolean> {
  const r = await db.maintenanceWindow.updateMany({
    where: { id: windowId, cancelledAt: null, start: { lte: at }, end: { gt: at } },
    data: { cancelledAt: at, endedById: by.id, endedByName: by.name },
  });
  return r.count === 1;
}

/** The chats a notice was delivered to (told again when it is withdrawn or its window ends early). */
export async function noticeChatIds(db: Store, noticeId: number): Promise<number[]> {
  const rows = await db.noticeDelivery.findMany({ where: { noticeId, postedAt: { not: null } }, select: { chatId: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.chatId);
}

/** Notices posted in [from, to), newest first (the dashboard's list). */
export async function noticesBetween(db: Store, from: Date, to: Date, o: { kind?: NoticeKind; take?: number; skip?: number } = {}): Promise<NoticeRow[]> {
  const rows = await db.notice.findMany({
    where: { postedAt: { gte: from, lt: to }, ...(o.kind ? { kind: o.kind } : {}) },
    include: { window: true, _count: { select: { deliveries: true } } },
    orderBy: [{ postedAt: 'desc' }, { id: 'desc' }],
    take: o.take ?? 200,
    skip: o.skip ?? 0,
  });
  return rows.map(noticeRow);
}

/**
 * The windows that may matter at `at` for a customer: not cancelled before it,
 * ending after `from` and starting before `to` ([from, to) defaults to the
 * instant `at`), for the customer or for every customer.
 */
export async function windowsBetween(db: Store, o: { from: Date; to: Date; customerId?: number | null }): Promise<MaintenanceWindow[]> {
  const rows = await db.maintenanceWindow.findMany({
    where: {
      end: { gt: o.from },
      start: { lt: o.to },
      OR: [{ cancelledAt: null }, { cancelledAt: { gt: o.from } }],
      ...(o.customerId !== undefined ? { AND: [{ OR: [{ customerId: null }, ...(o.customerId !== null ? [{ customerId: o.customerId }] : [])] }] } : {}),
    },
    orderBy: [{ start: 'asc' }, { id: 'asc' }],
  });
  return rows.map(windowOf);
}

/** The windows running at `at` for a customer (a report now may fall inside one: windowsCovering). */
export function activeWindows(db: Store, at: Date, customerId: number | null): Promise<MaintenanceWindow[]> {
  return windowsBetween(db, { from: at, to: new Date(at.getTime() + 1), customerId });
}

/** The window and the notice that declared it (the text a report inside it is answered with). */
export async function windowWithNotice(db: Store, windowId: number): Promise<{ window: MaintenanceWindow; notice: NoticeRow | null } | null> {
  const w = await db.maintenanceWindow.findUnique({ where: { id: windowId }, include: { notice: { include: { window: true } } } });
  if (!w) return null;
  return { window: windowOf(w), notice: w.notice && noticeRow(w.notice) };
}

/** Records a report that came in inside a window; once per window and ticket. Returns false when already recorded. */
export async function recordMaintenanceReport(
  db: Store,
  r: { windowId: number; ticketId: number | null; chatId: number; text: string; at: Date; inboundEventId?: number | null },
): Promise<boolean> {
  if (r.ticketId !== null && (await db.maintenanceReport.findUnique({ where: { windowId_ticketId: { windowId: r.windowId, ticketId: r.ticketId } }, select: { id: true } }))) {
    return false;
  }
  await db.maintenanceReport.create({ data: { windowId: r.windowId, ticketId: r.ticketId, chatId: r.chatId, text: r.text, at: r.at, inboundEventId: r.inboundEventId ?? null } });
  return true;
}

export async function maintenanceReportsOf(db: Store, windowId: number): Promise<Array<{ id: number; ticketId: number | null; chatId: number; text: string; at: Date }>> {
  return db.maintenanceReport.findMany({ where: { windowId }, orderBy: [{ at: 'asc' }, { id: 'asc' }], select: { id: true, ticketId: true, chatId: true, text: true, at: true } });
}
