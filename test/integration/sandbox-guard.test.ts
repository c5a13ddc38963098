/**
 * The sandbox is a local demo: a page in the operator's browser cannot drive it
 * (no cross-site form or no-cors POST, no foreign Origin, no DNS-rebinding Host),
 * scripts on this machine still can, and it never runs beside a real channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startService } from '../../src/main.js';
import { feishuEnv } from '../support/feishu-events.js';
import { raw } from '../support/raw-http.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.close());

// What a hostile page would post: the manager cancelling a ticket would do as well.
const report = JSON.stringify({ chat: 'demo', from: PEOPLE.customer, text: '小寨站 3号闸机刷卡没反应 电话13800138000' });
const port = () => new URL(svc.url).port;
const stored = () => svc.db.sandboxMessage.count();

describe('the sandbox API refuses what a hostile page can send', () => {
  it('a text/plain body (a cross-site no-cors fetch or a form) is refused with 415, nothing stored', async () => {
    const before = await stored();
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await raw(`${svc.url}/api/sandbox/messages`, { method: 'POST', headers: { 'content-type': type }, body: report });
      expect(r.status, type).toBe(415);
      expect(r.json().error).toMatch(/application\/json/);
    }
    const r = await raw(`${svc.url}/api/sandbox/messages`, { method: 'POST', body: report });
    expect(r.status).toBe(415);
    expect(await stored()).toBe(before);
  });

  it('the path written in other case or percent-encoded is guarded too (the router would match it)', async () => {
    const before = await stored();
    for (const p of ['/API/Sandbox/messages', '/api/%73andbox/messages', '/api/sandbox/messages/']) {
      const r = await raw(`${svc.url}${p}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: report });
      expect(r.status, p).toBe(415);
    }
    expect(await stored()).toBe(before);
  });

  it('a foreign Origin is refused, also with a JSON body; "null" too', async () => {
    const before = await stored();
    for (const origin of ['http://evil.example', 'null', `http://localhost:${Number(port()) + 1}`, `https://127.0.0.1:${port()}`]) {
      const r = await raw(`${svc.url}/api/sandbox/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: report });
      expect(r.status, origin).toBe(403);
      expect(r.json().error).toMatch(/another site/);
    }
    const clock = await raw(`${svc.url}/api/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{"advanceMinutes":60}' });
    expect(clock.status).toBe(403);
    expect(await stored()).toBe(before);
  });

  it('a Host that is not a loopback name (DNS rebinding) is refused, for the page and the API', async () => {
    const before = await stored();
    for (const host of ['evil.example', `rebind.evil.example:${port()}`, `127.0.0.1.nip.io:${port()}`, 'localhost.evil.example']) {
      const post = await raw(`${svc.url}/api/sandbox/messages`, { method: 'POST', headers: { host, 'content-type': 'application/json' }, body: report });
      expect(post.status, host).toBe(403);
      expect(post.json().error).toMatch(/loopback name/);
      expect((await raw(`${svc.url}/sandbox`, { headers: { host } })).status, host).toBe(403);
      expect((await raw(`${svc.url}/api/sandbox/messages?chat=demo`, { headers: { host } })).status, host).toBe(403);
      // The rest of the localhost-only API refuses a rebinding name too.
      expect((await raw(`${svc.url}/api/tickets`, { headers: { host } })).status, host).toBe(403);
    }
    expect(await stored()).toBe(before);
  });

  it('scripts on this machine keep working: JSON, no Origin, by localhost, 127.0.0.1 or [::1]; and the page itself (same Origin)', async () => {
    for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`, `[::1]:${port()}`]) {
      const r = await raw(`${svc.url}/api/sandbox/messages`, { method: 'POST', headers: { host, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ chat: 'demo', from: PEOPLE.customer, text: '好的' }) });
      expect(r.status, host).toBe(201);
    }
    const page = await raw(`${svc.url}/api/sandbox/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port()}` }, body: report });
    expect(page.status).toBe(201);
    expect((await raw(`${svc.url}/sandbox`)).status).toBe(200);
    expect(await svc.db.ticket.count()).toBe(1);
  });
});

describe('the sandbox never runs beside a real channel', () => {
  const base = { PATH: process.env.PATH, DATABASE_URL: 'file:/tmp/unused.db', LOG_LEVEL: 'silent' };
  it('SANDBOX=1 with Feishu credentials stops the start, saying why', () => {
    for (const on of ['1', 'true', 'yes']) {
      expect(() => loadConfig({ ...base, ...feishuEnv('http://127.0.0.1:9'), SANDBOX: on })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ ...base, ...feishuEnv('http://127.0.0.1:9'), SANDBOX: '1' })).toThrow(/SANDBOX is on beside Feishu: .*act on the real tickets/);
    expect(() => loadConfig({ ...base, WECHATY_PUPPET: 'wechaty-puppet-service', SANDBOX: '1' })).toThrow(/SANDBOX is on beside WeChat/);
    expect(() => loadConfig({ ...base, ...feishuEnv('http://127.0.0.1:9'), WECHATY_PUPPET: 'wechaty-puppet-service', SANDBOX: 'true' })).toThrow(/beside Feishu and WeChat/);
  });

  it('without SANDBOX a real channel turns the sandbox off; SANDBOX=0 is accepted', () => {
    expect(loadConfig({ ...base, ...feishuEnv('http://127.0.0.1:9') }).sandbox).toBe(false);
    expect(loadConfig({ ...base, ...feishuEnv('http://127.0.0.1:9'), SANDBOX: '0' }).sandbox).toBe(false);
    expect(loadConfig({ ...base }).sandbox).toBe(true);
  });

  it('a channel the configuration does not name (a puppet passed in) is caught at start too', async () => {
    const config = loadConfig({ ...base, DATABASE_URL: `file:${svc.dir}/other.db`, DATA_DIR: svc.dir, PORT: '0', SANDBOX: '1' });
    const { MentionPuppetMock } = await import('../support/wechat/mock-puppet.js');
    await expect(startService(config, { listen: false, background: false, log: pino({ level: 'silent' }), wechatPuppet: new MentionPuppetMock() })).rejects.toThrow(/SANDBOX is on beside wechat/);
  });
});
