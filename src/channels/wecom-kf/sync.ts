/**
 * Reading WeChat Customer Service messages: kf/sync_msg pages, each stored with the cursor that
 * follows it in ONE transaction (the inbox rows, the customers' send windows, the cursor), so a
 * crash before the commit reads the page again (kept once: msgid is unique) and a crash after it
 * goes on from the next page: nothing skipped, nothing twice. The cursor moves by compare-and-set
 * on its old value, so two replicas reading the same account cannot both advance it.
 * Then `deliver()` hands the stored messages to the sink in order and marks them.
 */
import { silentLogger, type ChannelLogger, type InboundSink } from '../neutral.js';
import type { Db } from '../../store/types.js';
import type { KfApi, KfMessage } from './api.js';
import { translateKfMessage } from './translate.js';

export interface KfSyncOptions {
  db: Db;
  api: KfApi;
  sink: InboundSink;
  log?: ChannelLogger;
  now?: () => number;
  /** Page size asked of sync_msg (WeCom: at most 1000). */
  limit?: number;
  /** Pages read in one pull at most. */
  maxPages?: number;
  /** A send WeCom reports failed afterwards (msg_send_fail). */
  onSendFailed?: (f: { msgid: string; failType: number; externalUserId?: string }) => void;
  /** A greeting for enter_session (uses its welcome_code); empty: none. */
  onEnterSession?: (welcomeCode: string) => Promise<void>;
}

export class CursorMoved extends Error {
  override name = 'CursorMoved';
}

export class KfSync {
  private readonly log: ChannelLogger;
  private readonly pulls = new Map<string, Promise<number>>();
  private delivering: Promise<number> | null = null;

  constructor(private readonly opts: KfSyncOptions) {
    this.log = opts.log ?? silentLogger;
  }

  private now(): Date {
    return new Date((this.opts.now ?? Date.now)());
  }

  /** Reads every new message of one account; one pull per account at a time. Returns messages stored. */
  pull(openKfId: string, token?: string): Promise<number> {
    const running = this.pulls.get(openKfId);
    if (running) return running.then(() => this.pull(openKfId, token));
    const p = this.pullOnce(openKfId, token).finally(() => this.pulls.delete(openKfId));
    this.pulls.set(openKfId, p);
    return p;
  }

  private async pullOnce(openKfId: string, token?: string): Promise<number> {
    const db = this.opts.db;
    let stored = 0;
    for (let page = 0; page < (this.opts.maxPages ?? 100); page++) {
      const row = await db.wecomKfCursor.findUnique({ where: { openKfId } });
      const res = await this.opts.api.syncMsg({ open_kfid: openKfId, limit: this.opts.limit ?? 1000, ...(row?.cursor ? { cursor: row.cursor } : {}), ...(token ? { token } : {}) });
      const msgs = Array.isArray(res.msg_list) ? res.msg_list.filter((m): m is KfMessage => typeof m?.msgid === 'string' && m.msgid.length > 0 && m.msgid.length <= 256) : [];
      const next = typeof res.next_cursor === 'string' ? res.next_cursor : '';
      stored += await this.storePage(openKfId, row?.cursor ?? null, next, msgs);
      // "不能通过判断msg_list是否空来停止拉取": has_more decides.
      if (Number(res.has_more) !== 1 || !next) break;
    }
    return stored;
  }

  /** One page and its cursor, in one transaction. */
  async storePage(openKfId: string, oldCursor: string | null, nextCursor: string, msgs: KfMessage[]): Promise<number> {
    const now = this.now();
    return this.opts.db.$transaction(async (tx) => {
      const ids = msgs.map((m) => m.msgid);
      const known = new Set((await tx.wecomKfInbox.findMany({ where: { msgid: { in: ids } }, select: { msgid: true } })).map((r) => r.msgid));
      let stored = 0;
      const seen = new Set<string>();
      for (const m of msgs) {
        if (known.has(m.msgid) || seen.has(m.msgid)) continue;
        seen.add(m.msgid);
        const sendTime = Number.isFinite(Number(m.send_time)) && Number(m.send_time) > 0 ? new Date(Number(m.send_time) * 1000) : now;
        let payload = JSON.stringify(m);
        if (payload.length > 64 * 1024) payload = JSON.stringify({ msgid: m.msgid, origin: m.origin, msgtype: m.msgtype, oversized: true });
        await tx.wecomKfInbox.create({
          data: {
            msgid: m.msgid,
            openKfId: typeof m.open_kfid === 'string' ? m.open_kfid : openKfId,
            externalUserId: typeof m.external_userid === 'string' ? m.external_userid : null,
            origin: Number(m.origin) || 0,
            msgtype: String(m.msgtype ?? '').slice(0, 40),
            sendTime,
            payload,
          },
        });
        stored++;
        // A customer's message opens (or reopens) the send window.
        if (Number(m.origin) === 3 && typeof m.external_userid === 'string') {
          const key = { openKfId_externalUserId: { openKfId, externalUserId: m.external_userid } };
          const w = await tx.wecomKfWindow.findUnique({ where: key });
          if (!w) await tx.wecomKfWindow.create({ data: { openKfId, externalUserId: m.external_userid, lastCustomerMessageAt: sendTime, sentSince: 0 } });
          else if (sendTime >= w.lastCustomerMessageAt) await tx.wecomKfWindow.update({ where: key, data: { lastCustomerMessageAt: sendTime, sentSince: 0 } });
        }
      }
      if (oldCursor === null) {
        await tx.wecomKfCursor.create({ data: { openKfId, cursor: nextCursor } });
      } else if (nextCursor && nextCursor !== oldCursor) {
        const r = await tx.wecomKfCursor.updateMany({ where: { openKfId, cursor: oldCursor }, data: { cursor: nextCursor } });
        if (r.count !== 1) throw new CursorMoved(`wecom-kf: the cursor of ${openKfId} moved meanwhile (another replica)`);
      }
      return stored;
    });
  }

  /** Hands stored messages to the sink in order. Returns how many were settled. */
  deliver(): Promise<number> {
    this.delivering ??= this.deliverOnce().finally(() => (this.delivering = null));
    return this.delivering;
  }

  private async deliverOnce(): Promise<number> {
    const db = this.opts.db;
    let settled = 0;
    for (;;) {
      const rows = await db.wecomKfInbox.findMany({ where: { status: 'pending' }, orderBy: { id: 'asc' }, take: 100 });
      if (!rows.length) return settled;
      for (const row of rows) {
        let msg: unknown;
        try {
          msg = JSON.parse(row.payload);
        } catch {
          msg = null;
        }
        const t = translateKfMessage(msg, { receivedAt: row.createdAt });
        if ('ignored' in t) {
          if (t.sendFail) this.opts.onSendFailed?.(t.sendFail);
          this.log.info({ msgid: row.msgid, reason: t.ignored }, 'wecom-kf: message not for the bot');
          await db.wecomKfInbox.update({ where: { id: row.id }, data: { status: 'ignored', note: t.ignored.slice(0, 200), deliveredAt: this.now() } });
          settled++;
          continue;
        }
        // The sink records it once (channel + msgid); if it fails, the row stays pending and
        // the next pass tries again, in order.
        const res = await this.opts.sink.receive(t.event, { defer: true });
        if (t.kind === 'enter_session' && t.welcomeCode && res.status !== 'duplicate') {
          await this.opts.onEnterSession?.(t.welcomeCode).catch((e: unknown) => this.log.warn({ err: String(e) }, 'wecom-kf: greeting not sent'));
        }
        if (res.status === 'duplicate') this.log.info({ msgid: row.msgid }, 'wecom-kf: message seen before, ignored');
        await db.wecomKfInbox.update({ where: { id: row.id }, data: { status: 'delivered', deliveredAt: this.now() } });
        settled++;
      }
    }
  }
}
