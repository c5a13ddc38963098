/**
 * Posting the digest to every managers' group: daily at the digest time (DIGEST_CRON,
 * in the contract's time zone), weekly on Mondays and monthly on the 1st at the same time.
 *
 * Exactly once per group and period, whichever replica runs and across restarts:
 * the DigestRun row (unique on chat, period, key) is created in the same
 * transaction that writes the outbox rows, so a second replica's transaction fails
 * on the unique index and writes nothing. The figures and the chart are computed
 * before, outside any transaction.
 *
 * runDue() asks "which digest should have been posted by now and was not?", so it
 * is safe to call on every tick, at start (a digest missed while the service was
 * down goes out then, marked 补发) and whenever the sandbox's manual clock moves.
 * Only periods whose posting time is after the store's first digest check count,
 * so a fresh installation does not post yesterday's digest the moment it starts.
 */
import type { Logger } from 'pino';
import { Ctx } from '../bot/context.js';
import { dutyDigestSection } from './duty-digest.js';
import type { ContractRegistry } from '../core/contracts.js';
import type { Clock } from '../core/clock.js';
import { managersGroups } from '../bot/directory.js';
import type { ScheduledJob } from '../bot/scheduler.js';
import type { ServiceBot } from '../bot/bot.js';
import { isUniqueViolation, transaction } from '../core/transactions.js';
import {
  PERIOD_KINDS,
  digestChartData,
  digestTimeOfDay,
  digestTitle,
  latestDue,
  renderDigestText,
  type Digest,
  type PeriodKind,
} from '../domain/digest.js';
import { ConfigError } from '../config.js';
import type { Chat, Db } from '../store/types.js';
import { loadDigest } from './digest-store.js';

/** A digest posted this long after its time is marked late (补发). */
export const DIGEST_LATE_AFTER_MS = 10 * 60_000;
export const DIGEST_SINCE_SETTING = 'digest.since';

export interface DigestPosterOptions {
  db: Db;
  bot: ServiceBot;
  log: Logger;
  contracts: ContractRegistry;
  clock: Clock;
  /** DIGEST_CRON: "minute hour * * *". */
  cron: string;
  /** Periods to post (default all three). */
  periods?: readonly PeriodKind[];
}

export interface PostedDigest {
  chatId: number;
  period: PeriodKind;
  periodKey: string;
  late: boolean;
}

export class DigestPoster {
  readonly at: { hour: number; minute: number };
  private readonly tz: string;
  private readonly periods: readonly PeriodKind[];
  /** Keys known to be posted to every group (saves the database a question every minute). */
  private readonly done = new Set<string>();
  private running: Promise<PostedDigest[]> | null = null;

  constructor(private readonly opts: DigestPosterOptions) {
    try {
      this.at = digestTimeOfDay(opts.cron);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    this.tz = opts.contracts.default.contract.timezone;
    this.periods = opts.periods ?? PERIOD_KINDS;
  }

  /** node-cron jobs for the Scheduler: at the digest time, and a check every minute (restarts, missed ticks). */
  jobs(): ScheduledJob[] {
    if (!this.periods.length) return [];
    return [
      { name: 'digest', cron: `${this.at.minute} ${this.at.hour} * * *`, timezone: this.tz, run: () => this.runDue() },
      { name: 'digest-check', cron: '17 * * * * *', run: () => this.runDue() },
    ];
  }

  /** Moments in (from, to] at which a digest falls due: the manual clock stops there. */
  dueMomentsBetween(from: Date, to: Date): Date[] {
    const out: Date[] = [];
    if (!this.periods.length) return out;
    let cursor = to;
    for (let guard = 0; guard < 400; guard++) {
      const { postAt } = latestDue('daily', cursor, this.tz, this.at);
      const t = postAt.toJSDate();
      if (t <= from) break;
      out.push(t);
      cursor = new Date(t.getTime() - 1);
    }
    return out.reverse();
  }

  /** Posts every digest due by now that a group has not had yet. Concurrent calls share one run. */
  runDue(): Promise<PostedDigest[]> {
    if (!this.running) {
      this.running = this.postDue().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async since(now: Date): Promise<Date> {
    const { db } = this.opts;
    const row = await db.setting.findUnique({ where: { key: DIGEST_SINCE_SETTING } });
    const at = row ? new Date(row.value) : null;
    if (at && !Number.isNaN(at.getTime())) return at;
    await db.setting.upsert({ where: { key: DIGEST_SINCE_SETTING }, update: {}, create: { key: DIGEST_SINCE_SETTING, value: now.toISOString() } });
    const again = await db.setting.findUnique({ where: { key: DIGEST_SINCE_SETTING } });
    return new Date(again!.value);
  }

  private async postDue(): Promise<PostedDigest[]> {
    const { db } = this.opts;
    const now = this.opts.clock.now();
    const posted: PostedDigest[] = [];
    const since = await this.since(now);
    let groups: Chat[] | null = null;
    for (const kind of this.periods) {
      const { period, postAt } = latestDue(kind, now, this.tz, this.at);
      const postTime = postAt.toJSDate();
      if (postTime < since) continue;
      groups ??= await managersGroups(db, this.opts.bot.deps.activeChannels?.());
      if (!groups.length) return posted;
      const doneKey = `${kind}|${period.key}|${groups.map((g) => g.id).join(',')}`;
      if (this.done.has(doneKey)) continue;
      const have = await db.digestRun.findMany({ where: { period: kind, periodKey: period.key, chatId: { in: groups.map((g) => g.id) } }, select: { chatId: true } });
      const todo = groups.filter((g) => !have.some((h) => h.chatId === g.id));
      if (!todo.length) {
        this.done.add(doneKey);
        continue;
      }
      const late = now.getTime() - postTime.getTime() > DIGEST_LATE_AFTER_MS;
      try {
        // Figures and chart first, outside any transaction.
        const digest = await loadDigest(db, this.opts.contracts, period, now);
        const duties = await dutyDigestSection(db, this.opts.contracts, period, now);
        let png: string | null = null;
        try {
          // Loaded on first digest: echarts and resvg are large and idle most of the day.
          const { renderDigestChart } = await import('./chart.js');
          png = (await renderDigestChart(digestChartData(digest, { late }))).toString('base64');
        } catch (e) {
          this.opts.log.error({ err: e, period: kind, key: period.key }, 'digest chart failed; posting the text alone');
        }
        for (const group of todo) {
          if (await this.postTo(group, digest, duties, png, late, now)) posted.push({ chatId: group.id, period: kind, periodKey: period.key, late });
        }
      } catch (e) {
        // Not claimed: the next tick tries again. Other periods still go.
        this.opts.log.error({ err: e, period: kind, key: period.key }, 'digest failed; it is tried again on the next tick');
      }
    }
    if (posted.length) {
      this.opts.log.info({ posted }, 'digest posted');
      this.opts.bot.deps.onOutbox?.();
    }
    return posted;
  }

  /** Claims (group, period) and writes the digest to the outbox in one transaction; false if another run had it. */
  private async postTo(group: Chat, digest: Digest, duties: string[], png: string | null, late: boolean, now: Date): Promise<boolean> {
    const { db, bot, log } = this.opts;
    try {
      await transaction(
        db,
        async (tx) => {
          await tx.digestRun.create({ data: { chatId: group.id, period: digest.period.kind, periodKey: digest.period.key, postedAt: now, late } });
          const ctx = new Ctx(bot.deps, tx, now, log.child({ digest: digest.period.key, chat: group.platformId }), null, { chat: group });
          const text = [renderDigestText(digest, { late }), ...(duties.length ? ['', ...duties] : [])].join('\n');
          const caption = digestTitle(digest, { late });
          if (group.channel === 'feishu') {
            // The card carries the text under its title; the chart follows as an image.
            await ctx.reply({ kind: 'card', title: `📊 ${caption}`, text: text.split('\n').slice(1).join('\n').trim(), buttons: [] });
          } else {
            await ctx.text(text);
          }
          if (png) await ctx.reply({ kind: 'image', pngBase64: png, caption });
        },
        { timeout: 30_000 },
      );
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }
}
