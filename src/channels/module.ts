/**
 * What a channel folder gives the service: a ChannelModule says when the
 * configuration turns the channel on and builds it. Modules are light (no
 * platform SDK at import time); create() loads the channel itself, so a
 * platform that is not configured is never imported.
 */
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Channel, ChannelName, InboundSink } from '../core/channel.js';
import type { Clock, ClockControl } from '../core/clock.js';
import type { Db } from '../store/types.js';

/** What a channel may use of the service. */
export interface ChannelDeps {
  /** Where inbound events go: the bot (ServiceBot.receive). */
  sink: InboundSink;
  log: Logger;
  db: Db;
  clock: Clock;
  /** The data folder (WeChat's login is kept there). */
  dataDir: string;
  /** For the sandbox's routes: send what the bot wrote now, the clock it may move, the API token. */
  service?: { flush(): Promise<void>; clockControl: ClockControl; apiToken?: string };
  /** A wechaty puppet instance (tests and the demo); turns WeChat on whatever the configuration says. */
  wechatPuppet?: unknown;
  /** Build it for replaying saved payloads only: no connection, no lookups on the platform. */
  offline?: boolean;
}

export interface ChannelModule {
  readonly name: ChannelName;
  /** null when the configuration turns the channel on; else the log line saying how to turn it on ('' to say nothing). */
  off(config: Config, deps: Pick<ChannelDeps, 'wechatPuppet'>): string | null;
  /** Builds the channel (not started). */
  create(config: Config, deps: ChannelDeps): Promise<Channel>;
  /** Routes served while the channel is off (WeChat's login page says it is not configured). */
  routesWhenOff?(): Promise<Middleware[]>;
}
