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
 * Setting the app up is described step by step in docs/feishu-setup.md (scopes,
 * events and callbacks, webhook or long connection, 对外共享 for external groups).
 */
import type { Middleware } from 'koa';
import type { Channel, ChannelCapabilities, InboundSink } from '../../core/channel.js';
import { FeishuChannel, type FeishuChannelOptions } from './adapter.js';
import { handleFeishuEvent, type FeishuEventDeps } from './handler.js';
import { silentLogger, type FeishuLogger } from './log.js';
import { createFeishuWebhook, type FeishuWebhookOptions } from './webhook.js';
import { FeishuLongConnection } from './ws.js';

export { FeishuChannel, feishuUuid, resolveFeishuDomain, type FeishuChannelOptions, type FeishuUserProfile, type ForwardedItem } from './adapter.js';
export { FeishuPeople } from './people.js';
export { FeishuPacer } from './pacer.js';
export { createFeishuWebhook, feishuSignature, FEISHU_WEBHOOK_PATHS, type FeishuWebhookOptions } from './webhook.js';
export { FeishuLongConnection } from './ws.js';
export { handleFeishuEvent, createFeishuDispatcher, type FeishuEventDeps } from './handler.js';
export { translateFeishuEvent, decodeButtonValue } from './translate.js';
export { classifyFeishuError, retryAfterMsFrom, FEISHU_HINTS } from './errors.js';
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
  /** 'mentions' (scope im:message.group_at_msg:readonly) or 'all' (im:message.group_msg). Default 'mentions'. */
  receiveMode?: 'mentions' | 'all';
  /** Replies in threads everywhere (default: an ordinary message quoting the report). */
  replyInThread?: boolean;
  /** Chats whose replies go into threads. */
  threadReplyChats?: readonly string[];
  /** 'off': never try speech_to_text. Default 'auto'. */
  speechToText?: 'auto' | 'off';
  /** Staff open_ids and chat ids to look up at start (people caches). */
  warm?: { users?: readonly string[]; chats?: readonly string[] };
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
    webhook?: Pick<FeishuWebhookOptions, 'maxBodyBytes' | 'maxSkewSeconds' | 'maxAgeSeconds' | 'paths'>;
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
    ...(config.receiveMode ? { receiveMode: config.receiveMode } : {}),
    ...(config.replyInThread !== undefined ? { replyInThread: config.replyInThread } : {}),
    ...(config.threadReplyChats ? { threadReplyChats: config.threadReplyChats } : {}),
    ...(config.speechToText ? { speechToText: config.speechToText } : {}),
    ...(config.warm ? { warm: config.warm } : {}),
    log,
    ...deps.channel,
  });
  // Bound now: the composition root may put the bundle's start/stop onto the
  // channel object (Object.assign(channel, { start: bundle.start })); calling
  // channel.start() from the bundle afterwards would then recurse.
  const startChannel = channel.start.bind(channel);
  const stopChannel = channel.stop.bind(channel);
  // Replaying saved events looks nothing up on Feishu (no names, no bot identity, no voice).
  const eventDeps: FeishuEventDeps = deps.offline ? { sink: deps.sink, log } : feishuEventDeps(channel, deps.sink, log);
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

  const { now: _now, ...webhookDeps } = eventDeps;
  const webhook = createFeishuWebhook({
    ...webhookDeps,
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

/** What the event path needs from the channel: look-ups, voice, forwarded messages, late card updates. */
export function feishuEventDeps(channel: FeishuChannel, sink: InboundSink, log: FeishuLogger = silentLogger): FeishuEventDeps {
  return {
    sink,
    resolveUser: (openId: string) => channel.resolveUser(openId),
    people: channel.people,
    botOpenId: () => channel.botOpenId(),
    transcribe: (fileKey, messageId) => channel.transcribe(fileKey, messageId),
    canTranscribe: () => channel.canTranscribe,
    forwardedMessages: (messageId) => channel.forwardedMessages(messageId),
    updateCard: async (update, chatId) => {
      await channel.send(update, { chatId, idempotencyKey: `late-card:${update.messageId}:${Date.now()}`, attempt: 1 });
    },
    log,
  };
}
