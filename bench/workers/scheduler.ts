/**
 * One scheduler replica for the reminders benchmark and the replica tests: a
 * ServiceBot and a Scheduler (node-cron ticks every TICK_SECONDS, default 2)
 * on its own Prisma client, like a service process without the web port, and a
 * dispatcher whose platform accepts everything. Reports over IPC how many
 * timers it fired.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/core/clock.js';
import { Dispatcher } from '../../src/bot/dispatcher.js';
import { Scheduler } from '../../src/bot/scheduler.js';
import type { ChannelName } from '../../src/core/channel.js';
import type { SendingChannel } from '../../src/bot/dispatcher.js';
import { createPrismaClient } from '../../src/store/client.js';
import { benchConfig, makeBot } from '../lib/common.js';

const url = process.env.DATABASE_URL!;
const tickSeconds = Number(process.env.TICK_SECONDS ?? 2);
const { prisma, provider } = createPrismaClient(url);
await prisma.$connect();
let fired = 0;
const channel: SendingChannel = { capabilities: { cards: true, cardUpdates: true, threads: true, mentions: true, images: true, attachments: true }, send: async () => ({ messageId: `om_${Math.random().toString(36).slice(2)}` }) };
const dispatcher = new Dispatcher({ db: prisma, log: pino({ level: 'silent' }), channels: new Map<ChannelName, SendingChannel>([['feishu', channel]]) });
const bot = await makeBot(prisma, provider, systemClock, benchConfig(), () => dispatcher.notify());
// Count what this replica fired: wrap fireDue (the scheduler calls it every tick).
const fireDue = bot.fireDue.bind(bot);
bot.fireDue = async (limit?: number) => {
  const n = await fireDue(limit);
  fired += n;
  return n;
};
const scheduler = new Scheduler({ bot, log: pino({ level: 'silent' }), tickSeconds });
scheduler.start();
dispatcher.start();
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') process.send!({ type: 'stats', fired });
  if (m.type === 'stop') {
    scheduler.stop();
    void dispatcher
      .stop()
      .then(() => prisma.$disconnect())
      .then(() => {
        process.send!({ type: 'stopped', fired });
        process.exit(0);
      });
  }
});
process.send!({ type: 'ready' });
