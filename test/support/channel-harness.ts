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
import { FakeFeishu } from './fake-feishu.js';
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

export const HARNESSES: Array<[ChannelName, () => Promise<ChannelHarness>]> = [
  ['sandbox', sandboxHarness],
  ['feishu', feishuHarness],
  ['wechat', wechatHarness],
];
