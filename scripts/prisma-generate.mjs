#!/usr/bin/env node
// `npm run db:generate` and `postinstall`: writes the per-provider schemas from
// prisma/models.prisma, then runs `prisma generate` for SQLite and PostgreSQL.
//
// Offline: `prisma generate` only checks that a schema engine binary exists and
// never runs it, so PRISMA_SCHEMA_ENGINE_BINARY points at an existing file (this
// Node binary) and nothing is downloaded. Skips a provider whose schema (and the
// prisma version) is unchanged since its last generate; `--force` regenerates.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVIDERS, writeSchemas } from './prisma-schemas.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let prismaCli;
try {
  prismaCli = require.resolve('prisma/build/index.js');
} catch {
  console.error('prisma-generate: the `prisma` CLI is not installed (it is a devDependency). Run `npm install` (without --omit=dev) and try again.');
  process.exit(1);
}

const started = Date.now();
const force = process.argv.includes('--force');
const schemas = writeSchemas();
const prismaVersion = JSON.parse(readFileSync(join(dirname(prismaCli), '..', 'package.json'), 'utf8')).version;
/** Generated output is up to date when its stamp matches this schema and this prisma version. */
const stampOf = (provider) => createHash('sha256').update(`${prismaVersion}\n${schemas[provider]}`).digest('hex');
const stampFile = (provider) => join(root, 'src', 'store', 'generated', provider, '.schema-stamp');
const upToDate = (provider) =>
  !force &&
  existsSync(join(root, 'src', 'store', 'generated', provider, 'client.ts')) &&
  existsSync(stampFile(provider)) &&
  readFileSync(stampFile(provider), 'utf8') === stampOf(provider);

const env = {
  ...process.env,
  // Only needs to exist; `generate` never executes it.
  PRISMA_SCHEMA_ENGINE_BINARY:
    process.env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(process.env.PRISMA_SCHEMA_ENGINE_BINARY)
      ? process.env.PRISMA_SCHEMA_ENGINE_BINARY
      : process.execPath,
  CHECKPOINT_DISABLE: '1', // no update check over the network
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_GENERATE_NO_HINTS: '1',
};

/** Runs `prisma generate` for one provider; resolves with its exit code and output. */
function generate(provider) {
  const schema = join('prisma', provider, 'schema.prisma');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [prismaCli, 'generate', '--schema', schema], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ provider, schema, code: 1, output: String(e) }));
    child.on('close', (code, signal) => resolve({ provider, schema, code: code ?? signal, output }));
  });
}

// Both at once: each is mostly Node start-up and WASM, ~2.5 s.
const todo = PROVIDERS.filter((p) => !upToDate(p));
for (const p of PROVIDERS.filter((p) => !todo.includes(p))) console.log(`prisma-generate: ${p} client is up to date (--force to regenerate)`);
const results = await Promise.all(todo.map(generate));
let failed = false;
for (const r of results) {
  if (r.code !== 0) {
    failed = true;
    process.stderr.write(r.output);
    console.error(`prisma-generate: \`prisma generate --schema ${r.schema}\` failed (exit ${r.code}). Fix prisma/models.prisma (the error above names the line) and run \`npm run db:generate\` again.`);
  } else {
    writeFileSync(stampFile(r.provider), stampOf(r.provider));
    console.log(`prisma-generate: ${r.provider} client → ${relative(root, join(root, 'src', 'store', 'generated', r.provider))}`);
  }
}
if (failed) process.exit(1);
console.log(`prisma-generate: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
