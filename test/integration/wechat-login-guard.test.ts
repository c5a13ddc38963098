/**
 * GET /wechat/login serves the QR code that logs the bot's WeChat account in:
 * whoever scans it first owns the session. Through the real service with
 * wechaty on its mock puppet showing a QR code: it is served behind the
 * dashboard's login or the API token, and to this machine only without them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ScanStatus } from 'wechaty';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { MentionPuppetMock } from '../support/wechat/mock-puppet.js';
import { WECHAT_LOGIN_PATH } from '../../src/channels/wechat/login-page.js';
import { ACCOUNT_PATHS } from '../../src/web/access.js';
import { hashPassword } from '../../src/web/dashboard/auth.js';
import { raw } from '../support/raw-http.js';

const TOKEN = 'an-api-token-of-32-characters-xx';
let svc: Service | undefined;
let dir: string | undefined;
afterEach(async () => {
  await svc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  svc = undefined;
});

/** The real service with WeChat on the mock puppet, showing a login QR code. */
async function startShowingQr(env: Record<string, string> = {}): Promise<Service> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-wxlogin-'));
  const config = loadConfig({ PATH: process.env.PATH, DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', SANDBOX: '0', LOG_LEVEL: 'silent', ...env });
  const puppet = new MentionPuppetMock();
  svc = await startService(config, { background: false, log: pino({ level: 'silent' }), wechatPuppet: puppet });
  puppet.emit('scan', { qrcode: 'https://login.weixin.qq.com/l/secret-session', status: ScanStatus.Waiting });
  await expect.poll(async () => (await raw(`${svc!.url}${WECHAT_LOGIN_PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } })).headers['content-type'], { timeout: 10_000 }).toBeDefined();
  return svc;
}
const isQr = (r: { status: number; headers: Record<string, unknown> }) => r.status === 200 && r.headers['content-type'] === 'image/png';

describe('/wechat/login', () => {
  it('is one of the guarded account paths', () => {
    expect(ACCOUNT_PATHS).toContain(WECHAT_LOGIN_PATH);
  });

  it('without a login configured: this machine only, never a request by another name or through a proxy', async () => {
    const s = await startShowingQr();
    expect(isQr(await raw(`${s.url}/wechat/login`))).toBe(true);
    for (const headers of [{ host: 'bot.example.com' }, { host: 'rebind.evil.example:80' }, { host: 'bot.example.com', 'x-forwarded-for': '127.0.0.1' }] as Array<Record<string, string>>) {
      const r = await raw(`${s.url}/wechat/login`, { headers });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.headers['content-type']).not.toBe('image/png');
      expect(r.body).toMatch(/this machine only/);
    }
    // Spelled another way, the path is still guarded.
    for (const p of ['/wechat/login/', '/WECHAT/login', '/wechat/%6Cogin']) expect((await raw(`${s.url}${p}`, { headers: { host: 'bot.example.com' } })).status, p).not.toBe(200);
  }, 60_000);

  it('with a login configured: the dashboard session or the API token, from anywhere; nobody else, not even this machine', async () => {
    const s = await startShowingQr({ API_TOKEN: TOKEN, DASHBOARD_USERS: `李经理:${await hashPassword('pw-of-li-2026')}` });
    // No credentials, even locally: a browser goes to the login page, anything else gets 401.
    const browser = await raw(`${s.url}/wechat/login`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe('/dashboard/login?next=%2Fwechat%2Flogin');
    const img = await raw(`${s.url}/wechat/login`, { headers: { accept: 'image/png' } });
    expect(img.status).toBe(401);
    expect((await raw(`${s.url}/wechat/login`, { headers: { authorization: 'Bearer wrong-token-of-32-characters-xxx' } })).status).toBe(401);
    // The API token.
    expect(isQr(await raw(`${s.url}/wechat/login`, { headers: { host: 'bot.example.com', authorization: `Bearer ${TOKEN}` } }))).toBe(true);
    // The dashboard's session, and the login page sends the browser back to the QR code.
    const login = await raw(`${s.url}/dashboard/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.url },
      body: new URLSearchParams({ user: '李经理', password: 'pw-of-li-2026', next: '/wechat/login' }).toString(),
    });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/wechat/login');
    const cookie = login.headers['set-cookie']!.find((c) => c.startsWith('sb_dash='))!.split(';')[0]!;
    expect(isQr(await raw(`${s.url}/wechat/login`, { headers: { cookie, host: 'bot.example.com' } }))).toBe(true);
  }, 60_000);
});
