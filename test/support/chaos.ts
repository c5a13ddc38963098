/**
 * Helpers shared by the chaos tests and the benchmarks: a fresh, migrated
 * database (./store.ts) and a ServiceBot wired the way src/main.ts wires it.
 */
import { pino } from 'pino';
import type { Clock } from '../../src/core/clock.js';
import { ContractRegistry } from '../../src/core/contracts.js';
import { seedOrg } from '../../src/bot/directory.js';
import { ServiceBot } from '../../src/bot/bot.js';
import type { InboundMessage } from '../../src/core/channel.js';
import { compileReader, loadConfig, type Config } from '../../src/config.js';
import type { Provider } from '../../src/store/migrate.js';
import type { Db } from '../../src/store/types.js';

export { freshStore, PG_SERVER_URL, pgReachable, type TestStore } from './store.js';

export function quietConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env });
}

/** A ServiceBot wired as src/main.ts wires it (silent log), the organisation file seeded. */
export async function makeBot(db: Db, provider: Provider, clock: Clock, config = quietConfig(), onOutbox?: () => void): Promise<ServiceBot> {
  await seedOrg(db, config.org);
  return new ServiceBot({
    db,
    provider,
    clock,
    log: pino({ level: 'silent' }),
    contracts: new ContractRegistry(config.contracts),
    lexicon: compileReader(config),
    org: config.org,
    ...(onOutbox ? { onOutbox } : {}),
  });
}

/** A Feishu-like group message, already translated (what the channel hands the bot). */
export function feishuMessage(n: number | string, text: string, o: { chat?: string; sender?: string; eventId?: string; messageId?: string; at?: Date } = {}): InboundMessage {
  return {
    type: 'message',
    channel: 'feishu',
    eventId: o.eventId ?? `ev_${n}`,
    messageId: o.messageId ?? `om_${n}`,
    chat: { id: o.chat ?? 'oc_chaos_1', type: 'group' },
    sender: { id: o.sender ?? 'ou_chaos_customer_1', name: '李站长' },
    text,
    mentions: [],
    mentionsBot: true,
    at: o.at ?? new Date(),
  } as InboundMessage;
}

/**
 * Open tickets (acknowledged, in `chat` on Feishu) with one reminder each, due
 * at the given instants: the timers a crash must neither lose nor fire twice.
 */
export async function seedDueReminders(db: Db, chat: string, dueAts: Date[], now = new Date()): Promise<number[]> {
  // Reminders are staff-only: they go to the customer's staff group, never to the customer's
  // chat. The seeded chat has a customer of its own with a staff group, so that the other
  // chats' dispatch cards (no customer, no managers' group on Feishu) do not share its queue.
  const customer = await db.customer.upsert({ where: { name: `提醒测试客户 ${chat}` }, update: {}, create: { name: `提醒测试客户 ${chat}` } });
  const chatRow = await db.chat.upsert({
    where: { channel_platformId: { channel: 'feishu', platformId: chat } },
    update: {},
    create: { channel: 'feishu', platformId: chat, purpose: 'customer', title: '提醒测试群', customerId: customer.id },
  });
  await db.chat.upsert({
    where: { channel_platformId: { channel: 'feishu', platformId: `${chat}_staff` } },
    update: {},
    create: { channel: 'feishu', platformId: `${chat}_staff`, purpose: 'staff', title: '提醒测试员工群', customerId: customer.id },
  });
  const reporter = await db.person.upsert({
    where: { channel_platformId: { channel: 'feishu', platformId: 'ou_timer_reporter' } },
    update: {},
    create: { channel: 'feishu', platformId: 'ou_timer_reporter', name: '提醒测试客户', role: 'customer' },
  });
  const ids: number[] = [];
  for (const [k, dueAt] of dueAts.entries()) {
    const t = await db.ticket.create({
      data: {
        number: `GD-T-${k + 1}`,
        kind: 'fault',
        status: 'acknowledged',
        chatId: chatRow.id,
        reporterId: reporter.id,
        level: 3,
        site: '小寨站',
        device: '闸机',
        content: `提醒测试 ${k + 1}`,
        reportedAt: now,
        levelKnownAt: now,
        acceptedAt: now,
        assignedAt: now,
        acknowledgedAt: now,
        contractHash: 'chaos',
        timers: { create: { clock: 'resolve_or_replace', stage: 'remind_50', dueAt, deadlineAt: new Date(dueAt.getTime() + 3_600_000), createdAt: now } },
      },
    });
    ids.push(t.id);
  }
  return ids;
}

/** Each seeded ticket's reminder: fired once, one audit event, one outbox row. Returns the problems found. */
export async function reminderProblems(db: Db, ticketIds: number[]): Promise<string[]> {
  const problems: string[] = [];
  const timers = await db.timer.findMany({ where: { ticketId: { in: ticketIds } } });
  for (const t of timers) if (t.state !== 'fired') problems.push(`timer ${t.id} (ticket ${t.ticketId}) is ${t.state}`);
  const events = await db.ticketEvent.groupBy({ by: ['ticketId'], where: { ticketId: { in: ticketIds }, action: 'reminder' }, _count: { _all: true } });
  const eventCount = new Map(events.map((e) => [e.ticketId, e._count._all]));
  const outbox = await db.outbox.groupBy({ by: ['ticketId'], where: { ticketId: { in: ticketIds } }, _count: { _all: true } });
  const outboxCount = new Map(outbox.map((e) => [e.ticketId, e._count._all]));
  for (const id of ticketIds) {
    if (eventCount.get(id) !== 1) problems.push(`ticket ${id}: ${eventCount.get(id) ?? 0} reminder events`);
    if (outboxCount.get(id) !== 1) problems.push(`ticket ${id}: ${outboxCount.get(id) ?? 0} reminder messages`);
  }
  return problems;
}
