/**
 * Every channel driven the same way, through the real service and the
 * platform's own path (the sandbox API, a signed Feishu webhook against the
 * fake open platform, a wechaty mock room), for the channel contract suite
 * (test/channels/channel-contract.test.ts). A new channel adds a harness here.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileBox } from 'file-box';
import { types } from 'wechaty';
import type { Channel, ChannelName } from '../../src/core/channel.js';
import type { Service } from '../../src/main.js';
import type { WecomChannelHandle } from '../../src/channels/wecom/index.js';
import type { WecomKfChannelHandle } from '../../src/channels/wecom-kf/index.js';
import { valueOfMenuId } from '../../src/channels/wecom-kf/translate.js';
import { FakeFeishu } from './fake-feishu.js';
import { FakeWecomBot } from './fake-wecom-bot.js';
import { FakeWecomKf } from './fake-wecom-kf.js';
import { botMention, cardActionEvent, feishuEnv, feishuRequest, imageMessageEvent, newMessageId, postFeishu, TEST_APP, textMessageEvent } from './feishu-events.js';
import { PEOPLE, startTestService, type TestService } from './service.js';
import { MOCK_PEOPLE, startWechatMockService } from './wechat/mock-service.js';

/** What the bot posted in the customer's chat. */
export interface BotMessage {
  id: string;
  text: string;
  /** The buttons it carries (label and the value a click sends back); none on a channel without cards. */
  choices: Array<{ label: string; value: string }>;
}

/** A message delivered once; again() delivers it again the way the platform redelivers (same ids). */
export interface Delivered {
  again(): Promise<void>;
}

export interface ChannelHarness {
  readonly name: ChannelName;
  readonly svc: Service;
  readonly channel: Channel;
  /** The customer says `text` in their chat; resolves once the platform's delivery was answered. */
  say(text: string): Promise<Delivered>;
  /** The customer says these back to back, as fast as the platform delivers them. */
  sayAll(texts: string[]): Promise<void>;
  /** The bot's own message, as the platform would show it to the channel. */
  sayAsBot(text: string): Promise<void>;
  /** Acts on what was delivered, fires what is due, sends the replies, fetches attachments. */
  settle(): Promise<void>;
  botMessages(): Promise<BotMessage[]>;
  /** Answers a question of the bot: clicks choice `n` where the channel shows buttons, else says the number. */
  choose(m: BotMessage, n: number): Promise<void>;
  /** The customer sends a picture; its bytes (what the service must keep), or null when the channel takes no attachments. */
  sendPicture(): Promise<Buffer | null>;
  close(): Promise<void>;
}

export const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------------------- sandbox

export async function sandboxHarness(): Promise<ChannelHarness> {
  const svc: TestService = await startTestService({ env: { DIGEST_CRON: 'off' } });
  const chat = 'contract';
  const { customer } = PEOPLE;
  const channel = svc.channels.get('sandbox')!;
  const bot = async () => (await svc.messages(chat)).filter((m) => m.from.role === 'bot');
  return {
    name: 'sandbox',
    svc,
    channel,
    async say(text) {
      const { id } = await svc.post(chat, customer, text);
      return { again: async () => void (await channel.replay({ chat, from: customer, text, messageId: id })) };
    },
    async sayAll(texts) {
      for (const t of texts) await svc.post(chat, customer, t);
    },
    async sayAsBot(text) {
      // The sandbox refuses the bot's own id at its door (400): nothing reaches the bot.
      await svc.post(chat, { id: 'servicebot', name: '售后服务助手', role: 'customer' }, text).then(
        () => Promise.reject(new Error('the sandbox took a message from the bot itself')),
        (e: Error) => (/→ 400/.test(e.message) ? undefined : Promise.reject(e)),
      );
    },
    settle: () => svc.settle(),
    async botMessages() {
      return (await bot()).map((m) => ({ id: m.id, text: m.text, choices: m.buttons }));
    },
    async choose(m, n) {
      await svc.click(chat, customer, m.id, m.choices[n - 1]!.value);
    },
    async sendPicture() {
      // A photo from the page's 附件 button: kept on the reporter's open ticket like a platform's picture.
      await svc.post(chat, customer, '', { attachment: { kind: 'image', name: 'gate.png', dataBase64: PNG_1PX.toString('base64') } });
      return PNG_1PX;
    },
    close: () => svc.close(),
  };
}

// ---------------------------------------------------------------------------- Feishu

const FEISHU_CHAT = 'oc_contract00000000000000000000001';
const FEISHU_CUSTOMER = 'ou_customer000000000000000000000001';

/** The buttons of a posted interactive card (value as the click sends it back). */
function cardButtons(content: unknown): Array<{ label: string; value: string }> {
  const out: Array<{ label: string; value: string }> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const value = (o['value'] as { value?: unknown } | undefined)?.value;
      if (o['tag'] === 'button' && typeof value === 'string') {
        out.push({ label: String((o['text'] as { content?: unknown } | undefined)?.content ?? ''), value });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(content);
  return out;
}

export async function feishuHarness(): Promise<ChannelHarness> {
  const fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.users.set(FEISHU_CUSTOMER, { name: '李站长' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-contract-feishu-'));
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8').replace(
    '- { channel: sandbox, id: demo }',
    `- { channel: sandbox, id: demo }\n      - { channel: feishu, id: ${FEISHU_CHAT} }`,
  );
  writeFileSync(path.join(dir, 'org.yaml'), org);
  const svc = await startTestService({ env: { ...feishuEnv(fake.url), ORG_FILE: path.join(dir, 'org.yaml'), DIGEST_CRON: 'off' } });
  const url = `${svc.url}/feishu/events`;
  const deliver = async (payload: Record<string, unknown>) => {
    const r = await postFeishu(url, feishuRequest(payload));
    if (r.status !== 200) throw new Error(`the webhook answered ${r.status}`);
  };
  const message = (text: string, o: { senderOpenId?: string; senderType?: 'user' | 'app' } = {}) =>
    textMessageEvent(`@_user_1 ${text}`, { messageId: newMessageId(), chatId: FEISHU_CHAT, senderOpenId: FEISHU_CUSTOMER, mentions: [botMention()], ...o });
  return {
    name: 'feishu',
    svc,
    channel: svc.channels.get('feishu')!,
    async say(text) {
      const payload = message(text);
      await deliver(payload);
      return { again: () => deliver(payload) };
    },
    async sayAll(texts) {
      for (const t of texts) await deliver(message(t));
    },
    async sayAsBot(text) {
      await deliver(message(text, { senderOpenId: TEST_APP.botOpenId, senderType: 'app' }));
    },
    settle: () => svc.settle(),
    async botMessages() {
      return fake.messages.map((m) => ({
        id: m.messageId,
        text: m.msgType === 'text' ? String((m.content as { text?: unknown }).text ?? '') : JSON.stringify(m.content),
        choices: m.msgType === 'interactive' ? cardButtons(m.content) : [],
      }));
    },
    async choose(m, n) {
      const value = m.choices[n - 1]!.value;
      const r = await postFeishu(url, feishuRequest(cardActionEvent({ messageId: m.id, chatId: FEISHU_CHAT, operatorOpenId: FEISHU_CUSTOMER, value: { value } })));
      if (r.status !== 200) throw new Error(`the card callback answered ${r.status}`);
    },
    async sendPicture() {
      const messageId = newMessageId();
      const key = `img_v3_contract_${messageId.slice(-6)}`;
      fake.resources.set(`${messageId}/${key}`, PNG_1PX);
      await deliver(imageMessageEvent(key, { messageId, chatId: FEISHU_CHAT, senderOpenId: FEISHU_CUSTOMER }));
      return PNG_1PX;
    },
    async close() {
      await svc.close();
      await fake.stop();
    },
  };
}

// ---------------------------------------------------------------------------- WeChat

export async function wechatHarness(): Promise<ChannelHarness> {
  const w = await startWechatMockService({ env: { DIGEST_CRON: 'off' } });
  const { svc, room, contacts, puppet, transcript, logLines } = w;
  /** Waits until the channel reported each of these message ids (to the bot, or dropped). */
  const handled = async (ids: string[], since: number) => {
    for (const id of ids) await w.waitHandled(id, since);
  };
  const said = (from: number, talker: string) => transcript.slice(from).filter((l) => l.talkerId === talker && l.roomId === room.id);
  /** What the harness said as the bot (not the bot's replies). */
  const echoes = new Set<string>();
  return {
    name: 'wechat',
    svc,
    channel: svc.channels.get('wechat')!,
    async say(text) {
      const { message } = await w.say('customer', text);
      return {
        async again() {
          // A puppet that reconnects emits the same message again.
          const since = logLines.length;
          puppet.emit('message', { messageId: message.messageId });
          await w.waitHandled(message.messageId, since);
        },
      };
    },
    async sayAll(texts) {
      const from = transcript.length;
      const since = logLines.length;
      for (const t of texts) contacts.customer.say(t).to(room);
      await handled(said(from, MOCK_PEOPLE.customer.id).map((l) => l.messageId), since);
    },
    async sayAsBot(text) {
      const from = transcript.length;
      const since = logLines.length;
      contacts.bot.say(text).to(room);
      const [line] = said(from, MOCK_PEOPLE.bot.id);
      if (!line) throw new Error('the room did not see the bot’s message');
      echoes.add(line.messageId);
      await waitUntil(() => logLines.slice(since).some((l) => l['messageId'] === line.messageId && /own message ignored/.test(String(l['msg']))), 'the channel to drop its own message');
    },
    settle: () => w.deliver(),
    async botMessages() {
      return w.botLines(room).filter((l) => !echoes.has(l.messageId)).map((l) => ({ id: l.messageId, text: l.text, choices: [] }));
    },
    async choose(_m, n) {
      await w.say('customer', String(n));
    },
    async sendPicture() {
      const from = transcript.length;
      const since = logLines.length;
      contacts.customer.say(FileBox.fromBase64(PNG_1PX.toString('base64'), 'fault.png')).to(room);
      const [line] = said(from, MOCK_PEOPLE.customer.id);
      if (!line || line.type !== types.Message.Image) throw new Error('the room did not see the picture');
      await w.waitHandled(line.messageId, since);
      return PNG_1PX;
    },
    close: () => w.close(),
  };
}

// ---------------------------------------------------------------------------- WeCom

/** config/org.yaml with one more chat of the demo customer. */
function orgWithChat(channel: string, id: string, prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `servicebot-contract-${prefix}-`));
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8').replace(
    '- { channel: sandbox, id: demo }',
    `- { channel: sandbox, id: demo }\n      - { channel: ${channel}, id: ${id} }`,
  );
  writeFileSync(path.join(dir, 'org.yaml'), org);
  return path.join(dir, 'org.yaml');
}

export const WECOM_GROUP = 'wrcontract0000000000000001';
export const WECOM_CUSTOMER = 'lizhanzhang';

/** The environment that turns the WeCom bot on against the fake long connection. */
export function wecomEnv(fake: FakeWecomBot): Record<string, string> {
  return {
    WECOM_BOT_ID: fake.botId,
    WECOM_BOT_SECRET: fake.secret,
    WECOM_BOT_WS_URL: fake.url,
    WECOM_BOT_NAMES: '售后助手',
    WECOM_MIN_INTERVAL_MS: '0',
    WECOM_MAX_PER_CHAT_PER_MINUTE: '1000',
  };
}

export async function wecomHarness(): Promise<ChannelHarness> {
  const fake = new FakeWecomBot({ maxPerMinute: 1000 });
  await fake.start();
  const svc = await startTestService({ env: { ...wecomEnv(fake), ORG_FILE: orgWithChat('wecom', WECOM_GROUP, 'wecom'), DIGEST_CRON: 'off' } });
  const channel = svc.channels.get('wecom') as WecomChannelHandle;
  await waitUntil(() => channel.status().connected, 'the WeCom long connection');
  let n = 0;
  const counter = (what: string) => Number(new RegExp(`${what} (\\d+)`).exec(channel.status().detail ?? '')?.[1] ?? 0);
  const recorded = (msgid: string) => waitUntil(async () => (await svc.db.inboundEvent.count({ where: { channel: 'wecom', eventId: msgid } })) > 0, `frame ${msgid} recorded`);
  const body = (msgtype: string, content: Record<string, unknown>, from = WECOM_CUSTOMER) => ({
    msgid: `wecom-contract-${++n}-${Date.now()}`,
    aibotid: fake.botId,
    chatid: WECOM_GROUP,
    chattype: 'group',
    from: { userid: from },
    create_time: Math.floor(Date.now() / 1000),
    msgtype,
    ...content,
  });
  const text = (t: string, from?: string) => body('text', { text: { content: `@售后助手 ${t}` } }, from);
  return {
    name: 'wecom',
    svc,
    channel,
    async say(t) {
      const b = text(t);
      fake.pushMessage(b);
      await recorded(b.msgid);
      return {
        async again() {
          // WeCom pushes the same callback again (same msgid).
          const before = counter('duplicates');
          fake.pushMessage(b);
          await waitUntil(() => counter('duplicates') > before, 'the duplicate to be seen');
        },
      };
    },
    async sayAll(texts) {
      const bodies = texts.map((t) => text(t));
      for (const b of bodies) fake.pushMessage(b);
      for (const b of bodies) await recorded(b.msgid);
    },
    async sayAsBot(t) {
      const before = counter('ignored');
      fake.pushMessage(text(t, fake.botId));
      await waitUntil(() => counter('ignored') > before, 'the channel to drop its own message');
    },
    settle: () => svc.settle(),
    async botMessages() {
      const rows = await svc.db.outbox.findMany({ where: { channel: 'wecom', platformMessageId: { not: null } } });
      // The fake shows a card by its task_id and button labels; its text and values are the outbox row's.
      type Card = { title?: string; text?: string; buttons?: Array<{ label: string; value: string }> };
      const cards = new Map(rows.map((r) => [r.platformMessageId!, JSON.parse(r.action) as Card]));
      return fake.shown
        .filter((s) => s.chatid === WECOM_GROUP && s.kind !== 'update' && s.kind !== 'welcome')
        .map((s, i) => {
          const card = s.kind === 'template_card' ? cards.get(s.taskId!) : undefined;
          return {
            id: s.taskId ?? s.streamId ?? `shown-${i}`,
            text: card ? `${card.title ?? ''}\n${card.text ?? ''}` : (s.content ?? ''),
            choices: (card?.buttons ?? []).map((b) => ({ label: b.label, value: b.value })),
          };
        });
    },
    async choose(m, c) {
      const b = body('event', { event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: m.choices[c - 1]!.value, task_id: m.id } } });
      fake.pushEvent(b);
      await recorded(b.msgid);
    },
    async sendPicture() {
      const b = body('image', { image: fake.hostFile(PNG_1PX) });
      fake.pushMessage(b);
      await recorded(b.msgid);
      return PNG_1PX;
    },
    async close() {
      await svc.close();
      await fake.close();
    },
  };
}

export const WECOM_KF_ACCOUNT = 'wkcontract0000000001';
export const WECOM_KF_CUSTOMER = 'wmcontractcustomer0001';

/** The environment that turns WeChat Customer Service on against the fake API. */
export function wecomKfEnv(fake: FakeWecomKf): Record<string, string> {
  return {
    WECOM_KF_CORP_ID: fake.corpId,
    WECOM_KF_SECRET: fake.secret,
    WECOM_KF_TOKEN: fake.token,
    WECOM_KF_ENCODING_AES_KEY: fake.encodingAESKey,
    WECOM_KF_OPEN_KFIDS: WECOM_KF_ACCOUNT,
    WECOM_KF_BASE_URL: fake.url,
    WECOM_KF_POLL_MINUTES: '60',
  };
}

/** Posts WeCom's signed, encrypted kf_msg_or_event to the service's callback URL. */
export async function postKfCallback(svcUrl: string, fake: FakeWecomKf, openKfId = WECOM_KF_ACCOUNT): Promise<void> {
  const req = fake.callbackRequest(openKfId);
  const r = await fetch(`${svcUrl}/wecom/kf/callback?${req.query}`, { method: 'POST', body: req.body, headers: { 'content-type': 'text/xml' } });
  const answer = await r.text();
  if (r.status !== 200 || answer !== 'success') throw new Error(`the callback answered ${r.status} ${answer}`);
}

export async function wecomKfHarness(): Promise<ChannelHarness> {
  const fake = new FakeWecomKf();
  fake.pageSize = 5;
  await fake.start();
  const svc = await startTestService({ env: { ...wecomKfEnv(fake), ORG_FILE: orgWithChat('wecom-kf', WECOM_KF_ACCOUNT, 'wecom-kf'), DIGEST_CRON: 'off' } });
  const channel = svc.channels.get('wecom-kf') as WecomKfChannelHandle;
  const handled = (msgid: string) => waitUntil(async () => (await svc.db.wecomKfInbox.count({ where: { msgid, status: { not: 'pending' } } })) > 0, `message ${msgid} read and handed on`);
  const writes = async (body: Record<string, unknown>) => {
    const msgid = fake.customerWrites(WECOM_KF_ACCOUNT, WECOM_KF_CUSTOMER, body);
    await postKfCallback(svc.url, fake);
    await handled(msgid);
    return msgid;
  };
  return {
    name: 'wecom-kf',
    svc,
    channel,
    async say(t) {
      await writes({ msgtype: 'text', text: { content: t } });
      return {
        async again() {
          // The message read again from the start (a cursor lost): kept once by msgid, acted on once.
          await svc.db.wecomKfCursor.deleteMany({ where: { openKfId: WECOM_KF_ACCOUNT } });
          await channel.kf.onNotice({ openKfId: WECOM_KF_ACCOUNT });
        },
      };
    },
    async sayAll(texts) {
      const ids = texts.map((t) => fake.customerWrites(WECOM_KF_ACCOUNT, WECOM_KF_CUSTOMER, { msgtype: 'text', text: { content: t } }));
      await postKfCallback(svc.url, fake);
      for (const id of ids) await handled(id);
    },
    async sayAsBot(t) {
      // What a servicer (or the API) sent comes back in sync_msg with origin 5: not for the bot.
      const msgid = `own_${Date.now()}`;
      fake.messages.push({ msgid, open_kfid: WECOM_KF_ACCOUNT, external_userid: WECOM_KF_CUSTOMER, send_time: Math.floor(Date.now() / 1000), origin: 5, msgtype: 'text', text: { content: t } });
      await postKfCallback(svc.url, fake);
      await handled(msgid);
    },
    settle: () => svc.settle(),
    async botMessages() {
      return fake.sent
        .filter((m) => m.touser === WECOM_KF_CUSTOMER)
        .map((m) => {
          const menu = m.body['msgmenu'] as { head_content?: string; list?: Array<{ click: { id: string; content: string } }> } | undefined;
          return {
            id: m.msgid,
            text: menu ? (menu.head_content ?? '') : String((m.body['text'] as { content?: unknown } | undefined)?.content ?? ''),
            choices: (menu?.list ?? []).map((i) => ({ label: i.click.content, value: valueOfMenuId(i.click.id) ?? '' })),
          };
        });
    },
    async choose(m, c) {
      const menu = fake.sent.find((s) => s.msgid === m.id)!.body['msgmenu'] as { list: Array<{ click: { id: string; content: string } }> };
      const item = menu.list[c - 1]!.click;
      await writes({ msgtype: 'text', text: { content: item.content, menu_id: item.id } });
    },
    async sendPicture() {
      const mediaId = `media_contract_${Date.now()}`;
      fake.media.set(mediaId, PNG_1PX);
      await writes({ msgtype: 'image', image: { media_id: mediaId } });
      return PNG_1PX;
    },
    async close() {
      await svc.close();
      await fake.close();
    },
  };
}

export const HARNESSES: Array<[ChannelName, () => Promise<ChannelHarness>]> = [
  ['sandbox', sandboxHarness],
  ['feishu', feishuHarness],
  ['wechat', wechatHarness],
  ['wecom', wecomHarness],
  ['wecom-kf', wecomKfHarness],
];
