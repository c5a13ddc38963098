/**
 * The planned-work sweep is idempotent: run again, or by three "replicas" at
 * once, it makes each inspection job and follow-up visit once, announces each
 * once and plans each one's timers once; the duty timers of a due moment fire
 * once however many ticks race. On SQLite always; on PostgreSQL when
 * TEST_DATABASE_URL names a server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepPlannedWork } from '../../src/bot/duties/sweep.js';
import { fireDutyTimers } from '../../src/bot/duties/timers.js';
import type { ManualClock } from '../../src/core/clock.js';
import { createThrowawayPgDatabase, type ThrowawayDatabase } from '../../src/store/pg-databases.js';
import { startTestService, type TestService } from '../support/service.js';

const server = process.env.TEST_DATABASE_URL;
const databases: Array<[string, boolean]> = [['SQLite', true], ['PostgreSQL', Boolean(server)]];

describe.each(databases)('the planned-work sweep on %s', (name, on) => {
  let svc: TestService;
  let pg: ThrowawayDatabase | undefined;
  beforeAll(async () => {
    if (!on) return;
    if (name === 'PostgreSQL') pg = await createThrowawayPgDatabase(server!, 'servicebot_sweep');
    svc = await startTestService({ env: { DIGEST_CRON: 'off', ORG_FILE: 'test/fixtures/config/org-plans.yaml', ...(pg ? { DATABASE_URL: pg.url } : {}) } });
  });
  afterAll(async () => {
    await svc?.close();
    await pg?.drop();
  });

  it.skipIf(!on)('three sweeps at once make, announce and plan each job and visit once; a later sweep makes nothing', async () => {
    await svc.settle();
    expect(await svc.db.inspectionJob.count()).toBe(1);
    // Jump five weeks without the service's own ticks: the December AFC job, the January quarterly job and the December visit fall due to be made.
    (svc.clock as ManualClock).set(new Date('2027-01-02T02:00:00Z'));
    const made = await Promise.all([sweepPlannedWork(svc.bot.deps), sweepPlannedWork(svc.bot.deps), sweepPlannedWork(svc.bot.deps)]);
    const jobs = await svc.db.inspectionJob.findMany({ orderBy: { id: 'asc' } });
    const visits = await svc.db.followUpVisit.findMany();
    expect(jobs.map((j) => j.dueDate)).toEqual(['2026-11-30', '2026-12-31', '2027-01-15']);
    expect(visits.map((v) => v.periodKey)).toEqual(['2026-12']);
    expect(made.reduce((a, b) => a + b, 0)).toBe(3);
    const outbox = (await svc.db.outbox.findMany()).map((o) => JSON.parse(o.action).text as string);
    for (const j of jobs) {
      expect(outbox.filter((t) => t.startsWith(`巡检任务 #${j.id}：`))).toHaveLength(1);
      expect(await svc.db.inspectionJob.count({ where: { id: j.id, announcedAt: { not: null } } })).toBe(1);
    }
    expect(outbox.filter((t) => t.startsWith('【巡检通知】'))).toHaveLength(3);
    // The quarterly job: two reminders (3 days, 1 day) and its overdue point, once each.
    const quarterly = jobs[2]!;
    const timers = await svc.db.dutyTimer.findMany({ where: { subject: 'inspection', subjectId: quarterly.id } });
    expect(timers.map((t) => t.stage).sort()).toEqual(['overdue', 'remind_1d', 'remind_3d']);

    expect(await sweepPlannedWork(svc.bot.deps)).toBe(0);
    expect(await svc.db.inspectionJob.count()).toBe(3);
  });

  it.skipIf(!on)('duty timers due at once fire once when three ticks race', async () => {
    const due = await svc.db.dutyTimer.count({ where: { state: 'pending', dueAt: { lte: svc.clock.now() } } });
    expect(due).toBeGreaterThan(0);
    const fired = await Promise.all([fireDutyTimers(svc.bot.deps), fireDutyTimers(svc.bot.deps), fireDutyTimers(svc.bot.deps)]);
    expect(fired.reduce((a, b) => a + b, 0)).toBe(due);
    expect(await svc.db.dutyTimer.count({ where: { state: 'pending', dueAt: { lte: svc.clock.now() } } })).toBe(0);
    // Late: the service was "down" when they came due.
    expect(await svc.db.dutyTimer.count({ where: { state: 'fired', late: false } })).toBe(0);
  });
});
