/**
 * The service's channels: one module per folder, each on only when configured
 * (its platform SDK loaded only then). Adding a channel: a folder implementing
 * Channel (core/channel.ts) with a module.ts, its name in CHANNELS, and one
 * line in CHANNEL_MODULES below.
 */
import type { Middleware } from 'koa';
import type { Config } from '../config.js';
import type { Channel, ChannelName } from '../core/channel.js';
import { feishuModule } from './feishu/module.js';
import type { ChannelDeps, ChannelModule } from './module.js';
import { sandboxModule } from './sandbox/module.js';
import { wechatModule } from './wechat/module.js';
import { wecomKfModule } from './wecom-kf/module.js';
import { wecomModule } from './wecom/module.js';

export type { ChannelDeps, ChannelModule } from './module.js';

export const CHANNEL_MODULES: readonly ChannelModule[] = [sandboxModule, feishuModule, wechatModule, wecomModule, wecomKfModule];

export function channelModule(name: string): ChannelModule | undefined {
  return CHANNEL_MODULES.find((m) => m.name === name);
}

export interface RunningChannels {
  /** The channels the configuration turns on, by name (not started yet). */
  channels: Map<ChannelName, Channel>;
  /** Their routes, and those of channels that answer while off; mounted before any body parser. */
  routes: Middleware[];
}

/** Builds every channel the configuration turns on, and says how to turn on the others. */
export async function createChannels(config: Config, deps: ChannelDeps): Promise<RunningChannels> {
  const out: RunningChannels = { channels: new Map(), routes: [] };
  for (const module of CHANNEL_MODULES) {
    const off = module.off(config, deps);
    if (off === null) {
      const channel = await module.create(config, deps);
      out.channels.set(channel.name, channel);
      out.routes.push(...channel.routes);
    } else {
      if (off) deps.log.info(off);
      if (module.routesWhenOff) out.routes.push(...(await module.routesWhenOff()));
    }
  }
  return out;
}
