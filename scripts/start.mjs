#!/usr/bin/env node
// `npm start`: build if dist/ is missing or older than src/, then run the service
// with NODE_FLAGS (re-running node with them when they are not in effect yet).
// Migrations are applied by the service itself on start.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Node flags the service runs with (the benchmarks run `node <NODE_FLAGS> dist/server.js`).
 * A process manager that starts `node dist/server.js` itself should pass the same flags.
 * --max-semi-space-size=4: a young generation of 2×4 MB instead of up to 2×16 MB; measured
 * (bench/ANALYSIS.md) about 50–70 MB less resident memory at the same throughput.
 * No --max-old-space-size: a year's export is built in memory (about 600 MB for 28k
 * tickets) and a hard heap limit would abort the process on it.
 * SERVICEBOT_NODE_FLAGS replaces the list (empty: none).
 */
export const NODE_FLAGS = ['--max-semi-space-size=4'];

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'main.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function flags() {
  const env = process.env.SERVICEBOT_NODE_FLAGS;
  return env === undefined ? NODE_FLAGS : env.split(/\s+/).filter(Boolean);
}

async function start() {
  const stale = !existsSync(entry) || newest(path.join(root, 'src')) > statSync(entry).mtimeMs;
  if (stale) {
    console.log('servicebot: building (tsc)…');
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.error('servicebot: the build failed; see the errors above');
      process.exit(1);
    }
  }
  const wanted = flags();
  if (wanted.some((f) => !process.execArgv.includes(f))) {
    // V8's heap sizes are fixed when the process starts: run node again with them, and
    // stay as a thin parent that passes signals on and exits as the service does.
    const child = spawn(process.execPath, [...process.execArgv, ...wanted, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
    return;
  }
  const { main } = await import(entry);
  await main();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await start();
