/**
 * The dashboard's login pieces without a browser: scrypt password hashes,
 * DASHBOARD_USERS parsing, the login limiter, `cli hash-password`, and who may
 * read /metrics. Sessions and logins through the service: dashboard-login.test.ts.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoginLimiter, hashPassword, parseUsers, verifyPassword } from '../../src/web/dashboard/auth.js';
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

describe('the login limiter', () => {
  const limits = { perAddress: 3, perUser: 4, windowMs: 1000, maxKeys: 100 };
  it('counts an attempt when it starts: parallel attempts past the allowance are refused before any finishes', () => {
    const l = new LoginLimiter(limits);
    const taken = Array.from({ length: 10 }, () => l.take('1.2.3.4', 'li', 0));
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(l.take('1.2.3.4', 'wang', 10)).toBeNull(); // the address is used up, whatever the name
    expect(l.take('5.6.7.8', 'wang', 10)).not.toBeNull();
    expect(l.take('1.2.3.4', 'li', 1000)).not.toBeNull(); // the window passed
  });

  it('limits a user name across addresses, known or not', () => {
    const l = new LoginLimiter(limits);
    for (let i = 0; i < 4; i++) expect(l.take(`10.0.0.${i}`, 'Nobody', 0)).not.toBeNull();
    expect(l.take('10.0.0.9', 'nobody', 1)).toBeNull();
    expect(l.take('10.0.0.9', 'li', 1)).not.toBeNull();
    expect(l.retryAfter('10.0.0.9', 'nobody', 1)).toBe(1);
  });

  it('gives a successful attempt back, so an office behind one address can log in all day', () => {
    const l = new LoginLimiter(limits);
    for (let i = 0; i < 20; i++) l.take('1.2.3.4', `user${i}`, i)!.release();
    expect(l.take('1.2.3.4', 'li', 30)).not.toBeNull();
  });

  it('forgets the oldest names first when it holds too many', () => {
    const l = new LoginLimiter({ ...limits, maxKeys: 10 });
    for (let i = 0; i < 3; i++) l.take('1.1.1.1', 'target', 0);
    expect(l.take('1.1.1.2', 'target', 0)).not.toBeNull();
    for (let i = 0; i < 20; i++) l.take(`2.0.0.${i}`, `n${i}`, 1);
    expect(l.take('1.1.1.1', 'x', 2)).not.toBeNull();
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
