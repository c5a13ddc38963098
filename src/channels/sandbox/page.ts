/**
 * The sandbox chat page: the sandbox's groups as tabs (customers' chats, the
 * staff's and the managers' groups), pick who you are, type, attach a photo or
 * record a short clip, click the bot's buttons; a "try these" panel of example
 * messages for the role picked. Times are Beijing time (the contract's zone),
 * as the bot writes them, never the browser's. All text is put into the page
 * with textContent, never as HTML.
 */

/**
 * Which channel suits which group and what turns it on (README "Configuration", docs/wechat.md):
 * shown on the page, static, so a demo ends with how to go live. The sandbox never runs beside them.
 */
const CHANNEL_GUIDE = `<ul class="guide">
<li><b>飞书</b>（客户服务群用飞书外部群）：FEISHU_APP_ID、FEISHU_APP_SECRET、FEISHU_ENCRYPT_KEY、FEISHU_VERIFICATION_TOKEN；见 docs/feishu-setup.md</li>
<li><b>企业微信智能机器人</b>（wecom，企业内部群：工程师群、经理群，或客户也在企业微信里的服务群）：WECOM_BOT_ID、WECOM_BOT_SECRET；长连接，无需公网地址；见 docs/wechat.md</li>
<li><b>微信客服</b>（wecom-kf，个人微信用户一对一报修，扫码或点链接）：WECOM_KF_CORP_ID、WECOM_KF_SECRET、WECOM_KF_TOKEN、WECOM_KF_ENCODING_AES_KEY、WECOM_KF_OPEN_KFIDS；回调地址 /wecom/kf/callback；见 docs/wechat.md</li>
<li><b>个人微信群</b>（wechat，wechaty，账号有风险，仅在客户坚持时用）：WECHATY_PUPPET；见 README「WeChat」</li>
</ul><p class="where">设置了任一平台，沙盒就关闭（SANDBOX 不能与真实平台同开）。各通道状态见 /healthz。</p>`;

/** Example messages per role: what to type, what it shows, and in which kind of group. */
export const TRY_THESE: Record<string, Array<{ text: string; hint: string; in: 'customer' | 'managers' }>> = {
  customer: [
    { text: '小寨站 3号闸机刷卡没反应 电话13800138000', hint: '报修（附上照片也行）', in: 'customer' },
    { text: '票务系统有问题 快来看看', hint: '说不清级别：机器人会问', in: 'customer' },
    { text: '全线都进不去', hint: '回答级别问题', in: 'customer' },
    { text: '到场了吗', hint: '问进度', in: 'customer' },
    { text: '请问闸机的交易数据怎么导出？', hint: '咨询', in: 'customer' },
    { text: '确认修复', hint: '修好后确认', in: 'customer' },
    { text: '还是不行 刷卡还是没反应', hint: '没修好', in: 'customer' },
    { text: '5分 处理很及时', hint: '评价', in: 'customer' },
    { text: '投诉：工程师拖了三天才来，要求换个工程师', hint: '投诉', in: 'customer' },
  ],
  engineer: [
    { text: '接单', hint: '接下派给我的工单', in: 'customer' },
    { text: '到场 #1 机房告警灯亮，阵列降级', hint: '到场，记下到场时状态', in: 'customer' },
    { text: '已修复 #1 更换电源模块', hint: '报修复，请客户确认', in: 'customer' },
    { text: '申请备件 #1 硬盘 600G SAS', hint: '硬件故障，8 小时内交检测报告', in: 'customer' },
    { text: '答复 #2 在SC后台 报表-交易明细 里导出', hint: '答复咨询', in: 'customer' },
    { text: '我的工单', hint: '我手上的工单', in: 'customer' },
  ],
  desk: [
    { text: '待处理', hint: '所有未完成的工单', in: 'managers' },
    { text: '查询 #1', hint: '客户服务记录表', in: 'managers' },
    { text: '调查结果 #3 经核实，工程师响应迟缓，已批评教育并更换工程师', hint: '答复投诉', in: 'managers' },
  ],
  manager: [
    { text: '派单 #1 @张工', hint: '派单', in: 'managers' },
    { text: '转派 #1 @李工 临时有事', hint: '转派', in: 'managers' },
    { text: '免费处理 #1', hint: '保修外免费处理', in: 'managers' },
    { text: '待处理', hint: '所有未完成的工单', in: 'managers' },
    { text: '设为工程师 @张工', hint: '设定角色', in: 'managers' },
  ],
  vp: [
    { text: '待处理', hint: '所有未完成的工单', in: 'managers' },
    { text: '查询 #1', hint: '客户服务记录表', in: 'managers' },
    { text: '派单 #1 @张工', hint: '派单', in: 'managers' },
  ],
};

export function sandboxPage(opts: { manualClock: boolean; timezone: string }): string {
  const tz = JSON.stringify(opts.timezone).replace(/</g, '\\u003c');
  const examples = JSON.stringify(TRY_THESE).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>servicebot 沙盒</title>
<style>
 *{box-sizing:border-box}
 body{margin:0;font:15px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#eef1f5;color:#222;height:100vh;height:100dvh;display:flex;flex-direction:column}
 header{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;padding:8px 12px;background:#2b5797;color:#fff}
 header select,header button{font:inherit;padding:2px 6px;border-radius:4px;border:0}
 header label{display:flex;gap:4px;align-items:center}
 #clock{margin-left:auto;display:flex;gap:6px;align-items:center;flex-wrap:wrap}
 #tabs{display:flex;gap:4px;padding:6px 12px 0;background:#dfe5ee;overflow-x:auto;flex:none}
 #tabs button{font:inherit;border:0;border-radius:8px 8px 0 0;padding:6px 12px;background:#c9d3e2;color:#234;white-space:nowrap;cursor:pointer;position:relative}
 #tabs button.on{background:#fff;font-weight:600}
 #tabs button .new{display:inline-block;width:8px;height:8px;border-radius:50%;background:#e03;margin-left:4px;vertical-align:middle}
 #tabs form{display:flex;gap:4px;align-items:center;margin-left:6px}
 #tabs input{font:inherit;width:7em;padding:2px 6px;border:1px solid #aab;border-radius:4px}
 #main{flex:1;display:flex;min-height:0;background:#fff}
 #log{flex:1;padding:12px;overflow-y:auto;min-width:0}
 #try{width:300px;flex:none;border-left:1px solid #e3e6ea;padding:10px 12px;overflow-y:auto;background:#fafbfc}
 #try summary{font-weight:600;cursor:pointer}
 #try ul{list-style:none;padding:0;margin:6px 0}
 #try li button{display:block;width:100%;text-align:left;font:inherit;font-size:14px;border:1px solid #d5dbe3;background:#fff;border-radius:6px;padding:5px 8px;margin:4px 0;cursor:pointer}
 #try li .hint{display:block;font-size:12px;color:#778}
 #try .where{font-size:12px;color:#667;margin:4px 0 0}
 #try .guide{font-size:12px;color:#345;padding-left:16px;margin:6px 0}
 #try .guide li{margin:4px 0}
 #channels{margin-top:10px}
 .msg{max-width:80%;width:fit-content;margin:6px 0;padding:8px 10px;border-radius:8px;background:#f1f3f6;white-space:pre-wrap;overflow-wrap:anywhere;box-shadow:0 1px 1px #0001}
 .msg.me{margin-left:auto;background:#d8f5c8}
 .msg.bot{background:#fffbe6;border:1px solid #f0e2a0}
 .who{font-size:12px;color:#666;margin-bottom:2px}
 .mention{color:#2b5797;font-weight:600}
 .btns{margin-top:6px;display:flex;flex-wrap:wrap;gap:6px}
 .btns button{font:inherit;padding:3px 10px;border-radius:14px;border:1px solid #2b5797;background:#fff;color:#2b5797;cursor:pointer}
 .msg img{display:block;max-width:100%;max-height:260px;margin-top:6px;border-radius:6px}
 .msg audio{display:block;margin-top:6px;max-width:100%}
 #f{display:flex;gap:6px;padding:8px 12px;background:#fff;border-top:1px solid #ddd;align-items:center;flex:none}
 #f input[type=text]{flex:1;min-width:0;font:inherit;padding:8px;border:1px solid #ccc;border-radius:6px}
 #f button{font:inherit;padding:8px 12px;border:0;border-radius:6px;background:#2b5797;color:#fff;white-space:nowrap}
 #f button.tool{background:#e8edf4;color:#234;padding:8px 10px}
 #f button.tool.rec{background:#e03;color:#fff}
 #att{display:none;padding:4px 12px;background:#fff;font-size:13px;color:#345}
 #att.on{display:block}
 #att button{font:inherit;border:0;background:none;color:#b00;cursor:pointer}
 #err{color:#b00;padding:0 12px;background:#fff}
 @media (max-width:720px){
  #main{flex-direction:column}
  #try{width:auto;border-left:0;border-top:1px solid #e3e6ea;max-height:40vh;flex:none}
  .msg{max-width:92%}
  #f button.send{padding:8px 10px}
  #tabs{flex-wrap:wrap;padding:4px 8px 0}
  #tabs button{padding:4px 8px;border-radius:6px 6px 0 0;max-width:100%;overflow:hidden;text-overflow:ellipsis}
  #tabs form{display:none}
 }
</style></head>
<body>
<header>
 <strong>servicebot 沙盒</strong>
 <label>我是 <select id="who">
  <option value="c1|王工|customer">王工（客户）</option>
  <option value="c2|刘师傅|customer">刘师傅（客户）</option>
  <option value="e1|张工|engineer">张工（工程师）</option>
  <option value="e2|李工|engineer">李工（工程师）</option>
  <option value="d1|客服小刘|desk">客服小刘（客服）</option>
  <option value="m1|李经理|manager">李经理（部门经理）</option>
  <option value="v1|王总|vp">王总（主管副总）</option>
 </select></label>
 <span id="clock">北京时间 <span id="now">—</span>${opts.manualClock ? ' <button id="adv" type="button">+30 分钟</button><button id="adv8" type="button">+8 小时</button>' : ''}</span>
</header>
<nav id="tabs" aria-label="群"></nav>
<div id="main">
 <div id="log" aria-live="polite"></div>
 <aside id="try"><details open><summary>试试这些</summary><p class="where" id="where"></p><ul id="examples"></ul></details>
  <details id="channels"><summary>接入真实平台</summary>${CHANNEL_GUIDE}</details></aside>
</div>
<div id="att"></div>
<div id="err" role="alert"></div>
<form id="f">
 <input id="file" type="file" accept="image/*,audio/*" hidden>
 <button class="tool" id="pick" type="button" title="发送照片或录音文件">附件</button>
 <button class="tool" id="mic" type="button" title="录一段语音（最长 60 秒）">录音</button>
 <input id="text" type="text" autocomplete="off" placeholder="例如：小寨站 3号闸机刷卡没反应 电话13800138000">
 <button class="send" type="submit">发送</button>
</form>
<script>
const TZ = ${tz};
const EXAMPLES = ${examples};
const MAX_BYTES = 2 * 1024 * 1024;
const $ = (id) => document.getElementById(id);
let chat = 'demo';
let groups = [];
const seen = {};
let last = '';
let attachment = null;
function me(){ const [id,name,role] = $('who').value.split('|'); return {id,name,role}; }
const ROLE = {customer:'客户',engineer:'工程师',desk:'客服',manager:'部门经理',vp:'主管副总',bot:'机器人'};
// Beijing time, as the bot writes it (11月24日 10:30), whatever the browser's zone.
const fmt = new Intl.DateTimeFormat('zh-CN', {timeZone: TZ, month:'numeric', day:'numeric', hour:'2-digit', minute:'2-digit', hourCycle:'h23'});
function beijing(iso){ const p = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((x) => [x.type, x.value])); return p.month + '月' + p.day + '日 ' + p.hour + ':' + p.minute; }
async function api(method, path, body){
  const r = await fetch('/api' + path, {method, headers:{'content-type':'application/json'}, body: body ? JSON.stringify(body) : undefined});
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}
function label(g){
  if (g.purpose === 'managers') return '经理群';
  if (g.purpose === 'staff') return '员工群' + (g.title ? '：' + g.title : '');
  return '客户群：' + (g.customer || g.title || g.chat);
}
function renderTabs(){
  const nav = $('tabs'); nav.textContent = '';
  const order = {customer:0, staff:1, managers:2};
  for (const g of [...groups].sort((a,b) => (order[a.purpose] ?? 3) - (order[b.purpose] ?? 3))){
    const b = document.createElement('button'); b.type = 'button'; b.dataset.chat = g.chat; b.textContent = label(g);
    if (g.chat === chat) { b.className = 'on'; seen[g.chat] = g.lastId; }
    else if (g.lastId > (seen[g.chat] ?? 0)) { const d = document.createElement('span'); d.className = 'new'; d.title = '有新消息'; b.appendChild(d); }
    b.onclick = () => openChat(g.chat);
    nav.appendChild(b);
  }
  const f = document.createElement('form'); const i = document.createElement('input'); i.placeholder = '其他群名'; i.id = 'other';
  const go = document.createElement('button'); go.textContent = '打开'; go.type = 'submit';
  f.append(i, go); f.onsubmit = (e) => { e.preventDefault(); if (i.value.trim()) openChat(i.value.trim()); };
  nav.appendChild(f);
}
function openChat(c){ chat = c; last = ''; if (!groups.some((g) => g.chat === c)) groups.push({chat:c, purpose: c.startsWith('managers') ? 'managers' : 'customer', title:null, customer:null, lastId:0}); renderTabs(); refresh(); }
function renderExamples(){
  const role = me().role; const ul = $('examples'); ul.textContent = '';
  $('where').textContent = role === 'customer' ? '客户在客户群里说话。点一条填入输入框。' : role === 'engineer' ? '工程师多在客户群里操作。点一条填入输入框。' : '经理、客服多在经理群里操作（也可在客户群）。点一条填入输入框。';
  for (const x of EXAMPLES[role] || []){
    const li = document.createElement('li'); const b = document.createElement('button'); b.type = 'button';
    b.append(document.createTextNode(x.text)); const h = document.createElement('span'); h.className = 'hint'; h.textContent = x.hint; b.appendChild(h);
    // Into a group of the right kind: stay in the current one if it is, else open the first such.
    b.onclick = () => { const here = groups.find((g) => g.chat === chat); const g = groups.find((g) => g.purpose === x.in);
      if (g && here?.purpose !== x.in) openChat(g.chat); $('text').value = x.text; $('text').focus(); };
    li.appendChild(b); ul.appendChild(li);
  }
}
function render(msgs){
  const key = JSON.stringify(msgs);
  if (key === last) return; last = key;
  const log = $('log'); log.textContent = '';
  const mine = me().id;
  for (const m of msgs){
    const div = document.createElement('div');
    div.className = 'msg' + (m.from.role === 'bot' ? ' bot' : m.from.id === mine ? ' me' : '');
    const who = document.createElement('div'); who.className = 'who';
    who.textContent = m.from.name + (m.from.role !== 'bot' && ROLE[m.from.role] ? '（' + ROLE[m.from.role] + '）' : '') + ' · ' + beijing(m.at);
    div.appendChild(who);
    if (m.from.role === 'bot' && m.mentions.length){
      for (const p of m.mentions){ const s = document.createElement('span'); s.className='mention'; s.textContent='@'+p.name+' '; div.appendChild(s); }
    }
    div.appendChild(document.createTextNode(m.text));
    if (m.image){ const img = document.createElement('img'); img.src = m.image; img.alt = '图表'; div.appendChild(img); }
    if (m.attachment){
      if (m.attachment.kind === 'image'){ const img = document.createElement('img'); img.src = m.attachment.url; img.alt = '照片'; div.appendChild(img); }
      else { const a = document.createElement('audio'); a.controls = true; a.preload = 'none'; a.src = m.attachment.url; div.appendChild(a); }
    }
    if (m.buttons.length){
      const b = document.createElement('div'); b.className = 'btns';
      for (const btn of m.buttons){
        const e = document.createElement('button'); e.type='button'; e.textContent = btn.label;
        e.onclick = () => act(() => api('POST','/sandbox/clicks',{chat, from:me(), messageId:m.id, value:btn.value}));
        b.appendChild(e);
      }
      div.appendChild(b);
    }
    log.appendChild(div);
  }
  log.scrollTop = log.scrollHeight;
}
async function refresh(){
  try {
    render(await api('GET','/sandbox/messages?chat=' + encodeURIComponent(chat)));
    const c = await api('GET','/sandbox/clock'); $('now').textContent = beijing(c.now);
    groups = await api('GET','/sandbox/groups'); if (!groups.some((g) => g.chat === chat)) groups.push({chat, purpose:'customer', title:null, customer:null, lastId:0});
    renderTabs();
  } catch(e){ $('err').textContent = e.message; }
}
async function act(fn){ $('err').textContent=''; try { await fn(); } catch(e){ $('err').textContent = e.message; } refresh(); }
function showAttachment(){
  const el = $('att'); el.textContent = ''; el.className = attachment ? 'on' : '';
  if (!attachment) return;
  el.append(document.createTextNode((attachment.kind === 'image' ? '照片 ' : '录音 ') + (attachment.name || '') + '（' + Math.ceil(attachment.size / 1024) + ' KB）将随消息发送 '));
  const x = document.createElement('button'); x.type = 'button'; x.textContent = '✕ 取消'; x.onclick = () => { attachment = null; showAttachment(); }; el.appendChild(x);
}
function toBase64(blob){ return new Promise((ok, no) => { const r = new FileReader(); r.onload = () => ok(String(r.result).split(',')[1]); r.onerror = no; r.readAsDataURL(blob); }); }
// A large photo is made smaller in the browser (as chat apps do) before it is sent.
async function shrink(file){
  if (file.size <= MAX_BYTES || !file.type.startsWith('image/')) return file;
  const img = await createImageBitmap(file); const k = Math.min(1, 1600 / Math.max(img.width, img.height));
  const c = document.createElement('canvas'); c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
  c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
  return await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.85));
}
async function attach(blob, kind, name){
  const b = kind === 'image' ? await shrink(blob) : blob;
  if (b.size > MAX_BYTES) { $('err').textContent = '文件太大：最多 2 MB'; return; }
  attachment = {kind, name, size: b.size, dataBase64: await toBase64(b)}; showAttachment();
}
$('pick').onclick = () => $('file').click();
$('file').onchange = () => { const f = $('file').files[0]; $('file').value = ''; if (!f) return;
  const kind = f.type.startsWith('audio/') ? 'audio' : f.type.startsWith('image/') ? 'image' : null;
  if (!kind) { $('err').textContent = '只能发送照片或录音'; return; }
  attach(f, kind, f.name).catch((e) => { $('err').textContent = e.message; }); };
let rec = null;
$('mic').onclick = async () => {
  if (rec) { rec.stop(); return; }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({audio:true});
    const chunks = []; rec = new MediaRecorder(stream); rec.ondataavailable = (e) => chunks.push(e.data);
    const stop = setTimeout(() => rec && rec.stop(), 60000);
    rec.onstop = () => { clearTimeout(stop); stream.getTracks().forEach((t) => t.stop()); $('mic').className = 'tool'; $('mic').textContent = '录音'; rec = null;
      attach(new Blob(chunks, {type: chunks[0]?.type || 'audio/webm'}), 'audio', '语音').catch((e) => { $('err').textContent = e.message; }); };
    rec.start(); $('mic').className = 'tool rec'; $('mic').textContent = '停止录音';
  } catch(e){ $('err').textContent = '无法录音：' + e.message; }
};
$('f').onsubmit = (e) => { e.preventDefault(); const text = $('text').value; if(!text.trim() && !attachment) return;
  const body = {chat, from:me(), text}; if (attachment) body.attachment = {kind: attachment.kind, ...(attachment.name ? {name: attachment.name.slice(0, 120)} : {}), dataBase64: attachment.dataBase64};
  $('text').value=''; attachment = null; showAttachment();
  act(() => api('POST','/sandbox/messages', body)); };
if ($('adv')) $('adv').onclick = () => act(() => api('POST','/sandbox/clock',{advanceMinutes:30}));
if ($('adv8')) $('adv8').onclick = () => act(() => api('POST','/sandbox/clock',{advanceMinutes:480}));
$('who').onchange = () => { last=''; renderExamples(); refresh(); };
if (matchMedia('(max-width:720px)').matches) document.querySelector('#try details').open = false;
renderExamples(); refresh(); setInterval(refresh, 1500);
</script>
</body></html>`;
}
