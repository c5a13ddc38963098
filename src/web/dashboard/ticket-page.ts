/**
 * One ticket on the dashboard: its service record, deadlines, photos and
 * recordings, and its history in plain Chinese (who, when, what).
 *
 * Attachments are served from /dashboard/tickets/<number>/files/<id>, behind the
 * dashboard's login like every page here: only an attachment of that ticket,
 * only from the attachments folder, with the content type read from the file's
 * own bytes. Pictures and sound in common formats are shown inline; anything
 * else (including SVG and HTML) is a download, and no served file may run a
 * script (CSP sandbox, nosniff).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ContractRegistry } from '../../core/contracts.js';
import type { Clock } from '../../core/clock.js';
import { STATUS_LABELS, type TicketStatus } from '../../domain/ticket.js';
import { KIND_LABELS } from '../../domain/wording.js';
import { EMERGENCY_REPORT_STATUS_LABELS } from '../../domain/emergency-report.js';
import { REPAIR_STATUS_LABELS } from '../../domain/repair-return.js';
import type { Db } from '../../store/types.js';
import { HttpError } from '../body.js';
import { ticketDetail } from '../tickets-api.js';
import { historyLines, type HistoryEvent } from './history.js';
import { type Html, fmtTime, html, table, wrap } from './html.js';

/** Formats shown inline; every other file is offered as a download. */
const INLINE = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp',
  'audio/mpeg', 'audio/ogg', 'audio/opus', 'audio/wav', 'audio/x-wav', 'audio/mp4', 'audio/x-m4a', 'audio/aac', 'audio/aiff', 'audio/webm', 'audio/amr', 'audio/x-flac', 'audio/flac',
]);

export interface FileInfo {
  mime: string;
  ext: string;
  inline: boolean;
}

/** The content type of a stored attachment, from its first bytes (never from its name or the sender). */
export async function sniffFile(file: string): Promise<FileInfo> {
  const { fileTypeFromFile } = await import('file-type');
  const t = await fileTypeFromFile(file).catch(() => undefined);
  // A WebM or Ogg holding sound only is reported as video by some detectors.
  const mime = t?.mime === 'video/webm' ? 'audio/webm' : t?.mime === 'video/ogg' ? 'audio/ogg' : (t?.mime ?? 'application/octet-stream');
  return { mime, ext: t?.ext ?? 'bin', inline: INLINE.has(mime) };
}

/** The attachments folder's path of a stored file, or null when the row points anywhere else. */
export function insideFolder(dir: string, file: string | null): string | null {
  if (!file) return null;
  const root = path.resolve(dir);
  const p = path.resolve(file);
  return p.startsWith(root + path.sep) ? p : null;
}

export interface TicketPageDeps {
  db: Db;
  contracts: ContractRegistry;
  clock: Clock;
  tz: string;
  /** Where downloaded attachments are kept (<DATA_DIR>/attachments). */
  attachmentsDir: string;
  levelName: (l: number | null) => string;
  send: (ctx: Context, title: string, active: string, body: Html) => void;
}

const REF = /^(\d{1,9}|[A-Za-z]{1,8}-\d{8}-\d{4,6})$/;

export function ticketRoutes(router: Router, deps: TicketPageDeps): void {
  const { db, tz } = deps;

  router.get('/tickets/:ref', async (ctx) => {
    const ref = String(ctx.params.ref ?? '');
    if (!REF.test(ref)) throw new HttpError(400, '工单号的写法：GD-20261124-0001，或工单序号');
    const t = await ticketDetail(db, deps.contracts, deps.clock, ref);
    if (!t) {
      ctx.status = 404;
      return deps.send(ctx, '没有这个工单', '/dashboard/tickets', html`<h1>没有工单 ${ref}</h1><p><a href="/dashboard/tickets">返回列表</a></p>`);
    }
    const contract = deps.contracts.default.contract;
    const r = t.serviceRecord;
    const steps: Array<[string, string]> = [
      ['reportedAt', '报修'], ['levelKnownAt', '定级'], ['acceptedAt', '受理'], ['assignedAt', '派单'], ['acknowledgedAt', '接单（首次响应）'], ['onSiteAt', '到场'],
      ['spareRequestedAt', '申请备件'], ['detectionReportAt', '检测报告'], ['resolvedAt', '完成'], ['confirmedAt', '客户确认'], ['ratedAt', '评价'], ['closedAt', '关闭'], ['cancelledAt', '撤销'],
    ];
    const kv = (pairs: Array<[string, unknown]>) => html`<dl class="kv">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? '—' : v}</dd>`)}</dl>`;
    const complaint = t.complaint as null | Record<string, unknown>;

    // Attachments: what each is, from its bytes.
    const files = await Promise.all(
      t.attachments.map(async (a, i) => {
        const row = await db.attachment.findUnique({ where: { id: a.id }, select: { path: true } });
        const file = a.state === 'stored' ? insideFolder(deps.attachmentsDir, row?.path ?? null) : null;
        const info = file ? await sniffFile(file) : null;
        return { ...a, n: i + 1, info };
      }),
    );
    const fileUrl = (id: number) => `/dashboard/tickets/${t.number}/files/${id}`;
    const fileView = (f: (typeof files)[number]) => {
      const when = `${fmtTime(f.at, tz)}`;
      if (!f.info) {
        return html`<figure><figcaption>${f.kind === 'image' ? '照片' : '附件'} ${f.n} · ${when} · ${f.state === 'failed' ? `未能取得${f.error ? `：${f.error}` : ''}` : '正在从聊天平台下载'}</figcaption></figure>`;
      }
      if (f.info.inline && f.info.mime.startsWith('image/')) {
        return html`<figure><a href="${fileUrl(f.id)}"><img src="${fileUrl(f.id)}" alt="照片 ${f.n}" loading="lazy"></a><figcaption>照片 ${f.n} · ${when}</figcaption></figure>`;
      }
      if (f.info.inline && f.info.mime.startsWith('audio/')) {
        return html`<figure><audio controls preload="none" src="${fileUrl(f.id)}"></audio><figcaption>录音 ${f.n} · ${when} · <a href="${fileUrl(f.id)}">下载</a></figcaption></figure>`;
      }
      return html`<figure><figcaption><a href="${fileUrl(f.id)}">下载附件 ${f.n}（${f.info.ext}）</a> · ${when}</figcaption></figure>`;
    };

    const people = new Map(Object.entries(t.people).map(([id, name]) => [Number(id), name]));
    // In the order things happened (an event written later may be about an earlier moment).
    const events = [...t.events].sort((a, b) => a.at.localeCompare(b.at));
    const history = historyLines(
      events.map((e): HistoryEvent => ({
        at: new Date(e.at),
        action: e.action,
        actor: e.actor ? { name: e.actor, role: e.actorRole ?? '' } : null,
        from: e.from,
        to: e.to,
        detail: e.detail && typeof e.detail === 'object' ? (e.detail as Record<string, unknown>) : {},
      })),
      {
        kind: t.kind,
        clockLabel: (c) => contract.clocks[c]?.label ?? '时限',
        levelName: (l) => deps.levelName(l),
        personName: (id) => people.get(id),
      },
    );

    const body = html`<h1>${t.number} <span class="tag">${STATUS_LABELS[t.status as TicketStatus] ?? t.status}</span></h1>
      <div class="grid">
        <section class="card"><h2>客户服务记录表</h2>${kv([
          ['客户单位', t.customer],
          ['联系人', t.reporter.contact ?? t.reporter.name],
          ['联系电话', t.reporter.phone],
          ['报修时间', fmtTime(t.steps.reportedAt, tz)],
          ['类型/级别', `${KIND_LABELS[t.kind as keyof typeof KIND_LABELS] ?? t.kind}${t.kind === 'fault' ? ` · ${deps.levelName(t.level)}${t.levelProvisional ? '（暂定）' : ''}` : ''}${t.grade ? ` · ${t.grade} 级服务` : ''}`],
          ['站点/设备', [t.site, t.device].filter(Boolean).join(' ')],
          ['报修内容', t.content],
          ['到场时状态', r.arrivalState],
          ['处理过程', r.handling],
          ['原因分析', r.analysis],
          ['更换备件', r.sparePart ? `${r.sparePart}${r.spareNew === false ? '（非全新，客户书面同意）' : ''}` : null],
          ['检测报告/费用', [r.detectionReport, r.repairCost].filter(Boolean).join(' · ')],
          ['服务工程师', t.assignee ? `${t.assignee.name}${t.assignee.department ? `（${t.assignee.department}）` : ''}` : null],
          ['完成时间', fmtTime(t.steps.resolvedAt, tz)],
          ['客户确认', r.confirmation === 'confirmed' ? `已确认 ${fmtTime(t.steps.confirmedAt, tz)}` : r.confirmation === 'unconfirmed' ? '未确认（记录无效）' : null],
          ['客户意见', r.feedback],
          ['满意度', r.satisfaction],
          ['总结', r.summary],
        ])}</section>
        <section class="card"><h2>时限</h2>${table(
          ['时限', '到期', '完成', '结果'],
          t.deadlines.map((d) => [
            `${d.label}${d.provisional ? '（暂按最严）' : ''}`,
            fmtTime(d.dueAt, tz),
            d.stoppedAt ? fmtTime(d.stoppedAt, tz) : '',
            d.met === true ? html`<span class="ok">按时</span>` : d.met === false ? html`<span class="bad">超时</span>` : '进行中',
          ]),
          '无时限',
        )}
        <h2>步骤</h2>${kv(steps.filter(([k]) => t.steps[k]).map(([k, label]) => [label, fmtTime(t.steps[k], tz)]))}</section>
        ${complaint
          ? html`<section class="card"><h2>投诉记录</h2>${kv([
              ['接待人', complaint.receiver], ['投诉人', complaint.complainant], ['联系方式', complaint.contact], ['投诉内容', complaint.content], ['诉求', complaint.demand],
              ['调查结果', complaint.investigation], ['初步处理意见', complaint.firstOpinion], ['整改过程', complaint.correction], ['客户意见', complaint.customerOpinion],
              ['满意度', complaint.satisfaction], ['要求更换工程师', complaint.wantsOtherEngineer ? '是' : '否'], ['归档', complaint.archivedAt ? fmtTime(complaint.archivedAt as Date, tz) : null],
            ])}</section>`
          : ''}
      </div>
      ${files.length ? html`<section class="card" id="files"><h2>照片和附件 ${files.length} 个</h2><div class="files">${files.map(fileView)}</div></section>` : ''}
      <section class="card" id="history"><h2>处理经过</h2>
        <ol class="history">${history.map(
          (h) => html`<li><time datetime="${h.at.toISOString()}">${fmtTime(h.at, tz)}</time><span class="who">${h.who}</span><span class="what">${h.what}${h.status ? html` <span class="st">（${h.status}）</span>` : ''}</span></li>`,
        )}</ol>
      </section>
      ${t.ratings.length ? html`<section class="card"><h2>评价</h2>${table(['时间', '分数', '意见'], t.ratings.map((x) => [fmtTime(x.at, tz), x.score, wrap(x.comment ?? '')]))}</section>` : ''}
      ${t.repairs.length ? html`<section class="card" id="repairs"><h2>返修</h2>${table(['#', '部件', '状态', '费用', '流程'], t.repairs.map((f) => [f.seq, f.part, REPAIR_STATUS_LABELS[f.status], f.cost, wrap(f.flow)]))}</section>` : ''}
      ${t.emergencyReports.length
        ? html`<section class="card" id="emergency"><h2>应急响应报告</h2>${table(
            ['状态', '应提交', '提交人', '提交时间', '内容'],
            t.emergencyReports.map((e) => [EMERGENCY_REPORT_STATUS_LABELS[e.status], fmtTime(e.dueAt, tz), e.by, e.submittedAt ? `${fmtTime(e.submittedAt, tz)}${e.late ? '（逾期）' : ''}` : '', wrap(e.text)]),
          )}</section>`
        : ''}
      ${t.inspection || t.followUpVisit || t.maintenanceWindows.length
        ? html`<section class="card" id="duties"><h2>关联</h2>${kv([
            ['来自巡检', t.inspection ? `巡检 #${t.inspection.job}「${t.inspection.plan}」：${t.inspection.finding}` : null],
            ['故障回访', t.followUpVisit ? `回访 #${t.followUpVisit.id}，${fmtTime(t.followUpVisit.dueAt, tz)} 前${t.followUpVisit.notes ? `；${t.followUpVisit.notes}` : ''}` : null],
            ['计划检修期间报修', t.maintenanceWindows.length ? t.maintenanceWindows.map((m) => `${fmtTime(m.start, tz)} 至 ${fmtTime(m.end, tz)}`).join('；') : null],
          ])}</section>`
        : ''}
      ${t.nonConformances.length ? html`<section class="card"><h2>不合格记录</h2>${table(['时间', '原因'], t.nonConformances.map((x) => [fmtTime(x.at, tz), wrap(x.reason)]))}</section>` : ''}
      <p><a href="/dashboard/tickets">← 返回列表</a></p>`;
    deps.send(ctx, t.number, '/dashboard/tickets', body);
  });

  router.get('/tickets/:ref/files/:id', async (ctx) => {
    const ref = String(ctx.params.ref ?? '');
    const id = Number(ctx.params.id);
    if (!REF.test(ref) || !Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, '附件地址有误');
    const ticket = await db.ticket.findUnique({ where: /^\d+$/.test(ref) ? { id: Number(ref) } : { number: ref.toUpperCase() }, select: { id: true, number: true } });
    const a = ticket ? await db.attachment.findUnique({ where: { id } }) : null;
    // Only an attachment of this ticket, stored in the attachments folder.
    const file = a && a.ticketId === ticket!.id && a.state === 'stored' ? insideFolder(deps.attachmentsDir, a.path) : null;
    const size = file ? await stat(file).then((s) => (s.isFile() ? s.size : null), () => null) : null;
    if (!file || size === null) throw new HttpError(404, '没有这个附件');
    const info = await sniffFile(file);
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.type = info.inline ? info.mime : 'application/octet-stream';
    const name = `${ticket!.number}-${id}.${info.ext}`;
    ctx.set('Content-Disposition', `${info.inline ? 'inline' : 'attachment'}; filename="${name}"`);
    ctx.length = size;
    ctx.body = createReadStream(file);
  });
}
