/** `cli export`: service records (客户服务记录表) or complaint records for a date range, as CSV or XLSX. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, isoDay, openStore, writeOut } from './support.js';
import { HttpError } from '../web/body.js';
import { EXPORT_FORMATS, EXPORT_KINDS, exportTable, toCsv, toXlsx, type ExportFormat, type ExportKind } from '../web/exports.js';

const USAGE = `usage: npm run --silent cli -- export --from 2026-11-01 --to 2026-11-30 [--format csv|xlsx] [--out FILE] [--kind service-records|complaints|inspections]
  --from, --to   first and last day (inclusive), in the contract's time zone
  --format       csv (UTF-8 with BOM, for Excel; default) or xlsx
  --out          file to write (default: standard output)
  --kind         service-records (客户服务记录表, default), complaints (投诉记录) or inspections (巡检记录, by due date)`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'csv' },
        out: { type: 'string' },
        kind: { type: 'string', default: 'service-records' },
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
  const kind = (values.kind === 'complaint' ? 'complaints' : values.kind) as ExportKind;
  try {
    if (!(EXPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind: service-records, complaints or inspections, not "${values.kind}"`);
    if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`--format: csv or xlsx, not "${values.format}"`);
    const range = { from: isoDay(values.from, '--from'), to: isoDay(values.to, '--to') };
    if (values.format === 'xlsx' && !values.out && process.stdout.isTTY) throw new UsageError('--format xlsx is binary: give --out FILE (or redirect the output)');
    const store = await openStore(process.env, { seedOrg: false });
    try {
      const table = await exportTable(store.db, store.contracts.default.contract.timezone, kind, range);
      const bytes = (values.format as ExportFormat) === 'xlsx' ? await toXlsx(table) : toCsv(table);
      if (values.out) {
        writeFileSync(values.out, bytes);
        console.error(`${table.title}: ${table.rows.length} rows written to ${values.out}`);
      } else await writeOut(bytes);
      return 0;
    } finally {
      await store.close();
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof HttpError) {
      console.error(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
