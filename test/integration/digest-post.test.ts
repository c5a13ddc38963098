/**
 * Posting the digest through the real service on the sandbox's manual clock:
 * moving the clock past 09:00 posts the daily digest (text + chart) to the
 * managers' group once; a digest missed while the service was down is posted on
 * start, marked 补发; two replicas at once still post it once; Monday brings the
 * weekly digest and the 1st the monthly one.
 */
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { FakeFeishu } from '../support/fake-feishu.js';
import { feishuEnv, TEST_APP } from '../support/feishu-events.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { DigestPoster } from '../../src/report/digest-job.js';
import { createThrowawayPgDatabase } from '../../src/store/pg-databases.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, advanceTo, settled } from '../support/scenario.js';

let svc: TestService | undefined;
let dir: string | undefined;
afterAll(async () => {
  await svc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const local = (s: string) => new Date(`${s}+08:00`);
type Msg = Awaited<ReturnType<TestService['messages']>>[number] & { image?: string | null };
/** A GET again once if the keep-alive socket died while the event loop was busy drawing a chart. */
async function again<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!/fetch failed/.test(String(e))) throw e;
    return f();
  }
}
const digests = (msgs: Msg[]) => msgs.filter((m) => m.text.startsWith('📊'));

describe('the digest in the managers group', () => {
  it('is posted once at 09:00, again on start if missed (补发), once with two replicas, weekly on Monday and monthly on the 1st', async () => {
    svc = await startTestService(); // Tuesday 2026-11-24 10:00
    dir = svc.dir;
    const chat = new ChatView(svc, 'demo');
    await chat.say(PEOPLE.customer, '北客站 2号闸机 不能刷卡 影响通行，电话13800138000');
    const managers = await new ChatView(svc, 'managers').skipOld();

    // Nothing at start on a fresh store, nor before 09:00 the next morning.
    await advanceTo(svc, local('2026-11-25T08:59:00'));
    expect(digests(await managers.news())).toHaveLength(0);

    // 09:00: the daily digest for the 24th, text then chart, at 09:00 sharp.
    await advanceTo(svc, local('2026-11-25T09:30:00'));
    let news = (await again(() => managers.news())) as Msg[];
    const daily = digests(news);
    expect(daily.map((m) => m.text.split('\n')[0])).toEqual(['📊 售后服务日报 2026-11-24（周二）']);
    expect(daily[0]!.at).toBe(local('2026-11-25T09:00:00').toISOString());
    expect(daily[0]!.text).toContain('【新增工单】共 1 件：故障 1');
    const image = news[news.indexOf(daily[0]!) + 1] as Msg;
    expect(image.image).toMatch(/^data:image\/png;base64,|^iVBOR/);
    let runs = await svc.db.digestRun.findMany();
    expect(runs.map((r) => [r.period, r.periodKey, r.late])).toEqual([['daily', '2026-11-24', false]]);

    // Ticks and settles later the same day change nothing.
    await svc.digests.runDue();
    await advanceTo(svc, local('2026-11-25T12:00:00'));
    expect(digests(await managers.news())).toHaveLength(0);

    // Down from 12:00 on the 25th to 11:00 on the 26th: the 25th's digest goes out on start, late.
    await svc.stop();
    svc = await startTestService({ dir, start: local('2026-11-26T11:00:00').toISOString() });
    await settled(svc);
    const after = await again(() => new ChatView(svc!, 'managers').all());
    const late = digests(after).filter((m) => m.text.includes('2026-11-25'));
    expect(late.map((m) => m.text.split('\n')[0])).toEqual(['📊 售后服务日报 2026-11-25（周三）（补发）']);
    runs = await svc.db.digestRun.findMany({ orderBy: { id: 'asc' } });
    expect(runs.map((r) => [r.periodKey, r.late])).toEqual([['2026-11-24', false], ['2026-11-25', true]]);

    // Two replicas at 09:00 on the 27th: one digest.
    await advanceTo(svc, local('2026-11-27T08:59:00'));
    (svc.clock as ManualClock).set(local('2026-11-27T09:00:00'));
    const other = new DigestPoster({ db: svc.db, bot: svc.bot, log: pino({ level: 'silent' }), contracts: svc.bot.deps.contracts, clock: svc.clock, cron: '0 9 * * *' });
    const [a, b] = await Promise.all([svc.digests.runDue(), other.runDue()]);
    expect(a.length + b.length).toBe(1);
    await svc.dispatcher.drain();
    expect((await svc.db.digestRun.findMany({ where: { periodKey: '2026-11-26' } })).length).toBe(1);

    // Monday 30th: the daily for Sunday and the weekly for week 48; Tuesday 1st: the monthly for November.
    const view = await again(() => new ChatView(svc!, 'managers').skipOld());
    await advanceTo(svc, local('2026-12-01T10:00:00'));
    news = (await again(() => view.news())) as Msg[];
    const titles = digests(news).map((m) => m.text.split('\n')[0]);
    expect(titles).toEqual([
      '📊 售后服务日报 2026-11-27（周五）',
      '📊 售后服务日报 2026-11-28（周六）',
      '📊 售后服务日报 2026-11-29（周日）',
      '📊 售后服务周报 2026年第48周（11月23日—11月29日）',
      '📊 售后服务日报 2026-11-30（周一）',
      '📊 售后服务月报 2026年11月',
    ]);
    const weekly = digests(news).find((m) => m.text.includes('周报'))!;
    expect(weekly.text).toContain('【新增工单】共 1 件');
    expect(news.filter((m) => (m as Msg).image).length).toBe(6);
    const keys = (await svc.db.digestRun.findMany()).map((r) => `${r.period}:${r.periodKey}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['weekly:2026-W48', 'monthly:2026-11']));
  }, 180_000);
});

describe('the digest in a Feishu managers group', () => {
  it('is a card with the figures, then the chart image', async () => {
    // Feishu runs (against a local fake): digests go only to groups of running channels.
    const fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
    // Feishu only: the sandbox never runs beside a real channel, so the clock is moved by hand.
    const one = await startTestService({ env: feishuEnv(fake.url) });
    try {
      await one.db.chat.create({ data: { channel: 'feishu', platformId: 'oc_managers_digest', purpose: 'managers', title: '售后管理群' } });
      await settled(one); // at the start (the 24th, 10:00): digests count from here
      (one.clock as ManualClock).set(local('2026-11-25T09:05:00'));
      await settled(one);
      const rows = await one.db.outbox.findMany({ where: { chatPlatformId: 'oc_managers_digest' }, orderBy: { id: 'asc' } });
      const actions = rows.map((r) => JSON.parse(r.action) as { kind: string; title?: string; text?: string; buttons?: unknown[]; pngBase64?: string; caption?: string });
      expect(actions.map((a) => a.kind)).toEqual(['card', 'image']);
      expect(actions[0]).toMatchObject({ title: '📊 售后服务日报 2026-11-24（周二）', buttons: [] });
      expect(actions[0]!.text).toMatch(/^统计区间：/);
      expect(actions[0]!.text).toContain('【新增工单】共 0 件');
      expect(Buffer.from(actions[1]!.pngBase64!, 'base64').subarray(1, 4).toString()).toBe('PNG');
      expect(actions[1]!.caption).toBe('售后服务日报 2026-11-24（周二）');
      // The sandbox's managers' group (in the default org file) is not running: nothing for it.
      expect(await one.db.outbox.count({ where: { channel: 'sandbox' } })).toBe(0);
      // …and Feishu received the card and the image.
      // (the image with its caption is a rich-text post holding the uploaded picture)
      const posted = fake.postedTo('oc_managers_digest');
      expect(posted.map((m) => m.msgType)).toEqual(['interactive', 'post']);
      expect(JSON.stringify(posted[1]!.content)).toMatch(/"tag":"img"/);
    } finally {
      await one.close();
      await fake.stop();
    }
  }, 120_000);

  it('is not written for a group on a channel the service does not run', async () => {
    const one = await startTestService();
    try {
      await one.db.chat.create({ data: { channel: 'feishu', platformId: 'oc_not_running', purpose: 'managers', title: '未接入的群' } });
      await advanceTo(one, local('2026-11-25T09:05:00'));
      expect(await one.db.outbox.count({ where: { chatPlatformId: 'oc_not_running' } })).toBe(0);
      expect(digests((await one.messages('managers')) as Msg[])).toHaveLength(1);
    } finally {
      await one.close();
    }
  }, 120_000);
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the digest on PostgreSQL', () => {
  it('is claimed once by racing replicas (the unique DigestRun fails the loser’s transaction)', async () => {
    const pg = await createThrowawayPgDatabase(process.env.TEST_DATABASE_URL!, 'servicebot_digest_post');
    const one = await startTestService({ env: { DATABASE_URL: pg.url } });
    try {
      await one.post('demo', PEOPLE.customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
      await advanceTo(one, local('2026-11-25T08:59:00'));
      (one.clock as ManualClock).set(local('2026-11-25T09:00:00'));
      const posters = [0, 1, 2].map(() => new DigestPoster({ db: one.db, bot: one.bot, log: pino({ level: 'silent' }), contracts: one.bot.deps.contracts, clock: one.clock, cron: '0 9 * * *' }));
      const results = await Promise.all(posters.map((p) => p.runDue()));
      expect(results.flat()).toHaveLength(1);
      await one.dispatcher.drain();
      const said = digests((await one.messages('managers')) as Msg[]);
      expect(said.map((m) => m.text.split('\n')[0])).toEqual(['📊 售后服务日报 2026-11-24（周二）']);
      expect(await one.db.digestRun.count()).toBe(1);
    } finally {
      await one.close();
      await pg.drop();
    }
  }, 120_000);
});

describe('DIGEST_CRON=off', () => {
  it('posts no digest however far the clock moves', async () => {
    const svc = await startTestService({ env: { DIGEST_CRON: 'off' } });
    try {
      await svc.advance(3 * 24 * 60);
      expect(await svc.db.digestRun.count()).toBe(0);
      expect(svc.digests.jobs()).toEqual([]);
    } finally {
      await svc.close();
    }
  });
});
