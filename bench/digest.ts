/**
 * digest: the managers' daily digest computed over the bulk store (1M tickets
 * in the full run): loadDigest (the indexed queries + the pure computation) and
 * its text, then its chart. The digest code belongs to src/domain/digest.ts and
 * src/report/digest-store.ts; it is imported at run time, so this benchmark
 * reports "not available" instead of failing while those files do not exist.
 */
import { ContractRegistry } from '../src/core/contracts.js';
import type { Config } from '../src/config.js';
import type { Db } from '../src/store/types.js';
import { NOW } from './lib/bulk.js';
import { log, median, round } from './lib/common.js';

export interface DigestResult {
  digest_ms: number | null;
  digest_text_ms: number | null;
  digest_chart_ms: number | null;
  digest_tickets: number;
  digest_new_in_period: number | null;
  digest_note?: string;
}

export async function benchDigest(db: Db, config: Config, tickets: number): Promise<DigestResult> {
  let domain: typeof import('../src/domain/digest.js');
  let store: typeof import('../src/report/digest-store.js');
  try {
    domain = await import('../src/domain/digest.js');
    store = await import('../src/report/digest-store.js');
  } catch (e) {
    return { digest_ms: null, digest_text_ms: null, digest_chart_ms: null, digest_tickets: tickets, digest_new_in_period: null, digest_note: `digest code not available: ${(e as Error).message.split('\n')[0]}` };
  }
  const contracts = new ContractRegistry(config.contracts);
  const tz = contracts.default.contract.timezone;
  // The daily digest posted on NOW's morning covers the day before.
  const yesterday = new Date(NOW.getTime() - 86_400_000).toLocaleDateString('sv-SE', { timeZone: tz });
  const period = domain.periodContaining('daily', yesterday, tz);
  const times: number[] = [];
  const textTimes: number[] = [];
  let digest: Awaited<ReturnType<typeof store.loadDigest>> | undefined;
  for (let k = 0; k < 4; k++) {
    const t0 = performance.now();
    digest = await store.loadDigest(db, contracts, period, NOW);
    const t1 = performance.now();
    domain.renderDigestText(digest);
    const t2 = performance.now();
    if (k > 0) {
      // The first run warms the client's query cache; a posting replica runs it once a day, so report both.
      times.push(t1 - t0);
      textTimes.push(t2 - t1);
    } else {
      times.push(t1 - t0);
      textTimes.push(t2 - t1);
      log(`digest: first run ${round(t1 - t0, 1)} ms`);
    }
  }
  let chartMs: number | null = null;
  try {
    const chart = await import('../src/report/chart.js');
    const t0 = performance.now();
    await chart.renderDigestChart(domain.digestChartData(digest!) as Parameters<typeof chart.renderDigestChart>[0]);
    chartMs = round(performance.now() - t0, 1);
  } catch (e) {
    log(`digest chart not measured: ${(e as Error).message}`);
  }
  const res: DigestResult = {
    // Worst of the runs: the first is cold (query plans, caches), as the daily job is.
    digest_ms: round(Math.max(...times), 1),
    digest_text_ms: round(median(textTimes), 2),
    digest_chart_ms: chartMs,
    digest_tickets: tickets,
    digest_new_in_period: digest!.newTickets.total,
  };
  log(`digest over ${tickets} tickets: ${res.digest_ms} ms (worst of ${times.length}: ${times.map((t) => round(t, 0)).join(', ')}), text ${res.digest_text_ms} ms, chart ${chartMs} ms`);
  return res;
}
