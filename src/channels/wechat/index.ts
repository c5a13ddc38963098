/**
 * The WeChat channel for the composition root:
 *
 *   if (wechatConfigured(process.env)) {
 *     const wechat = createWechatChannel({ ...wechatConfigFromEnv(process.env), dataDir }, { sink: bot, log });
 *     app.use(wechat.loginPage); dispatcher.register(wechat.channel); await wechat.start();
 *   } else {
 *     log.info(WECHAT_OFF_LOG); app.use(wechatLoginPage()); // answers "not configured"
 *   }
 */
import type { Middleware } from 'koa';

import type { InboundSink } from '../../core/channel.js';
import { WechatChannel, type WechatChannelOptions, type WechatLog } from './adapter.js';
import { wechatLoginPage } from './login-page.js';

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

export interface WechatChannelHandle {
  channel: WechatChannel;
  /** koa middleware for GET /wechat/login. */
  loginPage: Middleware;
  start(): Promise<void>;
  stop(): Promise<void>;
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
  return {
    channel,
    loginPage: wechatLoginPage(() => channel.loginState()),
    start,
    stop,
  };
}
