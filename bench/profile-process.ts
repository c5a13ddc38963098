/**
 * Where the CPU of acting on reports goes: 500 fault reports acted on under the
 * inspector's CPU profiler, summed by where the code comes from (Prisma's
 * runtime, its WASM query compiler, the driver, GC, servicebot's own code).
 * `npx tsx bench/profile-process.ts [out.cpuprofile]` — not part of `npm run bench`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { systemClock } from '../src/core/clock.js';
import { feishuMessage } from '../test/support/chaos.js';
import { freshDb, makeBot } from './lib/common.js';

interface Node { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

function area(n: Node): string {
  const { url, functionName: f } = n.callFrame;
  if (f === '(garbage collector)') return 'GC';
  if (f === '(idle)' || f === '(program)') return f;
  if (/query_compiler|^wasm/.test(url)) return 'Prisma WASM query compiler';
  if (/adapter-better-sqlite3|adapter-pg/.test(url)) return 'Prisma driver adapter';
  if (/@prisma\/client\/runtime|client\/runtime/.test(url)) return 'Prisma client runtime';
  if (/src\/store\/generated|@prisma/.test(url)) return 'Prisma other';
  if (/node_modules/.test(url)) return `other: ${url.split('node_modules/')[1]!.split('/').slice(0, 2).join('/')}`;
  if (/\/src\//.test(url)) return 'servicebot';
  return 'native (better-sqlite3 runs, Node internals)';
}

const store = await freshDb('sqlite', 'profile');
const bot = await makeBot(store.db, 'sqlite', systemClock);
const msg = (n: number) => feishuMessage(`p${n}`, `@_user_1 ${n}号闸机刷卡没反应 一台`, { chat: `oc_process_${n % 100}`, sender: `ou_process_${n % 1000}` });
for (let n = 0; n < 100; n++) await bot.receive(msg(n), { defer: true });
await bot.processQueued();
for (let n = 100; n < 600; n++) await bot.receive(msg(n), { defer: true });
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
const c0 = process.cpuUsage();
const done = await bot.processQueued(1000);
const u = process.cpuUsage(c0);
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
await store.close();
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const time = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const k = area(byId.get(id)!);
  time.set(k, (time.get(k) ?? 0) + dt);
});
console.log(`${done} reports, ${((u.user + u.system) / 1000 / done).toFixed(2)} ms CPU each`);
for (const [k, t] of [...time].sort((a, b) => b[1] - a[1])) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
