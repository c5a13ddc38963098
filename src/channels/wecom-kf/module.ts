/** WeChat Customer Service (微信客服) as the service's channel list knows it: on when WECOM_KF_* are set. */
import { greetingMessages } from '../../bot/messages/greetings.js';
import type { ChannelModule } from '../module.js';

/** For replaying saved messages without the channel configured: nothing is asked of WeCom. */
const OFFLINE = { corpId: 'offline', secret: 'offline', token: 'offline', encodingAESKey: 'A'.repeat(43), baseUrl: 'http://127.0.0.1:9' };

export const wecomKfModule: ChannelModule = {
  name: 'wecom-kf',
  off: (config) =>
    config.wecomKf ? null : 'WeChat Customer Service is off: set WECOM_KF_CORP_ID, WECOM_KF_SECRET, WECOM_KF_TOKEN and WECOM_KF_ENCODING_AES_KEY to turn it on; see docs/wechat.md',
  async create(config, deps) {
    const { createWecomKfChannel } = await import('./index.js');
    return createWecomKfChannel(config.wecomKf ?? OFFLINE, {
      sink: deps.sink,
      db: deps.db,
      log: deps.log.child({ channel: 'wecom-kf' }),
      // The send window is counted on the service's clock, as the bot's deadlines are.
      tuning: { windowNow: () => deps.clock.now().getTime(), greeting: greetingMessages.wecomKfEnterSession.text() },
      ...(deps.offline ? { offline: true } : {}),
    });
  },
};
