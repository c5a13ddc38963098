/**
 * The lockfile against the public advisories found for its packages (npm audit cannot reach an
 * advisory service here, so the check is this table; README "Security and data" says how it was
 * made): no installed version lies in a vulnerable range. And WeChat's packages are peer
 * dependencies, so a Feishu-only install (`npm ci --omit=peer`) leaves them and their whole tree
 * out (see test/integration/without-wechat.test.ts for the service without them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  /** The real package name when installed under an alias (request → @cypress/request). */
  name?: string;
  version?: string;
  peer?: boolean;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;

/** Every installed copy of every package: [name, version, lockfile entry]. */
const installed = Object.entries(lock.packages)
  .filter(([path]) => path.includes('node_modules/'))
  .map(([path, e]) => [e.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), e.version ?? '', e] as const);

const parse = (v: string) => v.split('-')[0]!.split('.').map(Number);
function cmp(a: string, b: string): number {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
/** [from (inclusive), to (exclusive)]: a vulnerable range; to undefined means every later version too. */
type Range = [string, string | undefined];
const inRange = (v: string, [from, to]: Range) => cmp(v, from) >= 0 && (to === undefined || cmp(v, to) < 0);

/** Advisories found for packages in this tree, with the vulnerable ranges they state. */
const ADVISORIES: Array<{ name: string; ranges: Range[]; id: string }> = [
  { name: 'request', ranges: [['0.0.0', undefined]], id: 'GHSA-p8p7-x288-28g6 / CVE-2023-28155 (SSRF via cross-protocol redirect; deprecated, no fix)' },
  { name: 'tough-cookie', ranges: [['0.0.0', '4.1.3']], id: 'GHSA-72xf-g2v4-qvf3 / CVE-2023-26136 (prototype pollution)' },
  { name: 'form-data', ranges: [['0.0.0', '2.5.4'], ['3.0.0', '3.0.4'], ['4.0.0', '4.0.4']], id: 'GHSA-fjxv-7rqg-78g4 / CVE-2025-7783 (predictable multipart boundary)' },
  { name: 'xml2js', ranges: [['0.0.0', '0.5.0']], id: 'GHSA-776f-qx25-q3cc / CVE-2023-0842 (prototype pollution)' },
  { name: 'phin', ranges: [['0.0.0', '3.7.1']], id: 'GHSA-x565-32qp-m3vf (sensitive headers sent on after a redirect)' },
  { name: 'fast-xml-parser', ranges: [['0.0.0', '5.3.4']], id: 'CVE-2023-26920 (prototype pollution, <4.1.2), CVE-2023-34104 (ReDoS, <4.2.4), CVE-2026-25128 (DoS, <5.3.4)' },
  { name: 'nth-check', ranges: [['0.0.0', '2.0.1']], id: 'GHSA-rp65-9cf3-cjxr / CVE-2021-3803 (ReDoS)' },
  { name: 'css-what', ranges: [['0.0.0', '5.0.1']], id: 'CVE-2021-33587 (ReDoS)' },
  { name: 'lodash.pick', ranges: [['0.0.0', undefined]], id: 'GHSA-p6mc-m468-83gw / CVE-2020-8203 (prototype pollution; the per-method package never got the fix)' },
  { name: 'lodash', ranges: [['0.0.0', '4.17.23']], id: 'CVE-2025-13465 (prototype pollution)' },
  { name: 'qs', ranges: [['0.0.0', '6.14.1']], id: 'CVE-2025-15284 (arrayLimit bypass, DoS)' },
  { name: 'axios', ranges: [['0.0.0', '1.15.2']], id: 'CVE-2026-25639, CVE-2026-40175, CVE-2026-42033, CVE-2026-42264 (fixed by 1.15.2)' },
  { name: 'min-document', ranges: [['0.0.0', '2.19.2']], id: 'GHSA-rx8g-88g5-qh64 / CVE-2025-57352 (prototype pollution; 2.19.1 fixed it incompletely)' },
];

describe('the lockfile against known advisories', () => {
  for (const a of ADVISORIES) {
    it(`${a.name}: no version affected by ${a.id}`, () => {
      const bad = installed.filter(([n, v]) => n === a.name && a.ranges.some((r) => inRange(v, r))).map(([n, v]) => `${n}@${v}`);
      expect(bad).toEqual([]);
    });
  }
  it('the overrides that keep them out are in package.json, pinned', () => {
    expect(pkg.overrides).toMatchObject({ request: 'npm:@cypress/request@3.0.10', cheerio: '1.0.0-rc.12', xml2js: '0.6.2', phin: '3.7.1', 'fast-xml-parser': '5.12.1' });
  });
});

describe('WeChat is left out of a Feishu-only install', () => {
  const WECHAT = ['wechaty', 'wechaty-puppet-service', 'wechaty-puppet-mock', 'wechaty-puppet-wechat4u', 'wechat4u', 'file-box', 'jimp', 'open-graph', 'cheerio'];
  it('wechaty, its puppets and file-box are peer dependencies, not dependencies', () => {
    for (const n of ['wechaty', 'wechaty-puppet-service', 'wechaty-puppet-mock', 'file-box']) {
      expect(pkg.peerDependencies?.[n], n).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pkg.dependencies?.[n], n).toBeUndefined();
      expect(pkg.optionalDependencies?.[n], n).toBeUndefined();
    }
  });
  it('every package of their tree is marked peer in the lockfile, so `npm ci --omit=peer` skips it', () => {
    const present = installed.filter(([n]) => WECHAT.includes(n));
    expect(present.map(([n]) => n)).toEqual(expect.arrayContaining(['wechaty', 'wechaty-puppet-service', 'file-box']));
    expect(present.filter(([, , e]) => !e.peer).map(([n, v]) => `${n}@${v}`)).toEqual([]);
  });
  it('what Feishu needs is not peer: the Lark SDK, the database, the charts (and their platform binaries)', () => {
    for (const n of ['@larksuiteoapi/node-sdk', 'better-sqlite3', '@prisma/client', '@resvg/resvg-js', 'echarts', 'koa', 'qrcode']) {
      const e = lock.packages[`node_modules/${n}`];
      expect(e, n).toBeDefined();
      expect(e!.peer, n).toBeFalsy();
    }
  });
});
