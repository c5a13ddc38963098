import type { AddressInfo } from 'node:net';

import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';

import type { WechatLoginState } from '../../src/channels/wechat/adapter.js';
import { wechatLoginPage } from '../../src/channels/wechat/login-page.js';

let server: ReturnType<Koa['listen']> | undefined;
afterEach(() => server?.close());

async function get(source: (() => WechatLoginState) | undefined, urlPath = '/wechat/login') {
  const app = new Koa();
  app.use(wechatLoginPage(source));
  app.use((ctx) => {
    ctx.body = 'next';
  });
  server = app.listen(0);
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

describe('GET /wechat/login', () => {
  it('shows the current QR code as a PNG', async () => {
    const r = await get(() => ({ state: 'scan', qrcode: 'https://login.weixin.qq.com/l/abc', scanStatus: 'waiting' }));
    expect(r.status).toBe(200);
    expect(r.type).toBe('image/png');
    expect(r.body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  });
  it('says 已登录 when logged in', async () => {
    const r = await get(() => ({ state: 'logged_in', userId: 'u', userName: '售后小助手', since: new Date() }));
    expect(r.status).toBe(200);
    expect(r.body.toString('utf8')).toBe('已登录 / logged in: 售后小助手');
  });
  it('says not configured when WeChat is off', async () => {
    const r = await get(undefined);
    expect(r.status).toBe(404);
    expect(r.body.toString('utf8')).toContain('not configured');
  });
  it('leaves other paths alone', async () => {
    const r = await get(undefined, '/healthz');
    expect(r.body.toString('utf8')).toBe('next');
  });
});

describe('wechatConfigured', () => {
  it('is off unless a puppet is named', async () => {
    const { wechatConfigured, wechatConfigFromEnv } = await import('../../src/channels/wechat/adapter.js');
    expect(wechatConfigured({})).toBe(false);
    expect(wechatConfigured({ WECHATY_PUPPET: '' })).toBe(false);
    expect(wechatConfigured({ WECHATY_PUPPET: 'off' })).toBe(false);
    expect(wechatConfigured({ WECHATY_PUPPET: 'wechaty-puppet-service' })).toBe(true);
    expect(wechatConfigFromEnv({ WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_workpro_x' })).toEqual({
      puppet: 'wechaty-puppet-service',
      puppetToken: 'puppet_workpro_x',
    });
    expect(wechatConfigFromEnv({})).toBeNull();
  });
});
