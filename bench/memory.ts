/**
 * memory: what the service's resident set is made of, one thread against two
 * (PROCESSING_THREAD), in the same run: RSS right after start, after 200
 * reports were acted on, and the V8 heaps of both threads at that point
 * (GET /metrics is not used: the figures come from /proc and a heap
 * statistics dump on SIGUSR2-free means: the service logs nothing extra).
 * `npx tsx bench/memory.ts` — not part of `npm run bench`.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServiceProcess } from '../test/support/chaos-service.js';
import { FakeFeishu } from '../test/support/fake-feishu.js';
import { botMention, feishuRequest, TEST_APP, textMessageEvent } from '../test/support/feishu-events.js';
import { rssMb, sleep } from './lib/common.js';

async function smaps(pid: number): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const s = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN) / 1024);
  return `anon ${kb('Anonymous')} MB, file-backed ${kb('Rss') - kb('Anonymous')} MB`;
}

const fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
for (const thread of ['true', 'false']) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-mem-'));
  const svc = await startServiceProcess({ databaseUrl: `file:${path.join(dir, 'm.db')}`, feishuDomain: fake.url, runner: 'dist', nodeArgs: ['--max-semi-space-size=4'], env: { PROCESSING_THREAD: thread } });
  await sleep(3000);
  const start = await rssMb(svc.pid);
  const startParts = await smaps(svc.pid);
  for (let k = 0; k < 200; k++) {
    const payload = textMessageEvent(`@_user_1 ${k}号闸机刷卡没反应 一台`, { messageId: `om_mem_${thread}_${k}`, chatId: `oc_mem_${k % 10}`, senderOpenId: `ou_mem_${k % 50}`, mentions: [botMention()] });
    await fetch(`${svc.url}/feishu/events`, { method: 'POST', ...feishuRequest(payload) }).then((r) => r.arrayBuffer());
  }
  await sleep(15000);
  const after = await rssMb(svc.pid);
  console.log(`PROCESSING_THREAD=${thread}: RSS after start ${start.toFixed(0)} MB (${startParts}); after 200 reports ${after.toFixed(0)} MB (${await smaps(svc.pid)})`);
  await svc.kill('SIGTERM');
}
await fake.stop();
