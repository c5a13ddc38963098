/**
 * GET /metrics in the Prometheus text format (prom-client).
 *
 * Figures kept in the store (inbound events, tickets, breaches, reminders, the
 * outbox) are read with GROUP BY queries, so they are right after a restart and
 * the same on every replica. What changes fast (open tickets, pending timers, the
 * outbox queue) is read on scrape (reused for a few seconds); all-time totals that
 * need a scan of big tables (closed tickets, inbound events, fired timers) are
 * refreshed at most every few minutes, in the background after the first scrape. What happens in this process (sends, retries,
 * event-to-reply latency) is counted from the dispatcher's onSettled hook.
 *
 * Answered without a login to requests from the machine itself (by a loopback
 * name) or with the API token (Authorization: Bearer …); anyone else gets 403.
 */
import type { Middleware } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Db, Outbox } from '../store/types.js';
import { bearerMatches, fromThisMachine } from './access.js';

export interface MetricsOptions {
  db: Db;
  clock: Clock;
  apiToken?: string;
  /** Seconds a scrape's database figures are reused (default 5). */
  cacheSeconds?: number;
  /** Seconds the all-time totals are reused (default 300). */
  totalsSeconds?: number;
  /** Process metrics (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
}

export interface Metrics {
  registry: Registry;
  /** For the Dispatcher's onSettled option. */
  onSettled(row: Outbox, outcome: 'sent' | 'retry' | 'failed', error?: Error): void;
  middleware: Middleware;
}

export function createMetrics(opts: MetricsOptions): Metrics {
  const { db } = opts;
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'servicebot_' });

  const inbound = new Gauge({ name: 'servicebot_inbound_events', help: 'Inbound platform events recorded, by channel and outcome (all time, from the store)', labelNames: ['channel', 'outcome'], registers: [registry] });
  const tickets = new Gauge({ name: 'servicebot_tickets', help: 'Tickets by status, kind and fault level (level "none" while unknown)', labelNames: ['status', 'kind', 'level'], registers: [registry] });
  const breaches = new Gauge({ name: 'servicebot_sla_breaches', help: 'SLA deadlines breached (escalated), by clock (all time, from the timers)', labelNames: ['clock'], registers: [registry] });
  const reminders = new Gauge({ name: 'servicebot_reminders_sent', help: 'Reminders and escalations fired, by clock and stage (all time)', labelNames: ['clock', 'stage'], registers: [registry] });
  const pendingTimers = new Gauge({ name: 'servicebot_timers_pending', help: 'Timers waiting to fire', registers: [registry] });
  const overdueTimers = new Gauge({ name: 'servicebot_timers_overdue', help: 'Pending timers already past their due time (the scheduler is behind)', registers: [registry] });
  const depth = new Gauge({ name: 'servicebot_outbox_depth', help: 'Outbox rows not sent yet, by channel and status (pending, sending)', labelNames: ['channel', 'status'], registers: [registry] });
  const age = new Gauge({ name: 'servicebot_outbox_oldest_age_seconds', help: 'Age of the oldest unsent outbox row, by channel', labelNames: ['channel'], registers: [registry] });
  const queued = new Gauge({ name: 'servicebot_inbound_queue_depth', help: 'Inbound messages recorded and answered but not acted on yet, by channel', labelNames: ['channel'], registers: [registry] });
  const queuedAge = new Gauge({ name: 'servicebot_inbound_queue_oldest_age_seconds', help: 'Age of the oldest inbound message not acted on yet, by channel', labelNames: ['channel'], registers: [registry] });
  const failedRows = new Gauge({ name: 'servicebot_outbox_failed', help: 'Outbox rows given up as failed, by channel (all time, from the store)', labelNames: ['channel'], registers: [registry] });
  const scrapeErrors = new Counter({ name: 'servicebot_metrics_scrape_errors_total', help: 'Scrapes whose database queries failed', registers: [registry] });
  const sends = new Counter({ name: 'servicebot_sends_total', help: 'Send attempts settled by this process, by channel and outcome (sent, retry, failed)', labelNames: ['channel', 'outcome'], registers: [registry] });
  const latency = new Histogram({
    name: 'servicebot_event_to_reply_seconds',
    help: 'From the event that caused a reply (the outbox row was written) to the platform accepting it',
    labelNames: ['channel'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });

  const openSeen = new Set<{ status: string; kind: string; level: string }>();
  let last = 0;
  let refreshing: Promise<void> | null = null;
  const cacheMs = (opts.cacheSeconds ?? 5) * 1000;
  const totalsMs = (opts.totalsSeconds ?? 300) * 1000;
  let totalsAt = 0;
  let totals: Promise<void> | null = null;
  const terminal = ['closed', 'cancelled'];
  const ticketLabels = (r: { status: string; kind: string; level: number | null }) => ({ status: r.status, kind: r.kind, level: r.level === null ? 'none' : String(r.level) });

  /** All-time totals: a scan of the big tables, so not on every scrape. */
  async function refreshTotals(): Promise<void> {
    const [inb, done, fired, failed] = await Promise.all([
      db.inboundEvent.groupBy({ by: ['channel', 'outcome'], _count: { _all: true } }),
      db.ticket.groupBy({ by: ['status', 'kind', 'level'], where: { status: { in: terminal } }, _count: { _all: true } }),
      db.timer.groupBy({ by: ['clock', 'stage'], where: { state: 'fired' }, _count: { _all: true } }),
      db.outbox.groupBy({ by: ['channel'], where: { status: 'failed' }, _count: { _all: true } }),
    ]);
    inbound.reset();
    for (const r of inb) inbound.set({ channel: r.channel, outcome: r.outcome }, r._count._all);
    for (const r of done) tickets.set(ticketLabels(r), r._count._all);
    breaches.reset();
    reminders.reset();
    const byClock = new Map<string, number>();
    for (const r of fired) {
      reminders.set({ clock: r.clock, stage: r.stage }, r._count._all);
      if (r.stage === 'escalate_1') byClock.set(r.clock, (byClock.get(r.clock) ?? 0) + r._count._all);
    }
    for (const [clock, n] of byClock) breaches.set({ clock }, n);
    failedRows.reset();
    for (const r of failed) failedRows.set({ channel: r.channel }, r._count._all);
    totalsAt = Date.now();
  }

  async function refresh(): Promise<void> {
    if (!totalsAt) await (totals ??= refreshTotals().finally(() => (totals = null)));
    else if (Date.now() - totalsAt > totalsMs && !totals) {
      totals = refreshTotals()
        .catch(() => scrapeErrors.inc())
        .finally(() => (totals = null));
    }
    const now = opts.clock.now();
    const [open, timersPending, timersOverdue, unsent, oldest, waiting] = await Promise.all([
      db.ticket.groupBy({ by: ['status', 'kind', 'level'], where: { status: { notIn: terminal } }, _count: { _all: true } }),
      db.timer.count({ where: { state: 'pending' } }),
      db.timer.count({ where: { state: 'pending', dueAt: { lte: now } } }),
      db.outbox.groupBy({ by: ['channel', 'status'], where: { status: { in: ['pending', 'sending'] } }, _count: { _all: true } }),
      db.outbox.groupBy({ by: ['channel'], where: { status: { in: ['pending', 'sending'] } }, _min: { createdAt: true } }),
      db.inboundEvent.groupBy({ by: ['channel'], where: { outcome: 'queued' }, _count: { _all: true }, _min: { receivedAt: true } }),
    ]);
    // Open statuses are replaced on every scrape (a status that emptied goes to 0).
    for (const s of openSeen) tickets.set(s, 0);
    openSeen.clear();
    for (const r of open) {
      const l = ticketLabels(r);
      tickets.set(l, r._count._all);
      openSeen.add(l);
    }
    pendingTimers.set(timersPending);
    overdueTimers.set(timersOverdue);
    depth.reset();
    for (const r of unsent) depth.set({ channel: r.channel, status: r.status }, r._count._all);
    age.reset();
    for (const r of oldest) if (r._min.createdAt) age.set({ channel: r.channel }, Math.max(0, (now.getTime() - r._min.createdAt.getTime()) / 1000));
    queued.reset();
    queuedAge.reset();
    for (const r of waiting) {
      queued.set({ channel: r.channel }, r._count._all);
      if (r._min.receivedAt) queuedAge.set({ channel: r.channel }, Math.max(0, (now.getTime() - r._min.receivedAt.getTime()) / 1000));
    }
  }

  const middleware: Middleware = async (ctx, next) => {
    if (ctx.path !== '/metrics') return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    if (!fromThisMachine(ctx) && !bearerMatches(ctx, opts.apiToken)) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = 'metrics are served to this machine, or with Authorization: Bearer <API_TOKEN>\n';
      return;
    }
    if (Date.now() - last > cacheMs) {
      refreshing ??= refresh()
        .then(() => {
          last = Date.now();
        })
        .catch(() => {
          scrapeErrors.inc();
        })
        .finally(() => {
          refreshing = null;
        });
      await refreshing;
    }
    ctx.type = registry.contentType;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await registry.metrics();
  };

  return {
    registry,
    middleware,
    onSettled(row, outcome) {
      sends.inc({ channel: row.channel, outcome });
      if (outcome !== 'sent') return;
      const seconds = (Date.now() - row.createdAt.getTime()) / 1000;
      // Rows written on a moved (manual) clock or long ago (catch-up after a restart) say nothing about latency.
      if (seconds >= 0 && seconds < 3600) latency.observe({ channel: row.channel }, seconds);
    },
  };
}
