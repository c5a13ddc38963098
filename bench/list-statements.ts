/**
 * The SQL statements acting on one new fault report runs (SQLite), in order:
 * `npx tsx bench/list-statements.ts [reports=2]`. Not part of `npm run bench`.
 */
import { systemClock } from '../src/core/clock.js';
import { statementsRun } from '../src/store/statement-cache.js';
import { feishuMessage } from '../test/support/chaos.js';
import { freshDb, makeBot } from './lib/common.js';

const store = await freshDb('sqlite', 'list');
const bot = await makeBot(store.db, 'sqlite', systemClock);
const n = Number(process.argv[2] ?? 2);
const msg = (k: number) => feishuMessage(`p${k}`, `@_user_1 ${k}号闸机刷卡没反应 一台`, { chat: `oc_process_${k % 100}`, sender: `ou_process_${process.env.SAME ? k % 50 : k % 1000}` });
for (let k = 0; k < 110; k++) await bot.receive(msg(k), { defer: true });
await bot.processQueued();
for (let k = 0; k < n; k++) {
  await bot.receive(msg(110 + k), { defer: true });
  statementsRun.trace = [];
  await bot.processQueued(1);
  console.log(`--- report ${110 + k}: ${statementsRun.trace.length} statements`);
  for (const sql of statementsRun.trace) console.log(process.env.FULL ? sql : sql.length > 400 ? `${sql.slice(0, 400)}…` : sql);
}
statementsRun.trace = undefined;
await store.close();
