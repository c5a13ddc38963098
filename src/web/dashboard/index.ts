/**
 * The managers' dashboard under /dashboard: read-only, server-rendered, no script.
 * Ticket list with filters and paging, a ticket with its service record and audit
 * trail, the SLA board (what falls due next), the digest with its chart, the
 * outbox with failed sends, and the exports.
 *
 * Behind a login (DASHBOARD_USERS or the API token). With neither configured,
 * it answers requests from the machine itself only, without a login.
 */
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
  latestDue,
  periodContaining,
  postTimeOf,
  type Digest,
  type PeriodKind,
} from '../../domain/digest.js';
import { STATUSES, STATUS_LABELS, type TicketStatus } from '../../domain/ticket.js';
import { KIND_LABELS, formatSpan } from '../../domain/wording.js';
import { loadDigest } from '../../report/digest-store.js';
import type { Db } from '../../store/types.js';
import { HttpError, readRaw } from '../body.js';
import { EXPORT_FORMATS, ExportQuerySchema, exportTable, sendTable, type ExportKind } from '../exports.js';
import { isLocalAddress } from '../metrics.js';
import { TicketFilterSchema, listTickets, ticketDetail } from '../tickets-api.js';
import { LoginThrottle, SESSION_COOKIE, SessionSigner, parseUsers, safeEqual, verifyPassword } from './auth.js';
import { Html, esc, fmtTime, href, html, options, page, table } from './html.js';

export interface DashboardOptions {
  db: Db;
  contracts: ContractRegistry;
  clock: Clock;
  /** DASHBOARD_USERS: "name:hash,…". */
  users?: string;
  apiToken?: string;
  /** Signs session cookies; set it so sessions survive restarts and work on every replica. */
  sessionSecret?: string;
  /** DIGEST_CRON, for the digest page's default period. */
  digestCron?: string;
  sessionHours?: number;
}

const CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function dashboard(opts: DashboardOptions): Middleware {
  const users = parseUsers(opts.users);
  const signer = new SessionSigner(opts.sessionSecret ?? opts.apiToken, (opts.sessionHours ?? 12) * 3600_000);
  const throttle = new LoginThrottle();
  const loginConfigured = users.size > 0 || Boolean(opts.apiToken);
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
    if (ctx.path === '/dashboard/login') return next();
    const session = signer.verify(ctx.cookies.get(SESSION_COOKIE));
    if (session && (users.has(session.user) || session.user === 'token')) {
      ctx.state.user = session.user === 'token' ? 'API token' : session.user;
      return next();
    }
    if (!loginConfigured) {
      if (isLocalAddress(ctx.request.ip)) {
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
  const safeNext = (n: string | undefined) => (n && /^\/dashboard(\/[\w\-./%?=&]*)?$/.test(n) && !n.startsWith('//') ? n : '/dashboard/tickets');

  router.get('/login', (ctx) => loginPage(ctx, undefined, typeof ctx.query.next === 'string' ? ctx.query.next : undefined));
  router.post('/login', async (ctx) => {
    const form = new URLSearchParams(await readRaw(ctx, 8192));
    const ip = ctx.request.ip ?? '';
    const next = safeNext(form.get('next') ?? undefined);
    if (throttle.blocked(ip)) {
      ctx.status = 429;
      return loginPage(ctx, '登录失败次数过多，请 10 分钟后再试。', next);
    }
    const user = (form.get('user') ?? '').trim();
    const password = form.get('password') ?? '';
    const token = form.get('token') ?? '';
    let who: string | null = null;
    if (token && opts.apiToken && safeEqual(token, opts.apiToken)) who = 'token';
    else if (user && users.has(user) && (await verifyPassword(password, users.get(user)!))) who = user;
    if (!who) {
      throttle.fail(ip);
      ctx.status = 401;
      return loginPage(ctx, '用户名或密码不对。', next);
    }
    throttle.ok(ip);
    ctx.cookies.set(SESSION_COOKIE, signer.sign(who), { httpOnly: true, sameSite: 'lax', path: '/dashboard', secure: ctx.secure, maxAge: signer.ttlMs, overwrite: true });
    ctx.redirect(next);
  });
  router.post('/logout', (ctx) => {
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/dashboard', maxAge: 0, overwrite: true });
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
      <form class="filters card" method="get" action="/dashboard/tickets">
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
        ['工单号', '类型', '级别', '状态', '客户', '站点/设备', '现象', '工程师', '报修时间'],
        list.tickets.map(
          (t) => html`<tr>
            <td><a href="/dashboard/tickets/${t.number}">${t.number}</a></td>
            <td>${KIND_LABELS[t.kind as keyof typeof KIND_LABELS] ?? t.kind}</td>
            <td>${t.kind === 'fault' ? html`<span class="tag l${t.level ?? ''}">${levelName(t.level)}</span>` : '—'}</td>
            <td>${STATUS_LABELS[t.status as TicketStatus] ?? t.status}</td>
            <td>${t.customer ?? '—'}</td>
            <td>${[t.site, t.device].filter(Boolean).join(' ') || '—'}</td>
            <td class="wrap">${t.symptom ?? '—'}</td>
            <td>${t.assignee ?? '—'}</td>
            <td>${fmtTime(t.reportedAt, tz)}</td></tr>`,
        ),
        '没有符合条件的工单',
      )}
      <nav class="pager">
        ${f.page > 1 ? html`<a rel="prev" href="${href('/dashboard/tickets', { ...keep, page: f.page - 1 })}">上一页</a>` : ''}
        ${f.page < pages ? html`<a rel="next" href="${href('/dashboard/tickets', { ...keep, page: f.page + 1 })}">下一页</a>` : ''}
      </nav>`;
    send(ctx, '工单', '/dashboard/tickets', body);
  });

  router.get('/tickets/:ref', async (ctx) => {
    const ref = String(ctx.params.ref ?? '');
    if (!/^(\d{1,9}|[A-Za-z]{1,8}-\d{8}-\d{4,6})$/.test(ref)) throw new HttpError(400, 'ticket: its number (GD-20261124-0001) or id');
    const t = await ticketDetail(opts.db, opts.contracts, opts.clock, ref);
    if (!t) {
      ctx.status = 404;
      return send(ctx, '没有这个工单', '/dashboard/tickets', html`<h1>没有工单 ${ref}</h1><p><a href="/dashboard/tickets">返回列表</a></p>`);
    }
    const r = t.serviceRecord;
    const steps: Array<[string, string]> = [
      ['reportedAt', '报修'], ['levelKnownAt', '定级'], ['acceptedAt', '受理'], ['assignedAt', '派单'], ['acknowledgedAt', '接单（首次响应）'], ['onSiteAt', '到场'],
      ['spareRequestedAt', '申请备件'], ['detectionReportAt', '检测报告'], ['resolvedAt', '完成'], ['confirmedAt', '客户确认'], ['ratedAt', '评价'], ['closedAt', '关闭'], ['cancelledAt', '撤销'],
    ];
    const kv = (pairs: Array<[string, unknown]>) => html`<dl class="kv">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? '—' : v}</dd>`)}</dl>`;
    const complaint = t.complaint as null | Record<string, unknown>;
    const body = html`<h1>${t.number} <span class="tag">${STATUS_LABELS[t.status as TicketStatus] ?? t.status}</span></h1>
      <div class="grid">
        <section class="card"><h2>客户服务记录表</h2>${kv([
          ['客户单位', t.customer],
          ['联系人', t.reporter.contact ?? t.reporter.name],
          ['联系电话', t.reporter.phone],
          ['报修时间', fmtTime(t.steps.reportedAt, tz)],
          ['类型/级别', `${KIND_LABELS[t.kind as keyof typeof KIND_LABELS] ?? t.kind}${t.kind === 'fault' ? ` · ${levelName(t.level)}${t.levelProvisional ? '（暂定）' : ''}` : ''}${t.grade ? ` · ${t.grade} 级服务` : ''}`],
          ['站点/设备', [t.site, t.device].filter(Boolean).join(' ')],
          ['报修内容', t.content],
          ['到场时状态', r.arrivalState],
          ['处理过程', r.handling],
          ['原因分析', r.analysis],
          ['更换备件', r.sparePart ? `${r.sparePart}${r.spareNew === false ? '（非全新，客户书面同意）' : ''}` : null],
          ['检测报告/费用', [r.detectionReport, r.repairCost].filter(Boolean).join(' · ')],
          ['服务工程师', t.assignee ? `${t.assignee.name}${t.assignee.department ? `（${t.assignee.department}）` : ''}` : null],
          ['完成时间', fmtTime(t.steps.resolvedAt, tz)],
          ['客户确认', r.confirmation === 'confirmed' ? `已确认 ${fmtTime(t.steps.confirmedAt, tz)}` : r.confirmation === 'unconfirmed' ? '未确认（记录无效）' : null],
          ['客户意见', r.feedback],
          ['满意度', r.satisfaction],
          ['总结', r.summary],
        ])}</section>
        <section class="card"><h2>时限</h2>${table(
          ['时限', '到期', '完成', '结果'],
          t.deadlines.map(
            (d) => html`<tr><td>${d.label}${d.provisional ? '（暂按最严）' : ''}</td><td>${fmtTime(d.dueAt, tz)}</td><td>${fmtTime(d.stoppedAt, tz)}</td>
              <td>${d.met === true ? html`<span class="ok">达标</span>` : d.met === false ? html`<span class="bad">超时</span>` : '进行中'}</td></tr>`,
          ),
          '无时限',
        )}
        <h2>步骤</h2>${kv(steps.filter(([k]) => t.steps[k]).map(([k, label]) => [label, fmtTime(t.steps[k], tz)]))}</section>
        ${complaint
          ? html`<section class="card"><h2>投诉记录</h2>${kv([
              ['接待人', complaint.receiver], ['投诉人', complaint.complainant], ['联系方式', complaint.contact], ['投诉内容', complaint.content], ['诉求', complaint.demand],
              ['调查结果', complaint.investigation], ['初步处理意见', complaint.firstOpinion], ['整改过程', complaint.correction], ['客户意见', complaint.customerOpinion],
              ['满意度', complaint.satisfaction], ['要求更换工程师', complaint.wantsOtherEngineer ? '是' : '否'], ['归档', complaint.archivedAt ? fmtTime(complaint.archivedAt as Date, tz) : null],
            ])}</section>`
          : ''}
      </div>
      <section class="card"><h2>处理记录（审计）</h2>${table(
        ['时间', '动作', '操作人', '状态', '详情'],
        t.events.map(
          (e) => html`<tr><td>${fmtTime(e.at, tz)}</td><td>${ACTION_LABELS[e.action] ?? e.action}</td><td>${e.actor ?? '系统'}</td>
            <td>${e.from || e.to ? `${e.from ? (STATUS_LABELS[e.from as TicketStatus] ?? e.from) : ''} → ${e.to ? (STATUS_LABELS[e.to as TicketStatus] ?? e.to) : ''}` : ''}</td>
            <td class="wrap">${detailText(e.detail)}</td></tr>`,
        ),
      )}</section>
      ${t.ratings.length ? html`<section class="card"><h2>评价</h2>${table(['时间', '分数', '意见'], t.ratings.map((x) => html`<tr><td>${fmtTime(x.at, tz)}</td><td>${x.score}</td><td class="wrap">${x.comment ?? ''}</td></tr>`))}</section>` : ''}
      ${t.nonConformances.length ? html`<section class="card"><h2>不合格记录</h2>${table(['时间', '原因'], t.nonConformances.map((x) => html`<tr><td>${fmtTime(x.at, tz)}</td><td class="wrap">${x.reason}</td></tr>`))}</section>` : ''}
      <p><a href="/dashboard/tickets">← 返回列表</a></p>`;
    send(ctx, t.number, '/dashboard/tickets', body);
  });

  // ---- SLA board: deadlines of open tickets, next first.
  router.get('/sla', async (ctx) => {
    const now = opts.clock.now();
    const rows = await opts.db.timer.findMany({
      where: { state: 'pending', clock: { in: Object.keys(contract.clocks) } },
      orderBy: { dueAt: 'asc' },
      take: 1000,
      include: { ticket: { select: { id: true, number: true, status: true, kind: true, level: true, site: true, device: true, assignee: { select: { name: true } } } } },
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
          return html`<tr><td>${fmtTime(x.deadlineAt, tz)}</td>
            <td>${left < 0 ? html`<span class="bad">已超 ${formatSpan(-left)}</span>` : formatSpan(left)}</td>
            <td>${contract.clocks[x.clock]?.label ?? x.clock}</td>
            <td><a href="/dashboard/tickets/${x.ticket.number}">${x.ticket.number}</a></td>
            <td>${x.ticket.kind === 'fault' ? levelName(x.ticket.level) : (KIND_LABELS[x.ticket.kind as keyof typeof KIND_LABELS] ?? x.ticket.kind)}</td>
            <td>${STATUS_LABELS[x.ticket.status as TicketStatus] ?? x.ticket.status}</td>
            <td>${x.ticket.assignee?.name ?? '未派单'}</td>
            <td>${[x.ticket.site, x.ticket.device].filter(Boolean).join(' ')}</td>
            <td>${fmtTime(x.next, tz)} ${stageLabel(x.stage)}</td></tr>`;
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
    const day = DateTime.fromJSDate(p.period.start, { zone: tz }).toISODate()!;
    const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');
    const m = (x: number | null) => (x === null ? '—' : formatSpan(x * 60_000));
    const body = html`<h1>${PERIOD_LABELS[p.kind]} ${d.period.label}</h1>
      <form class="filters card" method="get" action="/dashboard/digest">
        <label>周期<select name="period">${options(PERIOD_KINDS.map((k) => [k, PERIOD_LABELS[k]]), p.kind, '日报')}</select></label>
        <label>日期<input type="date" name="date" value="${day}"></label>
        <button class="primary" type="submit">查看</button>
      </form>
      <p class="muted">统计区间 ${fmtTime(d.period.start, tz)} 至 ${fmtTime(d.period.end, tz)}，数据截至 ${fmtTime(d.asOf, tz)}</p>
      <img class="chart" alt="${PERIOD_LABELS[p.kind]}图表 ${d.period.label}" width="1200" height="800" src="${href('/dashboard/digest.png', { period: p.kind, date: day })}">
      <div class="grid">
        <section class="card"><h2>新增工单 ${d.newTickets.total} 件</h2>${table(['类型/级别', '数量'], [
          ...d.newTickets.byLevel.map((l) => html`<tr><td>故障 · ${l.label}</td><td>${l.count}</td></tr>`),
          ...d.newTickets.byKind.filter((k) => k.kind !== 'fault').map((k) => html`<tr><td>${k.label}</td><td>${k.count}</td></tr>`),
        ])}</section>
        <section class="card"><h2>未关闭 ${d.open.total} 件</h2>${table(['状态', '数量'], d.open.byStatus.map((s) => html`<tr><td>${s.label}</td><td>${s.count}</td></tr>`))}
          ${table(['时长', '数量'], d.open.byAge.map((a) => html`<tr><td>${a.label}</td><td>${a.count}</td></tr>`))}</section>
        <section class="card"><h2>时限达成</h2>${table(['时限', '合同', '到期', '达标', '超时', '达标率', '中位', '90%'], d.sla.map((c) => html`<tr><td>${c.label}</td><td>${c.limit}</td><td>${c.due}</td><td>${c.met}</td><td class="${c.breached ? 'bad' : ''}">${c.breached}</td><td>${pct(c.met, c.due)}</td><td>${m(c.times.medianMinutes)}</td><td>${m(c.times.p90Minutes)}</td></tr>`))}</section>
        <section class="card"><h2>满意度</h2><p>${d.satisfaction.count ? `平均 ${d.satisfaction.average?.toFixed(2)} 分，${d.satisfaction.count} 条评价` : '本期无评价'}</p>
          ${table(['工单', '分数', '意见', '工程师'], d.satisfaction.dissatisfied.map((r) => html`<tr><td><a href="/dashboard/tickets/${r.number}">${r.number}</a></td><td class="bad">${r.score}</td><td class="wrap">${r.comment ?? ''}</td><td>${r.engineer ?? '—'}</td></tr>`), '没有不满意评价')}</section>
      </div>
      <section class="card"><h2>超时 ${d.breaches.length} 项</h2>${table(['工单', '时限', '到期', '超时', '当时处理人', '站点/设备'], d.breaches.map((b) => html`<tr><td><a href="/dashboard/tickets/${b.number}">${b.number}</a></td><td>${b.label}</td><td>${fmtTime(b.dueAt, tz)}</td><td class="bad">${formatSpan(b.overdueMinutes * 60_000)}${b.stoppedAt ? '' : '（未完成）'}</td><td>${b.holder ?? '未派单'}</td><td>${[b.site, b.device].filter(Boolean).join(' ')}</td></tr>`), '没有超时')}</section>
      <section class="card"><h2>今日到期 ${d.dueToday.length} 项</h2>${table(['工单', '时限', '到期', '处理人'], d.dueToday.map((x) => html`<tr><td><a href="/dashboard/tickets/${x.number}">${x.number}</a></td><td>${x.label}</td><td>${fmtTime(x.dueAt, tz)}</td><td>${x.assignee ?? '未派单'}</td></tr>`), '今日无到期')}</section>
      <section class="card"><h2>未结投诉 ${d.complaints.length} 件</h2>${table(['工单', '投诉人', '内容', '答复期限', '状态'], d.complaints.map((c) => html`<tr><td><a href="/dashboard/tickets/${c.number}">${c.number}</a></td><td>${c.complainant}</td><td class="wrap">${c.content}</td><td class="${c.overdue ? 'bad' : ''}">${c.answeredAt ? `已答复 ${fmtTime(c.answeredAt, tz)}` : fmtTime(c.dueAt, tz)}</td><td>${STATUS_LABELS[c.status as TicketStatus] ?? c.status}</td></tr>`), '没有未结投诉')}</section>
      <section class="card"><h2>工程师负荷</h2>${table(['工程师', '在手', '待接单', '本期完成', '超时'], d.engineers.map((e) => html`<tr><td><a href="${href('/dashboard/tickets', { engineer: e.name, open: 'true' })}">${e.name}</a></td><td>${e.inHand}</td><td>${e.waiting}</td><td>${e.resolved}</td><td class="${e.breaches ? 'bad' : ''}">${e.breaches}</td></tr>`))}</section>`;
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
          return html`<tr><td>${r.id}</td><td>${fmtTime(r.createdAt, tz)}</td><td>${r.channel}</td><td>${r.chatPlatformId}</td>
            <td>${number ? html`<a href="/dashboard/tickets/${number}">${number}</a>` : '—'}</td>
            <td class="wrap">${actionText(r.action)}</td><td>${r.attempts}</td><td>${labels[r.status] ?? r.status}</td><td class="wrap ${r.status === 'failed' ? 'bad' : ''}">${r.lastError ?? ''}</td></tr>`;
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
        <label>内容<select name="kind"><option value="service-records">客户服务记录表</option><option value="complaints">投诉记录</option></select></label>
        <label>从<input type="date" name="from" value="${from}" required></label>
        <label>到<input type="date" name="to" value="${to}" required></label>
        <label>格式<select name="format">${EXPORT_FORMATS.map((f) => html`<option value="${f}">${f === 'csv' ? 'CSV（Excel 可直接打开）' : 'Excel（XLSX）'}</option>`)}</select></label>
        <button class="primary" type="submit">下载</button>
      </form>
      <p class="muted">按报修（投诉）日期导出；同样的数据可用 GET /api/exports/service-records?from=&amp;to=&amp;format= 或命令 npm run --silent cli -- export 取得。</p>`;
    send(ctx, '导出', '/dashboard/exports', body);
  });
  router.get('/exports/download', async (ctx) => {
    const kind: ExportKind = ctx.query.kind === 'complaints' ? 'complaints' : 'service-records';
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

const ACTION_LABELS: Record<string, string> = {
  reported: '报修', set_level: '定级', accept: '受理', require_fee: '需确认收费', agree_fee: '客户同意收费', waive_fee: '经理批准免费',
  assign: '派单', acknowledge: '接单', transfer: '转派', arrive: '到场', request_spare: '申请备件', detection_report: '检测报告',
  resolve: '完成', confirm: '客户确认', deny_fix: '客户反馈未修好', rate: '评价', close: '关闭', cancel: '撤销',
  reminder: '提醒', escalation: '超时/升级', duplicate_report: '重复报修', answer: '答复', investigation: '调查结果',
};

function stageLabel(stage: string): string {
  if (stage.startsWith('remind_')) return `提醒（${stage.slice(7)}%）`;
  if (stage === 'escalate_1') return '超时升级';
  if (stage.startsWith('escalate_')) return `第 ${stage.slice(9)} 级升级`;
  return stage;
}

function detailText(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  const entries = Object.entries(detail as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('；').slice(0, 600);
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
