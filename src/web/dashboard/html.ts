/**
 * Server-side HTML for the dashboard: escaping, the page frame (a phone-first
 * layout, no script), small building blocks. Every value from the store goes
 * through esc() or a helper that calls it.
 */
import { DateTime } from 'luxon';

/** Escapes text for HTML element content and attribute values. */
export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A piece of HTML already escaped (built by these helpers). */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Tagged template: interpolated values are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.html;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export function fmtTime(d: Date | string | null | undefined, tz: string): string {
  if (!d) return '—';
  return DateTime.fromJSDate(typeof d === 'string' ? new Date(d) : d, { zone: tz }).toFormat('yyyy-MM-dd HH:mm');
}

/** A link with a query string built from the params (empty ones left out). */
export function href(path: string, params: Record<string, string | number | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222;background:#f5f6f8}
header{background:#1f3b57;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header a{color:#fff;text-decoration:none;padding:.2rem .4rem;border-radius:4px}header a.on{background:#3a5f86}header .who{margin-left:auto;font-size:.85rem}
header form{display:inline}header button{background:none;border:1px solid #9bb;color:#fff;border-radius:4px;padding:.1rem .5rem;cursor:pointer}
main{padding:1rem;max-width:1240px;margin:0 auto}h1{font-size:1.3rem;margin:.2rem 0 1rem;overflow-wrap:anywhere}h2{font-size:1.1rem;margin:0 0 .6rem}
.card{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.06);min-width:0}
.card h2:not(:first-child){margin-top:1.2rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:.4rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#fafafa;font-weight:600;font-size:.9rem;white-space:nowrap}td{white-space:nowrap}
td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:10rem}td.num,th.num{text-align:right}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#555}
form.filters input[type=search]{min-width:14rem}
form.inline{display:inline-block;margin:.2rem .3rem 0 0}
input,select,button{font:inherit;padding:.3rem .4rem;border:1px solid #ccc;border-radius:4px;background:#fff;max-width:100%}button.primary{background:#1f6fb2;color:#fff;border-color:#1f6fb2}
.pager{display:flex;gap:1rem;align-items:center;margin:.6rem 0}.muted{color:#777}.bad{color:#c0392b;font-weight:600}.ok{color:#2e8b57}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:#eef;font-size:.85rem}.tag.l1{background:#fde2e1}.tag.l2{background:#fdebd8}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.kv dt{color:#666}dl.kv dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
img.chart{display:block;width:100%;max-width:1200px;height:auto;border-radius:6px;background:#fff}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:0 1rem}
.history{list-style:none;margin:0;padding:0}.history li{display:grid;grid-template-columns:9.5rem 8rem 1fr;gap:.2rem .8rem;padding:.45rem 0;border-bottom:1px solid #eee}
.history time{color:#555;white-space:nowrap}.history .who{font-weight:600}.history .what{overflow-wrap:anywhere}.history .st{color:#888;font-size:.85rem}
.files{display:flex;flex-wrap:wrap;gap:.8rem}.files figure{margin:0;max-width:16rem}.files img{display:block;max-width:100%;max-height:14rem;border-radius:6px;border:1px solid #ddd}
.files figcaption{font-size:.8rem;color:#666}.files audio{width:16rem;max-width:100%}
.digest-text{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;font-size:.9rem;margin:.6rem 0 0}summary{cursor:pointer;font-weight:600}
.login{max-width:22rem;margin:3rem auto}.login label{display:block;margin:.5rem 0}.login input{width:100%}.error{background:#fdecea;color:#a12;padding:.5rem;border-radius:4px}
@media (max-width:720px){
 main{padding:.5rem}.card{padding:.7rem}.grid{grid-template-columns:1fr}
 table.fit thead{display:none}table.fit,table.fit tbody{display:block;width:100%}
 table.fit tr{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));column-gap:.8rem;padding:.4rem 0;border-bottom:1px solid #e4e4e4}
 table.fit td{display:flex;gap:.5rem;border:0;padding:.1rem 0;white-space:normal;overflow-wrap:anywhere;min-width:0}
 table.fit td::before{content:attr(data-label);flex:0 0 4.8rem;color:#777;font-size:.85rem;font-weight:400}
 table.fit td:first-child,table.fit td.wrap{grid-column:1/-1}
 table.fit td:first-child{font-weight:600}table.fit td:first-child::before{display:none}
 .history li{grid-template-columns:auto 1fr;gap:0 .6rem}.history .what{grid-column:1/-1}.history time{font-size:.85rem}
 form.filters label{flex:1 1 8rem}form.filters input[type=search]{min-width:0;width:100%}
}
`;

export const NAV: Array<[string, string]> = [
  ['/dashboard/tickets', '工单'],
  ['/dashboard/sla', 'SLA 到期'],
  ['/dashboard/inspections', '巡检'],
  ['/dashboard/visits', '回访'],
  ['/dashboard/notices', '通告'],
  ['/dashboard/repairs', '返修'],
  ['/dashboard/digest', '日报'],
  ['/dashboard/outbox', '发送队列'],
  ['/dashboard/exports', '导出'],
];

export function page(opts: { title: string; user?: string | null; active?: string; body: Html }): string {
  const nav = opts.user
    ? html`${NAV.map(([p, label]) => html`<a href="${p}" class="${opts.active === p ? 'on' : ''}">${label}</a>`)}
        <span class="who">${opts.user}
          <form method="post" action="/dashboard/logout"><button type="submit">退出</button></form></span>`
    : html``;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(opts.title)} · 售后服务看板</title><style>${CSS}</style></head>
<body><header><strong>售后服务看板</strong>${nav.html}</header><main>${opts.body.html}</main></body></html>`;
}

/** A table cell: a value (escaped unless Html), or one with a class (wrap: long text that may break lines; bad, ok: colours). */
export type Cell = unknown | { v: unknown; cls: string };

function cell(c: Cell, label: string): Html {
  const withClass = typeof c === 'object' && c !== null && !(c instanceof Html) && 'cls' in c && 'v' in c;
  const v = withClass ? (c as { v: unknown }).v : c;
  const cls = withClass ? (c as { cls: string }).cls : '';
  const empty = v === null || v === undefined || v === '';
  return html`<td data-label="${label}"${new Html(cls ? ` class="${esc(cls)}"` : '')}>${empty ? '—' : v}</td>`;
}

/**
 * A table that fits its card: on a wide screen a plain table whose long cells
 * wrap; on a phone each row becomes a small block of "label value" lines (the
 * data-label of each cell), so nothing is cut off or needs sideways scrolling.
 */
export function table(headers: string[], rows: Cell[][], empty = '没有记录'): Html {
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll"><table class="fit"><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c, i) => cell(c, headers[i] ?? ''))}</tr>`,
  )}</tbody></table></div>`;
}

export const wrap = (v: unknown): Cell => ({ v, cls: 'wrap' });

export function options(list: Array<[string, string]>, selected: string | undefined, any = '全部'): Html {
  return html`<option value="">${any}</option>${list.map(([v, label]) => html`<option value="${v}"${new Html(v === selected ? ' selected' : '')}>${label}</option>`)}`;
}
