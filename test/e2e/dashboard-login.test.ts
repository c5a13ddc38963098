/**
 * Logging in to the dashboard, tried as an attacker would, through the real
 * service: parallel guessing is limited per address and per user (attempts count
 * before the password is checked), an unknown user costs the same time as a
 * known one, sessions live in the database (logout and a password change end
 * them, a restart does not), the cookie is Secure behind a trusted proxy (and
 * forwarded headers count only from it), and every POST must come from our page.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/web/dashboard/auth.js';
import { raw, type RawResponse } from '../support/raw-http.js';
import { startTestService, type TestService } from '../support/service.js';

const PASSWORD = 'li-jingli-2026!';
const SECRET = 'a-dashboard-secret-of-32-characters';
let users = '';
let svc: TestService;
let dir: string;

beforeAll(async () => {
  const names = ['李经理', 'u1', 'u2', 't1', 't2', 't3', 't4', 't5', 't6'];
  users = (await Promise.all(names.map(async (n) => `${n}:${await hashPassword(PASSWORD)}`))).join(',');
  svc = await startTestService({ env: { DASHBOARD_USERS: users, DASHBOARD_SECRET: SECRET } });
  dir = svc.dir;
}, 60_000);
afterAll(async () => {
  await svc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
function login(s: TestService, user: string, password: string, o: { ip?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return raw(`${s.url}/dashboard/login`, {
    method: 'POST',
    headers: { ...FORM, origin: s.url, ...o.headers },
    body: new URLSearchParams({ user, password, next: '/dashboard/tickets' }).toString(),
    ...(o.ip ? { localAddress: o.ip } : {}),
  });
}
function cookieOf(r: RawResponse): string | undefined {
  const c = (r.headers['set-cookie'] ?? []).find((x) => x.startsWith('sb_dash='));
  return c?.split(';')[0];
}
const page = (s: TestService, cookie: string, path = '/dashboard/tickets') => raw(`${s.url}${path}`, { headers: { cookie } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('guessing passwords', () => {
  it('forty parallel wrong passwords: ten are checked, thirty get 429, and the right one is refused after them', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(svc, 'u1', `wrong-${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(results.find((r) => r.status === 429)!.headers['retry-after']).toMatch(/^\d+$/);
    // The user name is used up, from any address: the right password waits too.
    const right = await login(svc, 'u1', PASSWORD, { ip: '127.0.0.5' });
    expect(right.status).toBe(429);
    expect(cookieOf(right)).toBeUndefined();
  });

  it('one address trying many names is limited too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(svc, `nobody${i}`, 'x', { ip: '127.0.0.6' })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    // Another address may still log in.
    expect((await login(svc, 'u2', PASSWORD, { ip: '127.0.0.7' })).status).toBe(302);
  });

  it('a forged X-Forwarded-For from a client that is not a trusted proxy changes nothing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(svc, `forger${i}`, 'x', { ip: '127.0.0.8', headers: { 'x-forwarded-for': `203.0.113.${i}` } })).status);
    expect(statuses[10]).toBe(429);
  });

  it('an unknown user takes as long as a known one with a wrong password (no enumeration by timing)', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 1; i <= 6; i++) {
      // Different names and addresses, so the limiter stays out of it; known and unknown interleaved.
      let t = performance.now();
      expect((await login(svc, `t${i}`, 'not the password', { ip: `127.0.1.${i}` })).status).toBe(401);
      known.push(performance.now() - t);
      t = performance.now();
      expect((await login(svc, `ghost${i}`, 'not the password', { ip: `127.0.2.${i}` })).status).toBe(401);
      unknown.push(performance.now() - t);
    }
    // The password check (scrypt) is most of a login: without it an unknown name answers ~50× faster.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    expect(median(unknown)).toBeLessThan(median(known) * 2);
  });
});

describe('sessions kept on the server', () => {
  it('logout ends the session: the old cookie is refused afterwards', async () => {
    const r = await login(svc, '李经理', PASSWORD, { ip: '127.0.3.1' });
    expect(r.status).toBe(302);
    const cookie = cookieOf(r)!;
    expect(r.headers['set-cookie']!.join()).toMatch(/HttpOnly/i);
    expect((await page(svc, cookie)).status).toBe(200);
    const out = await raw(`${svc.url}/dashboard/logout`, { method: 'POST', headers: { ...FORM, origin: svc.url, cookie }, body: '' });
    expect(out.status).toBe(302);
    const again = await page(svc, cookie);
    expect(again.status).toBe(302);
    expect(again.headers.location).toMatch(/^\/dashboard\/login/);
    expect(await svc.db.dashboardSession.count({ where: { user: '李经理' } })).toBe(0);
  });

  it('the cookie holds a random token; the table holds its hash, never the token', async () => {
    const cookie = cookieOf(await login(svc, '李经理', PASSWORD, { ip: '127.0.3.2' }))!;
    const token = cookie.split('=')[1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await svc.db.dashboardSession.findMany({ where: { user: '李经理' } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('a restart keeps sessions; a new password ends the ones opened with the old one', async () => {
    const cookie = cookieOf(await login(svc, '李经理', PASSWORD, { ip: '127.0.3.3' }))!;
    await svc.stop();
    svc = await startTestService({ dir, env: { DASHBOARD_USERS: users, DASHBOARD_SECRET: SECRET } });
    expect((await page(svc, cookie)).status).toBe(200);

    await svc.stop();
    const NEW = 'a-new-password-2027';
    const changed = users.replace(/^李经理:[^,]+/, `李经理:${await hashPassword(NEW)}`);
    svc = await startTestService({ dir, env: { DASHBOARD_USERS: changed, DASHBOARD_SECRET: SECRET } });
    expect((await page(svc, cookie)).status).toBe(302);
    expect(await svc.db.dashboardSession.count({ where: { user: '李经理' } })).toBe(0);
    const fresh = await login(svc, '李经理', NEW, { ip: '127.0.3.4' });
    expect(fresh.status).toBe(302);
    expect((await page(svc, cookieOf(fresh)!)).status).toBe(200);
    // Restore the original users for the tests after this one.
    await svc.stop();
    svc = await startTestService({ dir, env: { DASHBOARD_USERS: users, DASHBOARD_SECRET: SECRET } });
  }, 60_000);
});

describe('every POST comes from our own page', () => {
  it('a login posted by another site is refused, even with the right password', async () => {
    for (const origin of ['http://evil.example', 'null', `https://127.0.0.1:${new URL(svc.url).port}`]) {
      const r = await login(svc, '李经理', PASSWORD, { ip: '127.0.4.1', headers: { origin } });
      expect(r.status, origin).toBe(403);
      expect(cookieOf(r)).toBeUndefined();
    }
    // No Origin: the Referer must be one of our pages; with neither, refused.
    const noOrigin = (headers: Record<string, string>) =>
      raw(`${svc.url}/dashboard/login`, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams({ user: '李经理', password: PASSWORD }).toString(), localAddress: '127.0.4.2' });
    expect((await noOrigin({})).status).toBe(403);
    expect((await noOrigin({ referer: 'http://evil.example/dashboard/login' })).status).toBe(403);
    expect((await noOrigin({ referer: `${svc.url}/dashboard/login` })).status).toBe(302);
  });

  it('a logout posted by another site does not end the session', async () => {
    const cookie = cookieOf(await login(svc, '李经理', PASSWORD, { ip: '127.0.4.3' }))!;
    const r = await raw(`${svc.url}/dashboard/logout`, { method: 'POST', headers: { ...FORM, origin: 'http://evil.example', cookie }, body: '' });
    expect(r.status).toBe(403);
    expect((await page(svc, cookie)).status).toBe(200);
  });
});

describe('behind a reverse proxy', () => {
  it('the cookie is Secure when the trusted proxy (TRUST_PROXY) says the client used HTTPS, and not otherwise', async () => {
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'desk.example.com', 'x-forwarded-for': '198.51.100.7', origin: 'https://desk.example.com' };
    const behind = await startTestService({ env: { DASHBOARD_USERS: users, TRUST_PROXY: '127.0.0.1' } });
    try {
      const r = await login(behind, '李经理', PASSWORD, { headers: proxied });
      expect(r.status).toBe(302);
      expect(r.headers['set-cookie']!.find((c) => c.startsWith('sb_dash='))).toMatch(/;\s*secure/i);
      // Forwarded addresses count from the trusted proxy: ten guesses from one client…
      for (let i = 0; i < 10; i++) await login(behind, `guess${i}`, 'x', { headers: { ...proxied, 'x-forwarded-for': '198.51.100.8' } });
      expect((await login(behind, 'guess-x', 'x', { headers: { ...proxied, 'x-forwarded-for': '198.51.100.8' } })).status).toBe(429);
      // …do not lock out another client behind the same proxy.
      expect((await login(behind, '李经理', PASSWORD, { headers: { ...proxied, 'x-forwarded-for': '198.51.100.9' } })).status).toBe(302);
      // A proxy in front of the service is not "this machine": no dashboard without a login.
      expect((await raw(`${behind.url}/dashboard/tickets`, { headers: { 'x-forwarded-for': '198.51.100.9', 'x-forwarded-host': 'desk.example.com' } })).status).toBe(302);
    } finally {
      await behind.close();
    }
    // Without TRUST_PROXY the forwarded scheme is ignored.
    const r = await login(svc, '李经理', PASSWORD, { ip: '127.0.5.1', headers: { 'x-forwarded-proto': 'https' } });
    expect(r.status).toBe(302);
    expect(r.headers['set-cookie']!.find((c) => c.startsWith('sb_dash='))).not.toMatch(/secure/i);
  }, 60_000);
});
