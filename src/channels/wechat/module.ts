/** The WeChat channel as the service's channel list knows it: on when WECHATY_PUPPET is set (or a puppet is injected). */
import type { ChannelModule } from '../module.js';

export const wechatModule: ChannelModule = {
  name: 'wechat',
  off: (config, deps) => (config.wechat || deps.wechatPuppet ? null : 'WeChat is off: set WECHATY_PUPPET (and its token) to turn it on; see README "WeChat"'),
  async create(config, deps) {
    const { createWechatChannel } = await import('./index.js');
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
