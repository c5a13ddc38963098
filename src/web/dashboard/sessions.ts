/**
 * Dashboard logins and their sessions, kept in the database (DashboardSession):
 * the cookie holds a random token, the table its SHA-256, the user and a
 * fingerprint of the credential the login used. Logout deletes the row; a new
 * password (or API token) changes the fingerprint, which ends every session
 * opened with the old one, on every replica and across restarts.
 *
 * A login counts as an attempt before its password is checked (per address and
 * per user name), and an unknown name costs the same scrypt work as a known one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Db } from '../../store/types.js';
import { isSecure } from '../access.js';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, SESSION_COOKIE, decoyHash, parseUsers, safeEqual, verifyPassword, type LoginLimits } from './auth.js';

export interface DashboardLoginsOptions {
  db: Db;
  /** DASHBOARD_USERS: "name:hash,…". */
  users?: string;
  apiToken?: string;
  /** How long a session lasts (default 12 hours). */
  ttlMs?: number;
  limits?: LoginLimits;
}

export type LoginOutcome = { ok: true; user: string; token: string } | { ok: false; reason: 'throttled'; retryAfter: number } | { ok: false; reason: 'wrong' };

/** The user name a login with the API token gets. */
export const TOKEN_USER = 'token';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class DashboardLogins {
  readonly users: Map<string, string>;
  readonly ttlMs: number;
  private readonly limiter: LoginLimiter;

  constructor(private readonly opts: DashboardLoginsOptions) {
    this.users = parseUsers(opts.users);
    this.ttlMs = opts.ttlMs ?? 12 * 3600_000;
    this.limiter = new LoginLimiter(opts.limits ?? DEFAULT_LOGIN_LIMITS);
    void decoyHash(); // computed now, not during the first login
  }

  /** Whether anyone can log in (users or the API token); else the dashboard answers this machine only. */
  get configured(): boolean {
    return this.users.size > 0 || Boolean(this.opts.apiToken);
  }

  /** A fingerprint of what a user logs in with now; null for a user no longer configured. */
  credentialOf(user: string): string | null {
    if (user === TOKEN_USER) return this.opts.apiToken ? sha256(`token\0${this.opts.apiToken}`) : null;
    const hash = this.users.get(user);
    return hash ? sha256(`password\0${hash}`) : null;
  }

  /**
   * Checks a login form. The attempt is counted first; the password is checked against the
   * user's hash, or the decoy hash when the name is unknown (the same work either way).
   */
  async login(form: { user: string; password: string; token: string }, ip: string, now = new Date()): Promise<LoginOutcome> {
    const viaToken = Boolean(form.token);
    const name = viaToken ? TOKEN_USER : form.user.trim();
    const attempt = this.limiter.take(ip, name, now.getTime());
    if (!attempt) return { ok: false, reason: 'throttled', retryAfter: this.limiter.retryAfter(ip, name, now.getTime()) };
    let ok: boolean;
    if (viaToken) {
      ok = Boolean(this.opts.apiToken) && safeEqual(form.token, this.opts.apiToken!);
    } else {
      const hash = this.users.get(name);
      const matches = await verifyPassword(form.password, hash ?? (await decoyHash()));
      ok = Boolean(name) && hash !== undefined && matches;
    }
    if (!ok) return { ok: false, reason: 'wrong' };
    attempt.release();
    const token = randomBytes(32).toString('base64url');
    await this.opts.db.dashboardSession.create({
      data: { id: sha256(token), user: name, credential: this.credentialOf(name)!, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlMs) },
    });
    return { ok: true, user: name, token };
  }

  /** The user of a session token, or null: unknown, expired, or opened with a credential since changed. */
  async userOf(token: string | undefined, now = new Date()): Promise<string | null> {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const row = await this.opts.db.dashboardSession.findUnique({ where: { id: sha256(token) } });
    if (!row) return null;
    const current = this.credentialOf(row.user);
    if (row.expiresAt <= now || !current || !safeEqual(current, row.credential)) {
      await this.opts.db.dashboardSession.deleteMany({ where: { id: row.id } });
      return null;
    }
    return row.user;
  }

  /** The logged-in user of a request (its session cookie), or null. */
  whoIs(ctx: Context): Promise<string | null> {
    return this.userOf(ctx.cookies.get(SESSION_COOKIE));
  }

  /** Sets the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS (also behind a trusted proxy). */
  setCookie(ctx: Context, token: string): void {
    const secure = isSecure(ctx);
    if (secure) ctx.cookies.secure = true; // the connection to the proxy may be plain HTTP
    ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: this.ttlMs, overwrite: true });
  }

  /** Logout: the session row goes, so the cookie is worth nothing even if it was copied. */
  async logout(ctx: Context): Promise<void> {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) await this.opts.db.dashboardSession.deleteMany({ where: { id: sha256(token) } });
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0, overwrite: true });
  }

  /** Ends every session of a user (after a password change made elsewhere, or on request). */
  async endSessionsOf(user: string): Promise<number> {
    return (await this.opts.db.dashboardSession.deleteMany({ where: { user } })).count;
  }

  /** At start: sessions expired, of users removed, or opened with a credential since changed, are deleted. */
  async purgeStale(now = new Date()): Promise<number> {
    let gone = (await this.opts.db.dashboardSession.deleteMany({ where: { expiresAt: { lte: now } } })).count;
    const users = await this.opts.db.dashboardSession.findMany({ distinct: ['user'], select: { user: true } });
    for (const { user } of users) {
      const current = this.credentialOf(user);
      gone += (await this.opts.db.dashboardSession.deleteMany({ where: current ? { user, credential: { not: current } } : { user } })).count;
    }
    return gone;
  }
}
