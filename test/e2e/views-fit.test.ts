/**
 * What people see, in headless Chromium at a laptop's width (1366 px) and a
 * phone's (390 px): the sandbox (tabs for the customer's and the managers'
 * groups, the "try these" panel, Beijing time in a browser set to another
 * zone, a photo and a recorded clip sent with a report), the ticket page (the
 * photo and the clip, the history in plain Chinese, search) and the digest.
 * No table may be wider than its card and no page may scroll sideways.
 * Screenshots go to test-results/views/ (look at them).
 *
 * Skipped, saying why, when /usr/bin/chromium is missing (apt-get install -y chromium).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../src/demo/seed.js';
import { hashPassword } from '../../src/web/dashboard/auth.js';
import { startTestService, type TestService } from '../support/service.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
const SHOTS = 'test-results/views';
const PASSWORD = 'li-jingli-2026!';
const WIDTHS = [
  { name: '1366', viewport: { width: 1366, height: 800 }, mobile: false },
  { name: '390', viewport: { width: 390, height: 844 }, mobile: true },
] as const;

let svc: TestService;
let browser: Browser;

/** A small PNG photo (a grey-blue gradient), made here. */
function png(width = 160, height = 120): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([60 + x, 90 + y, 160], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** Half a second of a 440 Hz tone as a WAV file. */
function wav(): Buffer {
  const rate = 8000;
  const samples = rate / 2;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), 44 + i * 2);
  return b;
}

/** Tables wider than the card they are in, and whether the page scrolls sideways. */
async function overflow(p: Page): Promise<{ tables: string[]; pageScrollsSideways: boolean }> {
  // Runs in the page (the tests have no DOM types): a string, not a function.
  return p.evaluate(`(() => {
    const bad = [];
    for (const t of document.querySelectorAll('table')) {
      const card = t.closest('.card') ?? t.parentElement;
      const style = getComputedStyle(card);
      const inner = card.getBoundingClientRect().right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
      const box = t.parentElement;
      if (t.getBoundingClientRect().right > inner + 1 || t.scrollWidth > box.clientWidth + 1) {
        bad.push((card.querySelector('h2')?.textContent ?? '?') + ': table ' + Math.round(t.scrollWidth) + ' px in ' + Math.round(box.clientWidth) + ' px');
      }
    }
    return { tables: bad, pageScrollsSideways: document.documentElement.scrollWidth > window.innerWidth + 1 };
  })()`);
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function login(context: BrowserContext): Promise<Page> {
  const p = await context.newPage();
  p.on('dialog', (d) => {
    throw new Error(`a script ran on the page: ${d.message()}`);
  });
  await p.goto(`${svc.url}/dashboard/login`);
  await p.fill('input[name=user]', '李经理');
  await p.fill('input[name=password]', PASSWORD);
  await p.click('button[type=submit]');
  await p.waitForURL(/\/dashboard\/tickets/);
  return p;
}

describe.skipIf(!haveChromium)('views at 1366 px and 390 px', () => {
  let ticketNumber: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    svc = await startTestService({ env: { DASHBOARD_USERS: `李经理:${await hashPassword(PASSWORD)}`, DIGEST_CRON: 'off' } });
    // History around the day's tickets, so the digest and the lists have rows.
    await seed(svc.db, svc.bot.deps.contracts.default, { tickets: 150, days: 8, now: new Date('2026-11-24T01:00:00Z'), seed: 5, sqliteFile: path.join(svc.dir, 'test.db') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('the sandbox: tabs, try these, Beijing time, a photo and a clip kept on the ticket', async () => {
    // A browser in New York: the page must still show the bot's (Beijing) time.
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'zh-CN', timezoneId: 'America/New_York', permissions: ['microphone'] });
    const p = await context.newPage();
    p.on('dialog', (d) => {
      throw new Error(`a script ran on the page: ${d.message()}`);
    });
    await p.goto(`${svc.url}/sandbox`);
    // Customers' groups first (the seed added a second customer's), the managers' group last.
    await expect.poll(() => p.locator('#tabs button[data-chat]').allTextContents()).toEqual(['客户群：西安地铁二号线运营分公司', '客户群：西安地铁三号线运营分公司', '经理群']);
    // The manual clock stands at Tuesday 10:00 in Beijing (21:00 the day before in New York).
    await expect.poll(() => p.textContent('#now')).toBe('11月24日 10:00');

    // Try these: the customer's first example fills the box; a photo goes with it.
    const examples = p.locator('#examples button');
    expect(await examples.count()).toBeGreaterThan(5);
    await examples.first().click();
    expect(await p.inputValue('#text')).toBe('小寨站 3号闸机刷卡没反应 电话13800138000');
    await p.setInputFiles('#file', { name: '闸机.png', mimeType: 'image/png', buffer: png() });
    await expect.poll(() => p.textContent('#att')).toContain('照片 闸机.png');
    await p.click('#f button.send');
    await expect.poll(() => p.locator('#log .msg.bot').count()).toBeGreaterThan(0);
    await expect.poll(() => p.locator('#log .msg.me img').count()).toBe(1);
    expect(await p.locator('#log .msg.me img').evaluate((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth)).toBe(160);
    // Every time on the page is Beijing time.
    for (const who of await p.locator('#log .who').allTextContents()) expect(who).toContain('11月24日 10:00');

    // A sound file, then a clip recorded with the (fake) microphone.
    await p.setInputFiles('#file', { name: '现场.wav', mimeType: 'audio/wav', buffer: wav() });
    await expect.poll(() => p.textContent('#att')).toContain('录音 现场.wav');
    await p.click('#f button.send');
    await expect.poll(() => p.locator('#log .msg.me audio').count()).toBe(1);
    await p.click('#mic');
    await p.waitForTimeout(1200);
    await p.click('#mic');
    await expect.poll(() => p.textContent('#att'), { timeout: 10_000 }).toContain('录音 语音');
    await p.click('#f button.send');
    await expect.poll(() => p.locator('#log .msg.me audio').count()).toBe(2);
    await shot(p, 'sandbox-1366');

    // The manager's examples are for the managers' group: clicking one opens its tab.
    await p.selectOption('#who', 'm1|李经理|manager');
    await p.locator('#examples button', { hasText: '派单 #1 @张工' }).click();
    await expect.poll(() => p.locator('#tabs button.on').textContent()).toBe('经理群');
    // The seed's tickets come first: the report above is not #1 here.
    const report = await svc.db.ticket.findFirstOrThrow({ where: { content: { contains: '小寨站 3号闸机' } } });
    await p.fill('#text', `派单 #${report.id} @张工`);
    await p.click('#f button.send');
    await expect.poll(() => p.locator('#log .msg.bot').last().textContent()).toContain('已派给张工');
    expect((await overflow(p)).pageScrollsSideways).toBe(false);
    await shot(p, 'sandbox-managers-1366');
    await context.close();

    // Kept on the ticket like a real channel's attachments (fetched by the attachment job).
    await svc.settle();
    const t = await svc.db.ticket.findFirstOrThrow({ where: { content: { contains: '小寨站 3号闸机' } }, include: { attachments: true } });
    ticketNumber = t.number;
    expect(t.attachments.map((a) => [a.kind, a.state])).toEqual([['image', 'stored'], ['file', 'stored'], ['file', 'stored']]);
  }, 120_000);

  it('the sandbox fits a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Europe/London' });
    const p = await context.newPage();
    await p.goto(`${svc.url}/sandbox`);
    await expect.poll(() => p.locator('#log .msg').count()).toBeGreaterThan(3);
    await expect.poll(() => p.textContent('#now')).toMatch(/^11月24日 1\d:\d\d$/);
    expect((await overflow(p)).pageScrollsSideways).toBe(false);
    // Every bubble inside the chat area.
    const outside = await p.evaluate(`(() => {
      const log = document.getElementById('log').getBoundingClientRect();
      return [...document.querySelectorAll('#log .msg')].filter((m) => m.getBoundingClientRect().right > log.right + 1).length;
    })()`);
    expect(outside).toBe(0);
    await shot(p, 'sandbox-390');
    await context.close();
  }, 60_000);

  for (const w of WIDTHS) {
    it(`the ticket page at ${w.name} px: photo, clip, history in plain Chinese, tables inside their cards`, async () => {
      const context = await browser.newContext({ viewport: w.viewport, isMobile: w.mobile, hasTouch: w.mobile, locale: 'zh-CN' });
      const p = await login(context);
      // Search by station finds it; by its number too.
      await p.goto(`${svc.url}/dashboard/tickets?q=${encodeURIComponent('小寨站')}`);
      expect(await p.locator('tbody tr', { hasText: ticketNumber }).count()).toBe(1);
      await p.fill('input[name=q]', ticketNumber);
      await p.click('form.filters button[type=submit]');
      await p.waitForURL(/q=/);
      expect(await p.textContent('#total')).toContain('共 1 件');
      expect((await overflow(p)).tables).toEqual([]);
      await shot(p, `tickets-${w.name}`);

      await p.goto(`${svc.url}/dashboard/tickets/${ticketNumber}`);
      const img = p.locator('#files img');
      await expect.poll(() => img.evaluate((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth)).toBe(160);
      expect(await p.locator('#files audio').count()).toBe(2);
      const history = (await p.locator('#history').textContent())!;
      for (const s of ['王工（客户）', '报修：小寨站 3号闸机刷卡没反应', '李经理（部门经理）', '派单给 张工']) expect(history).toContain(s);
      expect(history).not.toMatch(/[a-z]+_[a-z]+|assigneeId|evidence|clock|\{|\[/);
      const o = await overflow(p);
      expect(o.tables).toEqual([]);
      expect(o.pageScrollsSideways).toBe(false);
      await shot(p, `ticket-${w.name}`);
      await context.close();
    }, 60_000);

    it(`the digest at ${w.name} px: every table inside its card`, async () => {
      const context = await browser.newContext({ viewport: w.viewport, isMobile: w.mobile, hasTouch: w.mobile, locale: 'zh-CN' });
      const p = await login(context);
      await p.goto(`${svc.url}/dashboard/digest?period=daily&date=2026-11-23`);
      await expect.poll(() => p.locator('img.chart').evaluate((i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth), { timeout: 30_000 }).toBe(1200);
      expect(await p.locator('#sla tbody tr').count()).toBeGreaterThan(1);
      const o = await overflow(p);
      expect(o.tables).toEqual([]);
      expect(o.pageScrollsSideways).toBe(false);
      await shot(p, `digest-${w.name}`);
      await p.locator('#sla').screenshot({ path: path.join(SHOTS, `digest-sla-${w.name}.png`) });
      await context.close();
    }, 90_000);
  }

  it('serves only that ticket’s attachments, behind the login, as what their bytes are', async () => {
    const t = await svc.db.ticket.findUniqueOrThrow({ where: { number: ticketNumber }, include: { attachments: { orderBy: { id: 'asc' } } } });
    const url = (n: string, id: number) => `${svc.url}/dashboard/tickets/${n}/files/${id}`;
    // Without the login: to the login page.
    expect((await fetch(url(t.number, t.attachments[0]!.id), { redirect: 'manual' })).status).toBe(302);
    const context = await browser.newContext();
    const p = await login(context);
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const get = (u: string) => fetch(u, { headers: { cookie }, redirect: 'manual' });
    const photo = await get(url(t.number, t.attachments[0]!.id));
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(photo.headers.get('content-security-policy')).toContain('sandbox');
    expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await photo.arrayBuffer()).equals(png())).toBe(true);
    expect((await get(url(t.number, t.attachments[1]!.id))).headers.get('content-type')).toMatch(/^audio\/(wav|x-wav)/);
    // Another ticket's number with this attachment's id: not found.
    const other = await svc.db.ticket.findFirstOrThrow({ where: { id: { not: t.id } } });
    expect((await get(url(other.number, t.attachments[0]!.id))).status).toBe(404);
    // A file that is not a picture or a sound (here: HTML) is a download, never a page.
    const html = await svc.db.attachment.create({ data: { ticketId: t.id, channel: 'sandbox', messageId: 'x-html', key: 'x-html', kind: 'file', state: 'stored', path: t.attachments[0]!.path!.replace(/[^/]+$/, 'evil.bin'), createdAt: new Date() } });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(html.path!, '<html><script>alert(1)</script></html>');
    const r = await get(url(t.number, html.id));
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
    // A row pointing outside the attachments folder is not served.
    const outside = await svc.db.attachment.create({ data: { ticketId: t.id, channel: 'sandbox', messageId: 'x-out', key: 'x-out', kind: 'image', state: 'stored', path: '/etc/passwd', createdAt: new Date() } });
    expect((await get(url(t.number, outside.id))).status).toBe(404);
    await p.close();
    await context.close();
  }, 60_000);
});
