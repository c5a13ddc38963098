/** The WeCom intelligent bot as the service's channel list knows it: on when WECOM_BOT_ID and WECOM_BOT_SECRET are set. */
import { greetingMessages } from '../../bot/messages/greetings.js';
import type { ChannelModule } from '../module.js';

export const wecomModule: ChannelModule = {
  name: 'wecom',
  off: (config) => (config.wecom ? null : 'WeCom bot is off: set WECOM_BOT_ID and WECOM_BOT_SECRET to turn it on; see docs/wechat.md'),
  async create(config, deps) {
    const { createWecomChannel } = await import('./index.js');
    // Replaying saved frames needs no credentials: nothing is connected.
    const c = config.wecom ?? { botId: 'offline', secret: 'offline' };
    return createWecomChannel(c, {
      sink: deps.sink,
      log: deps.log.child({ channel: 'wecom' }),
      db: deps.db,
      tuning: { greeting: greetingMessages.wecomEnterChat.text() },
      ...(config.env.REPLICA_NAME ? { replicaName: config.env.REPLICA_NAME } : {}),
      ...(deps.offline ? { offline: true } : {}),
    });
  },
};
