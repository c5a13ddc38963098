/**
 * The sandbox's HTTP routes: the chat page at /sandbox, and its API under /api
 * (as the rest of the API: localhost, or the API token): post a message, click
 * a button, read a chat, move the manual clock. A post is answered once the
 * bot acted and its replies were sent (flush), so the page shows them at once.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ClockControl } from '../../core/clock.js';
import type { InboundSink } from '../../core/channel.js';
import { HttpError, readJson } from '../../web/body.js';
import { apiGuard } from '../../web/app.js';
import type { SandboxChannel } from './adapter.js';
import { sandboxPage } from './page.js';

export interface SandboxRouteDeps {
  sink: InboundSink;
  clockControl: ClockControl;
  /** Sends what is waiting in the outbox now (the sandbox answers with the bot's replies). */
  flush: () => Promise<void>;
  apiToken?: string;
}

export function sandboxRoutes(sandbox: SandboxChannel, deps: SandboxRouteDeps): Middleware[] {
  const router = new Router();
  router.get('/', (ctx) => {
    ctx.redirect('/sandbox');
  });
  router.get('/sandbox', (ctx) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    ctx.body = sandboxPage({ manualClock: deps.clockControl.mode === 'manual' });
  });

  const api = new Router({ prefix: '/api' });
  api.use(apiGuard(deps.apiToken));
  api.post('/sandbox/messages', async (ctx) => {
    const { id, result } = await sandbox.post(await readJson(ctx), deps.sink);
    await deps.flush();
    ctx.status = 201;
    ctx.body = { id, status: result.status };
  });
  api.post('/sandbox/clicks', async (ctx) => {
    const result = await sandbox.click(await readJson(ctx), deps.sink);
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
  // @koa/router types its middleware with its own context; koa runs them as any other.
  return [router.routes(), router.allowedMethods(), api.routes(), api.allowedMethods()] as unknown as Middleware[];
}
