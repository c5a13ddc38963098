/**
 * The dashboard's login: configured users with scrypt password hashes
 * (DASHBOARD_USERS="name:hash,name2:hash2", hashes from `cli hash-password`),
 * or the API token. A login sets a session cookie signed with HMAC-SHA256
 * (HttpOnly, SameSite=Lax, Secure over HTTPS) that expires on its own.
 */
import { ConfigError } from '../../config.js';
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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

export interface Session {
  user: string;
  expires: number;
}

/** Signs and checks session cookie values: base64url(user).expiry.hmac. */
export class SessionSigner {
  private readonly key: Buffer;
  constructor(
    secret: string | Buffer | undefined,
    readonly ttlMs = 12 * 3600_000,
  ) {
    this.key = secret ? createHmac('sha256', 'servicebot-dashboard').update(secret).digest() : randomBytes(32);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  sign(user: string, now = Date.now()): string {
    const payload = `${Buffer.from(user).toString('base64url')}.${now + this.ttlMs}`;
    return `${payload}.${this.mac(payload)}`;
  }

  verify(value: string | undefined, now = Date.now()): Session | null {
    const m = /^([A-Za-z0-9_-]+)\.(\d{10,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (!m) return null;
    const payload = `${m[1]}.${m[2]}`;
    const a = Buffer.from(this.mac(payload));
    const b = Buffer.from(m[3]!);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    const expires = Number(m[2]);
    if (expires <= now) return null;
    return { user: Buffer.from(m[1]!, 'base64url').toString('utf8'), expires };
  }
}

/** Failed logins per address: after `max` in `windowMs`, logins from there wait. */
export class LoginThrottle {
  private readonly fails = new Map<string, number[]>();
  constructor(
    private readonly max = 10,
    private readonly windowMs = 10 * 60_000,
  ) {}
  blocked(ip: string, now = Date.now()): boolean {
    const recent = (this.fails.get(ip) ?? []).filter((t) => now - t < this.windowMs);
    this.fails.set(ip, recent);
    return recent.length >= this.max;
  }
  fail(ip: string, now = Date.now()): void {
    const list = this.fails.get(ip) ?? [];
    list.push(now);
    this.fails.set(ip, list);
    if (this.fails.size > 10_000) this.fails.clear();
  }
  ok(ip: string): void {
    this.fails.delete(ip);
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
