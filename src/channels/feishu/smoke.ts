/**
 * Day-one check of a real Feishu app against a test group (npm run smoke:feishu):
 * reads the bot's identity, posts a message and a card, updates the card,
 * reads the group's members and one person's profile, and tries speech
 * recognition; says in plain words what worked and what is missing (scopes,
 * external sharing, membership). Uses the channel itself, so what passes here
 * is what the service will do.
 */
import { FeishuChannel } from './adapter.js';
import { assertFeishuOk, FEISHU_HINTS, feishuCodeOf } from './errors.js';
import { recognizeRequest } from './speech.js';

export interface SmokeOptions {
  appId: string;
  appSecret: string;
  chatId: string;
  domain?: string;
}

export interface SmokeLine {
  ok: boolean;
  /** Must pass for the service to work (identity, sending); the others limit what it can do. */
  required: boolean;
  what: string;
  detail: string;
}

/** What each missing scope means, in the words an operator can act on. */
const SCOPE_HINT: Record<string, string> = {
  send: 'add the scope im:message:send_as_bot (以应用的身份发消息) under 权限管理 and publish a new version',
  members: 'add im:chat.members:read (查看群成员) or im:chat:readonly under 权限管理; for an external group also turn on 对外共享',
  contact: 'add contact:user.base:readonly (获取用户基本信息) to read your staff\u2019s names and departments; the customer\u2019s people in an external group are never read this way',
  speech: 'voice messages will be kept and the sender asked to type; to transcribe them add the speech_to_text permission (语音识别) — not available on the free edition',
};

function explain(err: unknown, fallback: string): string {
  const code = feishuCodeOf(err);
  const hint = code !== undefined ? FEISHU_HINTS[code] : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return `${code !== undefined ? `Feishu ${code}: ` : ''}${hint ?? fallback} (${message.slice(0, 200)})`;
}

export async function runFeishuSmoke(o: SmokeOptions): Promise<SmokeLine[]> {
  const lines: SmokeLine[] = [];
  const add = (ok: boolean, required: boolean, what: string, detail: string) => lines.push({ ok, required, what, detail });
  const channel = new FeishuChannel({ appId: o.appId, appSecret: o.appSecret, ...(o.domain ? { domain: o.domain } : {}), requestTimeoutMs: 8000, profileTimeoutMs: 8000 });
  const stamp = new Date().toISOString();

  // 1. identity (token + bot capability)
  const bot = await channel.botOpenId();
  if (bot) add(true, true, 'bot identity', `the app has a bot, open_id ${bot}`);
  else {
    add(false, true, 'bot identity', 'could not read /bot/v3/info: check FEISHU_APP_ID and FEISHU_APP_SECRET, and that the app has the bot capability (添加应用能力 → 机器人) in a published version');
    return lines;
  }

  // 2. a message
  let sent = false;
  try {
    await channel.send({ kind: 'text', text: `servicebot 自检消息 ${stamp}（可忽略）` }, { chatId: o.chatId, idempotencyKey: `smoke-text-${stamp}`, attempt: 1 });
    sent = true;
    add(true, true, 'send a message', `posted to ${o.chatId}`);
  } catch (err) {
    add(false, true, 'send a message', explain(err, SCOPE_HINT['send']!));
  }

  // 3. a card, then an update of it
  if (sent) {
    try {
      const r = await channel.send(
        { kind: 'card', title: 'servicebot 自检', text: `卡片测试 ${stamp}`, buttons: [{ label: '1 测试按钮', value: 'smoke' }] },
        { chatId: o.chatId, idempotencyKey: `smoke-card-${stamp}`, attempt: 1 },
      );
      add(true, false, 'send a card', 'posted (if the group refuses cards, the bot sends text with numbered choices instead)');
      if (r.messageId) {
        try {
          await channel.send({ kind: 'card_update', messageId: r.messageId, title: 'servicebot 自检', text: `卡片已更新 ${stamp}`, chosen: '测试按钮' }, { chatId: o.chatId, idempotencyKey: `smoke-update-${stamp}`, attempt: 1 });
          add(true, false, 'update the card', 'updated (shared card, update_multi)');
        } catch (err) {
          add(false, false, 'update the card', explain(err, 'card updates need the scope im:message or im:message:update'));
        }
      }
    } catch (err) {
      add(false, false, 'send a card', explain(err, 'cards refused: the bot will send text with numbered choices in this group'));
    }
  }

  // 4. members of the group (names of the customer's people in an external group)
  let ownMember: string | undefined;
  try {
    const members = await channel.people.members(o.chatId);
    if (members.size === 0) throw new Error('no members could be read');
    const tenants = new Set([...members.values()].map((m) => m.tenantKey).filter(Boolean));
    ownMember = [...members.values()].find((m) => m.openId !== bot)?.openId;
    add(true, false, 'read the group members', `${members.size} members${tenants.size > 1 ? `, from ${tenants.size} tenants (an external group: names come from here)` : ''}`);
  } catch (err) {
    add(false, false, 'read the group members', explain(err, SCOPE_HINT['members']!));
  }

  // 5. the contact API (own staff: names and departments)
  if (ownMember) {
    const profile = await channel.resolveUser(ownMember);
    add(Boolean(profile), false, 'read a profile (contact API)', profile ? `read ${profile.name}` : `could not read ${ownMember}: ${SCOPE_HINT['contact']} (a member of another tenant cannot be read: expected in an external group)`);
  }

  // 6. speech to text (one second of silence)
  try {
    const res = await channel.client.speech_to_text.v1.speech.fileRecognize({ data: recognizeRequest(Buffer.alloc(32000), `smoke${Date.now()}`) });
    assertFeishuOk(res, 'speech_to_text');
    add(true, false, 'speech to text', 'available: voice messages will be transcribed');
  } catch (err) {
    add(false, false, 'speech to text', `${SCOPE_HINT['speech']} (${err instanceof Error ? err.message.slice(0, 160) : String(err)})`);
  }

  add(true, false, 'receiving', 'cannot be checked from here: @ the bot in the group and look for "feishu event received" in the log (scope im:message.group_at_msg:readonly, or im:message.group_msg for every message; events im.message.receive_v1, im.message.recalled_v1; callback card.action.trigger)');
  return lines;
}

/** The report as printed. */
export function formatSmoke(lines: SmokeLine[]): string {
  return lines.map((l) => `${l.ok ? '✔' : l.required ? '✘' : '!'} ${l.what}: ${l.detail}`).join('\n');
}
