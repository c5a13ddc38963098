/**
 * `cli replay FILE --channel feishu|wechat|sandbox`: feeds saved platform
 * payloads through the channel's real inbound path (its translation, as if the
 * platform delivered them again) into the bot, on the database of
 * DATABASE_URL — as Probot's `receive` does for GitHub events. For debugging a
 * report the bot misread, and for recorded payloads in tests.
 *
 * A payload is what the channel keeps as InboundEvent.raw: Feishu's decrypted
 * event (schema 2.0), a WeChat message snapshot, a sandbox post. A line of the
 * service log carrying an `event` (WeChat's "sink refused the event") works
 * too: its raw payload is taken. Nothing is sent to a platform from here: the
 * replies go to the outbox, sent by the running service (or its next start).
 * A redelivered payload does what a redelivery does: nothing.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ServiceBot } from '../bot/bot.js';
import { channelModule, CHANNEL_MODULES } from '../channels/index.js';
import { CHANNELS, type Channel, type ChannelName } from '../core/channel.js';
import { systemClock } from '../core/clock.js';
import { compileLexicon } from '../domain/lexicon.js';
import { openStore, storeNow, UsageError } from './support.js';

const USAGE = `usage: npm run --silent cli -- replay FILE [--channel ${CHANNELS.join('|')}]
  FILE        a saved payload as JSON, or JSON lines of payloads (replayed in order); - for stdin
  --channel   the channel whose path it takes (may be left out for log lines / event rows naming it)
  Prints, per payload, what the bot made of it and the replies it wrote to the outbox.`;

/** The payloads of a file: one JSON document, or one per line. */
function payloadsOf(text: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    return [JSON.parse(trimmed) as unknown];
  } catch {
    return trimmed.split('\n').filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        throw new UsageError(`line ${i + 1}: not JSON (${(e as Error).message})`);
      }
    });
  }
}

/** A log line or an event row around the payload: its channel and its raw payload. */
function unwrap(p: unknown): { channel?: ChannelName; payload: unknown } {
  const o = p as { event?: unknown; channel?: unknown; raw?: unknown } | null;
  // A log line carries the event as an object, or as its JSON text.
  const event = typeof o?.event === 'string' ? (JSON.parse(o.event) as unknown) : o?.event;
  const inner = (event && typeof event === 'object' ? event : o) as { channel?: unknown; raw?: unknown } | null;
  if (inner && typeof inner.channel === 'string' && (CHANNELS as readonly string[]).includes(inner.channel) && inner.raw !== undefined) {
    const raw = typeof inner.raw === 'string' ? (JSON.parse(inner.raw) as unknown) : inner.raw;
    return { channel: inner.channel as ChannelName, payload: raw };
  }
  return { payload: p };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { channel: { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.channel && !channelModule(values.channel)) {
    console.error(`--channel: one of ${CHANNEL_MODULES.map((m) => m.name).join(', ')}, not "${values.channel}"`);
    return 2;
  }
  const file = positionals[0]!;
  let items: Array<{ channel?: ChannelName; payload: unknown }>;
  try {
    items = payloadsOf(readFileSync(file === '-' ? 0 : file, 'utf8')).map((p) => unwrap(p));
  } catch (e) {
    console.error(`${file}: ${(e as Error).message}`);
    return 2;
  }
  if (!items.length) {
    console.error(`${file}: no payload`);
    return 2;
  }

  const store = await openStore();
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  try {
    const now = await storeNow(store);
    const bot = new ServiceBot({
      db: store.db,
      provider: store.provider,
      clock: store.config.env.SANDBOX_CLOCK === 'manual' ? { now: () => now } : systemClock,
      log,
      contracts: store.contracts,
      lexicon: compileLexicon(store.config.lexicon),
      org: store.config.org,
    });
    const channels = new Map<ChannelName, Channel>();
    let unhandled = 0;
    for (const [i, item] of items.entries()) {
      const name = (values.channel as ChannelName | undefined) ?? item.channel;
      if (!name) throw new UsageError(`payload ${i + 1}: say which channel it is for (--channel)`);
      let channel = channels.get(name);
      if (!channel) {
        // Offline: the channel's own path, but no connection to the platform and no lookups on it.
        channel = await channelModule(name)!.create(store.config, { sink: bot, log, db: store.db, clock: bot.deps.clock, dataDir: store.config.dataDir, offline: true });
        channels.set(name, channel);
      }
      const before = await store.db.outbox.aggregate({ _max: { id: true } });
      const result = await channel.replay(item.payload);
      await bot.processQueued();
      if (!result) {
        unhandled++;
        console.log(JSON.stringify({ payload: i + 1, channel: name, status: 'not an event this channel handles' }));
        continue;
      }
      const replies = await store.db.outbox.findMany({ where: { id: { gt: before._max.id ?? 0 } }, orderBy: { id: 'asc' }, select: { channel: true, chatPlatformId: true, action: true } });
      console.log(
        JSON.stringify({
          payload: i + 1,
          channel: name,
          status: result.status,
          replies: replies.map((r) => {
            const a = JSON.parse(r.action) as { kind: string; text?: string; title?: string };
            return { chat: `${r.channel}:${r.chatPlatformId}`, kind: a.kind, text: a.title ? `【${a.title}】${a.text ?? ''}` : (a.text ?? '') };
          }),
        }),
      );
    }
    return unhandled ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  } finally {
    await store.close();
  }
}
