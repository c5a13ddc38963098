/**
 * Feishu channel, assembled as the service's Channel (core/channel.ts; built by
 * module.ts when FEISHU_* are set):
 *
 *   const feishu = createFeishuChannel(config.feishu, { sink: bot, log });
 *   feishu.routes          // the webhook (webhook mode), mounted before any body parser
 *   feishu.send(…)         // outbox → the adapter (adapter.ts)
 *   feishu.replay(payload) // a saved event through handleFeishuEvent, as if redelivered
 *   await feishu.start();  …  await feishu.stop();
 *
 * Setting up the app (open.feishu.cn → 开发者后台, a self-built app 企业自建应用):
 *  - 添加应用能力: 机器人 (bot).
 *  - 权限管理 (scopes): im:message (receive group messages that @ the bot),
 *    im:message.group_msg (all group messages, if reports may come without @),
 *    im:message.p2p_msg (private chats), im:message:send_as_bot, im:resource
 *    (download images / upload images), contact:user.base:readonly and
 *    contact:user.department:readonly (names and departments for roles).
 *  - 事件与回调 → 加密策略: set an Encrypt Key and note the Verification Token
 *    (FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN).
 *  - 事件配置: subscribe im.message.receive_v1, im.chat.member.bot.added_v1,
 *    im.chat.member.bot.deleted_v1. 回调配置: subscribe card.action.trigger.
 *  - 订阅方式: either 将事件发送至开发者服务器 with request URL
 *    https://<host>/feishu/events for both events and callbacks
 *    (FEISHU_MODE=webhook; the URL check is answered automatically), or
 *    使用长连接接收事件/回调 (FEISHU_MODE=websocket; no public address needed).
 *  - Publish a version so the scopes take effect, then add the bot to the groups.
 */
import type { Middleware } from 'koa';
import type { Channel, ChannelCapabilities, InboundSink } from '../../core/channel.js';
import { FeishuChannel, type FeishuChannelOptions } from './adapter.js';
import { handleFeishuEvent, type FeishuEventDeps } from './handler.js';
import { silentLogger, type FeishuLogger } from './log.js';
import { createFeishuWebhook, type FeishuWebhookOptions } from './webhook.js';
import { FeishuLongConnection } from './ws.js';

export { FeishuChannel, feishuUuid, resolveFeishuDomain, type FeishuChannelOptions, type FeishuUserProfile } from './adapter.js';
export { createFeishuWebhook, feishuSignature, FEISHU_WEBHOOK_PATHS, type FeishuWebhookOptions } from './webhook.js';
export { FeishuLongConnection } from './ws.js';
export { handleFeishuEvent, createFeishuDispatcher, type FeishuEventDeps } from './handler.js';
export { translateFeishuEvent, decodeButtonValue } from './translate.js';
export { classifyFeishuError, retryAfterMsFrom } from './errors.js';
export type { FeishuLogger } from './log.js';

export interface FeishuConfig {
  appId: string;
  appSecret: string;
  encryptKey: string;
  verificationToken: string;
  mode: 'webhook' | 'websocket';
  /** Default https://open.feishu.cn; "lark", https://open.larksuite.com or a test server. */
  domain?: string;
  /** Optional: skips the /open-apis/bot/v3/info lookup. */
  botOpenId?: string;
}

/** Feishu shows cards with buttons and updates them, replies in threads, @mentions, images; attachments download. */
export const FEISHU_CAPABILITIES: ChannelCapabilities = { cards: true, cardUpdates: true, threads: true, mentions: true, images: true, attachments: true };

export interface FeishuChannelBundle extends Channel {
  /** The adapter underneath: sends, downloads, looks people up. */
  channel: FeishuChannel;
  /** Koa middleware for POST /feishu/events (and /feishu/card); only in webhook mode (also in `routes`). */
  webhook?: Middleware;
}

export function createFeishuChannel(
  config: FeishuConfig,
  deps: {
    sink: InboundSink;
    log?: FeishuLogger;
    /** Extra adapter options (timeouts, cache sizes, replyInThread). */
    channel?: Partial<FeishuChannelOptions>;
    webhook?: Pick<FeishuWebhookOptions, 'maxBodyBytes' | 'maxSkewSeconds' | 'paths'>;
    /** For replaying saved events only: no lookups of names or of the bot's identity on Feishu. */
    offline?: boolean;
  },
): FeishuChannelBundle {
  const log = deps.log ?? silentLogger;
  const channel = new FeishuChannel({
    appId: config.appId,
    appSecret: config.appSecret,
    domain: config.domain,
    botOpenId: config.botOpenId,
    log,
    ...deps.channel,
  });
  // Bound now: the composition root may put the bundle's start/stop onto the
  // channel object (Object.assign(channel, { start: bundle.start })); calling
  // channel.start() from the bundle afterwards would then recurse.
  const startChannel = channel.start.bind(channel);
  const stopChannel = channel.stop.bind(channel);
  const eventDeps: Pick<FeishuEventDeps, 'sink' | 'resolveUser' | 'botOpenId' | 'log'> = deps.offline
    ? { sink: deps.sink, log }
    : {
        sink: deps.sink,
        resolveUser: (openId: string) => channel.resolveUser(openId),
        botOpenId: () => channel.botOpenId(),
        log,
      };
  // What every mode shares: the Channel interface over the adapter.
  const common = {
    name: 'feishu' as const,
    capabilities: FEISHU_CAPABILITIES,
    channel,
    send: channel.send.bind(channel),
    downloadAttachment: channel.downloadAttachment.bind(channel),
    status: () => channel.status(),
    async replay(payload: unknown) {
      const outcome = await handleFeishuEvent(payload, eventDeps);
      return outcome.status === 'not_translated' ? null : { status: outcome.status };
    },
  };

  if (config.mode === 'websocket') {
    const ws = new FeishuLongConnection({
      appId: config.appId,
      appSecret: config.appSecret,
      domain: config.domain,
      deps: eventDeps,
      log,
    });
    channel.setConnectionProbe(() => ws.status());
    return {
      ...common,
      routes: [],
      async start() {
        await startChannel();
        await ws.start();
      },
      async stop() {
        await ws.stop();
        await stopChannel();
      },
    };
  }

  const webhook = createFeishuWebhook({
    ...eventDeps,
    encryptKey: config.encryptKey,
    verificationToken: config.verificationToken,
    ...deps.webhook,
  });
  return {
    ...common,
    routes: [webhook],
    webhook,
    start: startChannel,
    stop: stopChannel,
  };
}
