/** `cli digest`: the managers' digest of a day, week or month, as JSON or text, and its chart as PNG. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { PERIOD_KINDS, digestChartData, digestTimeOfDay, latestDue, periodContaining, postTimeOf, renderDigestText, type PeriodKind } from '../domain/digest.js';
import { renderDigestChart } from '../report/chart.js';
import { UsageError, isoDay, openStore, storeNow, writeOut } from './support.js';
import { loadDigest } from '../report/digest-store.js';

const USAGE = `usage: npm run --silent cli -- digest [--date 2026-11-24] [--period daily|weekly|monthly] [--format json|text] [--png digest.png] [--as-of ISO-TIME]
  --date     a day in the period (default: the period of the latest digest due)
  --period   daily (default), weekly (ISO week, Monday–Sunday) or monthly
  --format   json (default): the figures; text: the message posted to the managers' groups
  --png      also write the chart to this file
  --as-of    when the figures are taken (default: the digest's posting time, or now if earlier)`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        date: { type: 'string' },
        period: { type: 'string', default: 'daily' },
        format: { type: 'string', default: 'json' },
        png: { type: 'string' },
        'as-of': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const kind = values.period as PeriodKind;
  if (!PERIOD_KINDS.includes(kind)) {
    console.error(`--period: daily, weekly or monthly, not "${values.period}"\n\n${USAGE}`);
    return 2;
  }
  if (values.format !== 'json' && values.format !== 'text') {
    console.error(`--format: json or text, not "${values.format}"\n\n${USAGE}`);
    return 2;
  }
  const store = await openStore(process.env, { seedOrg: false });
  try {
    const tz = store.contracts.default.contract.timezone;
    const at = digestTimeOfDay(store.config.env.DIGEST_CRON);
    const now = await storeNow(store);
    const period = values.date ? periodContaining(kind, isoDay(values.date, '--date'), tz) : latestDue(kind, now, tz, at).period;
    let asOf = new Date(Math.min(now.getTime(), postTimeOf(period, tz, at).getTime()));
    if (values['as-of']) {
      asOf = new Date(values['as-of']);
      if (Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of: an ISO time such as 2026-11-25T09:00:00+08:00, not "${values['as-of']}"`);
    }
    if (asOf < period.start) throw new UsageError(`the period ${period.label} starts after ${DateTime.fromJSDate(asOf, { zone: tz }).toISO()}: nothing to report yet`);
    const started = performance.now();
    const digest = await loadDigest(store.db, store.contracts, period, asOf);
    const ms = performance.now() - started;
    if (values.format === 'json') await writeOut(`${JSON.stringify({ ...digest, computedInMs: Math.round(ms) }, null, 2)}\n`);
    else await writeOut(`${renderDigestText(digest)}\n`);
    if (values.png) {
      writeFileSync(values.png, await renderDigestChart(digestChartData(digest)));
      console.error(`chart written to ${values.png}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  } finally {
    await store.close();
  }
}
