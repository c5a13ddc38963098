/**
 * Who is asking, for the parts of the web port that trust "this machine" or a
 * browser session: the client's address and scheme (through a trusted proxy
 * only), whether the request comes from this machine by a loopback name,
 * whether a browser sent it from our own pages (Origin), and the API token.
 *
 * Trusting an address alone is not enough: a page in the operator's browser
 * reaches localhost too (a cross-site POST), and DNS rebinding makes a
 * foreign name resolve to 127.0.0.1. A loopback Host and a same-origin (or
 * absent) Origin close both.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, Middleware } from 'koa';
import proxyaddr from 'proxy-addr';
import { ConfigError } from '../config.js';

/** A loopback address: 127.0.0.0/8, ::1, and IPv4-mapped 127.x. */
export function isLoopbackAddress(ip: string | undefined): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1';
}

/** The host name of a Host header ("localhost:3000", "[::1]:3000"), lower case, without the port. */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * A name that means this machine without asking DNS: "localhost" or a loopback address. Any other
 * name may be a rebinding name that resolves to 127.0.0.1 for an attacker's page.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  const name = hostName(host).replace(/\.$/, '');
  if (name === 'localhost') return true;
  return isIP(name) !== 0 && isLoopbackAddress(name);
}

/**
 * From this machine: a loopback client address (the real client behind a trusted proxy) and a
 * loopback Host. A proxy on this machine that is not named in TRUST_PROXY forwards public
 * requests from 127.0.0.1, but under its public name: those are not this machine.
 */
export function fromThisMachine(ctx: Context): boolean {
  return isLoopbackAddress(ctx.request.ip || ctx.req.socket.remoteAddress) && isLoopbackHost(publicHost(ctx));
}

/** The Host the client used: X-Forwarded-Host from a trusted proxy, else Host. */
export function publicHost(ctx: Context): string {
  return (ctx.state.forwardedHost as string | undefined) ?? ctx.get('host');
}

/** HTTPS between the client and us (or our trusted proxy). */
export function isSecure(ctx: Context): boolean {
  return (ctx.state.forwardedSecure as boolean | undefined) ?? ctx.secure;
}

/** Our origin as the browser sees it: scheme://host[:port]. */
export function ownOrigin(ctx: Context): string {
  return `${isSecure(ctx) ? 'https' : 'http'}://${publicHost(ctx).trim().toLowerCase()}`;
}

/**
 * The Origin a browser sent, judged against our own: 'same', 'absent' (scripts, curl: not a
 * browser's cross-site request, which always carries one on POST), or 'foreign' (another site,
 * or "null" from a sandboxed frame or a privacy-stripped request).
 */
export function originOf(ctx: Context): 'same' | 'absent' | 'foreign' {
  const origin = ctx.get('origin').trim().toLowerCase();
  if (!origin) return 'absent';
  return origin === ownOrigin(ctx) ? 'same' : 'foreign';
}

/** Authorization: Bearer <token>, compared in constant time. */
export function bearerMatches(ctx: Context, token: string | undefined): boolean {
  if (!token) return false;
  const given = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The media type of the body ("application/json"), without parameters. */
export function mediaType(ctx: Context): string {
  return ctx.get('content-type').split(';')[0]!.trim().toLowerCase();
}

/**
 * TRUST_PROXY: the reverse proxies whose X-Forwarded-For, -Proto and -Host are believed, as
 * addresses or CIDR ranges (and the names loopback, linklocal, uniquelocal), comma-separated.
 * Unset: the headers are ignored and the socket's address is the client.
 */
export function parseTrustProxy(spec: string | undefined): ((addr: string, i: number) => boolean) | null {
  const list = (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) return null;
  try {
    return proxyaddr.compile(list);
  } catch (e) {
    throw new ConfigError(`TRUST_PROXY: ${(e as Error).message} — give the proxy's addresses or ranges, e.g. TRUST_PROXY=127.0.0.1 or 10.0.0.0/8`);
  }
}

/**
 * Resolves the client behind trusted proxies: sets ctx.request.ip to the first untrusted address
 * of the chain, and notes the scheme and host the trusted proxy was asked for. Requests from
 * anyone else keep their socket address, whatever headers they send.
 */
export function trustProxy(spec: string | undefined): Middleware {
  const trust = parseTrustProxy(spec);
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (trust && trust(peer, 0)) {
      ctx.request.ip = proxyaddr(ctx.req, trust);
      const proto = ctx.get('x-forwarded-proto').split(',')[0]!.trim().toLowerCase();
      if (proto) ctx.state.forwardedSecure = proto === 'https';
      const host = ctx.get('x-forwarded-host').split(',')[0]!.trim();
      if (host) ctx.state.forwardedHost = host;
    } else {
      ctx.request.ip = peer;
    }
    await next();
  };
}

/** Paths of the sandbox: its page and its API. */
export function isSandboxPath(path: string): boolean {
  // The router matches paths case-insensitively and decoded: so must the guard.
  const p = normalisedPath(path);
  return p === '/sandbox' || p.startsWith('/sandbox/') || p === '/api/sandbox' || p.startsWith('/api/sandbox/');
}

/** A request path as the router matches it: decoded, lower-cased, without trailing slashes. */
function normalisedPath(path: string): string {
  let p: string;
  try {
    p = decodeURIComponent(path);
  } catch {
    p = path;
  }
  return p.toLowerCase().replace(/\/+$/, '');
}

/**
 * The sandbox is a local demo in which anyone may say they are the manager: it answers this
 * machine only, by a loopback name (not a rebinding name), never a request another site's page
 * sent (a foreign Origin), and takes bodies as application/json only, which a cross-site form or
 * no-cors fetch cannot send. Scripts on this machine (curl with -H 'content-type: application/json')
 * work as before.
 */
export function sandboxGuard(): Middleware {
  return async (ctx, next) => {
    if (!isSandboxPath(ctx.path)) return next();
    const refuse = (status: number, error: string) => {
      ctx.status = status;
      ctx.body = { error };
    };
    if (!isLoopbackAddress(ctx.request.ip || ctx.req.socket.remoteAddress)) {
      return refuse(403, 'the sandbox is a local demo and answers this machine only (use an SSH tunnel to try it from elsewhere)');
    }
    if (!isLoopbackHost(publicHost(ctx))) {
      return refuse(403, `the sandbox answers only by a loopback name (http://localhost:PORT or 127.0.0.1), not "${hostName(publicHost(ctx)).slice(0, 80)}"`);
    }
    if (originOf(ctx) === 'foreign') {
      return refuse(403, 'the sandbox does not take requests sent by another site (Origin)');
    }
    if (!['GET', 'HEAD', 'OPTIONS'].includes(ctx.method) && mediaType(ctx) !== 'application/json') {
      return refuse(415, 'send the body as JSON with Content-Type: application/json');
    }
    await next();
  };
}

/**
 * Paths that can hand over an account. GET /wechat/login serves the WeChat login QR code:
 * whoever scans it first owns the bot's WeChat session.
 */
export const ACCOUNT_PATHS: readonly string[] = ['/wechat/login'];

/** Who may see an account path: a dashboard session, the API token, or (neither configured) this machine. */
export interface AccountViewers {
  /** Whether dashboard logins or the API token are configured. */
  configured: boolean;
  /** The logged-in dashboard user of the request, or null. */
  whoIs(ctx: Context): Promise<string | null>;
}

function isAccountPath(path: string): boolean {
  const p = normalisedPath(path);
  return ACCOUNT_PATHS.some((a) => p === a || p.startsWith(`${a}/`));
}

/**
 * Guards ACCOUNT_PATHS: behind the dashboard's login or the API token; when neither is
 * configured, this machine only (by a loopback name). A browser without a session is sent to
 * the dashboard's login page, and back.
 */
export function accountGuard(opts: { viewers: AccountViewers; apiToken?: string }): Middleware {
  return async (ctx, next) => {
    if (!isAccountPath(ctx.path)) return next();
    ctx.set('Cache-Control', 'no-store');
    if (bearerMatches(ctx, opts.apiToken)) return next();
    if (opts.viewers.configured) {
      if (await opts.viewers.whoIs(ctx)) return next();
      if (ctx.method === 'GET' && ctx.get('accept').includes('text/html')) {
        ctx.redirect(`/dashboard/login?next=${encodeURIComponent(ctx.path)}`);
        return;
      }
      ctx.status = 401;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '请先登录管理看板 / log in to the dashboard (/dashboard/login) or send Authorization: Bearer <API_TOKEN>\n';
      return;
    }
    if (fromThisMachine(ctx)) return next();
    ctx.status = 403;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'this page can hand over the bot\'s account: it answers this machine only until a login is configured (DASHBOARD_USERS or API_TOKEN)\n';
  };
}
