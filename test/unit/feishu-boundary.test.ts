/**
 * The translator and the renderer are pure: no platform SDK, no I/O. Only the
 * neutral types and each other may be imported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../src/channels/feishu/', import.meta.url));

function imports(file: string): string[] {
  const src = readFileSync(dir + file, 'utf8');
  return [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}

describe('feishu boundary', () => {
  it.each(['translate.ts', 'render.ts'])('%s imports no SDK and does no I/O', (file) => {
    const src = readFileSync(dir + file, 'utf8');
    expect(src).not.toMatch(/@larksuiteoapi/);
    const allowed = new Set(['../../core/channel.js', './translate.js', './render.js']);
    for (const spec of imports(file)) expect(allowed.has(spec), `${file} imports ${spec}`).toBe(true);
  });

  it('errors.ts is SDK-free too', () => {
    expect(readFileSync(dir + 'errors.ts', 'utf8')).not.toMatch(/@larksuiteoapi/);
  });

  it('no file outside src/channels/feishu imports the Feishu SDK', () => {
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const offenders = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|mts|js)$/.test(f) && !f.split(sep).join('/').startsWith('channels/feishu/'))
      .filter((f) => /from\s+['"]@larksuiteoapi|import\(\s*['"]@larksuiteoapi/.test(readFileSync(join(src, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
