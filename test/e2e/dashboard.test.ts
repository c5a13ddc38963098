/**
 * The dashboard in headless Chromium (Debian's chromium, driven by
 * playwright-core): login, the ticket list with filters and paging, a ticket's
 * service record and audit trail, the SLA board, the digest with its chart, the
 * outbox with failed sends, an export download; escaped user text; a phone-sized
 * screen. Screenshots go to test-results/ (kept by CI as artifacts).
 *
 * Skipped, saying why, when /usr/bin/chromium is missing (apt-get install -y chromium).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../src/demo/seed.js';
import { hashPassword } from '../../src/web/dashboard/auth.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
const SHOTS = 'test-results/dashboard';

let svc: TestService;
let browser: Browser;
let page: Page;
const PASSWORD = 'li-jingli-2026!';

async function shot(name: string, p: Page = page): Promise<void> {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(!haveChromium)('dashboard in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    svc = await startTestService({ env: { DASHBOARD_USERS: `李经理:${await hashPassword(PASSWORD)}` } });
    // A ticket through the bot, with markup in its text, then seeded history around it.
    await svc.post('demo', PEOPLE.customer, '<script>alert("x")</script><img src=x onerror=alert(1)> 北客站 2号闸机 不能刷卡，电话13800138000');
    await seed(svc.db, svc.bot.deps.contracts.default, { tickets: 400, days: 20, now: svc.clock.now(), seed: 3, sqliteFile: path.join(svc.dir, 'test.db') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('dialog', (d) => {
      throw new Error(`a script ran on the page: ${d.message()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('asks for a login, refuses a wrong password, and sets an HttpOnly SameSite=Lax session cookie', async () => {
    await page.goto(`${svc.url}/dashboard/tickets?level=1`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await shot('01-login');
    await page.fill('input[name=user]', '李经理');
    await page.fill('input[name=password]', 'wrong password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.error')).toContain('用户名或密码不对');
    await page.fill('input[name=user]', '李经理');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/dashboard\/tickets\?level=1$/);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sb_dash')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // The API without the cookie still needs it.
    const r = await fetch(`${svc.url}/dashboard/tickets`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    const forged = await fetch(`${svc.url}/dashboard/tickets`, { redirect: 'manual', headers: { cookie: `sb_dash=${Buffer.from('李经理').toString('base64url')}.9999999999999.${'A'.repeat(43)}` } });
    expect(forged.status).toBe(302);
  });

  it('lists tickets with filters and paging, counts matching the store', async () => {
    await page.goto(`${svc.url}/dashboard/tickets`);
    const total = await svc.db.ticket.count();
    expect(await page.textContent('#total')).toContain(`共 ${total} 件`);
    expect(await page.locator('tbody tr').count()).toBe(50);
    await shot('02-tickets');
    await page.selectOption('select[name=level]', '1');
    await page.selectOption('select[name=kind]', 'fault');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/level=1/);
    const level1 = await svc.db.ticket.count({ where: { level: 1, kind: 'fault' } });
    expect(await page.textContent('#total')).toContain(`共 ${level1} 件`);
    const levels = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(new Set(levels)).toEqual(new Set(['一级']));
    // Open tickets of one engineer, breached ones.
    await page.goto(`${svc.url}/dashboard/tickets?open=true&breached=true`);
    const breachedOpen = await svc.db.ticket.count({ where: { status: { notIn: ['closed', 'cancelled'] }, events: { some: { action: 'escalation' } } } });
    expect(await page.textContent('#total')).toContain(`共 ${breachedOpen} 件`);
    // Paging.
    await page.goto(`${svc.url}/dashboard/tickets`);
    const first = await page.locator('tbody tr td:first-child').first().textContent();
    await page.click('a[rel=next]');
    await page.waitForURL(/page=2/);
    expect(await page.textContent('#total')).toContain('第 2/');
    expect(await page.locator('tbody tr td:first-child').first().textContent()).not.toBe(first);
  });

  it("shows a ticket's service record and full audit trail, user text escaped", async () => {
    const t = await svc.db.ticket.findFirstOrThrow({ where: { content: { contains: '<script>' } } });
    await page.goto(`${svc.url}/dashboard/tickets/${t.number}`);
    expect(await page.textContent('h1')).toContain(t.number);
    const record = page.locator('section', { hasText: '客户服务记录表' });
    expect(await record.textContent()).toContain('<script>alert("x")</script>');
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.locator('main img[src=x]').count()).toBe(0);
    const events = await svc.db.ticketEvent.count({ where: { ticketId: t.id } });
    expect(await page.locator('#history li').count()).toBe(events);
    await shot('03-ticket-escaped');
    // A seeded closed ticket with a whole record.
    const done = await svc.db.ticket.findFirstOrThrow({ where: { status: 'closed', kind: 'fault', confirmation: 'confirmed', onSiteAt: { not: null } } });
    await page.goto(`${svc.url}/dashboard/tickets/${done.number}`);
    const text = (await page.locator('section', { hasText: '客户服务记录表' }).textContent())!;
    for (const s of [done.arrivalState!, done.handling!, '已确认']) expect(text).toContain(s);
    expect(await page.locator('section', { hasText: '时限' }).first().locator('tbody tr').count()).toBeGreaterThan(2);
    await shot('04-ticket-record');
    const missing = await page.goto(`${svc.url}/dashboard/tickets/GD-20200101-0001`);
    expect(missing!.status()).toBe(404);
  });

  it('shows the SLA board ordered by due time', async () => {
    await page.goto(`${svc.url}/dashboard/sla`);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const due = await page.locator('tbody tr td:first-child').allTextContents();
    expect([...due].sort()).toEqual(due);
    await shot('05-sla');
  });

  it('shows the digest with its chart', async () => {
    await page.goto(`${svc.url}/dashboard/digest?period=daily&date=2026-11-23`);
    expect(await page.textContent('h1')).toContain('日报 2026-11-23（周一）');
    const img = page.locator('img.chart');
    await expect.poll(() => img.evaluate((el: { complete: boolean; naturalWidth: number }) => el.complete && el.naturalWidth), { timeout: 30_000 }).toBe(1200);
    const reported = await svc.db.ticket.count({ where: { reportedAt: { gte: new Date('2026-11-22T16:00:00Z'), lt: new Date('2026-11-23T16:00:00Z') } } });
    expect(await page.textContent('main')).toContain(`新增工单 ${reported} 件`);
    await shot('06-digest');
    await page.selectOption('select[name=period]', 'weekly');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/period=weekly/);
    expect(await page.textContent('h1')).toContain('周报 2026年第48周');
  });

  it('shows the outbox with failed sends and their errors', async () => {
    await page.goto(`${svc.url}/dashboard/outbox`);
    const failed = await svc.db.outbox.count({ where: { status: 'failed' } });
    expect(failed).toBeGreaterThan(0);
    expect(await page.textContent('main')).toContain(`发送失败：${failed} 条`);
    expect(await page.locator('tbody tr').first().textContent()).toContain('PermanentSendError');
    await shot('07-outbox');
  });

  it('downloads an export from the exports page', async () => {
    await page.goto(`${svc.url}/dashboard/exports`);
    await page.fill('input[name=from]', '2026-11-01');
    await page.fill('input[name=to]', '2026-11-30');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.filters button[type=submit]')]);
    expect(download.suggestedFilename()).toBe('客户服务记录表_2026-11-01_2026-11-30.csv');
    const rows = parse(readFileSync((await download.path())!), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(await svc.db.ticket.count({ where: { kind: { in: ['fault', 'consultation'] }, reportedAt: { gte: new Date('2026-10-31T16:00:00Z'), lt: new Date('2026-11-30T16:00:00Z') } } }));
    expect(Object.keys(rows[0]!)).toContain('客户单位');
  });

  it('fits a phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await p.goto(`${svc.url}/dashboard/login`);
    await p.fill('input[name=user]', '李经理');
    await p.fill('input[name=password]', PASSWORD);
    await p.click('button[type=submit]');
    await p.waitForURL(/\/dashboard\/tickets/);
    for (const [name, url, title] of [['08-phone-tickets', '/dashboard/tickets', '工单'], ['09-phone-digest', '/dashboard/digest?date=2026-11-23', '日报']] as const) {
      await p.goto(svc.url + url);
      expect(await p.textContent('h1')).toContain(title);
      // Tables scroll inside their box; the page itself does not scroll sideways.
      expect(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
      await shot(name, p);
    }
    await phone.close();
  });

  it('logs out', async () => {
    await page.goto(`${svc.url}/dashboard/tickets`);
    await page.click('header button[type=submit]');
    await page.waitForURL(/\/dashboard\/login/);
    await page.goto(`${svc.url}/dashboard/sla`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
  });
});
