/** The WeChat channel as the service's channel list knows it: on when WECHATY_PUPPET is set (or a puppet is injected). */
import { ConfigError } from '../../config.js';
import type { ChannelModule } from '../module.js';

export const wechatModule: ChannelModule = {
  name: 'wechat',
  off: (config, deps) => (config.wechat || deps.wechatPuppet ? null : 'WeChat is off: set WECHATY_PUPPET (and its token) to turn it on; see README "WeChat"'),
  async create(config, deps) {
    const { createWechatChannel } = await importWechatChannel(config.wechat?.puppet ?? 'a puppet instance');
    return createWechatChannel(
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
  },
  // /wechat/login still answers, saying WeChat is not configured (login-page imports no wechaty).
  async routesWhenOff() {
    const { wechatLoginPage } = await import('./login-page.js');
    return [wechatLoginPage()];
  },
};

/**
 * The WeChat channel's code. wechaty and its puppets are peer dependencies: an install without
 * them (npm ci --omit=peer, Feishu only) cannot run WeChat, and says so instead of a stack trace.
 */
async function importWechatChannel(puppet: string): Promise<typeof import('./index.js')> {
  try {
    return await import('./index.js');
  } catch (e) {
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec((e as Error).message)?.[1];
    if (missing && /^(wechaty|file-box)/.test(missing)) {
      throw new ConfigError(
        `WeChat is configured (WECHATY_PUPPET=${puppet}) but its packages (wechaty, the puppet, file-box) are not installed (${missing} is missing): this install left WeChat out (npm ci --omit=peer). Install with npm ci (without --omit=peer) to use WeChat, or unset WECHATY_PUPPET`,
      );
    }
    throw e;
  }
}
