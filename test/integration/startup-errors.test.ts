/**
 * Start-up failures stop the service with one clear line of what is wrong and
 * how to fix it — never a stack trace as the only message.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-startup-'));

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'src/server.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH, DATA_DIR: dir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function expectOneClearLine(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n').filter((l) => l.trim());
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^servicebot cannot start: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

let busy: Server;
let busyPort = 0;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => busy.close(() => r())));

describe('start-up errors', { timeout: 120_000 }, () => {
  it('a malformed contract file names the file, the field and what was expected', async () => {
    const bad = path.join(dir, 'contract.yaml');
    writeFileSync(bad, readFileSync(path.join(root, 'config/contract.yaml'), 'utf8').replace('onSite: { hours: 24 }', 'onSite: { hours: 24, minutes: 5 }'));
    const r = await start({ CONTRACT_FILE: bad, DATABASE_URL: `file:${path.join(dir, 'a.db')}` });
    expectOneClearLine(r, /contract\.yaml: faultLevels\.0\.onSite: .*exactly one of minutes, hours or workingDays/);
  });

  it('YAML that does not parse names the file and line', async () => {
    const bad = path.join(dir, 'broken.yaml');
    writeFileSync(bad, 'name: x\nfaultLevels: [\n');
    const r = await start({ CONTRACT_FILE: bad, DATABASE_URL: `file:${path.join(dir, 'b.db')}` });
    expectOneClearLine(r, /broken\.yaml(:\d+)?: not valid YAML/);
  });

  it('an unknown DATABASE_URL scheme says which schemes work', async () => {
    const r = await start({ DATABASE_URL: 'mysql://root@127.0.0.1/servicebot' });
    expectOneClearLine(r, /DATABASE_URL: unknown scheme "mysql:".*file:.*postgresql:/);
  });

  it('a port in use says so and how to fix it', async () => {
    const r = await start({ PORT: String(busyPort), DATABASE_URL: `file:${path.join(dir, 'c.db')}` });
    expectOneClearLine(r, new RegExp(`port ${busyPort} is in use: set PORT`));
  });

  it('an unreachable PostgreSQL says where it tried', async () => {
    const r = await start({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/servicebot' });
    expectOneClearLine(r, /127\.0\.0\.1:1/);
  });
});
