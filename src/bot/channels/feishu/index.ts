/**
 * Feishu channel, assembled for the composition root:
 *
 *   const feishu = createFeishuChannel(config.feishu, { sink: bot, log });
 *   if (feishu.webhook) app.use(feishu.webhook);   // before any body parser
 *   dispatcher.register(feishu.channel);           // outbox → channel.send()
 *   await feishu.start();  …  await feishu.stop();
 *
 * Setting the app up is described step by step in docs/feishu-setup.md (scopes,
 * events and callbacks, webhook or long connection, 对外共享 for external groups).
 */
import type { Middleware } from 'koa';
import type { InboundSink } from '../../types.js';
import { FeishuChannel, type FeishuChannelOptions } from './adapter.js';
import type { FeishuEventDeps } from './handler.js';
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

export interface FeishuChannelBundle {
  channel: FeishuChannel;
  /** Koa middleware for POST /feishu/events (and /feishu/card); only in webhook mode. */
  webhook?: Middleware;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createFeishuChannel(
  config: FeishuConfig,
  deps: {
    sink: InboundSink;
    log?: FeishuLogger;
    /** Extra adapter options (timeouts, cache sizes, replyInThread). */
    channel?: Partial<FeishuChannelOptions>;
    webhook?: Pick<FeishuWebhookOptions, 'maxBodyBytes' | 'maxSkewSeconds' | 'maxAgeSeconds' | 'paths'>;
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
  const eventDeps = feishuEventDeps(channel, deps.sink, log);


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
      channel,
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
    channel,
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
