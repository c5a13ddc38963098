/**
 * Notices (信息通告) to one customer's chats or to every customer's, from the
 * chat command or the dashboard: recorded, delivered once per chat (a claim),
 * and — for planned maintenance — the window declared, which re-plans the
 * clocks of the open tickets it touches under the contract's rule.
 */
import { transaction } from '../../core/transactions.js';
import { parseDutyCommand, type DutyCommand } from '../../domain/duty-commands.js';
import { windowProblem, windowsAffecting } from '../../domain/maintenance.js';
import { NOTICE_KIND_LABELS, noticeRecipients } from '../../domain/notice.js';
import { formatTime } from '../../domain/wording.js';
import { cancelNotice, claimNoticeDelivery, createNotice, endWindow, findNotice, noticeChatIds, setDeliveryOutbox, type EndedBy, type NoticeRow } from '../../store/duties/index.js';
import { Ctx, type BotDeps } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { flushTimers, syncTimers } from '../transitions.js';
import { chatById } from '../directory.js';
import { customerChats, dutyParseOptions, send } from './support.js';

export type NoticeCommand = Extract<DutyCommand, { type: 'notice' }>;

/** "12月5日 01:00 至 12月5日 05:00". */
export function windowText(w: { start: Date; end: Date }, timezone: string, now: Date): string {
  return `${formatTime(w.start, timezone, now)} 至 ${formatTime(w.end, timezone, now)}`;
}

/** Posts a notice; a reason in the chat's words when it cannot be posted. */
export async function postNotice(
  ctx: Ctx,
  author: { id: number | null; name: string },
  cmd: NoticeCommand,
  source: 'chat' | 'dashboard',
): Promise<{ ok: true; notice: NoticeRow; chats: number } | { ok: false; reason: string }> {
  const customers = await ctx.tx.customer.findMany({ select: { id: true, name: true }, orderBy: { id: 'asc' } });
  const rec = noticeRecipients(cmd.target, customers, ctx.chat?.customerId ?? null);
  if (!rec.ok) return rec;
  const one = 'all' in cmd.target ? null : rec.customerIds[0]!;
  const entry = await ctx.tickets.contractOf(one);
  const tz = entry.contract.timezone;
  if (cmd.kind === 'maintenance') {
    if (!cmd.window) return { ok: false, reason: dutyMessages.windowTimesMissing.text() };
    const problem = windowProblem({ ...cmd.window, systems: cmd.systems, allSystems: cmd.allSystems }, entry.contract.plannedMaintenance, entry.calendar, ctx.now);
    if (problem) return { ok: false, reason: problem };
  }
  const notice = await createNotice(ctx.tx, {
    kind: cmd.kind,
    customerId: one,
    text: cmd.text,
    authorId: author.id,
    authorName: author.name,
    source,
    postedAt: ctx.now,
    inboundEventId: ctx.inboundEventId,
    ...(cmd.kind === 'maintenance' && cmd.window ? { window: { ...cmd.window, systems: cmd.systems, allSystems: cmd.allSystems, stations: cmd.stations } } : {}),
  });
  // Tickets read from here on see the new window.
  if (notice.window) ctx.tickets.windowsChanged();
  let chats = 0;
  const window = notice.window ? windowText(notice.window, tz, ctx.now) : null;
  for (const customerId of rec.customerIds) {
    for (const chat of await customerChats(ctx, customerId)) {
      const delivery = await claimNoticeDelivery(ctx.tx, notice.id, chat.id, ctx.now);
      if (delivery === null) continue;
      const outboxId = await send(ctx, chat, dutyMessages.notice, { label: NOTICE_KIND_LABELS[notice.kind], text: notice.text, window });
      if (outboxId !== null) await setDeliveryOutbox(ctx.tx, delivery, outboxId);
      chats++;
    }
  }
  if (notice.window) await replanTouched(ctx, rec.customerIds, notice);
  return { ok: true, notice, chats };
}

/**
 * A manager withdraws a notice (取消通告 #3: its window, begun or not, ends
 * now) or ends its maintenance window now (结束维护 #3): recorded with who and
 * when, the chats it went to told, the open tickets it touched re-planned, and
 * reports from now on handled as usual. Returns what to say to the manager.
 */
export async function endNotice(ctx: Ctx, person: EndedBy, noticeId: number, how: 'cancel' | 'end'): Promise<{ ok: boolean; text: string }> {
  const no = (text: string) => ({ ok: false, text });
  const notice = await findNotice(ctx.tx, noticeId);
  if (!notice) return no(dutyMessages.noticeNotFound.text());
  if (notice.cancelledAt) return no(dutyMessages.noticeAlreadyWithdrawn.text({ notice: notice.id, at: formatTime(notice.cancelledAt, await timezoneOf(ctx, notice), ctx.now) }));
  const tz = await timezoneOf(ctx, notice);
  const w = notice.window;
  const by = { id: person.id, name: person.name };
  if (how === 'end') {
    if (!w) return no(dutyMessages.noticeHasNoWindow.text({ notice: notice.id }));
    if (w.cancelledAt) return no(dutyMessages.windowAlreadyEnded.text({ notice: notice.id, at: formatTime(w.cancelledAt, tz, ctx.now) }));
    if (ctx.now < w.start) return no(dutyMessages.windowNotStarted.text({ notice: notice.id, window: windowText(w, tz, ctx.now) }));
    if (ctx.now >= w.end) return no(dutyMessages.windowOver.text({ at: formatTime(w.end, tz, ctx.now) }));
    if (!(await endWindow(ctx.tx, w.id, ctx.now, by))) return no(dutyMessages.windowAlreadyEnded.text({ notice: notice.id, at: null }));
  } else if (!(await cancelNotice(ctx.tx, notice.id, ctx.now, by))) {
    return no(dutyMessages.noticeWithdrawnMeanwhile.text({ notice: notice.id }));
  }
  // Tickets read from here on see the window ended or withdrawn.
  ctx.tickets.windowsChanged();
  // Begun and not over: the window ends now (the customers told so); otherwise it never ran.
  const running = w !== null && w.start <= ctx.now && ctx.now < w.end;
  const when = w ? windowText(w, tz, ctx.now) : null;
  let chats = 0;
  for (const chatId of await noticeChatIds(ctx.tx, notice.id)) {
    const chat = await chatById(ctx.tx, chatId);
    if (!chat.active) continue;
    const id = running
      ? await send(ctx, chat, dutyMessages.windowEndedEarly, { window: when!, at: formatTime(ctx.now, tz, ctx.now) })
      : await send(ctx, chat, dutyMessages.noticeWithdrawn, { label: NOTICE_KIND_LABELS[notice.kind], text: notice.text, window: when });
    if (id !== null) chats++;
  }
  // The tickets the window touched as declared: their clocks follow its new end (or no window at all).
  if (w) await replanTouched(ctx, await customersOf(ctx, notice), notice);
  const done = dutyMessages.noticeEndedHow.text({ ended: how === 'end', who: person.name, at: formatTime(ctx.now, tz, ctx.now) });
  return { ok: true, text: dutyMessages.noticeEnded.text({ label: NOTICE_KIND_LABELS[notice.kind], notice: notice.id, done, chats }) };
}

/** 结束维护 / 取消通告 from the dashboard's notices page, as the chat command would: one transaction; the answer in the chat's words. */
export async function endNoticeFromDashboard(deps: BotDeps, author: string, noticeId: number, how: 'cancel' | 'end'): Promise<{ ok: boolean; message: string }> {
  const r = await transaction(deps.db, async (tx) => {
    const ctx = new Ctx(deps, tx, deps.clock.now(), deps.log.child({ dashboard: author }), null);
    const ended = await endNotice(ctx, { id: null, name: author }, noticeId, how);
    await flushTimers(ctx);
    return ended;
  });
  if (r.ok) deps.onOutbox?.();
  return { ok: r.ok, message: r.text };
}

async function timezoneOf(ctx: Ctx, notice: NoticeRow): Promise<string> {
  return (await ctx.tickets.contractOf(notice.customerId)).contract.timezone;
}

async function customersOf(ctx: Ctx, notice: NoticeRow): Promise<number[]> {
  if (notice.customerId !== null) return [notice.customerId];
  return (await ctx.tx.customer.findMany({ select: { id: true } })).map((c) => c.id);
}

/** The open tickets a window touches get their timers re-planned (the planned-work rule applies at flush). */
async function replanTouched(ctx: Ctx, customerIds: number[], notice: NoticeRow): Promise<void> {
  const w = notice.window!;
  const open = await ctx.tx.ticket.findMany({
    where: { customerId: { in: customerIds }, kind: 'fault', status: { notIn: ['closed', 'cancelled'] }, ...(w.allSystems ? {} : { device: { in: w.systems } }) },
    select: { id: true },
    take: 500,
  });
  for (const { id } of open) {
    const t = await ctx.tickets.get(id);
    if (t && windowsAffecting(t, [w]).length) syncTimers(ctx, t);
  }
}

/**
 * A notice posted from the dashboard, as a manager's 通告 would be (the text
 * after the word: "全部 计划检修 12月5日 01:00-05:00 服务器 …"): one
 * transaction; the answer in the chat's words.
 */
export async function postNoticeFromDashboard(deps: BotDeps, author: string, text: string): Promise<{ ok: boolean; message: string }> {
  const r = await transaction(deps.db, async (tx) => {
    const ctx = new Ctx(deps, tx, deps.clock.now(), deps.log.child({ dashboard: author }), null);
    const parsed = parseDutyCommand(`通告 ${text}`, await dutyParseOptions(ctx));
    if (!parsed || (parsed.type !== 'notice' && parsed.type !== 'usage')) return { ok: false, message: dutyMessages.noticeWhatMissing.text() };
    if (parsed.type === 'usage') return { ok: false, message: dutyMessages.usage.text({ problem: parsed.problem, example: parsed.example.replace(/^通告 /, '') }) };
    const posted = await postNotice(ctx, { id: null, name: author }, parsed, 'dashboard');
    await flushTimers(ctx);
    return posted.ok ? { ok: true, message: dutyMessages.noticePosted.text({ notice: posted.notice.id, label: NOTICE_KIND_LABELS[posted.notice.kind], chats: posted.chats }) } : { ok: false, message: posted.reason };
  });
  if (r.ok) deps.onOutbox?.();
  return r;
}
