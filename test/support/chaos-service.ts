/**
 * The real service as a child process (`node dist/server.js`, or the sources
 * through tsx), for the benchmarks and the chaos tests: started on a given
 * database with Feishu pointed at a fake open platform, waited for until
 * /healthz answers, killed with any signal, restarted on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { feishuEnv } from './feishu-events.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Runner = 'dist' | 'tsx';

export interface ServiceProcessOptions {
  databaseUrl: string;
  /** The fake Feishu's base URL (FEISHU_DOMAIN); omit for a sandbox-only service. */
  feishuDomain?: string;
  port?: number;
  runner?: Runner;
  env?: Record<string, string>;
  /** Milliseconds to wait for /healthz. */
  startTimeoutMs?: number;
  /** Extra node flags (e.g. --max-old-space-size). */
  nodeArgs?: string[];
}

export interface ServiceProcess {
  pid: number;
  port: number;
  url: string;
  child: ChildProcess;
  /** stderr and stdout so far (the log, LOG_LEVEL=warn by default). */
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * `node dist/server.js` when the build is newer than every source file (CI builds first; it starts
 * in a few seconds), else the sources through tsx (slower to start, always current).
 * SERVICEBOT_RUNNER=dist|tsx decides instead.
 */
export function defaultRunner(): Runner {
  const env = process.env.SERVICEBOT_RUNNER;
  if (env === 'dist' || env === 'tsx') return env;
  const built = path.join(ROOT, 'dist/server.js');
  if (!existsSync(built)) return 'tsx';
  return statSync(built).mtimeMs >= newestMtime(path.join(ROOT, 'src')) ? 'dist' : 'tsx';
}

/** The default organisation file with extra lines under staff (YAML), written to a temp folder. */
export function orgFileWith(edit: (yaml: string) => string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-chaos-org-'));
  const file = path.join(dir, 'org.yaml');
  writeFileSync(file, edit(readFileSync(path.join(ROOT, 'config/org.yaml'), 'utf8')));
  return file;
}

export async function startServiceProcess(o: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = o.port ?? (await freePort());
  const runner = o.runner ?? defaultRunner();
  if (runner === 'dist' && !existsSync(path.join(ROOT, 'dist/server.js'))) throw new Error('dist/server.js is missing: npm run build');
  const args = runner === 'dist' ? [...(o.nodeArgs ?? []), 'dist/server.js'] : [...(o.nodeArgs ?? []), '--import', 'tsx', 'src/server.ts'];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    DATABASE_URL: o.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'servicebot-chaos-data-')),
    ...(o.feishuDomain ? feishuEnv(o.feishuDomain) : {}),
    // One thread or two (a comparison run: PROCESSING_THREAD=false npx vitest run …).
    ...(process.env.PROCESSING_THREAD ? { PROCESSING_THREAD: process.env.PROCESSING_THREAD } : {}),
    ...o.env,
  };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`service exited during start:\n${out.slice(-3000)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not answer /healthz within ${o.startTimeoutMs ?? 60_000} ms:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    port,
    url,
    child,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (gone) return;
      child.kill(signal);
      await exited;
    },
  };
}
