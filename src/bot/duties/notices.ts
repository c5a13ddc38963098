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
import { claimNoticeDelivery, createNotice, setDeliveryOutbox, type NoticeRow } from '../../store/duties/index.js';
import { Ctx, type BotDeps } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { flushTimers, syncTimers } from '../transitions.js';
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
    if (!cmd.window) return { ok: false, reason: '请写明检修的开始和结束时间，如「12月5日 01:00-05:00」。' };
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

/** The open tickets a new window touches get their timers re-planned (the planned-work rule applies at flush). */
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
    if (!parsed || (parsed.type !== 'notice' && parsed.type !== 'usage')) return { ok: false, message: '请写明通告对象和内容，例如「全部 安全通告 …」。' };
    if (parsed.type === 'usage') return { ok: false, message: dutyMessages.usage.text({ problem: parsed.problem, example: parsed.example.replace(/^通告 /, '') }) };
    const posted = await postNotice(ctx, { id: null, name: author }, parsed, 'dashboard');
    await flushTimers(ctx);
    return posted.ok ? { ok: true, message: dutyMessages.noticePosted.text({ notice: posted.notice.id, label: NOTICE_KIND_LABELS[posted.notice.kind], chats: posted.chats }) } : { ok: false, message: posted.reason };
  });
  if (r.ok) deps.onOutbox?.();
  return r;
}
