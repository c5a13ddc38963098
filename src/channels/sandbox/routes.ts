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
import { sandboxGuard } from '../../web/access.js';
import { SANDBOX_FILE_MAX_BYTES, type SandboxChannel } from './adapter.js';
import { sandboxPage } from './page.js';

export interface SandboxRouteDeps {
  sink: InboundSink;
  clockControl: ClockControl;
  /** Sends what is waiting in the outbox now (the sandbox answers with the bot's replies). */
  flush: () => Promise<void>;
  apiToken?: string;
  /** The contract's zone: the page shows every time in it, whatever the browser's zone. */
  timezone: string;
}

/** A sandbox message with the largest attachment, base64 in JSON, and its text. */
const SANDBOX_BODY_LIMIT = Math.ceil((SANDBOX_FILE_MAX_BYTES * 4) / 3) + 64 * 1024;

export function sandboxRoutes(sandbox: SandboxChannel, deps: SandboxRouteDeps): Middleware[] {
  const router = new Router();
  // A local demo in which anyone may say they are the manager: loopback only, no foreign pages (access.ts).
  const guard = sandboxGuard();
  router.get('/', (ctx) => {
    ctx.redirect('/sandbox');
  });
  router.get('/sandbox', (ctx) => {
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    ctx.body = sandboxPage({ manualClock: deps.clockControl.mode === 'manual', timezone: deps.timezone });
  });

  const api = new Router({ prefix: '/api' });
  api.use(apiGuard(deps.apiToken));
  api.post('/sandbox/messages', async (ctx) => {
    // Room for a photo or a short clip (2 MiB, base64 in the JSON).
    const { id, result } = await sandbox.post(await readJson(ctx, SANDBOX_BODY_LIMIT), deps.sink);
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
  api.get('/sandbox/groups', async (ctx) => {
    ctx.body = await sandbox.groups();
  });
  // A photo or clip sent from the page, with the type its bytes were checked to be; never run as a page.
  api.get('/sandbox/files/:id', async (ctx) => {
    const file = await sandbox.file(String(ctx.params.id ?? '').slice(0, 80));
    if (!file) throw new HttpError(404, 'no such attachment');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.type = file.mime;
    ctx.body = Buffer.from(file.base64, 'base64');
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
  return [guard, router.routes(), router.allowedMethods(), api.routes(), api.allowedMethods()] as unknown as Middleware[];
}
