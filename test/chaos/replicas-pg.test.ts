/**
 * Three replicas of the service (child processes) on one PostgreSQL database
 * (a throw-away database on TEST_DATABASE_URL's server, dropped afterwards),
 * started at once (migrations race), Feishu pointed at one fake platform.
 * Events are spread across the replicas, and a third of them are delivered to
 * two replicas at the same moment (a redelivery landing elsewhere). Reminders
 * come due while they run, and the daily digest's minute comes round.
 * No duplicate ticket; every reminder once; the digest once per period; every
 * outbox row posted once.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feishuUuid } from '../../src/channels/feishu/index.js';
import { createPrismaClient } from '../../src/store/client.js';
import { createThrowawayPgDatabase, type ThrowawayDatabase } from '../../src/store/pg-databases.js';
import type { Db } from '../../src/store/types.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, feishuRequest, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { orgFileWith, startServiceProcess, type ServiceProcess } from '../support/chaos-service.js';
import { PG_SERVER_URL, pgReachable, reminderProblems, seedDueReminders } from '../support/chaos.js';

const pg = await pgReachable();
const MANAGERS = 'oc_rep_managers';
let fake: FakeFeishu;
let tmp: ThrowawayDatabase | undefined;
let db: Db | undefined;
const replicas: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
  await db?.$disconnect();
  await tmp?.drop();
  await fake?.stop();
});

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!pg)('three replicas on PostgreSQL', () => {
  let digestAt: DateTime;
  beforeAll(async () => {
    fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
    tmp = await createThrowawayPgDatabase(PG_SERVER_URL, 'servicebot_replicas');
    const org = orgFileWith((y) => y.replace('managersGroups:\n', `managersGroups:\n  - { channel: feishu, id: ${MANAGERS} }\n`));
    // The digest's minute: far enough ahead for three replicas to start first.
    digestAt = DateTime.now().setZone('Asia/Shanghai').plus({ seconds: 35 }).startOf('minute').plus({ minutes: 1 });
    const env = { ORG_FILE: org, DIGEST_CRON: `${digestAt.minute} ${digestAt.hour} * * *`, TICK_SECONDS: '1' };
    const started = await Promise.all([0, 1, 2].map((k) => startServiceProcess({ databaseUrl: tmp!.url, feishuDomain: fake.url, env: { ...env, REPLICA_NAME: `r${k}` }, startTimeoutMs: 90_000 })));
    replicas.push(...started);
    db = createPrismaClient(tmp.url).prisma;
  });

  it('no duplicate ticket, every reminder once, the digest once, every outbox row posted once', async () => {
    const now = Date.now();
    const reminderTickets = await seedDueReminders(db!, 'oc_rep_timers', Array.from({ length: 300 }, (_, k) => new Date(now + 3000 + k * 50)));
    const deliveries: Array<{ replica: ServiceProcess; payload: Record<string, unknown>; status: Promise<number> }> = [];
    const post = (r: ServiceProcess, payload: Record<string, unknown>) =>
      fetch(`${r.url}/feishu/events`, { method: 'POST', ...feishuRequest(payload) }).then(
        async (res) => (await res.arrayBuffer(), res.status),
        () => -1,
      );
    const N = 120;
    for (let k = 0; k < N; k++) {
      const payload = textMessageEvent(`@_user_1 ${k + 1}号闸机刷卡没反应 一台`, { messageId: `om_rep_${k}`, chatId: `oc_rep_${k % 6}`, senderOpenId: `ou_rep_${k % 12}`, mentions: [botMention()] });
      deliveries.push({ replica: replicas[k % 3]!, payload, status: post(replicas[k % 3]!, payload) });
      // A third arrive twice at once, at two replicas (the second sometimes under a new event id).
      if (k % 3 === 0) {
        const again = k % 2 ? payload : { ...payload, header: { ...(payload['header'] as object), event_id: `again_${k}` } };
        deliveries.push({ replica: replicas[(k + 1) % 3]!, payload: again, status: post(replicas[(k + 1) % 3]!, again) });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // What was not answered 200 (503: "busy, send it again") Feishu delivers again, here to the next replica.
    let pending = deliveries;
    let redelivered = 0;
    for (let round = 0; round < 20; round++) {
      const statuses = await Promise.all(pending.map((d) => d.status));
      pending = pending.filter((_, i) => statuses[i] !== 200);
      if (!pending.length) break;
      redelivered += pending.length;
      await new Promise((r) => setTimeout(r, 1000));
      for (const d of pending) {
        d.replica = replicas[(replicas.indexOf(d.replica) + 1) % 3]!;
        d.status = post(d.replica, d.payload);
      }
    }
    expect(pending).toHaveLength(0);

    await until('reminders due', async () => (await db!.timer.count({ where: { ticketId: { in: reminderTickets }, state: 'pending' } })) === 0, 60_000);
    await until(`the daily digest (${digestAt.toFormat('HH:mm')} Asia/Shanghai)`, async () => (await db!.digestRun.count({ where: { period: 'daily' } })) > 0, 150_000);
    // Give the other replicas their chance to post it again (they must not), then let the outbox drain.
    await new Promise((r) => setTimeout(r, 4000));
    await until('the outbox drained', async () => (await db!.outbox.count({ where: { channel: 'feishu', status: { in: ['pending', 'sending'] } } })) === 0, 90_000).catch(async (e) => {
      const left = await db!.outbox.findMany({ where: { channel: 'feishu', status: { in: ['pending', 'sending'] } }, select: { id: true, chatPlatformId: true, status: true, attempts: true, lastError: true, nextAttemptAt: true, claimedUntil: true }, take: 10 });
      throw new Error(`${(e as Error).message}: ${JSON.stringify(left)}`);
    });

    // Tickets: one per report.
    const tickets = await db!.ticket.groupBy({ by: ['sourceMessageId'], where: { sourceMessageId: { startsWith: 'om_rep_' } }, _count: { _all: true } });
    expect(tickets).toHaveLength(N);
    expect(tickets.filter((t) => t._count._all !== 1)).toEqual([]);
    // Reminders: once each.
    expect(await reminderProblems(db!, reminderTickets)).toEqual([]);
    // Digest: one run per period and group, one post of each.
    const runs = await db!.digestRun.findMany();
    expect(new Set(runs.map((r) => `${r.chatId}/${r.period}/${r.periodKey}`)).size).toBe(runs.length);
    const feishuManagers = await db!.chat.findFirstOrThrow({ where: { channel: 'feishu', platformId: MANAGERS } });
    expect(runs.filter((r) => r.period === 'daily' && r.chatId === feishuManagers.id)).toHaveLength(1);
    // The digest is a card (or text) and its chart (an image with a caption): one of each.
    const digestPosts = fake.messages.filter((m) => m.chatId === MANAGERS && /日报/.test(JSON.stringify(m.content)));
    expect(digestPosts.filter((m) => m.msgType === 'interactive' || m.msgType === 'text')).toHaveLength(1);
    expect(digestPosts.filter((m) => m.msgType === 'post' || m.msgType === 'image').length).toBeLessThanOrEqual(1);
    // Outbox: every row posted once, under its own key.
    // (The default organisation file also names a sandbox managers' group; with the sandbox off its rows wait, unsent.)
    const rows = await db!.outbox.findMany({ where: { channel: 'feishu' }, select: { status: true, idempotencyKey: true, action: true } });
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const posts = rows.filter((r) => (JSON.parse(r.action) as { kind: string }).kind !== 'card_update');
    const uuids = new Set(fake.messages.map((m) => m.uuid));
    expect(uuids.size).toBe(fake.messages.length);
    expect(fake.messages.length).toBe(posts.length);
    for (const r of posts) expect(uuids.has(feishuUuid(r.idempotencyKey))).toBe(true);
    const fired = await db!.timer.groupBy({ by: ['state'], _count: { _all: true } });
    console.log(`replicas-pg: ${N} reports (+${N / 3} duplicate deliveries, ${redelivered} redelivered after a non-200) → ${tickets.length} tickets; ${reminderTickets.length} reminders once; digest runs ${runs.map((r) => `${r.period} ${r.periodKey}`).join(', ')}; ${fake.messages.length} posts, ${fake.duplicateUuids} repeated keys; timers ${JSON.stringify(fired.map((f) => [f.state, f._count._all]))}`);
  }, 280_000);
});
