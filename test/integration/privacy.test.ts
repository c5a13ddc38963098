/**
 * Personal data through the real service (sandbox, manual clock): one person's
 * data erased on request (`cli erase`) everywhere it was kept, with an audit
 * record that holds no personal data; the retention job drops ignored
 * messages' text after 7 days and anonymises closed tickets after 3 years;
 * the settings come from config/retention.yaml.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ERASED } from '../../src/domain/personal-data.js';
import { RetentionSchema } from '../../src/domain/retention.js';
import { applyRetention, erasePerson, parsePersonRef, retentionJob } from '../../src/store/privacy.js';
import type { Db } from '../../src/store/types.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, ticketIdIn, type Who } from '../support/scenario.js';

const { customer, customer2, engineer, manager } = PEOPLE;
const DAY = 24 * 3600_000;
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { DIGEST_CRON: 'off' } });
});
afterAll(() => svc?.close());

/** A fault from report to rating (closed), in its own chat; returns the ticket id. */
async function closedJob(chatName: string, who: Who, report: string, rating: string): Promise<number> {
  const chat = new ChatView(svc, chatName);
  const id = ticketIdIn((await chat.ask(who, report))[0]);
  await svc.post('managers', manager, `派单 #${id} @张工`);
  await chat.say(engineer, '接单');
  await svc.advance(10);
  await chat.ask(engineer, `已修复 #${id} 更换读卡器`);
  await svc.advance(5);
  await chat.ask(who, '1');
  await chat.ask(who, rating);
  return id;
}

/** Every row of every table as text: where personal data could still hide. */
async function everything(db: Db): Promise<string> {
  const tables = await Promise.all([
    db.person.findMany(), db.ticket.findMany(), db.ticketEvent.findMany(), db.inboundEvent.findMany(), db.outbox.findMany(), db.rating.findMany(),
    db.complaint.findMany(), db.attachment.findMany(), db.pendingQuestion.findMany(), db.sandboxMessage.findMany(), db.privacyAudit.findMany(),
  ]);
  return JSON.stringify(tables);
}

describe('erasing one person', () => {
  let ticketId: number;
  let otherId: number;
  let file: string;

  beforeAll(async () => {
    ticketId = await closedJob('p-erase', customer, '小寨站 3号闸机刷卡没反应 联系人王工 电话13800138000', '5分 师傅辛苦了 很专业');
    // …and complained about it.
    await svc.post('p-erase', customer, '投诉：工程师拖了三天才来，要求换个工程师，王工 13800138000');
    expect(await svc.db.complaint.count()).toBe(1);
    // Another customer's ticket in another chat, which must stay as it is.
    otherId = await closedJob('p-other', customer2, '钟楼站 2号TVM不出票 电话13700137000', '4 还行');
    // A picture the customer sent about the ticket, already downloaded.
    file = path.join(svc.dir, 'attachments', String(ticketId), 'photo.img');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'a photo of the gate and of 王工');
    await svc.db.attachment.create({ data: { ticketId, channel: 'sandbox', messageId: 'm-photo', key: 'img', kind: 'image', path: file, state: 'stored', createdAt: svc.clock.now() } });
  }, 120_000);

  it('a dry run says what would go and changes nothing', async () => {
    const before = await everything(svc.db);
    const r = await erasePerson(svc.db, parsePersonRef('sandbox:c1'), { actor: 'cli:tester', dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.counts.tickets).toBeGreaterThanOrEqual(1);
    expect(r.counts.inboundEvents).toBeGreaterThanOrEqual(3);
    expect(await everything(svc.db)).toBe(before);
    expect(existsSync(file)).toBe(true);
  });

  it('`cli erase` erases their data across tickets, events, ratings, attachments, messages and replies, and records who did it', async () => {
    const c1 = await svc.db.person.findUniqueOrThrow({ where: { channel_platformId: { channel: 'sandbox', platformId: 'c1' } } });
    const before = await svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(before.phone).toBe('13800138000');
    expect(await svc.db.rating.findFirstOrThrow({ where: { ticketId } })).toMatchObject({ score: 5, comment: '师傅辛苦了 很专业' });

    const out = await cli(['erase', '--person', String(c1.id), '--by', '客服小刘']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^erased person #${c1.id}: people 1, tickets \\d+, .*\\(privacy audit #\\d+\\)`));

    const all = await everything(svc.db);
    expect((await svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).status).toBe('closed');
    for (const trace of ['13800138000', '王工', '很专业']) expect(all, trace).not.toContain(trace);
    const t = await svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(t).toMatchObject({ phone: null, contact: null, feedback: null, site: before.site, device: before.device, level: before.level, number: before.number, status: 'closed' });
    expect(t.anonymisedAt).not.toBeNull();
    expect(t.content).toContain('闸机刷卡没反应');
    expect(await svc.db.person.findUniqueOrThrow({ where: { id: c1.id } })).toMatchObject({ name: ERASED, phone: null });
    const rating = await svc.db.rating.findFirstOrThrow({ where: { ticketId } });
    expect(rating).toMatchObject({ score: 5, comment: null });
    expect(await svc.db.inboundEvent.count({ where: { channel: 'sandbox', senderPlatformId: 'c1', NOT: { text: null } } })).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(await svc.db.attachment.findFirstOrThrow({ where: { ticketId } })).toMatchObject({ state: 'erased', path: null });
    // The audit record: what and by whom, counts and an internal id only.
    const audit = await svc.db.privacyAudit.findFirstOrThrow({ where: { action: 'erase_person' } });
    expect(audit).toMatchObject({ actor: 'cli:客服小刘', subject: `person:${c1.id}` });
    const counts = JSON.parse(audit.counts) as Record<string, number>;
    expect(counts).toMatchObject({ people: 1, ratings: 1, attachments: 1, complaints: 1 });
    expect(await svc.db.complaint.findFirstOrThrow()).toMatchObject({ complainant: ERASED, contact: null });
    expect(Object.values(counts).every((n) => Number.isInteger(n))).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/王工|1380013|c1"/);

    // The other customer's ticket is untouched.
    const other = await svc.db.ticket.findUniqueOrThrow({ where: { id: otherId } });
    expect(other.phone).toBe('13700137000');
    expect(other.anonymisedAt).toBeNull();
    expect(all).toContain('刘师傅');
    // And the service goes on: the ticket still reads, the chat still works.
    expect((await svc.ticket(ticketId)).number).toBe(before.number);
  }, 60_000);

  it('`cli erase --find` looks people up; a person that does not exist is a clear error', async () => {
    const found = await cli(['erase', '--find', '13700137000']);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^\d+\tsandbox:c2\tcustomer\t刘师傅\t/m);
    const missing = await cli(['erase', '--person', '999999']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no person #999999/);
    const bad = await cli(['erase', '--person', 'nonsense']);
    expect(bad.code).toBe(2);
  }, 60_000);
});

describe('retention', () => {
  it('ignored messages lose their text after 7 days; closed tickets are anonymised after 3 years, and their customer with them', async () => {
    const chat = new ChatView(svc, 'p-retain');
    const who = { id: 'c9', name: '赵师傅', role: 'customer' };
    await chat.say(who, '谢谢 辛苦了');
    await chat.say(who, '收到');
    const ignored = await svc.db.inboundEvent.findMany({ where: { senderPlatformId: 'c9', outcome: 'ignored' } });
    expect(ignored.length).toBe(2);
    const id = await closedJob('p-retain', who, '北客站 2号闸机 不能刷卡 联系人赵师傅 电话13600136000', '5');
    expect((await svc.db.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('closed');
    const policy = loadConfig({ PATH: process.env.PATH }).retention;
    const now = svc.clock.now();

    // Six days on: nothing due.
    expect(await applyRetention(svc.db, policy, { now: new Date(now.getTime() + 6 * DAY) })).toMatchObject({ ignoredMessages: 0, tickets: 0 });
    // Eight days on: the chit-chat's text is gone, the ticket is kept whole.
    const week = await applyRetention(svc.db, policy, { now: new Date(now.getTime() + 8 * DAY) });
    expect(week.ignoredMessages).toBeGreaterThanOrEqual(2);
    expect(await svc.db.inboundEvent.findMany({ where: { id: { in: ignored.map((e) => e.id) } } })).toEqual(ignored.map((e) => expect.objectContaining({ id: e.id, text: null, raw: null, textKey: null })));
    expect((await svc.db.ticket.findUniqueOrThrow({ where: { id } })).phone).toBe('13600136000');
    // Three years and a month after closing: anonymised, with its messages and replies; the customer
    // too (a month: the person rows carry the real time they were created, this clock runs behind it).
    const job = retentionJob({ db: svc.db, retention: policy, clock: { now: () => new Date(now.getTime() + 1126 * DAY) }, log: { info: () => {} }, timezone: 'Asia/Shanghai' });
    expect(job.cron).toBe('30 3 * * *');
    const years = await job.run();
    expect(years.tickets).toBeGreaterThanOrEqual(1);
    expect(years.people).toBeGreaterThanOrEqual(1);
    const t = await svc.db.ticket.findUniqueOrThrow({ where: { id } });
    expect(t).toMatchObject({ phone: null, contact: null });
    expect(t.content).not.toMatch(/13600136000|赵师傅/);
    expect(t.anonymisedAt).not.toBeNull();
    const all = await everything(svc.db);
    expect(all).not.toContain('13600136000');
    expect(all).not.toContain('赵师傅');
    const audit = await svc.db.privacyAudit.findFirstOrThrow({ where: { action: 'retention' }, orderBy: { id: 'desc' } });
    expect(audit.actor).toBe('system');
    expect(JSON.parse(audit.counts)).toMatchObject({ tickets: years.tickets });
    // Run again: nothing more to do, and no empty audit row.
    const auditRows = await svc.db.privacyAudit.count();
    expect(Object.values(await job.run()).every((n) => n === 0)).toBe(true);
    expect(await svc.db.privacyAudit.count()).toBe(auditRows);
  }, 120_000);

  it('settings come from config/retention.yaml (or RETENTION_FILE), checked at start', () => {
    const base = { PATH: process.env.PATH, DATABASE_URL: 'file:/tmp/unused.db' };
    expect(loadConfig(base).retention).toEqual(RetentionSchema.parse({}));
    const file = path.join(svc.dir, 'retention.yaml');
    writeFileSync(file, 'ignoredMessages: { dropTextAfterDays: 3 }\nclosedTickets: { anonymiseAfterDays: 730 }\n');
    expect(loadConfig({ ...base, RETENTION_FILE: file }).retention).toMatchObject({ ignoredMessages: { dropTextAfterDays: 3 }, closedTickets: { anonymiseAfterDays: 730 } });
    writeFileSync(file, 'closedTickets: { anonymiseAfterDays: 5 }\n');
    expect(() => loadConfig({ ...base, RETENTION_FILE: file })).toThrow(/retention\.yaml: closedTickets\.anonymiseAfterDays/);
    writeFileSync(file, 'dailyAt: "99 3 * * *"\n');
    expect(() => loadConfig({ ...base, RETENTION_FILE: file })).toThrow(/dailyAt: "99 3 \* \* \*" is not a cron expression/);
    expect(() => loadConfig({ ...base, RETENTION_FILE: path.join(svc.dir, 'missing.yaml') })).toThrow(ConfigError);
  });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = path.resolve('node_modules/.bin/tsx');
  return new Promise((resolve) => {
    execFile(tsx, ['src/cli.ts', ...args], { env: { PATH: process.env.PATH, DATABASE_URL: `file:${path.join(svc.dir, 'test.db')}`, DATA_DIR: svc.dir, LOG_LEVEL: 'silent' } }, (e, stdout, stderr) =>
      resolve({ code: (e as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('on PostgreSQL', () => {
  it('erases a person and applies retention the same way', async () => {
    const { createThrowawayPgDatabase } = await import('../../src/store/pg-databases.js');
    const pg = await createThrowawayPgDatabase(process.env.TEST_DATABASE_URL!, 'servicebot_privacy');
    const one = await startTestService({ env: { DATABASE_URL: pg.url, DIGEST_CRON: 'off' } });
    try {
      await one.post('pg-erase', customer, '小寨站 3号闸机刷卡没反应 联系人王工 电话13800138000');
      await one.post('pg-erase', customer2, '谢谢 辛苦了');
      const r = await erasePerson(one.db, { channel: 'sandbox', platformId: 'c1' }, { actor: 'cli:tester' });
      expect(r.counts).toMatchObject({ people: 1, tickets: 1 });
      const t = await one.db.ticket.findFirstOrThrow();
      expect(t).toMatchObject({ phone: null, contact: null });
      expect(t.content).not.toMatch(/13800138000|王工/);
      const counts = await applyRetention(one.db, RetentionSchema.parse({}), { now: new Date(one.clock.now().getTime() + 8 * DAY) });
      expect(counts.ignoredMessages).toBe(1);
      expect(await one.db.privacyAudit.count()).toBe(2);
    } finally {
      await one.close();
      await pg.drop();
    }
  }, 60_000);
});
