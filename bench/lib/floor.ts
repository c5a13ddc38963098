/**
 * The floor of acting on a report: the same rows the service wrote for one
 * fault report (the queue row claimed, the reporter, the ticket number, the
 * ticket, its replies, its pending question, its timers and audit events),
 * written by hand-written SQL through better-sqlite3 in one transaction per
 * report, with the lookups the service cannot avoid (the queued event, the
 * chat, the person). Statements are prepared once, as hand-written code would.
 * The service's cost divided by this is process_floor_ratio.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

type Row = Record<string, unknown>;

function insertOf(db: Database.Database, table: string, row: Row, rows = 1): { sql: Database.Statement; columns: string[] } {
  const columns = Object.keys(row).filter((c) => c !== 'id');
  const one = `(${columns.map(() => '?').join(', ')})`;
  const sql = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')} RETURNING "id"`);
  return { sql, columns };
}

export interface FloorResult {
  reports: number;
  cpu_ms_per_report: number;
  statements_per_report: number;
  reports_per_s: number;
}

/** Writes `n` reports like the service's report of ticket `templateTicketId`, on the SQLite file `file`. */
export function floorSqlite(file: string, templateTicketId: number, n: number): FloorResult {
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  try {
    const ticket = db.prepare('SELECT * FROM "Ticket" WHERE "id" = ?').get(templateTicketId) as Row;
    const timers = db.prepare('SELECT * FROM "Timer" WHERE "ticketId" = ? ORDER BY "id"').all(templateTicketId) as Row[];
    const events = db.prepare('SELECT * FROM "TicketEvent" WHERE "ticketId" = ? ORDER BY "id"').all(templateTicketId) as Row[];
    const question = db.prepare('SELECT * FROM "PendingQuestion" WHERE "ticketId" = ? ORDER BY "id" LIMIT 1').get(templateTicketId) as Row | undefined;
    // The replies of the report: those about the ticket and the ones written between its first and last (the manager's card).
    const outbox = db.prepare('SELECT * FROM "Outbox" WHERE "ticketId" = ? ORDER BY "id"').all(templateTicketId) as Row[];
    const person = db.prepare('SELECT * FROM "Person" WHERE "id" = ?').get(ticket['reporterId']) as Row;
    const chat = db.prepare('SELECT * FROM "Chat" WHERE "id" = ?').get(ticket['chatId']) as Row;
    const inbound = db.prepare('SELECT * FROM "InboundEvent" WHERE "outcome" = \'processed\' ORDER BY "id" DESC LIMIT 1').get() as Row;
    if (!ticket || !timers.length || !events.length || !outbox.length) throw new Error(`floor: ticket ${templateTicketId} has no timers, audit events or replies to copy`);

    const insInbound = insertOf(db, 'InboundEvent', inbound);
    const insPerson = insertOf(db, 'Person', person);
    const insTicket = insertOf(db, 'Ticket', ticket);
    const insOutbox = insertOf(db, 'Outbox', outbox[0]!);
    const insQuestion = question ? insertOf(db, 'PendingQuestion', question) : null;
    const insTimers = insertOf(db, 'Timer', timers[0]!, timers.length);
    const insEvents = insertOf(db, 'TicketEvent', events[0]!, events.length);
    const nextQueued = db.prepare('SELECT "id", "payload" FROM "InboundEvent" WHERE "outcome" = \'queued\' ORDER BY "id" LIMIT 1');
    const claim = db.prepare('UPDATE "InboundEvent" SET "outcome" = \'processed\', "payload" = NULL WHERE "id" = ? AND "outcome" = \'queued\'');
    const findChat = db.prepare('SELECT * FROM "Chat" WHERE "channel" = ? AND "platformId" = ?');
    const findPerson = db.prepare('SELECT * FROM "Person" WHERE "channel" = ? AND "platformId" = ?');
    const counter = db.prepare('INSERT INTO "Counter" ("key", "value") VALUES (?, 1) ON CONFLICT ("key") DO UPDATE SET "value" = "value" + 1 RETURNING "value"');
    const statementsPerReport = 2 + 9 + (insQuestion ? 1 : 0) + outbox.length; // BEGIN/COMMIT and the statements of `report` below

    // The queue, as the answer path leaves it (not timed).
    const queue = db.transaction(() => {
      for (let k = 0; k < n; k++) {
        insInbound.sql.get(...insInbound.columns.map((c) => (c === 'eventId' ? `floor_ev_${k}` : c === 'messageId' ? `floor_msg_${k}` : c === 'outcome' ? 'queued' : c === 'payload' ? '{"floor":true}' : c === 'textKey' ? null : inbound[c])));
      }
    });
    queue();

    const report = db.transaction((k: number) => {
      const ev = nextQueued.get() as { id: number } | undefined;
      if (!ev || claim.run(ev.id).changes !== 1) throw new Error('floor: no queued event');
      findChat.get(chat['channel'], chat['platformId']);
      findPerson.get(person['channel'], `ou_floor_${k}`);
      const reporter = insPerson.sql.get(...insPerson.columns.map((c) => (c === 'platformId' ? `ou_floor_${k}` : person[c]))) as { id: number };
      const { value } = counter.get(`floor:${String(ticket['number']).slice(0, 12)}`) as { value: number };
      const t = insTicket.sql.get(
        ...insTicket.columns.map((c) => (c === 'number' ? `FLOOR-${value}` : c === 'sourceMessageId' ? `floor_msg_${k}` : c === 'reporterId' ? reporter.id : ticket[c])),
      ) as { id: number };
      let lastOutbox = 0;
      for (const o of outbox) {
        lastOutbox = (insOutbox.sql.get(...insOutbox.columns.map((c) => (c === 'ticketId' ? t.id : c === 'idempotencyKey' ? randomUUID() : o[c]))) as { id: number }).id;
      }
      if (insQuestion && question) {
        insQuestion.sql.get(...insQuestion.columns.map((c) => (c === 'ticketId' ? t.id : c === 'personId' ? reporter.id : c === 'outboxId' ? lastOutbox : question[c])));
      }
      insTimers.sql.all(...timers.flatMap((r) => insTimers.columns.map((c) => (c === 'ticketId' ? t.id : r[c]))));
      insEvents.sql.all(...events.flatMap((r) => insEvents.columns.map((c) => (c === 'ticketId' ? t.id : c === 'actorId' ? (r[c] === null ? null : reporter.id) : c === 'inboundEventId' ? ev.id : r[c]))));
    });

    for (let k = 0; k < Math.min(50, n); k++) report(k); // warm-up (JIT)
    const timed = n - Math.min(50, n);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = n - timed; k < n; k++) report(k);
    const s = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(c0);
    return {
      reports: timed,
      cpu_ms_per_report: (u.user + u.system) / 1000 / Math.max(1, timed),
      statements_per_report: statementsPerReport,
      reports_per_s: timed / s,
    };
  } finally {
    db.close();
  }
}
