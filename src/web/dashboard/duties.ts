/**
 * The planned duties on the dashboard: inspection jobs and their records,
 * follow-up visits, notices (and the windows they declare), repairs in
 * flight and returned — each a page like the ticket list, over a date range
 * (default: from a month back to two months ahead; notices and repairs: the
 * last three months).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.js';
import type { ContractRegistry } from '../../core/contracts.js';
import type { DutyDigest, OverdueItem } from '../../domain/duties-digest.js';
import { FOLLOW_UP_REASON_LABELS } from '../../domain/follow-up.js';
import { INSPECTION_STATUS_LABELS } from '../../domain/inspection.js';
import { NOTICE_KIND_LABELS } from '../../domain/notice.js';
import { formatCost, overdueRepairSteps, REPAIR_STATUS_LABELS, repairFlowLine } from '../../domain/repair-return.js';
import { followUpVisitsDueBetween, inspectionJobsDueBetween, noticesBetween, repairFlowsForPeriod, type NoticeRow } from '../../store/duties/index.js';
import { ticketNumbers } from '../../store/tickets.js';
import type { Db } from '../../store/types.js';
import { HttpError, readRaw } from '../body.js';
import { type Cell, type Html, fmtTime, html, table, wrap } from './html.js';

export interface DutyPageDeps {
  db: Db;
  contracts: ContractRegistry;
  clock: Clock;
  tz: string;
  send: (ctx: Context, title: string, active: string, body: Html) => void;
  postNotice?: (author: string, text: string) => Promise<{ ok: boolean; message: string }>;
  /** Withdraws a notice or ends its window now, as 取消通告 / 结束维护 would. */
  endNotice?: (author: string, noticeId: number, how: 'cancel' | 'end') => Promise<{ ok: boolean; message: string }>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FOLLOW_UP_STATUS_LABELS: Record<string, string> = { planned: '待派', assigned: '已指派', done: '已完成', cancelled: '已取消' };

/** The page's range from its query (from, to as dates in the time zone; to inclusive), or the default one. */
function range(ctx: Context, tz: string, now: Date, back: { months: number }, ahead: { months: number }): { from: string; to: string; start: Date; end: Date } {
  const q = (k: string) => (typeof ctx.query[k] === 'string' && ctx.query[k] !== '' ? String(ctx.query[k]) : undefined);
  const today = DateTime.fromJSDate(now, { zone: tz });
  const from = q('from') ?? today.minus(back).toISODate()!;
  const to = q('to') ?? today.plus(ahead).toISODate()!;
  if (!DATE.test(from) || !DATE.test(to)) throw new HttpError(400, 'from, to: 日期写作 YYYY-MM-DD');
  const start = DateTime.fromISO(from, { zone: tz }).startOf('day');
  const end = DateTime.fromISO(to, { zone: tz }).plus({ days: 1 }).startOf('day');
  if (!start.isValid || !end.isValid || end <= start) throw new HttpError(400, 'from, to: 结束日期不能早于开始日期');
  if (end.diff(start, 'days').days > 800) throw new HttpError(400, 'from, to: 范围不能超过两年');
  return { from, to, start: start.toJSDate(), end: end.toJSDate() };
}

const rangeForm = (path: string, r: { from: string; to: string }, label: string) =>
  html`<form class="filters card" method="get" action="${path}">
    <label>${label}从<input type="date" name="from" value="${r.from}"></label>
    <label>到<input type="date" name="to" value="${r.to}"></label>
    <button class="primary" type="submit">筛选</button></form>`;

const by = (name: string | null | undefined) => (name ? `（${name}）` : '');

/** A notice's state: withdrawn, its window ended early or running, or posted (with who and when). */
function noticeStatus(n: NoticeRow, now: Date, tz: string): string | { v: string; cls: string } {
  if (n.cancelledAt) return `已撤回 ${fmtTime(n.cancelledAt, tz)}${by(n.cancelledByName)}`;
  const w = n.window;
  if (w?.cancelledAt) return `提前结束 ${fmtTime(w.cancelledAt, tz)}${by(w.endedByName)}`;
  if (w && w.start <= now && now < w.end) return { v: '检修中', cls: 'bad' };
  return '已发布';
}

/** The buttons a notice still offers: end its running window now, withdraw it. */
function noticeActions(n: NoticeRow, now: Date): Html | string {
  if (n.cancelledAt) return '';
  const w = n.window;
  const running = w !== null && !w.cancelledAt && w.start <= now && now < w.end;
  const button = (how: 'end' | 'cancel', label: string) =>
    html`<form class="inline" method="post" action="/dashboard/notices/${n.id}/end"><input type="hidden" name="how" value="${how}"><button type="submit">${label}</button></form>`;
  return html`${running ? button('end', '结束检修') : ''}${button('cancel', '撤回')}`;
}

const ticketLink = (number: string | undefined) => (number ? html`<a href="/dashboard/tickets/${number}">${number}</a>` : '');

/** What the planned work's pages show of a job or a visit. */
interface PlannedWorkRow {
  id: number;
  customer: string;
  dueAt: Date;
  status: string;
  doneAt: Date | null;
  assigneeName: string | null;
}

/**
 * The digest page's duty sections, from the figures the chat digest's duty
 * lines are written from (report/duty-digest.ts loadDutyFigures): the same
 * numbers in both.
 */
export function dutyDigestHtml(d: DutyDigest, tz: string): Html {
  const late = (n: number) => ({ v: n, cls: n ? 'bad' : '' });
  const overdue = (items: OverdueItem[], what: string, link: string, empty: string) =>
    table(['#', what, '应完成', '负责人'], items.map((x) => [html`<a href="${link}">${x.id}</a>`, wrap(x.what), { v: fmtTime(x.dueAt, tz), cls: 'bad' }, x.holder ?? '未指定']), empty);
  const { inspections: i, followUps: f, repairs: r, notices: n, emergencyReports: e } = d;
  return html`<div class="grid" id="duties">
    <section class="card" id="duty-inspections"><h2>定期巡检</h2>
      ${table(['本期应完成', '已完成', '逾期完成', '发现问题', '逾期未完成'], [[i.due, i.done, late(i.doneLate), i.problemsFound, late(i.overdue.length)]])}
      ${overdue(i.overdue, '巡检', '/dashboard/inspections', '没有逾期的巡检')}</section>
    <section class="card" id="duty-visits"><h2>客户回访</h2>
      ${table(['本期应回访', '其中故障回访', '已完成', '逾期完成', '逾期未回访'], [[f.due, f.dueAfterFault, f.done, late(f.doneLate), late(f.overdue.length)]])}
      ${overdue(f.overdue, '回访', '/dashboard/visits', '没有逾期的回访')}</section>
    <section class="card" id="duty-repairs"><h2>返修</h2>
      ${table(['在修', '本期返还', '超时环节'], [[r.inFlight, r.returned, late(r.overdueSteps.length)]])}
      ${table(['工单', '环节', '应完成'], r.overdueSteps.map((x) => [html`<a href="/dashboard/tickets/${x.ticketNumber}">${x.ticketNumber}</a>`, x.step, { v: fmtTime(x.dueAt, tz), cls: 'bad' }]), '没有超时的环节')}</section>
    <section class="card" id="duty-notices"><h2>信息通告</h2>
      ${table(['本期发出', '检修进行中', '检修待开始'], [[n.sent, n.windowsActive, n.windowsUpcoming]])}
      ${table(['类型', '条数'], n.byKind.map((k) => [k.label, k.count]), '本期没有发出通告')}</section>
    <section class="card" id="duty-emergency"><h2>应急响应报告</h2>
      ${table(['本期要求', '已提交', '逾期未交'], [[e.requested, e.submitted, late(e.overdue.length)]])}
      ${table(['工单', '应提交'], e.overdue.map((x) => [html`<a href="/dashboard/tickets/${x.ticketNumber}">${x.ticketNumber}</a>`, { v: fmtTime(x.dueAt, tz), cls: 'bad' }]), '没有逾期未交的报告')}</section>
  </div>`;
}

export function dutyRoutes(router: Router, deps: DutyPageDeps): void {
  const { db, tz } = deps;

  /**
   * The planned work's pages (inspection jobs, follow-up visits): the work due
   * in the range, what is overdue now, each with its record and the tickets it
   * raised. Columns: #, 客户, two of its own, 应完成, 负责人, 状态, then its
   * time done, its record and its tickets.
   */
  const plannedWorkPage = <T extends PlannedWorkRow>(
    path: string,
    o: {
      title: string;
      /** The total line's words: 项 / 次, and what overdue is called. */
      unit: string;
      overdueWord: string;
      empty: string;
      unassigned: string;
      /** The column headers after 客户 (two), and the last three. */
      own: [string, string];
      done: [string, string, string];
      load: (start: Date, end: Date) => Promise<T[]>;
      ticketIds: (x: T) => number[];
      statusOf: (x: T) => string;
      /** The two cells after 客户, then the record and the tickets; `link` names a ticket by its id. */
      cells: (x: T, link: (id: number | null) => Html | string) => { own: [Cell, Cell]; record: Cell; tickets: Cell };
    },
  ) =>
    router.get(path, async (ctx) => {
      const now = deps.clock.now();
      const r = range(ctx, tz, now, { months: 1 }, { months: 2 });
      const items = await o.load(r.start, r.end);
      const numbers = await ticketNumbers(db, items.flatMap(o.ticketIds));
      const link = (id: number | null) => ticketLink(id === null ? undefined : numbers.get(id));
      const overdue = (x: T) => (x.status === 'planned' || x.status === 'assigned') && x.dueAt < now;
      const body = html`<h1>${o.title}</h1>${rangeForm(`/dashboard${path}`, r, '应完成')}
        <p class="muted" id="total">共 ${items.length} ${o.unit} · 已完成 ${items.filter((x) => x.status === 'done').length} ${o.unit} · ${o.overdueWord} ${items.filter(overdue).length} ${o.unit}</p>
        ${table(
          ['#', '客户', ...o.own, '应完成', '负责人', '状态', ...o.done],
          items.map((x) => {
            const c = o.cells(x, link);
            return [
              x.id,
              x.customer,
              ...c.own,
              fmtTime(x.dueAt, tz),
              x.assigneeName ?? o.unassigned,
              overdue(x) ? { v: '逾期', cls: 'bad' } : o.statusOf(x),
              x.doneAt ? fmtTime(x.doneAt, tz) : '',
              c.record,
              c.tickets,
            ];
          }),
          o.empty,
        )}`;
      deps.send(ctx, o.title, `/dashboard${path}`, body);
    });

  plannedWorkPage('/inspections', {
    title: '定期巡检',
    unit: '项',
    overdueWord: '逾期未完成',
    empty: '这段时间没有巡检任务',
    unassigned: '未派工',
    own: ['计划', '系统'],
    done: ['完成时间', '巡检记录', '问题工单'],
    load: (start, end) => inspectionJobsDueBetween(db, start, end, { take: 1000 }),
    ticketIds: (j) => j.record?.findings.map((f) => f.ticketId).filter((x): x is number => x !== null) ?? [],
    statusOf: (j) => INSPECTION_STATUS_LABELS[j.status],
    cells: (j, link) => ({
      own: [j.plan, wrap(j.systems.join('、'))],
      record: wrap(j.record ? `${j.record.summary}（${j.record.inspectorName}）${j.record.note ? `；${j.record.note}` : ''}` : ''),
      tickets: html`${(j.record?.findings ?? []).map((f) => html`${link(f.ticketId)} `)}`,
    }),
  });

  plannedWorkPage('/visits', {
    title: '客户回访',
    unit: '次',
    overdueWord: '逾期未回访',
    empty: '这段时间没有回访任务',
    unassigned: '未指定',
    own: ['类型', '故障工单'],
    done: ['回访时间', '回访记录', '提出的工单'],
    load: (start, end) => followUpVisitsDueBetween(db, start, end, { take: 1000 }),
    ticketIds: (v) => [...v.ticketIds, ...(v.ticketId ? [v.ticketId] : [])],
    statusOf: (v) => FOLLOW_UP_STATUS_LABELS[v.status] ?? v.status,
    cells: (v, link) => ({
      own: [FOLLOW_UP_REASON_LABELS[v.reason], link(v.ticketId)],
      record: wrap(v.notes ? `${v.notes}（${v.visitorName ?? ''}）` : ''),
      tickets: html`${v.ticketIds.map((id) => html`${link(id)} `)}`,
    }),
  });

  router.get('/notices', async (ctx) => {
    const now = deps.clock.now();
    const r = range(ctx, tz, now, { months: 3 }, { months: 0 });
    const notices = await noticesBetween(db, r.start, r.end, { take: 500 });
    const customers = new Map((await db.customer.findMany({ select: { id: true, name: true } })).map((c) => [c.id, c.name]));
    const body = html`<h1>信息通告</h1>${rangeForm('/dashboard/notices', r, '发布')}
      <p class="muted" id="total">共 ${notices.length} 条</p>
      ${table(
        ['#', '发布时间', '类型', '对象', '内容', '检修窗口', '发布人', '送达群数', '状态'],
        notices.map((n) => [
          n.id,
          fmtTime(n.postedAt, tz),
          NOTICE_KIND_LABELS[n.kind],
          n.customerId === null ? '全部客户' : (customers.get(n.customerId) ?? ''),
          wrap(n.text),
          n.window ? wrap(`${fmtTime(n.window.start, tz)} 至 ${fmtTime(n.window.end, tz)}；${n.window.allSystems ? '全部系统' : n.window.systems.join('、')}${n.window.stations.length ? `；${n.window.stations.join('、')}` : ''}`) : '',
          `${n.authorName}${n.source === 'dashboard' ? '（看板）' : ''}`,
          n.deliveries,
          deps.endNotice ? html`${noticeStatus(n, now, tz)}${noticeActions(n, now)}` : noticeStatus(n, now, tz),
        ]),
        '这段时间没有通告',
      )}
      ${deps.postNotice
        ? html`<form class="filters card" method="post" action="/dashboard/notices">
            <label>发布通告<input type="search" name="text" size="60" required placeholder="全部 计划检修 12月5日 01:00-05:00 服务器 系统升级"></label>
            <button class="primary" type="submit">发布</button></form>`
        : ''}
      ${typeof ctx.query.result === 'string' ? html`<p class="${ctx.query.ok === '1' ? 'ok' : 'error'}" id="result">${ctx.query.result}</p>` : ''}
      <p class="muted">经理也可在群里发布：「通告 全部 计划检修 12月5日 01:00-05:00 服务器 系统升级」，或把「全部」换成客户名称。</p>`;
    deps.send(ctx, '信息通告', '/dashboard/notices', body);
  });

  router.post('/notices', async (ctx) => {
    if (!deps.postNotice) throw new HttpError(404, '本服务未启用看板发布通告');
    const form = new URLSearchParams(await readRaw(ctx, 8192));
    const text = (form.get('text') ?? '').trim();
    if (!text) throw new HttpError(400, 'text: 请写明通告内容');
    const r = await deps.postNotice(String(ctx.state.user ?? '看板'), text.slice(0, 2000));
    ctx.redirect(`/dashboard/notices?${new URLSearchParams({ ok: r.ok ? '1' : '0', result: r.message }).toString()}`);
  });

  router.post('/notices/:id/end', async (ctx) => {
    if (!deps.endNotice) throw new HttpError(404, '本服务未启用看板撤回通告');
    const id = Number(ctx.params.id);
    if (!Number.isInteger(id) || id <= 0) throw new HttpError(400, 'id: 通告编号');
    const how = new URLSearchParams(await readRaw(ctx, 1024)).get('how');
    if (how !== 'end' && how !== 'cancel') throw new HttpError(400, 'how: end 或 cancel');
    const r = await deps.endNotice(String(ctx.state.user ?? '看板'), id, how);
    ctx.redirect(`/dashboard/notices?${new URLSearchParams({ ok: r.ok ? '1' : '0', result: r.message }).toString()}`);
  });

  router.get('/repairs', async (ctx) => {
    const now = deps.clock.now();
    const r = range(ctx, tz, now, { months: 3 }, { months: 0 });
    const flows = await repairFlowsForPeriod(db, r.start, r.end);
    const contractNames = new Map((await db.customer.findMany({ select: { id: true, contract: true } })).map((c) => [c.id, c.contract]));
    const body = html`<h1>返修</h1>${rangeForm('/dashboard/repairs', r, '返还')}
      <p class="muted" id="total">在修 ${flows.filter((f) => f.status !== 'returned' && f.status !== 'cancelled').length} 件 · 这段时间返还 ${flows.filter((f) => f.status === 'returned').length} 件</p>
      ${table(
        ['工单', '部件', '状态', '费用', '周期', '超时环节', '流程'],
        flows.map((f) => {
          const entry = deps.contracts.get(f.customerId === null ? null : contractNames.get(f.customerId));
          const late = entry.contract.repairReturn ? overdueRepairSteps(f, entry.contract.repairReturn, entry.calendar, now) : [];
          return [
            ticketLink(f.ticketNumber),
            f.part,
            REPAIR_STATUS_LABELS[f.status],
            f.costCents === null ? '' : formatCost(f.costCents),
            f.periodDays ? `${f.periodDays} 天` : '',
            late.length ? { v: late.map((d) => `${d.label}（${fmtTime(d.dueAt, tz)}）`).join('、'), cls: 'wrap bad' } : '',
            wrap(repairFlowLine(f.steps, tz, { ref: now })),
          ];
        }),
        '没有返修记录',
      )}`;
    deps.send(ctx, '返修', '/dashboard/repairs', body);
  });
}
