/**
 * The sandbox chat page: pick who you are, type in a simulated group chat, see
 * the bot's replies with their mentions, click its buttons. All text is put
 * into the page with textContent, never as HTML.
 */
export function sandboxPage(opts: { manualClock: boolean }): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>servicebot 沙盒</title>
<style>
 body{margin:0;font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#eef1f5;color:#222}
 header{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding:8px 12px;background:#2b5797;color:#fff}
 header input,header select{font:inherit;padding:3px 6px;border-radius:4px;border:0}
 header label{display:flex;gap:4px;align-items:center}
 #log{padding:12px;height:calc(100vh - 150px);overflow-y:auto}
 .msg{max-width:80%;margin:6px 0;padding:8px 10px;border-radius:8px;background:#fff;white-space:pre-wrap;word-break:break-word;box-shadow:0 1px 1px #0001}
 .msg.me{margin-left:auto;background:#d8f5c8}
 .msg.bot{background:#fffbe6;border:1px solid #f0e2a0}
 .who{font-size:12px;color:#666;margin-bottom:2px}
 .mention{color:#2b5797;font-weight:600}
 .btns{margin-top:6px;display:flex;flex-wrap:wrap;gap:6px}
 .btns button{font:inherit;padding:3px 10px;border-radius:14px;border:1px solid #2b5797;background:#fff;color:#2b5797;cursor:pointer}
 form{display:flex;gap:8px;padding:8px 12px;background:#fff;border-top:1px solid #ddd}
 form input{flex:1;font:inherit;padding:8px;border:1px solid #ccc;border-radius:6px}
 form button{font:inherit;padding:8px 16px;border:0;border-radius:6px;background:#2b5797;color:#fff}
 #err{color:#b00;padding:0 12px}
 img{max-width:100%}
</style></head>
<body>
<header>
 <strong>servicebot 沙盒</strong>
 <label>群 <input id="chat" value="demo" size="10" title="以 managers 开头的群是经理群"></label>
 <label>我是 <select id="who">
  <option value="c1|王工|customer">王工（客户）</option>
  <option value="c2|刘师傅|customer">刘师傅（客户）</option>
  <option value="e1|张工|engineer">张工（工程师）</option>
  <option value="e2|李工|engineer">李工（工程师）</option>
  <option value="d1|客服小刘|desk">客服小刘（客服）</option>
  <option value="m1|李经理|manager">李经理（部门经理）</option>
  <option value="v1|王总|vp">王总（主管副总）</option>
 </select></label>
 ${opts.manualClock ? '<label>时钟 <span id="now"></span> <button id="adv" type="button">+30 分钟</button><button id="adv8" type="button">+8 小时</button></label>' : ''}
</header>
<div id="log" aria-live="polite"></div>
<div id="err"></div>
<form id="f"><input id="text" autocomplete="off" placeholder="例如：小寨站 3号闸机刷卡没反应 电话13800138000"><button>发送</button></form>
<script>
const $ = (id) => document.getElementById(id);
let last = '';
function me(){ const [id,name,role] = $('who').value.split('|'); return {id,name,role}; }
async function api(method, path, body){
  const r = await fetch('/api' + path, {method, headers:{'content-type':'application/json'}, body: body ? JSON.stringify(body) : undefined});
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
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
    who.textContent = m.from.name + ' · ' + new Date(m.at).toLocaleString('zh-CN', {hour12:false});
    div.appendChild(who);
    if (m.from.role === 'bot' && m.mentions.length){
      for (const p of m.mentions){ const s = document.createElement('span'); s.className='mention'; s.textContent='@'+p.name+' '; div.appendChild(s); }
    }
    div.appendChild(document.createTextNode(m.text));
    if (m.image){ const img = document.createElement('img'); img.src = m.image; div.appendChild(img); }
    if (m.buttons.length){
      const b = document.createElement('div'); b.className = 'btns';
      for (const btn of m.buttons){
        const e = document.createElement('button'); e.type='button'; e.textContent = btn.label;
        e.onclick = () => act(() => api('POST','/sandbox/clicks',{chat:$('chat').value, from:me(), messageId:m.id, value:btn.value}));
        b.appendChild(e);
      }
      div.appendChild(b);
    }
    log.appendChild(div);
  }
  log.scrollTop = log.scrollHeight;
}
async function refresh(){
  try { render(await api('GET','/sandbox/messages?chat=' + encodeURIComponent($('chat').value)));
    if ($('now')) { const c = await api('GET','/sandbox/clock'); $('now').textContent = new Date(c.now).toLocaleString('zh-CN',{hour12:false}); }
  } catch(e){ $('err').textContent = e.message; }
}
async function act(fn){ $('err').textContent=''; try { await fn(); } catch(e){ $('err').textContent = e.message; } refresh(); }
$('f').onsubmit = (e) => { e.preventDefault(); const text = $('text').value; if(!text.trim()) return; $('text').value='';
  act(() => api('POST','/sandbox/messages',{chat:$('chat').value, from:me(), text})); };
if ($('adv')) $('adv').onclick = () => act(() => api('POST','/sandbox/clock',{advanceMinutes:30}));
if ($('adv8')) $('adv8').onclick = () => act(() => api('POST','/sandbox/clock',{advanceMinutes:480}));
$('chat').onchange = () => { last=''; refresh(); };
$('who').onchange = () => { last=''; refresh(); };
refresh(); setInterval(refresh, 1500);
</script>
</body></html>`;
}
