/**
 * A lease held by one replica at a time, kept in the Setting table (key `lease:<name>`): for a
 * platform that allows one connection per account (the WeCom bot: a second connection makes
 * WeCom drop the first). The holder renews it well before it lapses; a replica that died lets it
 * lapse after `ttlMs`, and another takes it. Taking and renewing are compare-and-set on the
 * stored value, so two replicas never both hold it. It works alike on SQLite and PostgreSQL (on
 * SQLite there is one instance per file anyway). Times are the wall clock: replicas are expected
 * to keep their clocks in step (NTP), well within `ttlMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './types.js';

interface Held {
  holder: string;
  until: number;
}

function parse(value: string): Held | null {
  try {
    const v = JSON.parse(value) as Partial<Held>;
    return typeof v.holder === 'string' && typeof v.until === 'number' ? { holder: v.holder, until: v.until } : null;
  } catch {
    return null;
  }
}

export interface LeaseOptions {
  db: Db;
  /** What is leased (lease:wecom:<bot id>). */
  name: string;
  /** This replica, as the log and /healthz name it. */
  holder?: string;
  ttlMs?: number;
  now?: () => number;
}

export class Lease {
  readonly key: string;
  readonly holder: string;
  readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: LeaseOptions) {
    this.key = `lease:${opts.name}`;
    // Unique per process even when two replicas share a REPLICA_NAME.
    this.holder = `${opts.holder ?? 'replica'}#${randomUUID().slice(0, 8)}`;
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Takes the lease if free or lapsed, renews it if ours. true: held until now + ttl. */
  async acquire(): Promise<boolean> {
    const db = this.opts.db;
    const now = this.now();
    const value = JSON.stringify({ holder: this.holder, until: now + this.ttlMs } satisfies Held);
    const row = await db.setting.findUnique({ where: { key: this.key } });
    if (!row) {
      try {
        await db.setting.create({ data: { key: this.key, value } });
        return true;
      } catch {
        return false; // another replica created it first
      }
    }
    const held = parse(row.value);
    if (held && held.holder !== this.holder && held.until > now) return false;
    const r = await db.setting.updateMany({ where: { key: this.key, value: row.value }, data: { value } });
    return r.count === 1;
  }

  /** Gives it up (if still ours), so another replica takes over at once. */
  async release(): Promise<void> {
    const row = await this.opts.db.setting.findUnique({ where: { key: this.key } });
    if (row && parse(row.value)?.holder === this.holder) {
      await this.opts.db.setting.deleteMany({ where: { key: this.key, value: row.value } });
    }
  }

  /** Who holds it now (null: nobody, or lapsed). */
  async current(): Promise<string | null> {
    const row = await this.opts.db.setting.findUnique({ where: { key: this.key } });
    const held = row ? parse(row.value) : null;
    return held && held.until > this.now() ? held.holder : null;
  }
}
