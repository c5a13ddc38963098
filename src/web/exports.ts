/**
 * Exports of the service records (客户服务记录表, with their repair flow and
 * emergency report), complaint records (投诉记录) and inspection records (巡检记录)
 * for a date range, as CSV (UTF-8 with a BOM, so Excel reads the Chinese) and XLSX.
 * The same rows serve the API (GET /api/exports/…), the dashboard and the CLI.
 */
import type { Middleware } from 'koa';
import Router from '@koa/router';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { STATUS_LABELS, type TicketStatus } from '../domain/ticket.js';
import { INSPECTION_STATUS_LABELS } from '../domain/inspection.js';
import { repairFlowLine } from '../domain/repair-return.js';
import { flowRow, inspectionJobsDueBetween } from '../store/duties/index.js';
import { ticketNumbers } from '../store/tickets.js';
import type { Db } from '../store/types.js';
import { apiGuard } from './app.js';
import { HttpError } from './body.js';

export const EXPORT_KINDS = ['service-records', 'complaints', 'inspections'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Most days one export may cover. */
export const MAX_EXPORT_DAYS = 400;

export interface Column {
  key: string;
  header: string;
  /** Width in characters for XLSX. */
  width?: number;
}

export interface Table {
  title: string;
  columns: Column[];
  rows: Array<Record<string, string | number | null>>;
}

export const SERVICE_RECORD_COLUMNS: Column[] = [
  { key: 'number', header: '工单号', width: 18 },
  { key: 'kind', header: '类型', width: 6 },
  { key: 'customer', header: '客户单位', width: 24 },
  { key: 'contact', header: '联系人', width: 10 },
  { key: 'phone', header: '联系电话', width: 14 },
  { key: 'reportedAt', header: '报修时间', width: 17 },
  { key: 'content', header: '报修内容（故障现象）', width: 40 },
  { key: 'level', header: '故障级别', width: 8 },
  { key: 'grade', header: '服务级别', width: 8 },
  { key: 'site', header: '站点', width: 10 },
  { key: 'device', header: '设备', width: 12 },
  { key: 'onSiteAt', header: '到场时间', width: 17 },
  { key: 'arrivalState', header: '到场时状态', width: 30 },
  { key: 'handling', header: '处理过程', width: 30 },
  { key: 'analysis', header: '原因分析', width: 20 },
  { key: 'sparePart', header: '更换备件', width: 12 },
  { key: 'engineer', header: '服务工程师', width: 10 },
  { key: 'department', header: '所属部门', width: 12 },
  { key: 'resolvedAt', header: '完成时间', width: 17 },
  { key: 'confirmation', header: '客户确认', width: 10 },
  { key: 'confirmedAt', header: '确认时间', width: 17 },
  { key: 'feedbackAt', header: '回访时间', width: 17 },
  { key: 'feedback', header: '客户意见', width: 24 },
  { key: 'satisfaction', header: '满意度', width: 8 },
  { key: 'summary', header: '总结', width: 30 },
  { key: 'status', header: '状态', width: 10 },
  { key: 'repair', header: '返修流程', width: 40 },
  { key: 'emergencyReport', header: '应急响应报告', width: 30 },
];

/** The inspection record (巡检记录): one row per job due in the range. */
export const INSPECTION_COLUMNS: Column[] = [
  { key: 'job', header: '巡检编号', width: 8 },
  { key: 'customer', header: '客户单位', width: 24 },
  { key: 'plan', header: '巡检计划', width: 20 },
  { key: 'systems', header: '巡检系统', width: 20 },
  { key: 'dueAt', header: '应完成时间', width: 17 },
  { key: 'inspector', header: '巡检人', width: 10 },
  { key: 'doneAt', header: '巡检时间', width: 17 },
  { key: 'outcome', header: '结论', width: 8 },
  { key: 'checklist', header: '检查项目及结果', width: 40 },
  { key: 'findings', header: '发现问题及工单', width: 40 },
  { key: 'note', header: '备注', width: 20 },
  { key: 'status', header: '状态', width: 8 },
];

export const COMPLAINT_COLUMNS: Column[] = [
  { key: 'number', header: '投诉编号', width: 18 },
  { key: 'receiver', header: '接待人', width: 10 },
  { key: 'receivedAt', header: '投诉时间', width: 17 },
  { key: 'customer', header: '客户单位/合同项目', width: 24 },
  { key: 'complainant', header: '投诉人', width: 10 },
  { key: 'contact', header: '联系方式', width: 14 },
  { key: 'content', header: '投诉内容', width: 40 },
  { key: 'demand', header: '投诉诉求', width: 20 },
  { key: 'investigation', header: '调查结果', width: 30 },
  { key: 'firstOpinion', header: '初步处理意见', width: 24 },
  { key: 'answeredAt', header: '答复时间', width: 17 },
  { key: 'correction', header: '整改过程', width: 24 },
  { key: 'customerOpinion', header: '客户意见', width: 20 },
  { key: 'satisfaction', header: '满意度', width: 8 },
  { key: 'wantsOtherEngineer', header: '要求更换工程师', width: 8 },
  { key: 'relatedTicket', header: '关联工单', width: 18 },
  { key: 'archivedAt', header: '归档时间', width: 17 },
  { key: 'status', header: '状态', width: 10 },
];

const KIND = { fault: '故障', consultation: '咨询', complaint: '投诉' } as Record<string, string>;
const LEVEL = ['', '一级', '二级', '三级', '四级'];

export interface ExportRange {
  /** First day, YYYY-MM-DD, in the contract's time zone. */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

export const ExportQuerySchema = z
  .object({
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD'),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD'),
    format: z.enum(EXPORT_FORMATS).default('csv'),
  })
  .strict();

/** The instants of a day range in the time zone; throws HttpError 400 for a bad one. */
export function rangeOf(r: ExportRange, tz: string): { gte: Date; lt: Date } {
  const from = DateTime.fromISO(r.from, { zone: tz });
  const to = DateTime.fromISO(r.to, { zone: tz });
  if (!from.isValid) throw new HttpError(400, `from: ${r.from} is not a date`);
  if (!to.isValid) throw new HttpError(400, `to: ${r.to} is not a date`);
  if (to < from) throw new HttpError(400, `to (${r.to}) is before from (${r.from})`);
  if (to.diff(from, 'days').days > MAX_EXPORT_DAYS) throw new HttpError(400, `at most ${MAX_EXPORT_DAYS} days per export`);
  return { gte: from.startOf('day').toJSDate(), lt: to.startOf('day').plus({ days: 1 }).toJSDate() };
}

/** "巡检记录 2026-11-01 至 2026-11-30": the sheet's title (its first word names the XLSX sheet). */
const titleOf = (kind: ExportKind, r: ExportRange) => `${FILE_NAMES[kind]} ${r.from} 至 ${r.to}`;
const time = (d: Date | null | undefined, tz: string) => (d ? DateTime.fromJSDate(d, { zone: tz }).toFormat('yyyy-MM-dd HH:mm') : null);
const status = (s: string) => STATUS_LABELS[s as TicketStatus] ?? s;

/** Service records (faults and consultations) reported in the range, oldest first. */
export async function serviceRecords(db: Db, tz: string, r: ExportRange): Promise<Table> {
  const rows = await db.ticket.findMany({
    where: { reportedAt: rangeOf(r, tz), kind: { in: ['fault', 'consultation'] } },
    orderBy: [{ reportedAt: 'asc' }, { id: 'asc' }],
    include: {
      customer: { select: { name: true } },
      assignee: { select: { name: true, department: true } },
      reporter: { select: { name: true, phone: true } },
      repairFlows: { include: { steps: true }, orderBy: { seq: 'asc' } },
      emergencyReports: { where: { status: { not: 'cancelled' } }, orderBy: { requestedAt: 'asc' } },
    },
  });
  return {
    title: titleOf('service-records', r),
    columns: SERVICE_RECORD_COLUMNS,
    rows: rows.map((t) => ({
      number: t.number,
      kind: KIND[t.kind] ?? t.kind,
      customer: t.customer?.name ?? null,
      contact: t.contact ?? t.reporter.name,
      phone: t.phone ?? t.reporter.phone,
      reportedAt: time(t.reportedAt, tz),
      content: t.content,
      level: t.level ? (LEVEL[t.level] ?? String(t.level)) : null,
      grade: t.grade,
      site: t.site,
      device: t.device,
      onSiteAt: time(t.onSiteAt, tz),
      arrivalState: t.arrivalState,
      handling: t.handling,
      analysis: t.analysis,
      sparePart: t.sparePart,
      engineer: t.assignee?.name ?? null,
      department: t.assignee?.department ?? null,
      resolvedAt: time(t.resolvedAt, tz),
      confirmation: t.confirmation === 'confirmed' ? '已确认' : t.confirmation === 'unconfirmed' ? '未确认（记录无效）' : null,
      confirmedAt: time(t.confirmedAt, tz),
      feedbackAt: time(t.ratedAt, tz),
      feedback: t.feedback,
      satisfaction: t.satisfaction,
      summary: t.summary,
      status: status(t.status),
      repair: t.repairFlows.map((f) => repairFlowLine(flowRow(f).steps, tz)).join('\n') || null,
      emergencyReport:
        t.emergencyReports.map((e) => (e.status === 'submitted' ? `${e.text ?? ''}（${e.submittedByName ?? ''} ${time(e.submittedAt, tz)}${e.late ? '，逾期' : ''}）` : `待提交，应于 ${time(e.dueAt, tz)} 前`)).join('\n') || null,
    })),
  };
}

/** Inspection records (巡检记录) of the jobs due in the range, soonest first. */
export async function inspectionRecords(db: Db, tz: string, r: ExportRange): Promise<Table> {
  const range = rangeOf(r, tz);
  const jobs = await inspectionJobsDueBetween(db, range.gte, range.lt, { take: 10_000 });
  const numbers = await ticketNumbers(db, jobs.flatMap((j) => j.record?.findings.map((f) => f.ticketId).filter((x): x is number => x !== null) ?? []));
  return {
    title: titleOf('inspections', r),
    columns: INSPECTION_COLUMNS,
    rows: jobs.map((j) => ({
      job: j.id,
      customer: j.customer,
      plan: j.plan,
      systems: j.systems.join('、'),
      dueAt: time(j.dueAt, tz),
      inspector: j.record?.inspectorName ?? j.assigneeName,
      doneAt: time(j.record?.at, tz),
      outcome: j.record ? (j.record.outcome === 'normal' ? '正常' : '发现问题') : null,
      checklist: j.record ? j.record.checklist.map((c) => `${c.item}：${c.ok ? '正常' : `异常（${c.problem ?? ''}）`}`).join('\n') : j.checklist.join('\n'),
      findings: j.record?.findings.map((f) => `${f.seq}. ${f.text}${f.ticketId ? `（工单 ${numbers.get(f.ticketId) ?? f.ticketId}）` : ''}`).join('\n') || null,
      note: j.record?.note ?? null,
      status: INSPECTION_STATUS_LABELS[j.status],
    })),
  };
}

/** Complaint records received in the range, oldest first. */
export async function complaintRecords(db: Db, tz: string, r: ExportRange): Promise<Table> {
  const rows = await db.ticket.findMany({
    where: { reportedAt: rangeOf(r, tz), kind: 'complaint' },
    orderBy: [{ reportedAt: 'asc' }, { id: 'asc' }],
    include: { complaint: true, customer: { select: { name: true } } },
  });
  const related = await ticketNumbers(db, rows.map((t) => t.complaint?.relatedTicketId).filter((x): x is number => typeof x === 'number'));
  return {
    title: titleOf('complaints', r),
    columns: COMPLAINT_COLUMNS,
    rows: rows.map((t) => {
      const c = t.complaint;
      return {
        number: t.number,
        receiver: c?.receiver ?? null,
        receivedAt: time(t.reportedAt, tz),
        customer: t.customer?.name ?? null,
        complainant: c?.complainant ?? null,
        contact: c?.contact ?? t.phone,
        content: c?.content ?? t.content,
        demand: c?.demand ?? null,
        investigation: c?.investigation ?? null,
        firstOpinion: c?.firstOpinion ?? null,
        answeredAt: time(c?.answeredAt, tz),
        correction: c?.correction ?? null,
        customerOpinion: c?.customerOpinion ?? null,
        satisfaction: c?.satisfaction ?? null,
        wantsOtherEngineer: c ? (c.wantsOtherEngineer ? '是' : '否') : null,
        relatedTicket: c?.relatedTicketId ? (related.get(c.relatedTicketId) ?? null) : null,
        archivedAt: time(c?.archivedAt, tz),
        status: status(t.status),
      };
    }),
  };
}

/**
 * What a spreadsheet may run as a formula: =, +, - or @ (or their full-width and small forms,
 * which some Chinese-locale spreadsheets fold to ASCII) as the first character that is not
 * whitespace or a control character. Spreadsheets skip leading spaces, tabs, CR, LF and
 * invisible format characters (zero-width space, BOM) before looking for a formula, so a
 * check of the first character alone is bypassed by "\r=…".
 */
const FORMULA_START = /^[\s\p{C}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B\u2212]/u;

/**
 * A text cell that could start a formula gets a leading apostrophe, which spreadsheets show as
 * text. Every such cell, numbers-looking ones too ("-5", "+86 …"): a rule with exceptions is a
 * rule to get around. Numbers stay numbers.
 */
export function defuseCell(v: string | number | null | undefined): string | number {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return v;
  return FORMULA_START.test(v) ? `'${v}` : v;
}

/** CSV in UTF-8 with a byte-order mark (Excel then reads it as UTF-8), CRLF line ends. */
export function toCsv(t: Table): Buffer {
  const body = stringify(
    t.rows.map((r) => t.columns.map((c) => defuseCell(r[c.key]))),
    { header: true, columns: t.columns.map((c) => c.header), record_delimiter: '\r\n', cast: { number: (n) => String(n) } },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')]);
}

/** An XLSX workbook of one sheet: a bold, frozen header row, sized columns. */
export async function toXlsx(t: Table): Promise<Buffer> {
  // Loaded on first export: exceljs is large and most processes never export.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'servicebot';
  wb.created = new Date(0);
  const ws = wb.addWorksheet(t.title.split(' ')[0]!.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = t.columns.map((c) => ({ header: c.header, key: c.key, width: c.width ?? 14 }));
  ws.getRow(1).font = { bold: true };
  for (const r of t.rows) ws.addRow(Object.fromEntries(t.columns.map((c) => [c.key, r[c.key] ?? null])));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function exportTable(db: Db, tz: string, kind: ExportKind, r: ExportRange): Promise<Table> {
  return kind === 'complaints' ? complaintRecords(db, tz, r) : kind === 'inspections' ? inspectionRecords(db, tz, r) : serviceRecords(db, tz, r);
}

export const FILE_NAMES: Record<ExportKind, string> = { 'service-records': '客户服务记录表', complaints: '投诉记录', inspections: '巡检记录' };

/** Sends a table as a download (CSV or XLSX), with a UTF-8 file name. */
export async function sendTable(ctx: Parameters<Middleware>[0], t: Table, kind: ExportKind, r: ExportRange, format: ExportFormat): Promise<void> {
  const name = `${FILE_NAMES[kind]}_${r.from}_${r.to}.${format}`;
  const ascii = `${kind}_${r.from}_${r.to}.${format}`;
  if (format === 'csv') {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = toCsv(t);
  } else {
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = await toXlsx(t);
  }
  ctx.set('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  ctx.set('Cache-Control', 'no-store');
}

/** GET /api/exports/service-records and /api/exports/complaints?from=&to=&format=csv|xlsx (API token or localhost). */
export function exportsApi(deps: { db: Db; timezone: string; apiToken?: string }): Middleware {
  const router = new Router({ prefix: '/api/exports' });
  router.use(apiGuard(deps.apiToken));
  for (const kind of EXPORT_KINDS) {
    router.get(`/${kind}`, async (ctx) => {
      const q = ExportQuerySchema.safeParse(ctx.query);
      if (!q.success) throw new HttpError(400, q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const t = await exportTable(deps.db, deps.timezone, kind, q.data);
      await sendTable(ctx, t, kind, q.data, q.data.format);
    });
  }
  return router.routes() as Middleware;
}
