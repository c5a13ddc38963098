/** `cli retention`: apply the retention periods of config/retention.yaml now (the daily job does it every day). */
import { parseArgs } from 'node:util';
import { openStore } from './support.js';
import { applyRetention } from '../store/privacy.js';

const USAGE = `usage: npm run --silent cli -- retention [--dry-run]
  Drops the text of ignored messages older than ignoredMessages.dropTextAfterDays and anonymises
  tickets closed more than closedTickets.anonymiseAfterDays ago (RETENTION_FILE, default
  config/retention.yaml), as the service's daily job does.
  --dry-run  say what would be dropped or anonymised, change nothing`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const store = await openStore(process.env, { seedOrg: false });
  try {
    const counts = await applyRetention(store.db, store.config.retention, { actor: 'cli', dryRun: values['dry-run'] });
    console.log(`${values['dry-run'] ? 'would change' : 'changed'}: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    return 0;
  } finally {
    await store.close();
  }
}
