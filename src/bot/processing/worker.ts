/**
 * The processing thread: acts on the inbound queue and fires due timers, so
 * that the main thread only answers webhooks (verify, decrypt, record, answer)
 * and sends the outbox. It opens the database with its own client (part of
 * the same service instance, so it takes no instance lock), builds the bot as
 * the main thread does, and tells the main thread when it wrote replies.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileReader } from '../../config.js';
import { systemClock } from '../../core/clock.js';
import { ContractRegistry } from '../../core/contracts.js';
import { WorkLoop } from '../../core/work-loop.js';
import { createLogger } from '../../logger.js';
import { llmReader } from '../../reader/from-config.js';
import { openPrismaClient } from '../../store/open.js';
import { ServiceBot } from '../bot.js';
import type { FromProcessing, ProcessingData, ToProcessing } from './messages.js';
import { WriteGate } from './write-gate.js';

const port = parentPort!;
const { config, gate, channels } = workerData as ProcessingData;
const post = (m: FromProcessing) => port.postMessage(m);

const log = createLogger({ level: config.env.LOG_LEVEL, format: config.env.LOG_FORMAT, replica: config.env.REPLICA_NAME }).child({ thread: 'processing' });
const { prisma: db, provider } = await openPrismaClient(config.database.url);
await db.$connect();
const lexicon = compileReader(config);
const bot = new ServiceBot({
  db,
  provider,
  clock: systemClock,
  log,
  contracts: new ContractRegistry(config.contracts),
  lexicon,
  llm: llmReader(config, lexicon),
  org: config.org,
  writeGate: new WriteGate(gate),
  onOutbox: () => post({ type: 'outbox' }),
  activeChannels: () => channels,
});
const inbound = new WorkLoop('inbound queue', () => bot.processQueued(), log);
inbound.start();

port.on('message', (m: ToProcessing) => {
  if (m.type === 'queued') inbound.notify();
  else if (m.type === 'run') {
    const work = m.work === 'fireDue' ? bot.fireDue() : bot.processQueued();
    work.then(
      (n) => post({ type: 'done', id: m.id, n }),
      (e: unknown) => post({ type: 'failed', id: m.id, error: String((e as Error)?.stack ?? e) }),
    );
  } else if (m.type === 'stop') {
    void inbound
      .stop()
      .then(() => db.$disconnect())
      .finally(() => {
        post({ type: 'stopped' });
        port.close();
      });
  }
});
post({ type: 'ready' });
