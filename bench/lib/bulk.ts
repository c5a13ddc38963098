/**
 * Bulk data for the store benchmarks, written by the database itself
 * (INSERT … SELECT over a generated series: a recursive CTE on SQLite,
 * generate_series on PostgreSQL) in batches of 100k rows, so a million tickets
 * take seconds, not the hours one transaction per ticket would.
 *
 * Shape (deterministic in the ticket id i):
 * - tickets reported every 90 s, the last of the final size an hour before NOW (1M ≈ 2.9 years);
 * - 1% open (i % 100 = 0), in one of five open statuses; the rest closed (3% cancelled);
 * - fault 85% (level 1 5%, 2 15%, 3 60%, 4 20%), consultation 10%, complaint 5% (with its record);
 * - open tickets: three pending timers each, due 1–3 h after NOW (nothing is due at NOW);
 * - closed tickets: two timers that fired or were cancelled long ago;
 * - one sent outbox row per ticket, a resolve event per resolved ticket, an
 *   escalation event for 2%, a rating for 60% of closed tickets.
 * Chats, people and the customer are made with Prisma first (the rows reference them).
 */
import type { Provider } from '../../src/store/migrate.js';
import type { Db } from '../../src/store/types.js';
import { log } from './common.js';

/** The benchmarks' "now": a Tuesday morning in Asia/Shanghai (like the tests' start). */
export const NOW = new Date('2026-11-24T02:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
export const SPAN_S = 90;

export const CHATS = 200;
export const ENGINEERS = 20;
export const CUSTOMERS_PEOPLE = 500;

export interface BulkContext {
  db: Db;
  provider: Provider;
  chatIds: number[];
  reporterIds: number[];
  engineerIds: number[];
  customerId: number;
  /** Tickets written so far (ids 1..count). */
  count: number;
  /** The size the store will grow to: the last ticket is reported an hour before NOW. */
  finalSize: number;
}

function dialect(provider: Provider) {
  const sqlite = provider === 'sqlite';
  return {
    /** INSERT INTO table(cols) SELECT exprs FROM the series a..b (as column i), times a small cross join. */
    insert(table: string, cols: string[], exprs: string[], a: number, b: number, extra = '', where = ''): string {
      const list = cols.map((c) => `"${c}"`).join(', ');
      const sel = exprs.join(', ');
      const w = where ? ` WHERE ${where}` : '';
      return sqlite
        ? `WITH RECURSIVE s(i) AS (SELECT ${a} UNION ALL SELECT i + 1 FROM s WHERE i < ${b}) INSERT INTO "${table}" (${list}) SELECT ${sel} FROM s${extra}${w}`
        : `INSERT INTO "${table}" (${list}) SELECT ${sel} FROM generate_series(${a}::bigint, ${b}::bigint) AS s(i)${extra}${w}`;
    },
    /** A timestamp from seconds since the epoch, in the format each client writes. */
    ts(seconds: string): string {
      return sqlite ? `strftime('%Y-%m-%dT%H:%M:%f+00:00', ${seconds}, 'unixepoch')` : `(to_timestamp(${seconds}) AT TIME ZONE 'UTC')`;
    },
    bool(expr: string): string {
      return sqlite ? `(CASE WHEN ${expr} THEN 1 ELSE 0 END)` : `(${expr})`;
    },
    text(expr: string): string {
      return sqlite ? `(${expr})` : `CAST(${expr} AS TEXT)`;
    },
  };
}

const pick = (expr: string, values: string[]): string =>
  `(CASE ${values.map((v, k) => `WHEN ${expr} = ${k} THEN ${v}`).join(' ')} END)`;

export async function prepareBulk(db: Db, provider: Provider, finalSize: number): Promise<BulkContext> {
  const customer = await db.customer.upsert({ where: { name: '基准测试客户' }, update: {}, create: { name: '基准测试客户' } });
  const chatIds: number[] = [];
  for (let c = 0; c < CHATS; c++) {
    const chat = await db.chat.upsert({
      where: { channel_platformId: { channel: 'feishu', platformId: `oc_bench_${c}` } },
      update: {},
      create: { channel: 'feishu', platformId: `oc_bench_${c}`, title: `基准群 ${c}`, purpose: 'customer', customerId: customer.id },
    });
    chatIds.push(chat.id);
  }
  const people = async (n: number, prefix: string, role: string): Promise<number[]> => {
    const ids: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = await db.person.upsert({
        where: { channel_platformId: { channel: 'feishu', platformId: `ou_${prefix}_${k}` } },
        update: {},
        create: { channel: 'feishu', platformId: `ou_${prefix}_${k}`, name: `${role === 'engineer' ? '工程师' : '客户'}${k}`, role },
      });
      ids.push(p.id);
    }
    return ids;
  };
  const engineerIds = await people(ENGINEERS, 'eng', 'engineer');
  const reporterIds = await people(CUSTOMERS_PEOPLE, 'cus', 'customer');
  return { db, provider, chatIds, reporterIds, engineerIds, customerId: customer.id, count: 0, finalSize };
}

/** Ids of a contiguous range of rows of a list, as a SQL expression of i. */
function idOf(ids: number[], expr: string): string {
  // The ids were created in one go, so they are consecutive; check and use arithmetic.
  const first = ids[0]!;
  if (!ids.every((id, k) => id === first + k)) throw new Error('bulk: expected consecutive ids');
  return `(${first} + (${expr}) % ${ids.length})`;
}

/** Grows the store to `target` tickets (and their timers, outbox rows, events, ratings). */
export async function growTo(ctx: BulkContext, target: number): Promise<void> {
  const d = dialect(ctx.provider);
  const exec = (sql: string) => ctx.db.$executeRawUnsafe(sql);
  const BATCH = 100_000;
  const t0 = performance.now();
  const T0_S = NOW_S - 3600 - ctx.finalSize * SPAN_S;
  for (let a = ctx.count + 1; a <= target; a += BATCH) {
    const b = Math.min(target, a + BATCH - 1);
    const rep = `(${T0_S} + i * ${SPAN_S})`;
    const open = `(i % 100 = 0)`;
    const kindN = `((i * 7919) % 100)`;
    const kind = `(CASE WHEN ${kindN} < 85 THEN 'fault' WHEN ${kindN} < 95 THEN 'consultation' ELSE 'complaint' END)`;
    const lvlN = `((i * 104729) % 100)`;
    const level = `(CASE WHEN ${kindN} >= 85 THEN NULL WHEN ${lvlN} < 5 THEN 1 WHEN ${lvlN} < 20 THEN 2 WHEN ${lvlN} < 80 THEN 3 ELSE 4 END)`;
    const cancelled = `(NOT ${open} AND i % 37 = 0)`;
    const openStatus = pick('((i / 100) % 5)', [`'reported'`, `'accepted'`, `'assigned'`, `'acknowledged'`, `'on_site'`]);
    const status = `(CASE WHEN ${open} THEN ${openStatus} WHEN ${cancelled} THEN 'cancelled' ELSE 'closed' END)`;
    const closed = `(NOT ${open} AND NOT ${cancelled})`;
    const resolveS = `(${rep} + 1800 * (1 + i % 7))`;
    const at = (offset: string, cond: string) => `(CASE WHEN ${cond} THEN ${d.ts(`${rep} + ${offset}`)} ELSE NULL END)`;
    const site = pick('(i % 8)', ["'小寨站'", "'钟楼站'", "'北大街站'", "'会展中心站'", "'纬一街站'", "'体育场站'", "'行政中心站'", "'北客站'"]);
    const device = pick('((i / 8) % 6)', ["'闸机'", "'售票机'", "'PIS屏'", "'网络'", "'门禁'", "'票务系统'"]);
    const ticketCols: Array<[string, string]> = [
      ['id', 'i'],
      ['number', `'GD-B-' || ${d.text('i')}`],
      ['kind', kind],
      ['status', status],
      ['customerId', String(ctx.customerId)],
      ['chatId', idOf(ctx.chatIds, 'i')],
      ['reporterId', idOf(ctx.reporterIds, 'i')],
      ['assigneeId', `(CASE WHEN ${open} AND ${openStatus} IN ('reported', 'accepted') THEN NULL ELSE ${idOf(ctx.engineerIds, 'i / 3')} END)`],
      ['level', level],
      ['grade', `(CASE WHEN ${kindN} >= 95 THEN NULL WHEN ${kindN} >= 85 THEN 'B' WHEN ${lvlN} < 5 THEN 'A' WHEN ${lvlN} < 80 THEN 'C' ELSE 'D' END)`],
      ['site', site],
      ['device', device],
      ['content', `${site} || ${device} || '故障，第' || ${d.text('i')} || '次基准报修'`],
      ['hardware', d.bool(`${kindN} < 85`)],
      ['reportedAt', d.ts(rep)],
      ['levelKnownAt', at('60', `${level} IS NOT NULL`)],
      ['acceptedAt', at('120', `NOT (${open} AND ${openStatus} = 'reported')`)],
      ['assignedAt', at('600', `NOT ${open} OR ${openStatus} IN ('assigned', 'acknowledged', 'on_site')`)],
      ['acknowledgedAt', at('900', `NOT ${open} OR ${openStatus} IN ('acknowledged', 'on_site')`)],
      ['onSiteAt', at('3600', `(NOT ${open} AND ${kindN} < 85) OR (${open} AND ${openStatus} = 'on_site')`)],
      ['resolvedAt', `(CASE WHEN ${closed} THEN ${d.ts(resolveS)} ELSE NULL END)`],
      ['confirmedAt', `(CASE WHEN ${closed} THEN ${d.ts(`${resolveS} + 3600`)} ELSE NULL END)`],
      ['ratedAt', `(CASE WHEN ${closed} AND i % 5 < 3 THEN ${d.ts(`${resolveS} + 3700`)} ELSE NULL END)`],
      ['closedAt', `(CASE WHEN ${closed} THEN ${d.ts(`${resolveS} + 3700`)} ELSE NULL END)`],
      ['cancelledAt', at('300', cancelled)],
      ['confirmation', `(CASE WHEN ${closed} THEN 'confirmed' ELSE NULL END)`],
      ['satisfaction', `(CASE WHEN ${closed} AND i % 5 < 3 THEN 1 + (i * 13) % 5 ELSE NULL END)`],
      ['contractHash', `'bench'`],
      ['createdAt', d.ts(rep)],
      ['updatedAt', d.ts(rep)],
    ];
    await exec(d.insert('Ticket', ticketCols.map((c) => c[0]), ticketCols.map((c) => c[1]), a, b));

    // Timers: three pending per open ticket (due after NOW), two settled per closed one.
    const kk = ` CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) kk`;
    await exec(
      d.insert(
        'Timer',
        ['ticketId', 'clock', 'stage', 'dueAt', 'deadlineAt', 'state', 'firedAt', 'createdAt'],
        [
          'i',
          `'resolve_or_replace'`,
          pick('k', [`'remind_50'`, `'remind_80'`, `'escalate_1'`]),
          `(CASE WHEN ${open} THEN ${d.ts(`${NOW_S} + 3600 * (k + 1) + i % 600`)} ELSE ${d.ts(`${rep} + 1800 * (k + 1)`)} END)`,
          `(CASE WHEN ${open} THEN ${d.ts(`${NOW_S} + 3 * 3600 + i % 600`)} ELSE ${d.ts(`${rep} + 5400`)} END)`,
          `(CASE WHEN ${open} THEN 'pending' WHEN k = 0 THEN 'fired' ELSE 'cancelled' END)`,
          `(CASE WHEN NOT ${open} AND k = 0 THEN ${d.ts(`${rep} + 1800`)} ELSE NULL END)`,
          d.ts(rep),
        ],
        a,
        b,
        kk,
        `(${open} OR k < 2)`,
      ),
    );
    // One sent outbox row per ticket.
    await exec(
      d.insert(
        'Outbox',
        ['channel', 'chatPlatformId', 'ticketId', 'action', 'idempotencyKey', 'status', 'attempts', 'nextAttemptAt', 'platformMessageId', 'createdAt', 'sentAt'],
        [
          `'feishu'`,
          `'oc_bench_' || ${d.text(`i % ${CHATS}`)}`,
          'i',
          `'{"kind":"text","text":"已收到报修"}'`,
          `'bench-' || ${d.text('i')}`,
          `'sent'`,
          '1',
          d.ts(rep),
          `'om_bench_' || ${d.text('i')}`,
          d.ts(rep),
          d.ts(`${rep} + 1`),
        ],
        a,
        b,
      ),
    );
    // Audit trail the digest reads: resolve events (by the engineer), escalations for 2%.
    await exec(
      d.insert(
        'TicketEvent',
        ['ticketId', 'at', 'actorId', 'action', 'fromStatus', 'toStatus', 'detail'],
        ['i', d.ts(resolveS), idOf(ctx.engineerIds, 'i / 3'), `'resolve'`, `'on_site'`, `'resolved'`, `'{}'`],
        a,
        b,
        '',
        closed,
      ),
    );
    await exec(
      d.insert(
        'TicketEvent',
        ['ticketId', 'at', 'actorId', 'action', 'detail'],
        ['i', d.ts(`${rep} + 5400`), 'NULL', `'escalation'`, `'{"clock":"resolve_or_replace","stage":"escalate_1"}'`],
        a,
        b,
        '',
        `i % 50 = 7`,
      ),
    );
    await exec(
      d.insert(
        'Rating',
        ['ticketId', 'raterId', 'score', 'comment', 'at'],
        ['i', idOf(ctx.reporterIds, 'i'), `1 + (i * 13) % 5`, `(CASE WHEN (i * 13) % 5 < 2 THEN '响应太慢' ELSE NULL END)`, d.ts(`${resolveS} + 3700`)],
        a,
        b,
        '',
        `${closed} AND i % 5 < 3`,
      ),
    );
    await exec(
      d.insert(
        'Complaint',
        ['ticketId', 'receiver', 'complainant', 'content', 'demand'],
        ['i', `'客服'`, `'客户'`, `'处理太慢，要求尽快修好'`, `'要求尽快修好'`],
        a,
        b,
        '',
        `${kindN} >= 95`,
      ),
    );
    ctx.count = b;
  }
  if (ctx.provider === 'postgresql') {
    // Keep the id sequences ahead of the explicit ids written above, and give the planner statistics.
    await exec(`SELECT setval(pg_get_serial_sequence('"Ticket"', 'id'), (SELECT MAX(id) FROM "Ticket"))`);
    await exec('ANALYZE');
  }
  log(`bulk ${ctx.provider}: ${target} tickets in store (+${Math.round(performance.now() - t0)} ms)`);
}

/** A few outbox rows waiting (backing off after a platform error) and one failed: the dispatcher's heads() has work to look at. */
export async function addPendingOutbox(ctx: BulkContext): Promise<void> {
  for (let k = 0; k < 20; k++) {
    await ctx.db.outbox.upsert({
      where: { idempotencyKey: `bench-pending-${k}` },
      update: {},
      create: {
        channel: 'feishu',
        chatPlatformId: `oc_bench_${k % 7}`,
        ticketId: null,
        action: JSON.stringify({ kind: 'text', text: '重试中' }),
        idempotencyKey: `bench-pending-${k}`,
        status: k === 19 ? 'failed' : 'pending',
        attempts: 3,
        nextAttemptAt: new Date(NOW.getTime() + 10 * 60_000),
        lastError: 'RetryableSendError: 500',
        createdAt: NOW,
      },
    });
  }
}
