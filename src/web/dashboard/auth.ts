/**
 * The dashboard's login pieces: configured users with scrypt password hashes
 * (DASHBOARD_USERS="name:hash,name2:hash2", hashes from `cli hash-password`),
 * the decoy hash that gives unknown names the same work, and the attempt limiter.
 * Sessions are kept in the database (sessions.ts).
 */
import { ConfigError } from '../../config.js';
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

/** scrypt parameters of the "s1" hash format: N=2^15, r=8, p=1, 32-byte key, 16-byte salt. */
const S1 = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEYLEN = 32;

/** A password hash: "s1.<salt>.<key>" in base64url (no ":" or ",", so it fits DASHBOARD_USERS). */
export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  if (!password) throw new Error('the password is empty');
  const key = await scrypt(password, salt, KEYLEN, S1);
  return `s1.${salt.toString('base64url')}.${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = /^s1\.([A-Za-z0-9_-]{16,})\.([A-Za-z0-9_-]{40,})$/.exec(hash);
  if (!m) return false;
  const expected = Buffer.from(m[2]!, 'base64url');
  const key = await scrypt(password, Buffer.from(m[1]!, 'base64url'), expected.length, S1);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A bad DASHBOARD_USERS stops the service like any other configuration error. */
export class UsersError extends ConfigError {}

/** Parses DASHBOARD_USERS: "name:hash,name2:hash2". Names are 1–32 characters (letters, digits, Chinese, . _ -). */
export function parseUsers(spec: string | undefined): Map<string, string> {
  const users = new Map<string, string>();
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(':');
    const name = i > 0 ? part.slice(0, i).trim() : '';
    const hash = i > 0 ? part.slice(i + 1).trim() : '';
    if (!/^[\w.\-\u4e00-\u9fff]{1,32}$/.test(name)) throw new UsersError(`DASHBOARD_USERS: "${part.slice(0, 40)}" — write name:hash (make the hash with npm run --silent cli -- hash-password)`);
    if (!/^s1\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{40,}$/.test(hash)) throw new UsersError(`DASHBOARD_USERS: the hash of "${name}" is not one cli hash-password made (s1.…)`);
    if (users.has(name)) throw new UsersError(`DASHBOARD_USERS: "${name}" is listed twice`);
    users.set(name, hash);
  }
  return users;
}

export const SESSION_COOKIE = 'sb_dash';

/**
 * A hash of a random password nobody knows, checked when the user name is unknown, so an
 * unknown name costs the same scrypt work as a known one (no user enumeration by timing).
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoy;
}

export interface LoginLimits {
  /** Attempts per client address within the window. */
  perAddress: number;
  /** Attempts per user name (known or not) within the window, from all addresses together. */
  perUser: number;
  windowMs: number;
  /** Most addresses and names remembered; the oldest are forgotten first. */
  maxKeys: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAddress: 10, perUser: 10, windowMs: 15 * 60_000, maxKeys: 50_000 };

/**
 * Login attempts, counted when an attempt starts, before its password is checked: forty
 * parallel tries are forty attempts at once, not forty checks that each saw no failure yet.
 * A successful attempt is given back (people behind one office address log in all morning);
 * failed and unfinished ones count until the window passes.
 */
export class LoginLimiter {
  private readonly seen = new Map<string, number[]>();
  constructor(readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {}

  private recent(key: string, now: number): number[] {
    const list = (this.seen.get(key) ?? []).filter((t) => now - t < this.limits.windowMs);
    if (list.length) this.seen.set(key, list);
    else this.seen.delete(key);
    return list;
  }

  /**
   * Takes an attempt for this address and user name. Null when either has used its allowance
   * (nothing is taken then); else a release() to call when the attempt succeeded.
   */
  take(ip: string, user: string, now = Date.now()): null | { release(): void } {
    const keys = [`ip:${ip}`, `user:${user.trim().toLowerCase().slice(0, 64)}`];
    const caps = [this.limits.perAddress, this.limits.perUser];
    if (keys.some((k, i) => this.recent(k, now).length >= caps[i]!)) return null;
    for (const k of keys) {
      const list = this.recent(k, now);
      this.seen.delete(k); // re-inserted last: the map's order is the order of last use
      this.seen.set(k, [...list, now]);
    }
    while (this.seen.size > this.limits.maxKeys) this.seen.delete(this.seen.keys().next().value!);
    return {
      release: () => {
        for (const k of keys) {
          const list = this.seen.get(k);
          const i = list?.lastIndexOf(now) ?? -1;
          if (list && i >= 0) list.splice(i, 1);
        }
      },
    };
  }

  /** Seconds until this address or name may try again (for Retry-After). */
  retryAfter(ip: string, user: string, now = Date.now()): number {
    const lists = [this.recent(`ip:${ip}`, now), this.recent(`user:${user.trim().toLowerCase().slice(0, 64)}`, now)];
    const oldest = Math.max(...lists.map((l) => l[0] ?? now));
    return Math.max(1, Math.ceil((oldest + this.limits.windowMs - now) / 1000));
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
