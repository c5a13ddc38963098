/**
 * The service in an install without WeChat's packages (`npm ci --omit=peer`, Feishu only),
 * played by a module hook that makes wechaty, its puppets and file-box impossible to find:
 * it starts and serves as long as WeChat is not configured, and with WECHATY_PUPPET set it
 * stops at start with one line saying what is missing and what to do.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/chaos-service.js';

const root = path.resolve(import.meta.dirname, '../..');
const HOOK = path.join(root, 'test/support/without-wechat.mjs');

function run(env: Record<string, string>, until: (out: string) => boolean): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-nowx-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', HOOK, 'src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = () => {
      if (until(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', (b: Buffer) => ((out += b), seen()));
    child.stderr.on('data', (b: Buffer) => ((out += b), seen()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('an install without WeChat', { timeout: 120_000 }, () => {
  it('runs when WeChat is not configured', async () => {
    const port = await freePort();
    const r = await run({ PORT: String(port) }, (out) => out.includes('servicebot is running'));
    expect(r.out).toContain(`servicebot is running: http://127.0.0.1:${port}`);
    expect(r.out).not.toMatch(/Cannot find package/);
  });

  it('with WECHATY_PUPPET set, stops at start with one clear line', async () => {
    const r = await run({ PORT: '0', LOG_LEVEL: 'silent', WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_workpro_x' }, () => false);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').filter((l) => l.trim());
    expect(lines, r.out).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^servicebot cannot start: WeChat is configured \(WECHATY_PUPPET=wechaty-puppet-service\) but its packages \(wechaty, the puppet, file-box\) are not installed \((wechaty|file-box)[^)]* is missing\): this install left WeChat out \(npm ci --omit=peer\)\. Install with npm ci \(without --omit=peer\) to use WeChat, or unset WECHATY_PUPPET$/,
    );
  });
});
