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
main{padding:1rem;max-width:1200px;margin:0 auto}h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
.card{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.4rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top;white-space:nowrap}
td.wrap{white-space:normal;min-width:14rem}th{background:#fafafa;font-weight:600;font-size:.9rem}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#555}
input,select,button{font:inherit;padding:.3rem .4rem;border:1px solid #ccc;border-radius:4px;background:#fff}button.primary{background:#1f6fb2;color:#fff;border-color:#1f6fb2}
.pager{display:flex;gap:1rem;align-items:center;margin:.6rem 0}.muted{color:#888}.bad{color:#c0392b;font-weight:600}.ok{color:#2e8b57}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:#eef;font-size:.85rem}.tag.l1{background:#fde2e1}.tag.l2{background:#fdebd8}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.kv dt{color:#666}dl.kv dd{margin:0;white-space:pre-wrap;word-break:break-word}
img.chart{max-width:100%;height:auto;border-radius:6px;background:#fff}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
.login{max-width:22rem;margin:3rem auto}.login label{display:block;margin:.5rem 0}.login input{width:100%}.error{background:#fdecea;color:#a12;padding:.5rem;border-radius:4px}
@media (max-width:640px){main{padding:.5rem}th,td{padding:.3rem}}
`;

export const NAV: Array<[string, string]> = [
  ['/dashboard/tickets', '工单'],
  ['/dashboard/sla', 'SLA 到期'],
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

export function table(headers: string[], rows: Html[], empty = '没有记录'): Html {
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function options(list: Array<[string, string]>, selected: string | undefined, any = '全部'): Html {
  return html`<option value="">${any}</option>${list.map(([v, label]) => html`<option value="${v}"${new Html(v === selected ? ' selected' : '')}>${label}</option>`)}`;
}
