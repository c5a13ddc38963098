#!/usr/bin/env node
// `npm start`: build if dist/ is missing or older than src/, then run the service.
// Migrations are applied by the service itself on start.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

const stale = !existsSync(entry) || newest(path.join(root, 'src')) > statSync(entry).mtimeMs;
if (stale) {
  console.log('servicebot: building (tsc)…');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('servicebot: the build failed; see the errors above');
    process.exit(1);
  }
}
const { main } = await import(entry);
await main();
