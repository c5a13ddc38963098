/**
 * The dashboard's login pieces without a browser: scrypt password hashes,
 * DASHBOARD_USERS parsing, signed session cookies (tampered or expired ones
 * refused), the login throttle, `cli hash-password`, and who may read /metrics.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoginThrottle, SessionSigner, hashPassword, parseUsers, verifyPassword } from '../../src/web/dashboard/auth.js';
import { esc, html } from '../../src/web/dashboard/html.js';
import { createMetrics } from '../../src/web/metrics.js';
import type { Db } from '../../src/store/types.js';

describe('passwords and users', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^s1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(h).not.toContain(':');
    expect(await hashPassword('correct horse')).not.toBe(h); // salted
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('correct hors', h)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain')).toBe(false);
  });

  it('parses DASHBOARD_USERS and says what is wrong', async () => {
    const h = await hashPassword('pw-123456');
    expect([...parseUsers(` 李经理:${h} , wang:${h}`).keys()]).toEqual(['李经理', 'wang']);
    expect(parseUsers(undefined).size).toBe(0);
    expect(() => parseUsers('li')).toThrow(/name:hash/);
    expect(() => parseUsers('li:secret')).toThrow(/hash-password/);
    expect(() => parseUsers(`li:${h},li:${h}`)).toThrow(/twice/);
  });
});

describe('session cookies', () => {
  it('accept what they signed until it expires, nothing forged', () => {
    const T = Date.parse('2026-11-24T02:00:00Z');
    const s = new SessionSigner('a secret of sixteen+', 60_000);
    const v = s.sign('李经理', T);
    expect(s.verify(v, T + 1)).toEqual({ user: '李经理', expires: T + 60_000 });
    expect(s.verify(v, T + 60_000)).toBeNull();
    const [u, exp, mac] = v.split('.');
    expect(s.verify(`${Buffer.from('王总').toString('base64url')}.${exp}.${mac}`, T + 1)).toBeNull();
    expect(s.verify(`${u}.${Number(exp) + 1000}.${mac}`, T + 1)).toBeNull();
    expect(new SessionSigner('another secret!!!!').verify(v, T + 1)).toBeNull();
    expect(s.verify(undefined)).toBeNull();
    expect(s.verify('garbage')).toBeNull();
  });

  it('throttles an address after repeated failures', () => {
    const t = new LoginThrottle(3, 1000);
    for (let i = 0; i < 3; i++) t.fail('1.2.3.4', 0);
    expect(t.blocked('1.2.3.4', 10)).toBe(true);
    expect(t.blocked('5.6.7.8', 10)).toBe(false);
    expect(t.blocked('1.2.3.4', 2000)).toBe(false);
  });
});

describe('html', () => {
  it('escapes interpolated text and attribute values', () => {
    expect(esc(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    expect(html`<td title="${'"><script>'}">${'<b>'}</td>`.html).toBe('<td title="&quot;&gt;&lt;script&gt;">&lt;b&gt;</td>');
    expect(html`<p>${html`<b>ok</b>`}${['<i>', html`<i>`]}</p>`.html).toBe('<p><b>ok</b>&lt;i&gt;<i></p>');
  });
});

describe('cli hash-password', () => {
  it('prints a DASHBOARD_USERS entry for a password on stdin', async () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(tsx, ['src/cli.ts', 'hash-password', '--user', 'li'], (e, stdout) => (e ? reject(e) : resolve(stdout)));
      child.stdin!.end('a-long-password\n');
    });
    const [user, hash] = out.trim().split(':');
    expect(user).toBe('li');
    expect(await verifyPassword('a-long-password', hash!)).toBe(true);
    const short = await new Promise<number | null>((resolve) => {
      const child = execFile(tsx, ['src/cli.ts', 'hash-password'], (e) => resolve((e as { code?: number } | null)?.code ?? 0));
      child.stdin!.end('short\n');
    });
    expect(short).toBe(2);
  }, 60_000);
});

describe('/metrics access', () => {
  const db = {} as Db;
  const metrics = createMetrics({ db, clock: { now: () => new Date() }, apiToken: 'a-token-of-16-chars', processMetrics: false });
  const call = async (ip: string, auth = '') => {
    const headers: Record<string, string> = {};
    const ctx = { path: '/metrics', method: 'GET', request: { ip }, req: { socket: {} }, get: () => auth, set: (k: string, v: string) => (headers[k] = v), status: 200, body: undefined as unknown, type: '' };
    await metrics.middleware(ctx as never, async () => {});
    return ctx;
  };
  it('refuses other machines without the token', async () => {
    expect((await call('10.0.0.7')).status).toBe(403);
    expect((await call('10.0.0.7', 'Bearer wrong-token-of-16ch')).status).toBe(403);
  });
});
