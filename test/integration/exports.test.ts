/**
 * Exports of service records and complaint records, read back the way a
 * spreadsheet would: the CSV with a CSV parser (UTF-8 with BOM), the XLSX with
 * exceljs. From the API and from the CLI, on a seeded database. Also /metrics.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../src/demo/seed.js';
import { COMPLAINT_COLUMNS, SERVICE_RECORD_COLUMNS, defuseCell } from '../../src/web/exports.js';
import { startTestService, type TestService } from '../support/service.js';

const run = promisify(execFile);
let svc: TestService;
const NOV = { gte: new Date('2026-10-31T16:00:00Z'), lt: new Date('2026-11-30T16:00:00Z') };

beforeAll(async () => {
  svc = await startTestService({ start: '2026-11-30T10:00:00.000Z' });
  await seed(svc.db, svc.bot.deps.contracts.default, { tickets: 600, days: 45, now: svc.clock.now(), seed: 11, sqliteFile: path.join(svc.dir, 'test.db') });
  // A record whose text would be a formula in Excel, and one with a comma, quotes and a new line.
  const t = await svc.db.ticket.findFirstOrThrow({ where: { kind: 'fault', reportedAt: NOV }, orderBy: { id: 'asc' } });
  await svc.db.ticket.update({ where: { id: t.id }, data: { handling: '=HYPERLINK("http://evil")', analysis: '电源模块老化，"风扇"异响\n已更换' } });
}, 120_000);
afterAll(async () => {
  await svc?.close();
});

async function get(p: string): Promise<Response> {
  return fetch(svc.url + p);
}

async function readXlsx(buf: ArrayBuffer | Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as ArrayBuffer);
  return wb.worksheets[0]!;
}

function cells(ws: ExcelJS.Worksheet, row: number): unknown[] {
  const r = ws.getRow(row);
  return Array.from({ length: ws.columnCount }, (_, i) => r.getCell(i + 1).value);
}

describe('exports', () => {
  it('service records as CSV: UTF-8 with BOM, the record columns, Chinese intact, one row per fault or consultation', async () => {
    const r = await get('/api/exports/service-records?from=2026-11-01&to=2026-11-30&format=csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/csv; charset=utf-8/);
    expect(r.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('客户服务记录表_2026-11-01_2026-11-30.csv')}`);
    const buf = Buffer.from(await r.arrayBuffer());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(buf, { bom: true, columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    const expected = await svc.db.ticket.findMany({ where: { reportedAt: NOV, kind: { in: ['fault', 'consultation'] } }, orderBy: [{ reportedAt: 'asc' }, { id: 'asc' }], include: { assignee: true } });
    expect(rows.length).toBe(expected.length);
    expect(rows.length).toBeGreaterThan(100);
    expect(Object.keys(rows[0]!)).toEqual(SERVICE_RECORD_COLUMNS.map((c) => c.header));
    for (const h of ['客户单位', '联系人', '联系电话', '报修时间', '报修内容（故障现象）', '到场时状态', '处理过程', '原因分析', '服务工程师', '所属部门', '完成时间', '客户确认', '回访时间', '客户意见', '满意度', '总结']) {
      expect(Object.keys(rows[0]!)).toContain(h);
    }
    expect(rows.map((x) => x['工单号'])).toEqual(expected.map((t) => t.number));
    expect(rows[0]!['报修内容（故障现象）']).toBe(expected[0]!.content);
    expect(rows.some((x) => x['客户单位'] === '西安地铁二号线运营分公司')).toBe(true);
    const withEngineer = expected.findIndex((t) => t.assignee);
    expect(rows[withEngineer]!['服务工程师']).toBe(expected[withEngineer]!.assignee!.name);
    // Formula defused, quotes and new lines survive.
    expect(rows[0]!['处理过程']).toBe(`'=HYPERLINK("http://evil")`);
    expect(rows[0]!['原因分析']).toBe('电源模块老化，"风扇"异响\n已更换');
    expect(rows.filter((x) => x['客户确认'] === '已确认').length).toBe(expected.filter((t) => t.confirmation === 'confirmed').length);
  });

  it('service records as XLSX: a sheet with the header row and the same rows', async () => {
    const r = await get('/api/exports/service-records?from=2026-11-01&to=2026-11-30&format=xlsx');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const ws = await readXlsx(await r.arrayBuffer());
    expect(ws.name).toBe('客户服务记录表');
    expect(cells(ws, 1)).toEqual(SERVICE_RECORD_COLUMNS.map((c) => c.header));
    const count = await svc.db.ticket.count({ where: { reportedAt: NOV, kind: { in: ['fault', 'consultation'] } } });
    expect(ws.rowCount).toBe(count + 1);
    const first = await svc.db.ticket.findFirstOrThrow({ where: { reportedAt: NOV, kind: { in: ['fault', 'consultation'] } }, orderBy: [{ reportedAt: 'asc' }, { id: 'asc' }] });
    const row = cells(ws, 2);
    expect(row[0]).toBe(first.number);
    expect(row[SERVICE_RECORD_COLUMNS.findIndex((c) => c.key === 'content')]).toBe(first.content);
    // In XLSX text stays text: no formula, no apostrophe.
    expect(row[SERVICE_RECORD_COLUMNS.findIndex((c) => c.key === 'handling')]).toBe('=HYPERLINK("http://evil")');
  });

  it('complaint records as CSV and XLSX with the complaint columns', async () => {
    const expected = await svc.db.ticket.findMany({ where: { reportedAt: NOV, kind: 'complaint' }, include: { complaint: true }, orderBy: [{ reportedAt: 'asc' }, { id: 'asc' }] });
    expect(expected.length).toBeGreaterThan(3);
    const csv = Buffer.from(await (await get('/api/exports/complaints?from=2026-11-01&to=2026-11-30')).arrayBuffer());
    const rows = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual(COMPLAINT_COLUMNS.map((c) => c.header));
    for (const h of ['投诉编号', '接待人', '投诉时间', '客户单位/合同项目', '投诉人', '联系方式', '投诉内容', '投诉诉求', '调查结果', '初步处理意见', '整改过程', '客户意见', '满意度', '归档时间']) {
      expect(Object.keys(rows[0]!)).toContain(h);
    }
    expect(rows.map((x) => [x['投诉编号'], x['投诉人'], x['投诉内容']])).toEqual(expected.map((t) => [t.number, t.complaint!.complainant, t.complaint!.content]));
    const ws = await readXlsx(await (await get('/api/exports/complaints?from=2026-11-01&to=2026-11-30&format=xlsx')).arrayBuffer());
    expect(ws.name).toBe('投诉记录');
    expect(ws.rowCount).toBe(expected.length + 1);
    expect(cells(ws, 2)[6]).toBe(expected[0]!.complaint!.content);
  });

  it('answers a bad request with 400 and what was wrong', async () => {
    for (const [q, msg] of [
      ['from=2026-11-01', /to/],
      ['from=2026-11-30&to=2026-11-01', /before/],
      ['from=2026-11-01&to=2026-11-30&format=pdf', /format/],
      ['from=2026-13-01&to=2026-11-30', /not a date/],
      ['from=2020-01-01&to=2026-11-30', /at most/],
    ] as const) {
      const r = await get(`/api/exports/service-records?${q}`);
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { error: string }).error, q).toMatch(msg);
    }
  });

  it('defuses every text cell that could start a formula; numbers stay numbers (more in test/unit/csv-defuse.test.ts)', () => {
    expect(defuseCell('=1+1')).toBe("'=1+1");
    expect(defuseCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(defuseCell('+86 139 0000 0001')).toBe("'+86 139 0000 0001");
    expect(defuseCell('-5')).toBe("'-5");
    expect(defuseCell(5)).toBe(5);
    expect(defuseCell(null)).toBe('');
  });

  it('from the CLI: export (xlsx, complaints), digest --format json and --png', async () => {
    mkdirSync('test-results', { recursive: true });
    const env = { ...process.env, DATABASE_URL: `file:${path.join(svc.dir, 'test.db')}`, DATA_DIR: svc.dir, LOG_LEVEL: 'silent', SANDBOX_CLOCK: 'manual' };
    const tsx = path.resolve('node_modules/.bin/tsx');
    const out = path.join(svc.dir, 'records.xlsx');
    const e = await run(tsx, ['src/cli.ts', 'export', '--from', '2026-11-01', '--to', '2026-11-30', '--format', 'xlsx', '--out', out], { env });
    expect(e.stderr).toMatch(/rows written/);
    const ws = await readXlsx(readFileSync(out));
    expect(cells(ws, 1)).toEqual(SERVICE_RECORD_COLUMNS.map((c) => c.header));
    const c = await run(tsx, ['src/cli.ts', 'export', '--from', '2026-11-01', '--to', '2026-11-30', '--kind', 'complaints'], { env, encoding: 'buffer' });
    const rows = parse(c.stdout as unknown as Buffer, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBe(await svc.db.ticket.count({ where: { reportedAt: NOV, kind: 'complaint' } }));
    const bad = await run(tsx, ['src/cli.ts', 'export', '--from', '2026-11-31', '--to', '2026-11-30'], { env }).catch((x: { code: number; stderr: string }) => x);
    expect((bad as { code: number }).code).toBe(2);

    const png = 'test-results/digest-cli.png';
    const d = await run(tsx, ['src/cli.ts', 'digest', '--date', '2026-11-24', '--format', 'json', '--png', png], { env, maxBuffer: 10_000_000 });
    const digest = JSON.parse(d.stdout) as { period: { key: string }; newTickets: { total: number } };
    expect(digest.period.key).toBe('2026-11-24');
    expect(digest.newTickets.total).toBe(await svc.db.ticket.count({ where: { reportedAt: { gte: new Date('2026-11-23T16:00:00Z'), lt: new Date('2026-11-24T16:00:00Z') } } }));
    expect(readFileSync(png).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    const text = await run(tsx, ['src/cli.ts', 'digest', '--date', '2026-11-23', '--period', 'weekly', '--format', 'text'], { env });
    expect(text.stdout.split('\n')[0]).toBe('📊 售后服务周报 2026年第48周（11月23日—11月29日）');
  }, 120_000);
});

describe('/metrics', () => {
  it('serves Prometheus text to this machine with tickets, inbound events, outbox and breaches', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const body = await r.text();
    const open = await svc.db.ticket.count({ where: { status: 'acknowledged', kind: 'fault', level: 3 } });
    expect(body).toContain(`servicebot_tickets{status="acknowledged",kind="fault",level="3"} ${open}`);
    for (const name of ['servicebot_inbound_events{', 'servicebot_sla_breaches{clock=', 'servicebot_reminders_sent', 'servicebot_outbox_depth', 'servicebot_outbox_failed{', 'servicebot_event_to_reply_seconds', 'servicebot_sends_total', 'servicebot_process_cpu']) {
      expect(body, name).toContain(name);
    }
    const failed = await svc.db.outbox.count({ where: { status: 'failed', channel: 'sandbox' } });
    expect(body).toContain(`servicebot_outbox_failed{channel="sandbox"} ${failed}`);
  });

  it('shows the inbound queue: its depth and the age of its oldest message, in /metrics and /healthz', async () => {
    const receivedAt = new Date(svc.clock.now().getTime() - 90_000);
    const row = await svc.db.inboundEvent.create({
      data: { channel: 'feishu', eventId: 'metrics-queued-1', messageId: 'om_metrics_1', chatPlatformId: 'oc_x', senderPlatformId: 'ou_x', type: 'message', text: '测试', receivedAt, occurredAt: receivedAt, outcome: 'queued', payload: null },
    });
    try {
      // The gauges are read on scrape but reused for a few seconds: wait for a fresh read.
      await new Promise((r) => setTimeout(r, 5_100));
      const body = await (await get('/metrics')).text();
      expect(body).toContain('servicebot_inbound_queue_depth{channel="feishu"} 1');
      const age = Number(/servicebot_inbound_queue_oldest_age_seconds\{channel="feishu"\} ([\d.]+)/.exec(body)?.[1]);
      expect(age).toBeGreaterThanOrEqual(90);
      const health = (await (await get('/healthz')).json()) as { inboundQueued: number };
      expect(health.inboundQueued).toBe(1);
    } finally {
      await svc.db.inboundEvent.delete({ where: { id: row.id } });
    }
  });
});
