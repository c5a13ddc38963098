/**
 * The service's web port (koa): health, the JSON ticket API, and whatever the
 * composition root mounts: the channels' routes (Feishu webhook, WeChat login
 * page, the sandbox page and its API), metrics, exports, the dashboard.
 */
import Koa, { type Context, type Middleware } from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ContractRegistry } from '../core/contracts.js';
import { InvalidEventError, type ChannelStatus } from '../core/channel.js';
import type { Db } from '../store/types.js';
import { HttpError } from './body.js';
import { TicketFilterSchema, listTickets, ticketDetail } from './tickets-api.js';

export interface WebDeps {
  db: Db;
  log: Logger;
  contracts: ContractRegistry;
  clock: Clock;
  apiToken?: string;
  channelStatus: () => ChannelStatus[];
  /** Routes mounted before the API (the channels' routes, metrics, exports, dashboard). */
  mount?: Middleware[];
}

function isLocal(ctx: Context): boolean {
  const ip = ctx.request.ip ?? ctx.req.socket.remoteAddress ?? '';
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

/** The API answers localhost only, unless API_TOKEN is set: then only a request with the Bearer token. */
export function apiGuard(token: string | undefined): Middleware {
  return async (ctx, next) => {
    if (token) {
      const given = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1] ?? '';
      const { timingSafeEqual } = await import('node:crypto');
      const a = Buffer.from(given);
      const b = Buffer.from(token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = { error: 'missing or wrong API token: send Authorization: Bearer <API_TOKEN>' };
        return;
      }
    } else if (!isLocal(ctx)) {
      ctx.status = 403;
      ctx.body = { error: 'the API answers requests from localhost only; set API_TOKEN to allow others' };
      return;
    }
    await next();
  };
}

export function createApp(deps: WebDeps): Koa {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      if (e instanceof HttpError) {
        ctx.status = e.status;
        ctx.body = { error: e.message };
      } else if (e instanceof InvalidEventError) {
        ctx.status = 400;
        ctx.body = { error: e.message };
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
    const pending = database === 'ok' ? await deps.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } }) : null;
    // Messages answered but not acted on yet (the inbound queue): should return to 0 within seconds.
    const inboundQueued = database === 'ok' ? await deps.db.inboundEvent.count({ where: { outcome: 'queued' } }) : null;
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
