/**
 * `cli -- hash-password` typed at a real terminal (tmux) shows nothing of the
 * password, and prints a hash that verifies; piped, it reads the first line.
 * The terminal case is skipped, saying why, when tmux is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/web/dashboard/auth.js';

const TMUX = '/usr/bin/tmux';
const haveTmux = existsSync(TMUX);
if (!haveTmux) console.warn('hash-password terminal test skipped: tmux not found (apt-get install -y tmux)');
const PASSWORD = 'Secret-Pass-2026';
const cli = ['tsx', 'src/cli.ts', 'hash-password'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cli hash-password', () => {
  it('reads a piped password and prints its hash alone on stdout', async () => {
    const r = spawnSync('npx', cli, { input: `${PASSWORD}\n`, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const hash = r.stdout.trim();
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
  }, 60_000);

  it.skipIf(!haveTmux)('does not echo a password typed at a terminal', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-hash-'));
    const out = path.join(dir, 'hash.txt');
    const session = `hashpw-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync(TMUX, args, { encoding: 'utf8' });
    try {
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '10', `cd ${JSON.stringify(process.cwd())} && npx ${cli.join(' ')} > ${JSON.stringify(out)}; sleep 30`);
      const screen = () => tmux('capture-pane', '-p', '-t', session);
      for (let i = 0; i < 120 && !screen().includes('password'); i++) await sleep(250);
      expect(screen()).toContain('password (not shown):');
      tmux('send-keys', '-t', session, '-l', PASSWORD);
      await sleep(500);
      expect(screen()).not.toContain(PASSWORD);
      expect(screen()).not.toMatch(/\*{4}/);
      tmux('send-keys', '-t', session, 'Enter');
      for (let i = 0; i < 120 && !(existsSync(out) && readFileSync(out, 'utf8').trim()); i++) await sleep(250);
      expect(screen()).not.toContain(PASSWORD);
      expect(await verifyPassword(PASSWORD, readFileSync(out, 'utf8').trim())).toBe(true);
    } finally {
      spawnSync(TMUX, ['kill-session', '-t', session]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
