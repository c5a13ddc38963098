/**
 * Writes sample digest charts to bench/tmp/ so a person can look at them:
 *   npx tsx scripts/render-sample-chart.ts
 * sample-chart.png has realistic figures; sample-chart-empty.png is an all-zero day.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderDigestChart, type DigestChartData } from '../src/report/chart.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', 'tmp');

const sample: DigestChartData = {
  title: '日报 2026-11-24',
  newByLevel: [
    { level: '一级', count: 2 },
    { level: '二级', count: 7 },
    { level: '三级', count: 15 },
    { level: '四级', count: 9 },
    { level: '咨询', count: 12 },
    { level: '投诉', count: 1 },
  ],
  openByStatus: [
    { status: '待响应', count: 3 },
    { status: '处理中', count: 11 },
    { status: '待到场', count: 4 },
    { status: '挂起', count: 2 },
    { status: '待确认', count: 6 },
  ],
  sla: [
    { clock: '首次响应', onTime: 44, late: 1, overdue: 1 },
    { clock: '到场', onTime: 9, late: 0, overdue: 1 },
    { clock: '进展更新', onTime: 30, late: 2, overdue: 3 },
    { clock: '解决', onTime: 21, late: 1, overdue: 2 },
  ],
  satisfaction: [
    { score: 5, count: 18 },
    { score: 4, count: 7 },
    { score: 3, count: 2 },
    { score: 2, count: 1 },
    { score: 1, count: 0 },
  ],
};

const empty: DigestChartData = {
  title: '日报 2026-11-25',
  newByLevel: ['一级', '二级', '三级', '四级', '咨询', '投诉'].map((level) => ({ level, count: 0 })),
  openByStatus: [],
  sla: [
    { clock: '首次响应', onTime: 0, late: 0, overdue: 0 },
    { clock: '到场', onTime: 0, late: 0, overdue: 0 },
  ],
};

mkdirSync(outDir, { recursive: true });
for (const [name, data] of [
  ['sample-chart.png', sample],
  ['sample-chart-empty.png', empty],
] as const) {
  const started = performance.now();
  const png = await renderDigestChart(data);
  const ms = performance.now() - started;
  const file = path.join(outDir, name);
  writeFileSync(file, png);
  console.log(`${path.relative(root, file)}: ${png.length} bytes in ${ms.toFixed(0)} ms`);
}
