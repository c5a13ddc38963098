/**
 * WeChat Customer Service (微信客服) as the service's Channel (core/channel.ts; built by module.ts
 * when WECOM_KF_CORP_ID, _SECRET, _TOKEN and _ENCODING_AES_KEY are set):
 *
 *   const kf = createWecomKfChannel(config.wecomKf, { sink: bot, db, log });
 *   kf.routes            // GET/POST /wecom/kf/callback (URL check, kf_msg_or_event), mounted before any body parser
 *   kf.send(…)           // outbox → kf/send_msg, within the 48 h / 5-message window (adapter.ts)
 *   kf.replay(message)   // a saved sync_msg message (InboundEvent.raw) through translate, as if read again
 *   await kf.start();  …  await kf.stop();
 *
 * Every replica may run it: the cursor moves by compare-and-set, messages are kept once by msgid,
 * the access token is shared through the database. Set-up: docs/wechat.md.
 */
import type { Channel, ChannelCapabilities, InboundSink, ReceiveResult } from '../../core/channel.js';
import type { Db } from '../../store/types.js';
import { silentLogger, type ChannelLogger } from '../neutral.js';
import { WecomKfChannel, type WecomKfOptions } from './adapter.js';
import { translateKfMessage } from './translate.js';

export { WecomKfChannel, KfWindowClosedError, type WecomKfOptions } from './adapter.js';
export { kfChatId, parseKfChatId } from './translate.js';

/**
 * Cards as a menu (msgmenu) whose click comes back as a click; a menu cannot be changed once sent
 * (no card updates); no threads; mentions "shown" by leaving them out (one to one: the reader is
 * the one addressed, and no "@微信客户" in front of the text); images; attachments by media_id.
 */
export const WECOM_KF_CAPABILITIES: ChannelCapabilities = { cards: true, cardUpdates: false, threads: false, mentions: true, images: true, attachments: true };

export interface WecomKfChannelConfig {
  corpId: string;
  secret: string;
  token: string;
  encodingAESKey: string;
  openKfIds?: string[];
  baseUrl?: string;
  pollMs?: number;
}

export interface WecomKfChannelHandle extends Channel {
  kf: WecomKfChannel;
}

export function createWecomKfChannel(
  config: WecomKfChannelConfig,
  deps: { sink: InboundSink; db: Db; log?: ChannelLogger; tuning?: Partial<Omit<WecomKfOptions, 'db' | 'sink' | 'log'>>; offline?: boolean },
): WecomKfChannelHandle {
  const log = deps.log ?? silentLogger;
  const kf = new WecomKfChannel({
    db: deps.db,
    sink: deps.sink,
    log,
    corpId: config.corpId,
    secret: config.secret,
    token: config.token,
    encodingAESKey: config.encodingAESKey,
    ...(config.openKfIds ? { openKfIds: config.openKfIds } : {}),
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(config.pollMs ? { pollMs: config.pollMs } : {}),
    onWindowClosed: (e) => log.warn({ chat: e.chatId, reason: e.windowReason }, 'wecom-kf: outside the send window; the staff are told instead'),
    onSendFailed: (f) => log.warn({ msgid: f.msgid, failType: f.failType }, 'wecom-kf: WeCom reports a message as not delivered (msg_send_fail)'),
    ...deps.tuning,
  });
  return {
    name: 'wecom-kf',
    capabilities: WECOM_KF_CAPABILITIES,
    routes: deps.offline ? [] : [kf.callback],
    kf,
    start: () => (deps.offline ? Promise.resolve() : kf.start()),
    stop: () => kf.stop(),
    send: (action, ctx) => kf.send(action, ctx),
    downloadAttachment: (ref) => kf.downloadAttachment(ref),
    status: () => kf.status(),
    async replay(payload: unknown): Promise<ReceiveResult | null> {
      const t = translateKfMessage(payload, { receivedAt: new Date() });
      if ('ignored' in t) return null;
      return deps.sink.receive(t.event, { defer: true });
    },
  };
}
