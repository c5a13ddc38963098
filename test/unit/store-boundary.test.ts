/**
 * The service applies migrations with its own runner: nothing it runs imports
 * the WASM schema engine (src/store/schema-engine.ts, for writing migrations in
 * development) or patches third-party internals.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .map((f) => f.split(sep).join('/'))
  .filter((f) => /\.ts$/.test(f) && !f.startsWith('store/generated/') && f !== 'store/schema-engine.ts');

describe('store boundary', () => {
  it('no file the service runs imports the schema engine', () => {
    const offenders = files.filter((f) => /schema-engine/.test(readFileSync(join(src, f), 'utf8').match(/(?:import|from)\s*\(?\s*['"][^'"]+['"]/g)?.join('\n') ?? ''));
    expect(offenders).toEqual([]);
  });
});
