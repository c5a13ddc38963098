/**
 * The disk fills up under the running service: messages can no longer be
 * recorded, and the service says so — each refused message gets 503 with the
 * database's reason and Retry-After (not a bare 500), /healthz 503 "database or
 * disk is full" instead of "ok" — while nothing stored before is lost; once
 * space is freed it recovers by itself, without a restart.
 *
 * The disk is a real 32 MiB tmpfs, mounted in a private mount namespace of the
 * service's process (`unshare --mount`, needs root), filled and emptied from
 * here through /proc/<pid>/root. Skipped, saying why, where that is not allowed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, defaultRunner, freePort } from '../support/chaos-service.js';
import { PEOPLE } from '../support/service.js';

const probeDir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-tmpfs-probe-'));
const canMount = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs '${probeDir}'`], { stdio: 'ignore' }).status === 0;
rmSync(probeDir, { recursive: true, force: true });
if (!canMount) console.warn('disk-full chaos test skipped: cannot mount a small tmpfs in a private mount namespace (needs root and unshare)');

let child: ChildProcess | undefined;
let disk: string | undefined;
afterAll(() => {
  child?.kill('SIGKILL'); // the namespace, and its tmpfs, go with the process
  if (disk) rmSync(disk, { recursive: true, force: true });
});

/** Posts a customer's message; the status, with the body and Retry-After of a refusal. */
async function send(url: string, text: string): Promise<{ status: number; body: string; retryAfter: string | null }> {
  try {
    const r = await fetch(`${url}/api/sandbox/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat: 'demo', from: PEOPLE.customer, text }), signal: AbortSignal.timeout(15_000) });
    return { status: r.status, body: await r.text(), retryAfter: r.headers.get('retry-after') };
  } catch (e) {
    return { status: 0, body: String(e), retryAfter: null };
  }
}
async function post(url: string, text: string): Promise<number> {
  return (await send(url, text)).status;
}
/** What the service has stored: every ticket as the API lists it, and the demo chat's messages. */
async function stored(url: string): Promise<{ tickets: Array<{ id: number; number: string; status: string; phone: string | null; site: string | null; device: string | null }>; messages: number }> {
  const r = (await (await fetch(`${url}/api/tickets?pageSize=100`)).json()) as { tickets: Array<{ id: number; number: string; status: string; phone: string | null; site: string | null; device: string | null }> };
  const m = (await (await fetch(`${url}/api/sandbox/messages?chat=demo`)).json()) as unknown[] | { messages: unknown[] };
  return { tickets: r.tickets.map(({ id, number, status, phone, site, device }) => ({ id, number, status, phone, site, device })), messages: (Array.isArray(m) ? m : m.messages).length };
}
async function health(url: string): Promise<{ status: number; database: string }> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(15_000) });
    return { status: r.status, database: ((await r.json()) as { database: string }).database };
  } catch (e) {
    return { status: 0, database: String(e) };
  }
}

describe.skipIf(!canMount)('a full disk', () => {
  it('turns /healthz unhealthy while writes fail, and healthy again by itself once space is freed', async () => {
    disk = mkdtempSync(path.join(os.tmpdir(), 'servicebot-disk-'));
    const port = await freePort();
    const server = defaultRunner() === 'dist' ? ['dist/server.js'] : ['--import', 'tsx', 'src/server.ts'];
    child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=32m tmpfs "$DISK" && exec "$@"', 'sh', process.execPath, ...server], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DISK: disk, DATABASE_URL: `file:${disk}/store.db`, DATA_DIR: disk, PORT: String(port), HOST: '127.0.0.1', SANDBOX: '1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b));
    child.stderr!.on('data', (b: Buffer) => (out += b));
    const url = `http://127.0.0.1:${port}`;
    await expect.poll(async () => (await health(url)).status, { timeout: 60_000, interval: 250 }).toBe(200);

    for (let i = 0; i < 5; i++) expect(await post(url, `小寨站 ${i}号闸机刷卡没反应 电话1380013800${i}`)).toBe(201);
    // Let the bot act on them (and answer) before the disk fills: all this must survive.
    await new Promise((r) => setTimeout(r, 1500));
    const before = await stored(url);
    expect(before.tickets.length).toBeGreaterThan(0);

    // Fill the service's disk to the last byte, through its own view of the file system.
    const filler = `/proc/${child.pid}/root${disk}/filler`;
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(256 * 1024, 7);
    let full = false;
    try {
      for (let i = 0; i < 1000 && !full; i++) {
        try {
          writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
          full = true;
        }
      }
      for (let size = 4096; full && size >= 1; size = Math.floor(size / 2)) {
        try {
          while (true) writeSync(fd, chunk.subarray(0, size));
        } catch {
          /* this size no longer fits: try smaller */
        }
      }
    } finally {
      closeSync(fd);
    }
    expect(full).toBe(true);

    // Messages now fail cleanly — 503, saying why and when to try again, nothing half-stored —
    // and health says so, with the database's reason.
    const failed: Array<{ status: number; body: string; retryAfter: string | null }> = [];
    for (let i = 0; i < 200 && failed.length < 3; i++) {
      const r = await send(url, `钟楼站 ${i}号自动售票机黑屏 不能售票 电话1390013900${i % 10}`);
      if (r.status !== 201) failed.push(r);
    }
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f.status, f.body).toBe(503);
      expect(f.body).toMatch(/the database refuses writes \(.*(full|SQLITE_FULL|space).*\): nothing was recorded/i);
      expect(f.retryAfter).toBe('60');
    }
    await expect.poll(async () => (await health(url)).status, { timeout: 20_000, interval: 500 }).toBe(503);
    expect((await health(url)).database).toMatch(/^error: writes refused: .*(full|SQLITE_FULL|space)/i);

    // Space comes back: health recovers by itself, and messages are taken again.
    unlinkSync(filler);
    await expect.poll(async () => (await health(url)).status, { timeout: 30_000, interval: 500 }).toBe(200);
    // Nothing stored before the disk filled was lost or changed; the service takes messages again.
    const after = await stored(url);
    for (const t of before.tickets) expect(after.tickets.find((x) => x.id === t.id), t.number).toEqual(t);
    expect(after.messages).toBeGreaterThanOrEqual(before.messages);
    expect(await post(url, '北客站 2号闸机 不能刷卡 电话13700137000')).toBe(201);
    await expect.poll(async () => (await stored(url)).tickets.some((t) => t.phone === '13700137000'), { timeout: 20_000 }).toBe(true);
    expect(out).toMatch(/the database refuses writes/);
    expect(out).toMatch(/the database takes writes again/);
  }, 180_000);
});
