/**
 * The real platforms, each only when configured: Feishu (webhook or long
 * connection) and WeChat (wechaty). Loaded lazily so that an unconfigured
 * platform's SDK is never imported.
 */
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { ChannelAdapter, InboundSink } from '../core/channel.js';
import type { Config } from '../config.js';
import type { Db } from '../store/types.js';

export interface PlatformChannels {
  adapters: Array<ChannelAdapter & { start?(): Promise<void>; stop?(): Promise<void> }>;
  middleware: Middleware[];
}

export async function createChannels(config: Config, deps: { sink: InboundSink; log: Logger; db: Db; wechatPuppet?: unknown }): Promise<PlatformChannels> {
  const out: PlatformChannels = { adapters: [], middleware: [] };
  if (config.feishu) {
    const { createFeishuChannel } = await import('./feishu/index.js');
    const feishu = createFeishuChannel(config.feishu, { sink: deps.sink, log: deps.log.child({ channel: 'feishu' }) });
    if (feishu.webhook) out.middleware.push(feishu.webhook);
    out.adapters.push(Object.assign(feishu.channel, { start: () => feishu.start(), stop: () => feishu.stop() }));
  } else {
    deps.log.info('Feishu is off: set FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN to turn it on');
  }
  if (config.wechat || deps.wechatPuppet) {
    const { createWechatChannel } = await import('./wechat/index.js');
    const wechat = createWechatChannel(
      {
        ...(config.wechat ? { puppet: config.wechat.puppet } : {}),
        ...(config.wechat?.puppetToken ? { puppetToken: config.wechat.puppetToken } : {}),
        ...(deps.wechatPuppet ? { puppetInstance: deps.wechatPuppet } : {}),
        dataDir: config.dataDir,
        minIntervalMs: config.env.WECHAT_MIN_INTERVAL_MS,
        maxPerMinute: config.env.WECHAT_MAX_PER_MINUTE,
      },
      { sink: deps.sink, log: deps.log.child({ channel: 'wechat' }) },
    );
    out.middleware.push(wechat.loginPage);
    out.adapters.push(Object.assign(wechat.channel, { start: () => wechat.start(), stop: () => wechat.stop() }));
  } else {
    // /wechat/login still answers, saying WeChat is not configured (login-page imports no wechaty).
    const { wechatLoginPage } = await import('./wechat/login-page.js');
    out.middleware.push(wechatLoginPage());
    deps.log.info('WeChat is off: set WECHATY_PUPPET (and its token) to turn it on; see README "WeChat"');
  }
  return out;
}
