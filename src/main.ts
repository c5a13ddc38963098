/**
 * Composition root: configuration → database (migrated) → bot → channels →
 * dispatcher, scheduler and web port. startService() is also what the
 * end-to-end tests start, on a temporary database and port 0.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import { ManualClock, systemClock, type Clock, type ClockControl } from './core/clock.js';
import { ContractRegistry } from './core/contracts.js';
import { seedOrg } from './bot/directory.js';
import { AttachmentFetcher } from './bot/attachments.js';
import { Dispatcher } from './bot/dispatcher.js';
import { tellStaffUndelivered } from './bot/undelivered.js';
import { WorkLoop } from './core/work-loop.js';
import { Scheduler } from './bot/scheduler.js';
import { endNoticeFromDashboard, postNoticeFromDashboard } from './bot/duties/notices.js';
import { ServiceBot } from './bot/bot.js';
import { ProcessingThread } from './bot/processing/thread.js';
import { WriteGate } from './bot/processing/write-gate.js';
import type { Channel, ChannelName } from './core/channel.js';
import { ConfigError, compileReader, loadConfig, sandboxBesideRealChannels, type Config } from './config.js';
import { missingYearAdvice } from './domain/calendar.js';
import { staffRoutingGaps } from './domain/org.js';
import { llmReader } from './reader/from-config.js';
import { InstanceLockError, takeInstanceLock } from './store/instance-lock.js';
import { WriteProbe } from './store/write-probe.js';
import { retentionJob } from './store/privacy.js';
import { openMigratedStore } from './store/open.js';
import type { Db } from './store/types.js';
import { createApp } from './web/app.js';
import { createChannels } from './channels/index.js';
import { DigestPoster } from './report/digest-job.js';
import { dashboard } from './web/dashboard/index.js';
import { DashboardLogins } from './web/dashboard/sessions.js';
import { accountGuard } from './web/access.js';
import { exportsApi } from './web/exports.js';
import { createMetrics } from './web/metrics.js';

export interface Service {
  url: string;
  port: number;
  db: Db;
  bot: ServiceBot;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  digests: DigestPoster;
  clock: Clock;
  config: Config;
  log: Logger;
  /** The channels the configuration turned on, by name. */
  channels: ReadonlyMap<ChannelName, Channel>;
  /** Fires due timers and sends the outbox now (tests and the sandbox clock). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Listen on the configured port (default true); tests pass port 0 through the config. */
  listen?: boolean;
  /** Run node-cron ticks and the dispatcher loop (default true). Tests drive them by hand. */
  background?: boolean;
  /** A wechaty puppet instance for the WeChat channel (tests and the demo: MentionPuppetMock); wins over WECHATY_PUPPET. */
  wechatPuppet?: unknown;
  /**
   * Act on the inbound queue and fire timers in a processing thread (bot/processing), so that
   * answering webhooks never waits for them. `npm start` turns it on; in-process tests keep one
   * thread. Only with the background loops and the system clock.
   */
  processingThread?: boolean;
}

const CLOCK_SETTING = 'sandbox.clock';

async function manualClock(db: Db): Promise<ManualClock> {
  const saved = await db.setting.findUnique({ where: { key: CLOCK_SETTING } });
  const at = saved ? new Date(saved.value) : new Date();
  return new ManualClock(Number.isNaN(at.getTime()) ? new Date() : at);
}

export async function startService(config: Config, opts: StartOptions = {}): Promise<Service> {
  // One service instance per SQLite file: a second one is refused here, before it touches the
  // database. Released at stop, or by the OS when the process ends however it ends.
  const lock = config.database.provider === 'sqlite' ? takeInstanceLock(config.database.file, config.env.REPLICA_NAME ? { replica: config.env.REPLICA_NAME } : {}) : null;
  try {
    const service = await startInstance(config, opts);
    const stop = service.stop.bind(service);
    return Object.assign(service, { stop: () => stop().finally(() => lock?.release()) });
  } catch (e) {
    lock?.release();
    throw e;
  }
}

async function startInstance(config: Config, opts: StartOptions): Promise<Service> {
  const log = opts.log ?? createLogger({ level: config.env.LOG_LEVEL, format: config.env.LOG_FORMAT, replica: config.env.REPLICA_NAME });
  const background = opts.background ?? true;
  // DIGEST_CRON=off: no digests (a deployment without a managers' digest; long clock jumps in tests).
  const digestsOff = config.env.DIGEST_CRON.trim().toLowerCase() === 'off';
  const digestCron = digestsOff ? '0 9 * * *' : config.env.DIGEST_CRON;

  const { prisma: db, provider } = await openMigratedStore(config.database.url, { log: (line) => log.info(line) });
  try {
    await db.$connect();
  } catch (e) {
    throw new ConfigError(`cannot open the database (${config.database.provider}): ${(e as Error).message.split('\n')[0]}`);
  }
  await seedOrg(db, config.org);

  const clock: Clock = config.env.SANDBOX_CLOCK === 'manual' ? await manualClock(db) : systemClock;
  const contracts = new ContractRegistry(config.contracts);
  // Say at start, not only on the day a deadline needs it, that a year has no holiday data.
  for (const name of config.contracts.keys()) {
    const entry = contracts.get(name);
    const year = new Date().getFullYear();
    for (const y of [year, year + 1]) {
      if (!entry.calendar.hasDataFor(y)) {
        log.warn(`contract "${name}" (${entry.contract.name}): ${missingYearAdvice(y, config.contractFiles.get(name) ?? 'the contract file')}`);
      }
    }
  }

  const channels = new Map<ChannelName, Channel>();
  let dispatcher: Dispatcher | undefined;
  let inbound: WorkLoop | undefined;
  let processing: ProcessingThread | undefined;
  const useThread = (opts.processingThread ?? false) && background && clock === systemClock;
  const gate = useThread ? new WriteGate() : undefined;
  const lexicon = compileReader(config);
  const llm = llmReader(config, lexicon);
  if (llm) log.info(`LLM reader on (${config.env.LLM_MODEL} at ${config.env.LLM_BASE_URL}, ${config.env.LLM_TIMEOUT_MS} ms, phones ${config.env.LLM_SEND_PHONES ? 'sent' : 'masked'})`);
  const bot = new ServiceBot({
    db,
    provider,
    clock,
    log,
    contracts,
    lexicon,
    llm,
    org: config.org,
    onOutbox: () => dispatcher?.notify(),
    onQueued: () => (processing ? processing.notifyQueued() : inbound?.notify()),
    ...(gate ? { writeGate: gate } : {}),
    activeChannels: () => [...channels.keys()],
  });
  // Events recorded and answered at once (Feishu) are acted on here, right after.
  inbound = new WorkLoop('inbound queue', () => bot.processQueued(), log);
  const metrics = createMetrics({ db, clock, ...(config.env.API_TOKEN ? { apiToken: config.env.API_TOKEN } : {}) });
  dispatcher = new Dispatcher({
    db,
    log,
    channels,
    onSettled: metrics.onSettled,
    // A reply the platform will not take now (微信客服's window) goes to the staff instead.
    onUndeliverable: (row, err) => tellStaffUndelivered({ db, log, now: () => clock.now(), activeChannels: () => [...channels.keys()] }, row, err),
  });
  const logins = new DashboardLogins({ db, ...(config.env.DASHBOARD_USERS ? { users: config.env.DASHBOARD_USERS } : {}), ...(config.env.API_TOKEN ? { apiToken: config.env.API_TOKEN } : {}) });
  await logins.purgeStale();
  // Pages that can hand over an account (the WeChat login QR code) are behind the login.
  const accounts = accountGuard({ viewers: logins, ...(config.env.API_TOKEN ? { apiToken: config.env.API_TOKEN } : {}) });
  const mount: Middleware[] = [];
  const apiToken = config.env.API_TOKEN ? { apiToken: config.env.API_TOKEN } : {};
  mount.push(
    metrics.middleware,
    exportsApi({ db, timezone: contracts.default.contract.timezone, ...apiToken }),
    dashboard({
      db,
      contracts,
      clock,
      digestCron: digestCron,
      dataDir: config.dataDir,
      logins,
      postNotice: (author, text) => postNoticeFromDashboard(bot.deps, author, text),
      endNotice: (author, id, how) => endNoticeFromDashboard(bot.deps, author, id, how),
    }),
  );

  const digests = new DigestPoster({ db, bot, log, contracts, clock, cron: digestCron, ...(digestsOff ? { periods: [] } : {}) });
  const attachments = new AttachmentFetcher({ db, log, channels, dir: config.dataDir });
  // Queue and timers: worked in the processing thread when there is one, else here.
  const work = { processQueued: () => (processing ?? bot).processQueued(), fireDue: () => (processing ?? bot).fireDue() };
  const scheduler = new Scheduler({
    bot: work,
    log,
    tickSeconds: config.env.TICK_SECONDS,
    jobs: [
      ...digests.jobs(),
      { name: 'attachments', cron: '*/10 * * * * *', run: () => attachments.fetchPending() },
      retentionJob({ db, retention: config.retention, clock, log, timezone: contracts.default.contract.timezone }),
    ],
  });
  const settle = async () => {
    await work.processQueued();
    while ((await work.fireDue()) > 0) {
      /* keep firing until nothing is due */
    }
    await digests.runDue();
    await dispatcher!.drain();
    await attachments.fetchPending();
  };
  const clockControl: ClockControl =
    clock instanceof ManualClock
      ? {
          mode: 'manual',
          now: () => clock.now(),
          advance: async (minutes) => {
            // Step through time so each timer fires at its own moment, not all at the end.
            // The next stop is looked up after every step: a step can create timers
            // (a timed-out question accepts a ticket) that fall due within the jump.
            const end = new Date(Date.parse(clock.now().toISOString()) + minutes * 60_000);
            for (let guard = 0; guard < 100_000; guard++) {
              // Ticket and duty timers, and the plans' next jobs.
              const next = await bot.nextDueAt(clock.now(), end);
              // Digests fall due at their own moment too (09:00), so they are posted on time.
              const digest = digests.dueMomentsBetween(clock.now(), end).find((d) => d > clock.now());
              const at = [next, digest].filter((d): d is Date => d instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0];
              if (!at) break;
              clock.set(at);
              await settle();
            }
            const target = end.getTime();
            clock.set(new Date(target));
            await settle();
            await db.setting.upsert({ where: { key: CLOCK_SETTING }, update: { value: clock.now().toISOString() }, create: { key: CLOCK_SETTING, value: clock.now().toISOString() } });
            return clock.now();
          },
        }
      : { mode: 'system', now: () => clock.now() };
  if (clock instanceof ManualClock) {
    await db.setting.upsert({ where: { key: CLOCK_SETTING }, update: { value: clock.now().toISOString() }, create: { key: CLOCK_SETTING, value: clock.now().toISOString() } });
  }

  const platform = await createChannels(config, {
    sink: bot,
    log,
    db,
    clock,
    dataDir: config.dataDir,
    service: { flush: () => dispatcher!.drain().then(() => undefined), clockControl, ...apiToken },
    ...(opts.wechatPuppet ? { wechatPuppet: opts.wechatPuppet } : {}),
  });
  for (const [name, channel] of platform.channels) channels.set(name, channel);
  // Also for a channel configured some other way (a puppet passed in, one added later).
  const real = [...channels.keys()].filter((c) => c !== 'sandbox');
  if (channels.has('sandbox') && real.length) throw new ConfigError(sandboxBesideRealChannels(real));
  for (const gap of staffRoutingGaps(config.org, [...channels.keys()])) log.warn(gap);

  const writeProbe = new WriteProbe(db, { log });
  const app = createApp({
    db,
    log,
    contracts,
    clock,
    ...apiToken,
    ...(config.env.TRUST_PROXY ? { trustProxy: config.env.TRUST_PROXY } : {}),
    channelStatus: () => [...channels.values()].map((c) => c.status()),
    // The account guard first (the WeChat login page is a channel route), then the channels'
    // routes: the Feishu webhook reads the raw body itself.
    mount: [accounts, ...platform.routes, ...mount],
    writeProbe,
  });

  let server: Server | undefined;
  let port = config.env.PORT;
  if (opts.listen ?? true) {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.env.PORT, config.env.HOST);
      s.once('listening', () => resolve(s));
      s.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') reject(new ConfigError(`port ${config.env.PORT} is in use: set PORT to a free port, or stop the process using it`));
        else if (e.code === 'EACCES') reject(new ConfigError(`port ${config.env.PORT} needs privileges: use a port above 1024`));
        else reject(e);
      });
    });
    port = (server.address() as AddressInfo).port;
  }

  for (const ch of channels.values()) await ch.start();
  if (background) {
    if (gate) processing = await ProcessingThread.start(config, gate, [...channels.keys()], { log, onOutbox: () => dispatcher?.notify() });
    else inbound.start();
    dispatcher.start();
    scheduler.start();
    writeProbe.start();
  }
  // Timers that came due while the service was down fire now (marked late), and unsent replies go.
  void settle().catch((e) => log.error({ err: e }, 'catch-up after start failed'));

  const url = `http://127.0.0.1:${port}`;
  log.info({ url, database: config.database.provider, channels: [...channels.keys()] }, 'servicebot started');
  return {
    url,
    port,
    db,
    bot,
    dispatcher,
    scheduler,
    digests,
    clock,
    config,
    log,
    channels,
    settle,
    async stop() {
      scheduler.stop();
      writeProbe.stop();
      await inbound!.stop();
      await processing?.stop();
      await dispatcher!.stop();
      for (const ch of channels.values()) await ch.stop();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await db.$disconnect();
    },
  };
}

export async function main(): Promise<void> {
  let service: Service | undefined;
  try {
    const config = loadConfig();
    service = await startService(config, { processingThread: config.env.PROCESSING_THREAD ?? config.database.provider === 'postgresql' });
    console.log(`servicebot is running: ${service.url}${config.sandbox ? `  (sandbox: ${service.url}/sandbox)` : ''}`);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof InstanceLockError || (e as Error).name === 'MigrationError') {
      console.error(`servicebot cannot start: ${(e as Error).message}`);
    } else {
      console.error('servicebot cannot start:', e);
    }
    process.exit(1);
  }
  const shutdown = async (signal: string) => {
    service?.log.info(`${signal}: stopping`);
    await service?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
