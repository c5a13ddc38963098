/**
 * The managers' dashboard under /dashboard: read-only, server-rendered, no script.
 * Ticket list with filters and paging, a ticket with its service record and audit
 * trail, the SLA board (what falls due next), the digest with its chart, the
 * outbox with failed sends, and the exports.
 *
 * Behind a login (DASHBOARD_USERS or the API token; sessions in the database,
 * see sessions.ts). With neither configured, it answers requests from the
 * machine itself only, without a login. Every POST must come from a dashboard
 * page (its Origin, or its Referer when a browser sends no Origin).
 */
import path from 'node:path';
import type { Context, Middleware } from 'koa';
import Router from '@koa/router';
import { DateTime } from 'luxon';
import type { ContractRegistry } from '../../core/contracts.js';
import type { Clock } from '../../core/clock.js';
import {
  PERIOD_KINDS,
  PERIOD_LABELS,
  digestChartData,
  digestTimeOfDay,
  renderDigestText,
  slaShown,
  latestDue,
  periodContaining,
  postTimeOf,
  type Digest,
  type PeriodKind,
} from '../../domain/digest.js';
import { STATUSES, STATUS_LABELS, type TicketStatus } from '../../domain/ticket.js';
import { KIND_LABELS, formatSpan } from '../../domain/wording.js';
import { loadDigest } from '../../report/digest-store.js';
import { loadDutyFigures } from '../../report/duty-digest.js';
import { dutyDigestLines } from '../../domain/duties-digest.js';
import type { Db } from '../../store/types.js';
import { HttpError, readRaw } from '../body.js';
import { EXPORT_FORMATS, ExportQuerySchema, exportTable, sendTable, type ExportKind } from '../exports.js';
import { ACCOUNT_PATHS, fromThisMachine, originOf, ownOrigin } from '../access.js';
import { TicketFilterSchema, listTickets, ticketDetail } from '../tickets-api.js';
import { TOKEN_USER, type DashboardLogins } from './sessions.js';
import { Html, esc, fmtTime, href, html, options, page, table, wrap } from './html.js';
import { ticketRoutes } from './ticket-page.js';
import { dutyDigestHtml, dutyRoutes } from './duties.js';

export interface DashboardOptions {
  db: Db;
  contracts: ContractRegistry;
  clock: Clock;
  /** Who may log in, and the sessions (DASHBOARD_USERS, API_TOKEN). */
  logins: DashboardLogins;
  /** DIGEST_CRON, for the digest page's default period. */
  digestCron?: string;
  /** DATA_DIR: attachments are served from its attachments folder. */
  dataDir?: string;
  /** Posts a notice as a manager's 通告 command would (the bot's); without it the notices page only lists. */
  postNotice?: (author: string, text: string) => Promise<{ ok: boolean; message: string }>;
  /** Withdraws a notice or ends its window now (取消通告 / 结束维护); without it the notices page offers no buttons. */
  endNotice?: (author: string, noticeId: number, how: 'cancel' | 'end') => Promise<{ ok: boolean; message: string }>;
}

/** A POST sent by one of our own pages: same Origin, or (no Origin) a Referer on our origin. */
function fromOurPage(ctx: Context): boolean {
  const origin = originOf(ctx);
  if (origin !== 'absent') return origin === 'same';
  return ctx.get('referer').startsWith(`${ownOrigin(ctx)}/`);
}

const CSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function dashboard(opts: DashboardOptions): Middleware {
  const logins = opts.logins;
  const loginConfigured = logins.configured;
  const tz = opts.contracts.default.contract.timezone;
  const contract = opts.contracts.default.contract;
  const levelName = (l: number | null) => (l === null ? '待定' : (contract.faultLevels.find((x) => x.level === l)?.name ?? `${l}级`));
  const at = digestTimeOfDay(opts.digestCron ?? '0 9 * * *');
  const router = new Router({ prefix: '/dashboard' });

  const send = (ctx: Context, title: string, active: string, body: Html) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page({ title, user: ctx.state.user as string, active, body });
  };

  // Who is asking: a valid session, or (nothing configured) the machine itself.
  router.use(async (ctx, next) => {
    ctx.set('X-Frame-Options', 'DENY');
    // Our pages' form posts then carry our Origin (no-referrer would make it "null").
    ctx.set('Referrer-Policy', 'same-origin');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && !fromOurPage(ctx)) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'refused: this form must be sent from a page of the dashboard (the Origin is another site, or missing)\n';
      return;
    }
    if (ctx.path === '/dashboard/login') return next();
    const user = await logins.whoIs(ctx);
    if (user) {
      ctx.state.user = user === TOKEN_USER ? 'API token' : user;
      return next();
    }
    if (!loginConfigured) {
      if (fromThisMachine(ctx)) {
        ctx.state.user = '本机';
        return next();
      }
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'the dashboard answers this machine only until a login is configured: set DASHBOARD_USERS (npm run --silent cli -- hash-password) or API_TOKEN\n';
      return;
    }
    if (ctx.method === 'GET') ctx.redirect(href('/dashboard/login', { next: ctx.originalUrl }));
    else ctx.status = 401;
  });

  const loginPage = (ctx: Context, error?: string, next?: string) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page({
      title: '登录',
      body: html`<form class="card login" method="post" action="/dashboard/login">
        <h1>登录</h1>
        ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
        ${loginConfigured ? '' : html`<p class="muted">尚未配置登录（DASHBOARD_USERS 或 API_TOKEN），仅本机可访问。</p>`}
        <label>用户名 <input name="user" autocomplete="username" autofocus></label>
        <label>密码 <input name="password" type="password" autocomplete="current-password"></label>
        <p class="muted">或只填 API 令牌：</p>
        <label>API 令牌 <input name="token" type="password" autocomplete="off"></label>
        <input type="hidden" name="next" value="${next ?? ''}">
        <p><button class="primary" type="submit">登录</button></p>
      </form>`,
    });
  };
  const safeNext = (n: string | undefined) => (n && (/^\/dashboard(\/[\w\-./%?=&]*)?$/.test(n) || ACCOUNT_PATHS.includes(n)) && !n.startsWith('//') ? n : '/dashboard/tickets');

  router.get('/login', (ctx) => loginPage(ctx, undefined, typeof ctx.query.next === 'string' ? ctx.query.next : undefined));
  router.post('/login', async (ctx) => {
    const form = new URLSearchParams(await readRaw(ctx, 8192));
    const next = safeNext(form.get('next') ?? undefined);
    const outcome = await logins.login({ user: form.get('user') ?? '', password: form.get('password') ?? '', token: form.get('token') ?? '' }, ctx.request.ip ?? '');
    if (!outcome.ok && outcome.reason === 'throttled') {
      ctx.status = 429;
      ctx.set('Retry-After', String(outcome.retryAfter));
      return loginPage(ctx, `登录尝试次数过多，请 ${Math.ceil(outcome.retryAfter / 60)} 分钟后再试。`, next);
    }
    if (!outcome.ok) {
      ctx.status = 401;
      return loginPage(ctx, '用户名或密码不对。', next);
    }
    logins.setCookie(ctx, outcome.token);
    ctx.redirect(next);
  });
  router.post('/logout', async (ctx) => {
    await logins.logout(ctx);
    ctx.redirect('/dashboard/login');
  });
  router.get('/', (ctx) => ctx.redirect('/dashboard/tickets'));

  // ---- tickets
  router.get('/tickets', async (ctx) => {
    const raw = Object.fromEntries(Object.entries(ctx.query).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
    const parsed = TicketFilterSchema.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const f = parsed.data;
    const list = await listTickets(opts.db, f, tz);
    const engineers = await opts.db.person.findMany({ where: { role: 'engineer' }, select: { name: true }, orderBy: { id: 'asc' }, take: 200 });
    const pages = Math.max(1, Math.ceil(list.total / f.pageSize));
    const keep = { ...raw, page: undefined };
    const body = html`<h1>工单</h1>
      <form class="filters card" method="get" action="/dashboard/tickets" role="search">
        <label>搜索<input type="search" name="q" value="${f.q ?? ''}" placeholder="工单号、站点、设备、报修人或电话"></label>
        <label>状态<select name="status">${options(STATUSES.map((s) => [s, STATUS_LABELS[s]]), f.status)}</select></label>
        <label>未关闭<select name="open">${options([['true', '仅未关闭'], ['false', '仅已关闭']], f.open)}</select></label>
        <label>级别<select name="level">${options(contract.faultLevels.map((l) => [String(l.level), l.name]), f.level ? String(f.level) : undefined)}</select></label>
        <label>类型<select name="kind">${options(Object.entries(KIND_LABELS), f.kind)}</select></label>
        <label>客户<input name="customer" value="${f.customer ?? ''}" size="10"></label>
        <label>工程师<select name="engineer">${options(engineers.map((e) => [e.name, e.name]), f.engineer)}</select></label>
        <label>超时<select name="breached">${options([['true', '有超时'], ['false', '无超时']], f.breached)}</select></label>
        <label>报修从<input type="date" name="from" value="${f.from ?? ''}"></label>
        <label>到<input type="date" name="to" value="${f.to ?? ''}"></label>
        <button class="primary" type="submit">筛选</button> <a href="/dashboard/tickets">清除</a>
      </form>
      <p class="muted" id="total">共 ${list.total} 件 · 第 ${f.page}/${pages} 页</p>
      ${table(
        ['工单号', '类型', '级别', '状态', '客户', '站点/设备', '现象', '报修人', '工程师', '报修时间'],
        list.tickets.map((t) => [
          html`<a href="/dashboard/tickets/${t.number}">${t.number}</a>`,
          KIND_LABELS[t.kind as keyof typeof KIND_LABELS] ?? t.kind,
          t.kind === 'fault' ? html`<span class="tag l${t.level ?? ''}">${levelName(t.level)}</span>` : '',
          STATUS_LABELS[t.status as TicketStatus] ?? t.status,
          t.customer,
          wrap([t.site, t.device].filter(Boolean).join(' ')),
          wrap(t.symptom),
          t.reporter,
          t.assignee,
          fmtTime(t.reportedAt, tz),
        ]),
        '没有符合条件的工单',
      )}
      <nav class="pager">
        ${f.page > 1 ? html`<a rel="prev" href="${href('/dashboard/tickets', { ...keep, page: f.page - 1 })}">上一页</a>` : ''}
        ${f.page < pages ? html`<a rel="next" href="${href('/dashboard/tickets', { ...keep, page: f.page + 1 })}">下一页</a>` : ''}
      </nav>`;
    send(ctx, '工单', '/dashboard/tickets', body);
  });

  ticketRoutes(router, {
    db: opts.db,
    contracts: opts.contracts,
    clock: opts.clock,
    tz,
    attachmentsDir: path.join(opts.dataDir ?? 'data', 'attachments'),
    levelName,
    send,
  });

  dutyRoutes(router, { db: opts.db, contracts: opts.contracts, clock: opts.clock, tz, send, ...(opts.postNotice ? { postNotice: opts.postNotice } : {}), ...(opts.endNotice ? { endNotice: opts.endNotice } : {}) });

  // ---- SLA board: deadlines of open tickets, next first.
  router.get('/sla', async (ctx) => {
    const now = opts.clock.now();
    const rows = await opts.db.timer.findMany({
      where: { state: 'pending', clock: { in: Object.keys(contract.clocks) } },
      orderBy: { dueAt: 'asc' },
      take: 1000,
      include: { ticket: { select: { id: true, number: true, status: true, kind: true, level: true, site: true, device: true, reopenedAt: true, assignee: { select: { name: true } } } } },
    });
    const byDeadline = new Map<string, (typeof rows)[number] & { next: Date }>();
    for (const r of rows) {
      if (r.ticket.status === 'closed' || r.ticket.status === 'cancelled') continue;
      const k = `${r.ticketId}|${r.clock}|${r.deadlineAt.getTime()}`;
      if (!byDeadline.has(k)) byDeadline.set(k, { ...r, next: r.dueAt });
    }
    const list = [...byDeadline.values()].sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime()).slice(0, 200);
    const body = html`<h1>SLA 到期看板</h1><p class="muted">未关闭工单的时限，按到期时间排序（截至 ${fmtTime(now, tz)}）。</p>
      ${table(
        ['到期', '剩余', '时限', '工单号', '级别', '状态', '处理人', '站点/设备', '下一次提醒'],
        list.map((x) => {
          const left = x.deadlineAt.getTime() - now.getTime();
          return [
            fmtTime(x.deadlineAt, tz),
            left < 0 ? html`<span class="bad">已超 ${formatSpan(-left)}</span>` : formatSpan(left),
            // A clock run again after the latest reopening (its timers were planned since).
            `${x.ticket.reopenedAt && x.createdAt >= x.ticket.reopenedAt && contract.reopening?.clocks.includes(x.clock) ? '返工' : ''}${contract.clocks[x.clock]?.label ?? x.clock}`,
            html`<a href="/dashboard/tickets/${x.ticket.number}">${x.ticket.number}</a>`,
            x.ticket.kind === 'fault' ? levelName(x.ticket.level) : (KIND_LABELS[x.ticket.kind as keyof typeof KIND_LABELS] ?? x.ticket.kind),
            STATUS_LABELS[x.ticket.status as TicketStatus] ?? x.ticket.status,
            x.ticket.assignee?.name ?? '未派单',
            wrap([x.ticket.site, x.ticket.device].filter(Boolean).join(' ')),
            `${fmtTime(x.next, tz)} ${stageLabel(x.stage)}`,
          ];
        }),
        '没有待到期的时限',
      )}`;
    send(ctx, 'SLA 到期', '/dashboard/sla', body);
  });

  // ---- digest
  const periodOf = (ctx: Context) => {
    const kind = (PERIOD_KINDS as readonly string[]).includes(String(ctx.query.period)) ? (String(ctx.query.period) as PeriodKind) : 'daily';
    const date = typeof ctx.query.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(ctx.query.date) ? ctx.query.date : null;
    const now = opts.clock.now();
    const period = date ? periodContaining(kind, date, tz) : latestDue(kind, now, tz, at).period;
    const asOf = new Date(Math.min(now.getTime(), postTimeOf(period, tz, at).getTime()));
    return { kind, period, asOf, now };
  };
  const cache = new Map<string, Promise<Digest>>();
  const digestFor = (p: ReturnType<typeof periodOf>) => {
    const key = `${p.period.kind}|${p.period.key}|${Math.floor(p.asOf.getTime() / 60_000)}`;
    let d = cache.get(key);
    if (!d) {
      d = loadDigest(opts.db, opts.contracts, p.period, p.asOf);
      d.catch(() => cache.delete(key));
      cache.set(key, d);
      if (cache.size > 50) cache.delete(cache.keys().next().value!);
    }
    return d;
  };
  router.get('/digest', async (ctx) => {
    const p = periodOf(ctx);
    const start = p.period.start;
    if (p.asOf < start) throw new HttpError(400, `${p.period.label} has not started yet`);
    const d = await digestFor(p);
    // The duties' figures: the same function the chat digest's duty lines are written from.
    const duties = await loadDutyFigures(opts.db, opts.contracts, p.period, p.asOf);
    const text = [renderDigestText(d), ...(duties ? ['', ...dutyDigestLines(duties, tz)] : [])].join('\n');
    const day = DateTime.fromJSDate(p.period.start, { zone: tz }).toISODate()!;
    const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');
    const m = (x: number | null) => (x === null ? '—' : formatSpan(x * 60_000).replace(/ /g, ''));
    const body = html`<h1>${PERIOD_LABELS[p.kind]} ${d.period.label}</h1>
      <form class="filters card" method="get" action="/dashboard/digest">
        <label>周期<select name="period">${options(PERIOD_KINDS.map((k) => [k, PERIOD_LABELS[k]]), p.kind, '日报')}</select></label>
        <label>日期<input type="date" name="date" value="${day}"></label>
        <button class="primary" type="submit">查看</button>
      </form>
      <p class="muted">统计区间 ${fmtTime(d.period.start, tz)} 至 ${fmtTime(d.period.end, tz)}，数据截至 ${fmtTime(d.asOf, tz)}</p>
      <img class="chart" alt="${PERIOD_LABELS[p.kind]}图表 ${d.period.label}" width="1200" height="800" src="${href('/dashboard/digest.png', { period: p.kind, date: day })}">
      <section class="card" id="sla"><h2>时限达成</h2>
        <p class="muted">本期完成的（按时或超时），以及本期到期仍未完成的；与群里的文字和图表是同一组数字。</p>
        ${table(
          ['时限', '合同时限', '本期完成', '按时', '超时完成', '到期未完成', '按时率', '用时中位', '用时 90%'],
          slaShown(d).map((c) => [
            c.label,
            c.limit,
            c.done,
            c.onTime,
            { v: c.late, cls: c.late ? 'bad' : '' },
            { v: c.overdue, cls: c.overdue ? 'bad' : '' },
            pct(c.onTime, c.done + c.overdue),
            m(c.times.medianMinutes),
            m(c.times.p90Minutes),
          ]),
        )}</section>
      <div class="grid">
        <section class="card"><h2>新增工单 ${d.newTickets.total} 件</h2>${table(['类型/级别', '数量'], [
          ...d.newTickets.byLevel.map((l) => [`故障 · ${l.label}`, l.count]),
          ...d.newTickets.byKind.filter((k) => k.kind !== 'fault').map((k) => [k.label, k.count]),
        ])}</section>
        <section class="card"><h2>未关闭 ${d.open.total} 件</h2>${table(['状态', '数量'], d.open.byStatus.map((s) => [s.label, s.count]), '没有未关闭的工单')}
          <h2>按时长</h2>${table(['时长', '数量'], d.open.byAge.map((a) => [a.label, a.count]))}</section>
        <section class="card"><h2>满意度</h2><p>${d.satisfaction.count ? `平均 ${d.satisfaction.average?.toFixed(1)} 分，${d.satisfaction.count} 条评价` : '本期无评价'}</p>
          ${table(['分数', '条数'], d.satisfaction.distribution.map((x) => [`${x.score} 分`, x.count]), '')}
          <h2>不满意（${d.satisfaction.dissatisfiedAtOrBelow} 分及以下）</h2>
          ${table(['工单', '分数', '意见', '工程师'], d.satisfaction.dissatisfied.map((r) => [html`<a href="/dashboard/tickets/${r.number}">${r.number}</a>`, { v: r.score, cls: 'bad' }, wrap(r.comment ?? ''), r.engineer]), '没有不满意评价')}</section>
      </div>
      <section class="card" id="breaches"><h2>超时 ${d.breaches.length} 项</h2>${table(
        ['工单', '时限', '到期', '超时', '当时处理人', '站点/设备'],
        d.breaches.map((b) => [
          html`<a href="/dashboard/tickets/${b.number}">${b.number}</a>`,
          b.label,
          fmtTime(b.dueAt, tz),
          { v: `${formatSpan(b.overdueMinutes * 60_000)}${b.stoppedAt ? (b.type === 'overdue' ? `（${fmtTime(b.stoppedAt, tz)} 完成）` : '') : '（仍未完成）'}`, cls: 'bad wrap' },
          b.holder ?? '未派单',
          wrap([b.site, b.device].filter(Boolean).join(' ')),
        ]),
        '没有超时',
      )}</section>
      <section class="card"><h2>今日到期 ${d.dueToday.length} 项</h2>${table(['工单', '时限', '到期', '处理人'], d.dueToday.map((x) => [html`<a href="/dashboard/tickets/${x.number}">${x.number}</a>`, x.label, fmtTime(x.dueAt, tz), x.assignee ?? '未派单']), '今日无到期')}</section>
      <section class="card"><h2>未结投诉 ${d.complaints.length} 件</h2>${table(
        ['工单', '投诉人', '内容', '答复期限', '状态'],
        d.complaints.map((c) => [
          html`<a href="/dashboard/tickets/${c.number}">${c.number}</a>`,
          c.complainant,
          wrap(c.content),
          { v: c.answeredAt ? `已答复 ${fmtTime(c.answeredAt, tz)}` : fmtTime(c.dueAt, tz), cls: c.overdue ? 'bad' : '' },
          STATUS_LABELS[c.status as TicketStatus] ?? c.status,
        ]),
        '没有未结投诉',
      )}</section>
      <section class="card" id="engineers"><h2>工程师负荷</h2><p class="muted">本期完成工单 ${d.resolvedTickets} 件（返工后再次修复的只算一次）。</p>${table(
        ['工程师', '在手', '待接单', '本期完成', '超时'],
        d.engineers.map((e) => [html`<a href="${href('/dashboard/tickets', { engineer: e.name, open: 'true' })}">${e.name}</a>`, e.inHand, e.waiting, e.resolved, { v: e.breaches, cls: e.breaches ? 'bad' : '' }]),
        '没有工程师的记录',
      )}</section>
      ${duties ? dutyDigestHtml(duties, tz) : ''}
      <details class="card"><summary>发到经理群的文字</summary><pre class="digest-text">${text}</pre></details>`;
    send(ctx, `${PERIOD_LABELS[p.kind]} ${d.period.label}`, '/dashboard/digest', body);
  });
  router.get('/digest.png', async (ctx) => {
    const p = periodOf(ctx);
    if (p.asOf < p.period.start) throw new HttpError(400, `${p.period.label} has not started yet`);
    // The chart code (echarts, resvg) is loaded on first use, not at start.
    const { renderDigestChart } = await import('../../report/chart.js');
    const png = await renderDigestChart(digestChartData(await digestFor(p)));
    ctx.type = 'image/png';
    ctx.set('Cache-Control', 'private, max-age=60');
    ctx.body = png;
  });

  // ---- outbox
  router.get('/outbox', async (ctx) => {
    const status = ['failed', 'pending', 'sending', 'sent', 'all'].includes(String(ctx.query.status)) ? String(ctx.query.status) : 'failed';
    const pageNo = Math.max(1, Math.min(100_000, Number(ctx.query.page) || 1));
    const where = status === 'all' ? {} : { status };
    const size = 50;
    const [total, rows, counts] = await Promise.all([
      opts.db.outbox.count({ where }),
      opts.db.outbox.findMany({ where, orderBy: { id: 'desc' }, skip: (pageNo - 1) * size, take: size }),
      opts.db.outbox.groupBy({ by: ['status'], _count: { _all: true } }),
    ]);
    const tickets = new Map(
      (await opts.db.ticket.findMany({ where: { id: { in: rows.map((r) => r.ticketId).filter((x): x is number => x !== null) } }, select: { id: true, number: true } })).map((t) => [t.id, t.number]),
    );
    const count = (s: string) => counts.find((c) => c.status === s)?._count._all ?? 0;
    const labels: Record<string, string> = { failed: '发送失败', pending: '待发送', sending: '发送中', sent: '已发送', all: '全部' };
    const body = html`<h1>发送队列</h1>
      <p>${Object.entries(labels).map(([s, label]) => html`<a class="tag" href="${href('/dashboard/outbox', { status: s })}">${label}${s === 'all' ? '' : ` ${count(s)}`}</a> `)}</p>
      <p class="muted">${labels[status]}：${total} 条</p>
      ${table(
        ['#', '时间', '渠道', '群', '工单', '内容', '尝试', '状态', '错误'],
        rows.map((r) => {
          const number = r.ticketId ? tickets.get(r.ticketId) : undefined;
          return [
            r.id,
            fmtTime(r.createdAt, tz),
            r.channel,
            wrap(r.chatPlatformId),
            number ? html`<a href="/dashboard/tickets/${number}">${number}</a>` : '',
            wrap(actionText(r.action)),
            r.attempts,
            labels[r.status] ?? r.status,
            { v: r.lastError ?? '', cls: `wrap ${r.status === 'failed' ? 'bad' : ''}` },
          ];
        }),
        status === 'failed' ? '没有发送失败的消息' : '没有记录',
      )}
      <nav class="pager">${pageNo > 1 ? html`<a href="${href('/dashboard/outbox', { status, page: pageNo - 1 })}">上一页</a>` : ''}
        ${pageNo * size < total ? html`<a href="${href('/dashboard/outbox', { status, page: pageNo + 1 })}">下一页</a>` : ''}</nav>`;
    send(ctx, '发送队列', '/dashboard/outbox', body);
  });

  // ---- exports
  router.get('/exports', (ctx) => {
    const now = DateTime.fromJSDate(opts.clock.now(), { zone: tz });
    const from = now.minus({ months: 1 }).startOf('month').toISODate()!;
    const to = now.minus({ months: 1 }).endOf('month').toISODate()!;
    const body = html`<h1>导出</h1>
      <form class="filters card" method="get" action="/dashboard/exports/download">
        <label>内容<select name="kind"><option value="service-records">客户服务记录表</option><option value="complaints">投诉记录</option><option value="inspections">巡检记录</option></select></label>
        <label>从<input type="date" name="from" value="${from}" required></label>
        <label>到<input type="date" name="to" value="${to}" required></label>
        <label>格式<select name="format">${EXPORT_FORMATS.map((f) => html`<option value="${f}">${f === 'csv' ? 'CSV（Excel 可直接打开）' : 'Excel（XLSX）'}</option>`)}</select></label>
        <button class="primary" type="submit">下载</button>
      </form>
      <p class="muted">按报修（投诉）日期导出；同样的数据可用 GET /api/exports/service-records?from=&amp;to=&amp;format= 或命令 npm run --silent cli -- export 取得。</p>`;
    send(ctx, '导出', '/dashboard/exports', body);
  });
  router.get('/exports/download', async (ctx) => {
    const kind: ExportKind = ctx.query.kind === 'complaints' || ctx.query.kind === 'inspections' ? ctx.query.kind : 'service-records';
    const raw = Object.fromEntries(['from', 'to', 'format'].map((k) => [k, ctx.query[k]]).filter(([, v]) => typeof v === 'string' && v !== ''));
    const q = ExportQuerySchema.safeParse(raw);
    if (!q.success) throw new HttpError(400, q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    await sendTable(ctx, await exportTable(opts.db, tz, kind, q.data), kind, q.data, q.data.format);
  });

  // Errors on dashboard pages are pages, not JSON.
  const errors: Middleware = async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      if (!(e instanceof HttpError) || !ctx.path.startsWith('/dashboard')) throw e;
      ctx.status = e.status;
      ctx.type = 'html';
      ctx.set('Content-Security-Policy', CSP);
      ctx.body = page({ title: '请求有误', user: ctx.state.user as string, body: html`<h1>请求有误</h1><p class="error">${e.message}</p><p><a href="/dashboard/tickets">返回工单列表</a></p>` });
    }
  };
  const routes = router.routes() as Middleware;
  const allowed = router.allowedMethods() as Middleware;
  return async (ctx, next) => {
    if (ctx.path !== '/dashboard' && !ctx.path.startsWith('/dashboard/')) return next();
    return errors(ctx, () => routes(ctx, () => allowed(ctx, next)));
  };
}

function stageLabel(stage: string): string {
  if (stage.startsWith('remind_')) return `提醒（已过 ${stage.slice(7)}%）`;
  if (stage === 'escalate_1') return '超时通知';
  if (stage.startsWith('escalate_')) return `第 ${stage.slice(9)} 级升级`;
  return '提醒';
}

function actionText(action: string): string {
  try {
    const a = JSON.parse(action) as { kind?: string; text?: string; title?: string; caption?: string };
    if (a.kind === 'image') return `[图片] ${a.caption ?? ''}`;
    if (a.kind === 'card' || a.kind === 'card_update') return `[卡片] ${a.title ?? ''} ${a.text ?? ''}`.slice(0, 300);
    return (a.text ?? '').slice(0, 300);
  } catch {
    return action.slice(0, 100);
  }
}

export { esc };
