import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, botSays, startTestService, type TestService } from '../support/service.js';

describe('sandbox: a report becomes a ticket', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.close());

  it('turns a customer report into a ticket and replies with its number', async () => {
    await svc.post('demo', PEOPLE.customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    const bot = await botSays(svc, 'demo');
    expect(bot.length).toBeGreaterThan(0);
    expect(bot[0]!.text).toMatch(/GD-20261124-0001/);
    expect(bot[0]!.mentions.map((m) => m.name)).toContain('王工');
    const t = await svc.ticket('GD-20261124-0001');
    expect(t.site).toContain('小寨');
    expect(t.device).toBe('闸机');
    expect(t.reporter.phone).toBe('13800138000');
  });

  it('ignores chit-chat', async () => {
    const before = (await botSays(svc, 'demo')).length;
    const r = await svc.post('demo', PEOPLE.customer, '谢谢 辛苦了');
    expect(r.status).toBe('ignored');
    expect((await botSays(svc, 'demo')).length).toBe(before);
  });
});

describe('WeChat off', () => {
  it('says so at /wechat/login and in /healthz', async () => {
    const svc = await startTestService({ env: { WECHATY_PUPPET: 'off' } });
    try {
      const r = await fetch(`${svc.url}/wechat/login`);
      expect(r.status).toBe(404);
      expect(await r.text()).toMatch(/not configured/i);
      const h = (await (await fetch(`${svc.url}/healthz`)).json()) as { channels: Array<{ channel: string }> };
      expect(h.channels.map((c) => c.channel)).not.toContain('wechat');
    } finally {
      await svc.close();
    }
  });
});
