/**
 * The WeChat channel as the service's Channel (core/channel.ts; built by
 * module.ts when WECHATY_PUPPET is set):
 *
 *   const wechat = createWechatChannel({ puppet, puppetToken, dataDir }, { sink: bot, log });
 *   wechat.routes            // GET /wechat/login (the QR code)
 *   wechat.send(…)           // outbox → the adapter (adapter.ts), paced per room
 *   wechat.replay(snapshot)  // a saved message snapshot (InboundEvent.raw) through translate, as if said again
 *   await wechat.start();  …  await wechat.stop();
 *
 * With WeChat off, module.ts still serves wechatLoginPage(), which says so.
 */
import type { Middleware } from 'koa';

import type { Channel, ChannelCapabilities, InboundSink, ReceiveResult } from '../../core/channel.js';
import { WechatChannel, type WechatChannelOptions, type WechatLog } from './adapter.js';
import { wechatLoginPage } from './login-page.js';
import { toInboundMessage, type WechatMessageSnapshot } from './translate.js';

export {
  WECHAT_OFF_LOG,
  WechatChannel,
  snapshotMessage,
  wechatConfigFromEnv,
  wechatConfigured,
  type WechatChannelOptions,
  type WechatLog,
  type WechatLoginState,
} from './adapter.js';
export { WECHAT_LOGIN_PATH, wechatLoginPage } from './login-page.js';
export { Pacer, nextSendAt, type PacerClock } from './pacer.js';
export { renderAction, renderCardText } from './render.js';
export { toInboundMessage, type WechatMessageSnapshot } from './translate.js';

/**
 * puppet, puppetToken, dataDir, name, minIntervalMs, maxPerMinute, puppetInstance,
 * plus the optional tuning of WechatChannelOptions (maxPacedWaitMs, historyGraceMs,
 * relogWaitMs, printQr, clock).
 */
export type WechatChannelConfig = WechatChannelOptions;

/** WeChat (through wechaty) has no buttons, cannot edit or quote-reply; it has real @mentions, images and attachments. */
export const WECHAT_CAPABILITIES: ChannelCapabilities = { cards: false, cardUpdates: false, threads: false, mentions: true, images: true, attachments: true };

export interface WechatChannelHandle extends Channel {
  /** The adapter underneath (wechaty, the pacer). */
  channel: WechatChannel;
  /** koa middleware for GET /wechat/login (also in `routes`). */
  loginPage: Middleware;
}

/** Whether a saved payload has the shape of a message snapshot (translate.ts), as kept in InboundEvent.raw. */
function isSnapshot(p: unknown): p is WechatMessageSnapshot {
  const o = p as Partial<WechatMessageSnapshot> | null;
  const contact = (c: unknown) => typeof c === 'object' && c !== null && typeof (c as { id?: unknown }).id === 'string' && typeof (c as { name?: unknown }).name === 'string';
  return (
    typeof o === 'object' && o !== null &&
    typeof o.id === 'string' && typeof o.kind === 'string' && typeof o.timestamp === 'number' && typeof o.isSelf === 'boolean' &&
    contact(o.talker) && contact(o.self) && Array.isArray(o.mentions) && o.mentions.every(contact) &&
    (o.text === undefined || typeof o.text === 'string') &&
    (o.room === undefined || (typeof o.room === 'object' && o.room !== null && typeof o.room.id === 'string'))
  );
}

export function createWechatChannel(
  config: WechatChannelConfig,
  deps: { sink: InboundSink; log: WechatLog },
): WechatChannelHandle {
  const channel = new WechatChannel(config, deps);
  // Bound now: a caller may assign the handle's start/stop onto the channel object
  // (Object.assign(channel, { start: () => handle.start() })), which must not recurse.
  const start = channel.start.bind(channel);
  const stop = channel.stop.bind(channel);
  const loginPage = wechatLoginPage(() => channel.loginState());
  return {
    name: 'wechat',
    capabilities: WECHAT_CAPABILITIES,
    routes: [loginPage],
    channel,
    loginPage,
    start,
    stop,
    send: channel.send.bind(channel),
    downloadAttachment: channel.downloadAttachment.bind(channel),
    status: () => channel.status(),
    async replay(payload: unknown): Promise<ReceiveResult | null> {
      // A replay is not a message said now: no "older than the login" check.
      const event = isSnapshot(payload) ? toInboundMessage(payload) : null;
      return event ? deps.sink.receive(event) : null;
    },
  };
}
