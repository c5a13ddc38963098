/**
 * The WeCom intelligent-bot channel as the service's Channel (core/channel.ts; built by module.ts
 * when WECOM_BOT_ID and WECOM_BOT_SECRET are set):
 *
 *   const wecom = createWecomChannel(config.wecom, { sink: bot, log, db });
 *   wecom.send(…)           // outbox → the adapter (adapter.ts), paced per chat
 *   wecom.replay(body)      // a saved frame body (InboundEvent.raw) through translate, as if pushed again
 *   await wecom.start();  …  await wecom.stop();
 *
 * WeCom keeps one long connection per bot: a second one makes it drop the first. With a
 * database given, the connection is made only by the replica holding the lease
 * `lease:wecom:<bot id>` (store/lease.ts); the others wait on standby, renew attempts every third
 * of the lease, take over within a lease after the holder dies, and leave their outbox rows to
 * it (sendsHere). Set-up: docs/wechat.md.
 */
import type { Channel, ChannelCapabilities, InboundSink, ReceiveResult } from '../../core/channel.js';
import type { Db } from '../../store/types.js';
import { Lease } from '../../store/lease.js';
import { silentLogger, type ChannelLogger } from '../neutral.js';
import { WecomBotChannel, type WecomBotOptions } from './adapter.js';
import { translateWecomFrame, WECOM_CMD } from './translate.js';

export { WecomBotChannel, type WecomBotOptions } from './adapter.js';

/** Template cards with buttons, updated after a click; mentions; images; attachments (decrypted downloads). No threads. */
export const WECOM_CAPABILITIES: ChannelCapabilities = { cards: true, cardUpdates: true, threads: false, mentions: true, images: true, attachments: true };

export interface WecomChannelConfig {
  botId: string;
  secret: string;
  wsUrl?: string;
  botNames?: string[];
  mentionStyle?: 'name' | 'tag';
  minIntervalMs?: number;
  maxPerChatPerMinute?: number;
}

export interface WecomChannelHandle extends Channel {
  /** The adapter underneath (the SDK's client, the pacers). */
  bot: WecomBotChannel;
  /** standby: another replica holds the connection. */
  role(): 'holder' | 'standby' | 'stopped';
}

export function createWecomChannel(
  config: WecomChannelConfig,
  deps: {
    sink: InboundSink;
    log?: ChannelLogger;
    /** The lease is kept here; without it the channel connects at once (tests, one process). */
    db?: Db;
    replicaName?: string;
    leaseMs?: number;
    /** Tuning of the adapter (tests: short waits). */
    tuning?: Partial<Omit<WecomBotOptions, 'sink' | 'log' | 'botId' | 'secret'>>;
    /** Replaying saved payloads only: nothing is connected. */
    offline?: boolean;
  },
): WecomChannelHandle {
  const log = deps.log ?? silentLogger;
  const bot = new WecomBotChannel({
    botId: config.botId,
    secret: config.secret,
    ...(config.wsUrl ? { wsUrl: config.wsUrl } : {}),
    ...(config.botNames?.length ? { botNames: config.botNames } : {}),
    ...(config.mentionStyle ? { mentionStyle: config.mentionStyle } : {}),
    ...(config.minIntervalMs !== undefined ? { minIntervalMs: config.minIntervalMs } : {}),
    ...(config.maxPerChatPerMinute !== undefined ? { maxPerChatPerMinute: config.maxPerChatPerMinute } : {}),
    sink: deps.sink,
    log,
    ...deps.tuning,
  });
  const lease = deps.db ? new Lease({ db: deps.db, name: `wecom:${config.botId}`, ...(deps.replicaName ? { holder: deps.replicaName } : {}), ...(deps.leaseMs ? { ttlMs: deps.leaseMs } : {}) }) : null;
  let state: 'holder' | 'standby' | 'stopped' = 'stopped';
  let timer: NodeJS.Timeout | null = null;
  let holderSeen: string | null = null;

  /** One round: take or renew the lease; connect when it is ours, hang up when it is lost. */
  const round = async (): Promise<void> => {
    let ours = false;
    try {
      ours = await lease!.acquire();
    } catch (e) {
      // The database is down: keep what we have; WeCom itself drops a second connection.
      log.warn({ err: (e as Error).message }, 'wecom: the connection lease could not be checked');
      ours = state === 'holder';
    }
    if (state === 'stopped') return;
    if (ours && state !== 'holder') {
      state = 'holder';
      log.info({ holder: lease!.holder }, 'wecom: this replica holds the WeCom connection');
      await bot.start();
    } else if (!ours && state === 'holder') {
      state = 'standby';
      log.warn({}, 'wecom: the connection lease went to another replica; hanging up');
      await bot.stop();
    } else if (!ours) {
      state = 'standby';
      holderSeen = await lease!.current().catch(() => null);
    }
  };
  const loop = (): void => {
    timer = setTimeout(() => {
      void round().finally(() => {
        if (state !== 'stopped') loop();
      });
    }, Math.max(50, Math.floor(lease!.ttlMs / 3)));
    timer.unref?.();
  };

  return {
    name: 'wecom',
    capabilities: WECOM_CAPABILITIES,
    routes: [],
    bot,
    role: () => state,
    async start() {
      if (deps.offline || state !== 'stopped') return;
      if (!lease) {
        state = 'holder';
        await bot.start();
        return;
      }
      state = 'standby';
      await round();
      loop();
    },
    async stop() {
      const was = state;
      state = 'stopped';
      if (timer) clearTimeout(timer);
      timer = null;
      await bot.stop();
      if (lease && was === 'holder') await lease.release().catch(() => {});
    },
    send: (action, ctx) => bot.send(action, ctx),
    downloadAttachment: (ref) => bot.downloadAttachment(ref),
    sendsHere: () => state === 'holder',
    status() {
      const s = bot.status();
      if (state !== 'standby') return s;
      return { channel: 'wecom', connected: false, detail: `standby: another replica${holderSeen ? ` (${holderSeen})` : ''} holds the WeCom connection (one per bot)` };
    },
    async replay(payload: unknown): Promise<ReceiveResult | null> {
      // InboundEvent.raw keeps the frame's body; the frame around it is rebuilt.
      if (typeof payload !== 'object' || payload === null) return null;
      const body = payload as Record<string, unknown>;
      const cmd = typeof body['event'] === 'object' && body['event'] !== null ? WECOM_CMD.event : WECOM_CMD.message;
      const t = translateWecomFrame({ cmd, headers: { req_id: `replay-${String(body['msgid'] ?? '')}` }, body }, { ...(config.botNames?.length ? { botNames: config.botNames } : {}) });
      if ('ignored' in t) return null;
      return deps.sink.receive(t.event, { defer: t.kind !== 'click' });
    },
  };
}
