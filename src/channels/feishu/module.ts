/** The Feishu channel as the service's channel list knows it: on when FEISHU_* are set. */
import type { ChannelModule } from '../module.js';

/** For replaying saved events without Feishu configured: nothing is sent to or asked of Feishu. */
const OFFLINE = { appId: 'cli_0000000000000000', appSecret: 'offline', encryptKey: 'offline', verificationToken: 'offline', mode: 'webhook' as const, domain: 'http://127.0.0.1:9' };

export const feishuModule: ChannelModule = {
  name: 'feishu',
  off: (config) =>
    config.feishu ? null : 'Feishu is off: set FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN to turn it on',
  async create(config, deps) {
    const { createFeishuChannel } = await import('./index.js');
    // Staff and known chats are looked up at start, so that no event waits on a name.
    const warm = {
      users: config.org.staff.map((s) => s.ids.feishu).filter((id): id is string => Boolean(id)),
      chats: [...config.org.customers.flatMap((c) => [...c.chats, ...c.staffChats]), ...config.org.managersGroups].filter((c) => c.channel === 'feishu').map((c) => c.id),
    };
    return createFeishuChannel(config.feishu ? { ...config.feishu, warm } : OFFLINE, {
      sink: deps.sink,
      log: deps.log.child({ channel: 'feishu' }),
      ...(deps.offline ? { offline: true } : {}),
    });
  },
};
