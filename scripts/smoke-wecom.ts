/**
 * `npm run smoke:wecom`: connects to a real WeCom tenant with the credentials in the environment
 * and says, in plain words, what works and what is missing. Nothing here runs in CI (without
 * credentials it only says what to set).
 *
 * Intelligent bot (WECOM_BOT_ID, WECOM_BOT_SECRET): subscribes over the long connection, waits
 * WECOM_SMOKE_WAIT_S seconds (default 60) for a message to the bot (@ it in a group or write to
 * it), answers it, and — with WECOM_SMOKE_CHAT_ID — sends a markdown text, a button card and
 * (WECOM_SMOKE_MENTION_USERID) a `<@userid>` mention to that chat.
 * Customer service (WECOM_KF_CORP_ID, WECOM_KF_SECRET): fetches an access token and reads
 * WECOM_KF_OPEN_KFID's recent messages with kf/sync_msg (read only, nothing sent, no cursor kept).
 */
import { WSClient, type WsFrame } from '@wecom/aibot-node-sdk';

const env = process.env;
const lines: string[] = [];
const say = (ok: boolean | null, text: string) => lines.push(`${ok === null ? '  -' : ok ? '  ✓' : '  ✗'} ${text}`);

async function bot(): Promise<void> {
  lines.push('WeCom intelligent bot (智能机器人, long connection)');
  if (!env.WECOM_BOT_ID || !env.WECOM_BOT_SECRET) {
    say(null, 'skipped: set WECOM_BOT_ID and WECOM_BOT_SECRET (企业微信管理后台 → 智能机器人 → API 模式 → 长连接)');
    return;
  }
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const client = new WSClient({ botId: env.WECOM_BOT_ID, secret: env.WECOM_BOT_SECRET, maxAuthFailureAttempts: 1, maxReconnectAttempts: 1, logger: quiet, ...(env.WECOM_BOT_WS_URL ? { wsUrl: env.WECOM_BOT_WS_URL } : {}) });
  const authed = await new Promise<string | true>((resolve) => {
    const t = setTimeout(() => resolve('no answer within 15 s (network? a firewall blocking wss://openws.work.weixin.qq.com?)'), 15_000);
    client.on('authenticated', () => (clearTimeout(t), resolve(true)));
    client.on('error', (e: Error) => (clearTimeout(t), resolve(e.message)));
    client.connect();
  });
  if (authed !== true) {
    say(false, `subscription refused: ${authed}. Check the bot id and secret, and that API mode with long connection is on.`);
    client.disconnect();
    return;
  }
  say(true, 'subscribed with the bot id and secret');
  const chat = env.WECOM_SMOKE_CHAT_ID;
  if (chat) {
    try {
      await client.sendMessage(chat, { msgtype: 'markdown', markdown: { content: `**servicebot smoke test** ${new Date().toISOString()}` } });
      say(true, `markdown sent to ${chat}`);
    } catch (e) {
      say(false, `markdown to ${chat} refused: ${JSON.stringify((e as { errcode?: unknown; errmsg?: unknown }).errcode ?? (e as Error).message)} — is the bot in that chat?`);
    }
    try {
      await client.sendMessage(chat, { msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: '冒烟测试' }, sub_title_text: '点击按钮测试回调', button_list: [{ text: '收到', key: 'smoke-ok' }], task_id: `smoke-${Date.now()}` } });
      say(true, 'button card sent (click it while the test waits to see the click arrive)');
    } catch (e) {
      say(false, `button card refused: ${JSON.stringify(e)}`);
    }
    if (env.WECOM_SMOKE_MENTION_USERID) {
      await client.sendMessage(chat, { msgtype: 'markdown', markdown: { content: `<@${env.WECOM_SMOKE_MENTION_USERID}> 提醒测试` } }).then(
        () => say(null, 'a <@userid> mention was sent: check in WeCom whether it shows as a real @ (then set WECOM_MENTION_STYLE=tag)'),
        (e: unknown) => say(false, `mention refused: ${JSON.stringify(e)}`),
      );
    }
  } else {
    say(null, 'no proactive send tried: set WECOM_SMOKE_CHAT_ID (a group chatid, or a userid for a single chat)');
  }
  const waitS = Number(env.WECOM_SMOKE_WAIT_S ?? 60);
  console.log(`Waiting ${waitS} s for a message to the bot or a card click…`);
  const got = await new Promise<WsFrame | null>((resolve) => {
    const t = setTimeout(() => resolve(null), waitS * 1000);
    const on = (f: WsFrame) => (clearTimeout(t), resolve(f));
    client.on('message', on);
    client.on('event.template_card_event', on);
  });
  if (got) {
    const body = got.body as { msgtype?: string; chattype?: string; event?: { eventtype?: string } };
    say(true, `received ${body.msgtype === 'event' ? `event ${body.event?.eventtype}` : `${body.msgtype} (${body.chattype})`}`);
    if (body.msgtype !== 'event') {
      await client.replyStream(got, `smoke-${Date.now()}`, '收到（冒烟测试）', true).then(
        () => say(true, 'passive reply accepted'),
        (e: unknown) => say(false, `passive reply refused: ${JSON.stringify(e)}`),
      );
    }
  } else {
    say(false, `nothing received in ${waitS} s: @ the bot in an internal group it is in, or write to it directly`);
  }
  client.disconnect();
}

async function kf(): Promise<void> {
  lines.push('WeChat Customer Service (微信客服)');
  if (!env.WECOM_KF_CORP_ID || !env.WECOM_KF_SECRET) {
    say(null, 'skipped: set WECOM_KF_CORP_ID and WECOM_KF_SECRET (the self-built app allowed to call 微信客服 API)');
    return;
  }
  const base = env.WECOM_KF_BASE_URL ?? 'https://qyapi.weixin.qq.com';
  const tok = (await (await fetch(`${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(env.WECOM_KF_CORP_ID)}&corpsecret=${encodeURIComponent(env.WECOM_KF_SECRET)}`)).json()) as { errcode?: number; errmsg?: string; access_token?: string };
  if (!tok.access_token) {
    say(false, `no access token: WeCom ${tok.errcode} ${tok.errmsg}. Check the corp id and the app's secret, and the server's IP on the app's trusted IP list.`);
    return;
  }
  say(true, 'access token fetched');
  if (!env.WECOM_KF_OPEN_KFID) {
    say(null, 'set WECOM_KF_OPEN_KFID to read an account (微信客服 → 通过API管理微信客服账号)');
    return;
  }
  const page = (await (await fetch(`${base}/cgi-bin/kf/sync_msg?access_token=${encodeURIComponent(tok.access_token)}`, { method: 'POST', body: JSON.stringify({ open_kfid: env.WECOM_KF_OPEN_KFID, limit: 10 }) })).json()) as { errcode?: number; errmsg?: string; msg_list?: unknown[] };
  if (page.errcode) say(false, `sync_msg refused: WeCom ${page.errcode} ${page.errmsg} (95000/95004: the account is not managed by this app's API)`);
  else say(true, `sync_msg works: ${page.msg_list?.length ?? 0} message(s) in the first page of the last 3 days`);
  if (!env.WECOM_KF_TOKEN || !env.WECOM_KF_ENCODING_AES_KEY) say(false, 'the callback is not set up: WECOM_KF_TOKEN and WECOM_KF_ENCODING_AES_KEY (and the URL …/wecom/kf/callback reachable from WeCom)');
}

async function main(): Promise<void> {
  if (env.CI) {
    console.log('smoke:wecom: skipped in CI (it talks to a real WeCom tenant).');
    return;
  }
  await bot().catch((e: unknown) => say(false, `bot check failed: ${(e as Error).message}`));
  await kf().catch((e: unknown) => say(false, `customer-service check failed: ${(e as Error).message}`));
  console.log(lines.join('\n'));
}

void main().then(() => process.exit(0));
