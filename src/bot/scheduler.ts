/**
 * The scheduler: node-cron ticks that fire due timers (reminders,
 * escalations, follow-ups). Claims are made in the database, so several
 * replicas can tick at once and each timer still fires once.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { ServiceBot } from './bot.js';

export interface ScheduledJob {
  /** cron expression (node-cron, seconds allowed) */
  cron: string;
  timezone?: string;
  name: string;
  run: () => Promise<unknown>;
}

export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private readonly busy = new Set<string>();

  constructor(private readonly opts: { bot: Pick<ServiceBot, 'fireDue'>; log: Logger; tickSeconds: number; jobs?: ScheduledJob[] }) {}

  /** Runs a job unless its previous run is still going (a slow tick must not pile up). */
  private async guarded(name: string, run: () => Promise<unknown>): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await run();
    } catch (e) {
      this.opts.log.error({ err: e, job: name }, 'scheduled job failed');
    } finally {
      this.busy.delete(name);
    }
  }

  start(): void {
    const every = `*/${this.opts.tickSeconds} * * * * *`;
    this.tasks.push(cron.schedule(every, () => void this.guarded('timers', () => this.opts.bot.fireDue()), { name: 'timers' }));
    for (const job of this.opts.jobs ?? []) {
      this.tasks.push(cron.schedule(job.cron, () => void this.guarded(job.name, job.run), { name: job.name, ...(job.timezone ? { timezone: job.timezone } : {}) }));
    }
  }

  stop(): void {
    for (const t of this.tasks) void t.stop();
    this.tasks = [];
  }
}
