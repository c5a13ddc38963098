/**
 * The service's web port (koa): health, the sandbox chat page and its API, the
 * JSON ticket API, and whatever channel endpoints the composition root mounts
 * (Feishu webhook, WeChat login page).
 */
import Koa, { type Context, type Middleware } from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ContractRegistry } from '../core/contracts.js';
import { SandboxChannel, SandboxInputError } from '../channels/sandbox/adapter.js';
import { InvalidEventError, type ServiceBot } from '../bot/service.js';
import type { ChannelStatus } from '../core/channel.js';
import type { Db } from '../store/types.js';
import { HttpError, readJson } from './body.js';
import { sandboxPage } from './sandbox-page.js';
import { TicketFilterSchema, listTickets, ticketDetail } from './tickets-api.js';

export interface ClockControl {
  mode: 'system' | 'manual';
  now(): Date;
  /** Moves a manual clock and fires what came due; undefined for the system clock. */
  advance?(minutes: number): Promise<Date>;
}

export interface WebDeps {
  db: Db;
  bot: ServiceBot;
  log: Logger;
  contracts: ContractRegistry;
  clock: Clock;
  clockControl: ClockControl;
  apiToken?: string;
  sandbox?: SandboxChannel;
  /** Sends what is waiting in the outbox now (the sandbox answers with the bot's replies). */
  flush: () => Promise<void>;
  channelStatus: () => ChannelStatus[];
  /** Extra routes mounted before the API (Feishu webhook, WeChat login, metrics, dashboard). */
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
      } else if (e instanceof SandboxInputError || e instanceof InvalidEventError) {
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
  router.get('/', (ctx) => {
    if (deps.sandbox) ctx.redirect('/sandbox');
    else ctx.body = { service: 'servicebot', health: '/healthz' };
  });
  if (deps.sandbox) {
    router.get('/sandbox', (ctx) => {
      ctx.type = 'html';
      ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
      ctx.body = sandboxPage({ manualClock: deps.clockControl.mode === 'manual' });
    });
  }

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

  const sandbox = deps.sandbox;
  if (sandbox) {
    api.post('/sandbox/messages', async (ctx) => {
      const { id, result } = await sandbox.post(await readJson(ctx), deps.bot);
      await deps.flush();
      ctx.status = 201;
      ctx.body = { id, status: result.status };
    });
    api.post('/sandbox/clicks', async (ctx) => {
      const result = await sandbox.click(await readJson(ctx), deps.bot);
      await deps.flush();
      ctx.body = { status: result.status, toast: result.toast ?? null };
    });
    api.get('/sandbox/messages', async (ctx) => {
      const chat = String(ctx.query.chat ?? '');
      if (!chat) throw new HttpError(400, 'chat: give the chat name, e.g. ?chat=demo');
      const after = Number(ctx.query.after ?? 0);
      ctx.body = await sandbox.list(chat, Number.isFinite(after) ? after : 0);
    });
    api.get('/sandbox/chats', async (ctx) => {
      ctx.body = await sandbox.chats();
    });
    api.get('/sandbox/clock', (ctx) => {
      ctx.body = { mode: deps.clockControl.mode, now: deps.clockControl.now().toISOString() };
    });
    api.post('/sandbox/clock', async (ctx) => {
      const body = (await readJson(ctx)) as { advanceMinutes?: unknown };
      if (!deps.clockControl.advance) throw new HttpError(409, 'the clock is the system clock; start with SANDBOX_CLOCK=manual to move it');
      const m = body?.advanceMinutes;
      if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0 || m > 60 * 24 * 366) {
        throw new HttpError(400, 'advanceMinutes: a positive number of minutes (at most a year)');
      }
      const now = await deps.clockControl.advance(m);
      await deps.flush();
      ctx.body = { mode: 'manual', now: now.toISOString() };
    });
  }
  app.use(router.routes()).use(router.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods());
  return app;
}
