/**
 * The service's web port (koa): health, the JSON ticket API, and whatever the
 * composition root mounts: the channels' routes (Feishu webhook, WeChat login
 * page, the sandbox page and its API), metrics, exports, the dashboard.
 */
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ContractRegistry } from '../core/contracts.js';
import { InvalidEventError, type ChannelStatus } from '../core/channel.js';
import type { Db } from '../store/types.js';
import { HttpError } from './body.js';
import { storageRefusal, type WriteProbe } from '../store/write-probe.js';
import { bearerMatches, fromThisMachine, trustProxy } from './access.js';
import { TicketFilterSchema, listTickets, ticketDetail } from './tickets-api.js';

export interface WebDeps {
  db: Db;
  log: Logger;
  contracts: ContractRegistry;
  clock: Clock;
  apiToken?: string;
  /** TRUST_PROXY: the reverse proxies whose X-Forwarded-* headers are believed. */
  trustProxy?: string;
  channelStatus: () => ChannelStatus[];
  /** Whether the database takes writes (a disk full answers SELECT 1 but fails every message). */
  writeProbe?: WriteProbe;
  /** Routes mounted before the API (the channels' routes, metrics, exports, dashboard). */
  mount?: Middleware[];
}

/**
 * The API answers this machine only (a loopback address and a loopback Host), unless API_TOKEN is
 * set: then only a request with the Bearer token.
 */
export function apiGuard(token: string | undefined): Middleware {
  return async (ctx, next) => {
    if (token) {
      if (!bearerMatches(ctx, token)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = { error: 'missing or wrong API token: send Authorization: Bearer <API_TOKEN>' };
        return;
      }
    } else if (!fromThisMachine(ctx)) {
      ctx.status = 403;
      ctx.body = { error: 'the API answers requests from localhost only; set API_TOKEN to allow others' };
      return;
    }
    await next();
  };
}

export function createApp(deps: WebDeps): Koa {
  const app = new Koa();
  app.use(trustProxy(deps.trustProxy));
  app.use(async (ctx, next) => {
    let refused: string | null;
    try {
      await next();
    } catch (e) {
      if (e instanceof HttpError) {
        ctx.status = e.status;
        ctx.body = { error: e.message };
      } else if (e instanceof InvalidEventError) {
        ctx.status = 400;
        ctx.body = { error: e.message };
      } else if ((refused = storageRefusal(e))) {
        // A full disk or a read-only database: nothing was recorded, and a platform's retry (or the sender's) will be.
        deps.log.error({ error: refused, path: ctx.path }, 'request refused: the database refuses writes');
        ctx.status = 503;
        ctx.set('Retry-After', '60');
        ctx.body = { error: `the database refuses writes (${refused}): nothing was recorded; send it again later` };
      } else {
        deps.log.error({ err: e, path: ctx.path }, 'request failed');
        ctx.status = 500;
        ctx.body = { error: 'internal error; see the service log' };
      }
    }
  });
  app.use(async (ctx, next) => {
    // No filter or path needs a NUL character, and PostgreSQL refuses one in a query.
    if (/%00|\u0000/.test(ctx.url)) {
      ctx.status = 400;
      ctx.body = { error: 'the address contains a NUL character (%00)' };
      return;
    }
    await next();
  });
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });
  for (const m of deps.mount ?? []) app.use(m);

  const router = new Router();
  router.get('/healthz', async (ctx) => {
    let database = 'ok';
    try {
      await deps.db.$queryRawUnsafe('SELECT 1');
    } catch (e) {
      database = `error: ${(e as Error).message.split('\n')[0]}`;
    }
    const write = database === 'ok' && deps.writeProbe ? await deps.writeProbe.status() : null;
    if (write && !write.ok) database = `error: writes refused: ${write.error}`;
    const readable = database === 'ok' || write?.ok === false;
    const pending = readable ? await deps.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } }) : null;
    // Messages answered but not acted on yet (the inbound queue): should return to 0 within seconds.
    const inboundQueued = readable ? await deps.db.inboundEvent.count({ where: { outcome: 'queued' } }) : null;
    ctx.status = database === 'ok' ? 200 : 503;
    ctx.body = { status: database === 'ok' ? 'ok' : 'degraded', database, outboxPending: pending, inboundQueued, channels: deps.channelStatus(), time: deps.clock.now().toISOString() };
  });
  // With the sandbox on, its routes answer "/" first (a redirect to its page).
  router.get('/', (ctx) => {
    ctx.body = { service: 'servicebot', health: '/healthz' };
  });

  const api = new Router({ prefix: '/api' });
  api.use(apiGuard(deps.apiToken));
  api.get('/tickets', async (ctx) => {
    const r = TicketFilterSchema.safeParse(ctx.query);
    if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    ctx.body = await listTickets(deps.db, r.data, deps.contracts.default.contract.timezone);
  });
  api.get('/tickets/:ref', async (ctx) => {
    const ref = String(ctx.params.ref ?? '');
    if (!/^(\d{1,9}|[A-Za-z]{1,8}-\d{8}-\d{4,6})$/.test(ref)) throw new HttpError(400, 'ticket: give its number (GD-20261124-0001) or its id');
    const t = await ticketDetail(deps.db, deps.contracts, deps.clock, ref);
    if (!t) throw new HttpError(404, `no ticket ${ref}`);
    ctx.body = t;
  });

  app.use(router.routes()).use(router.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods());
  return app;
}
