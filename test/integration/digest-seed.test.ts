/**
 * The digest over a seeded database (2000 tickets over 30 days, as
 * `cli seed --tickets 2000 --days 30` makes them) matches a direct count: every
 * figure is recounted here from all the rows, the slow obvious way, and compared.
 * The chart is written to test-results/digest-seeded.png for a look.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ageBucketOf, computeDigest, countNew, countOpen, digestChartData, periodContaining, renderDigestText, type Digest, type PlainTicket } from '../../src/domain/digest.js';
import type { FaultLevel, TicketKind } from '../../src/domain/contract.js';
import type { TicketStatus } from '../../src/domain/ticket.js';
import { renderDigestChart } from '../../src/report/chart.js';
import { openStore, type Store } from '../../src/cli/support.js';
import { loadDigest, loadDigestInput, OPEN_STATUSES } from '../../src/report/digest-store.js';
import { seed } from '../../src/demo/seed.js';
import { createThrowawayPgDatabase, type ThrowawayDatabase } from '../../src/store/pg-databases.js';
import { expectDigestMatches, recountDigest } from '../support/digest-recount.js';

const CONTRACT = fileURLToPath(new URL('../../config/contract.yaml', import.meta.url));

const NOW = new Date('2026-11-25T01:00:00Z'); // Wednesday 09:00 in Shanghai
const TZ = 'Asia/Shanghai';
const period = periodContaining('daily', '2026-11-24', TZ);
const pgServer = process.env.TEST_DATABASE_URL;

// SQLite (prepared-statement seeding) always; PostgreSQL (batched Prisma seeding) when TEST_DATABASE_URL is set.
for (const target of ['sqlite', ...(pgServer ? ['postgresql'] : [])] as const) {
describe(`digest over a seeded ${target} database`, () => {
let dir: string;
let pg: ThrowawayDatabase | undefined;
let store: Store;
let digest: Digest;
let all: Array<PlainTicket & { assigneeId: number | null }>;
let seedMs = 0;
let digestMs = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-digest-'));
  if (target === 'postgresql') pg = await createThrowawayPgDatabase(pgServer!, 'servicebot_digest');
  const url = pg ? pg.url : `file:${path.join(dir, 'seed.db')}`;
  store = await openStore({ PATH: process.env.PATH, DATABASE_URL: url, DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const r = await seed(store.db, store.contracts.default, { tickets: 2000, days: 30, now: NOW, seed: 7, ...(pg ? {} : { sqliteFile: path.join(dir, 'seed.db') }) });
  seedMs = r.ms;
  const t = performance.now();
  digest = await loadDigest(store.db, store.contracts, period, NOW);
  digestMs = performance.now() - t;
  const rows = await store.db.ticket.findMany({ include: { assignee: true, customer: true } });
  all = rows.map((t) => ({
    id: t.id,
    number: t.number,
    kind: t.kind as TicketKind,
    status: t.status as TicketStatus,
    level: t.level as FaultLevel | null,
    hardware: t.hardware,
    assignee: t.assignee?.name ?? null,
    assigneeId: t.assigneeId,
    customer: t.customer?.name ?? null,
    contract: t.customer?.contract ?? null,
    reportedAt: t.reportedAt,
    steps: {
      reportedAt: t.reportedAt,
      levelKnownAt: t.levelKnownAt,
      acceptedAt: t.acceptedAt,
      assignedAt: t.assignedAt,
      acknowledgedAt: t.acknowledgedAt,
      onSiteAt: t.onSiteAt,
      spareRequestedAt: t.spareRequestedAt,
      detectionReportAt: t.detectionReportAt,
      resolvedAt: t.resolvedAt,
      confirmedAt: t.confirmedAt,
      ratedAt: t.ratedAt,
      closedAt: t.closedAt,
    },
  }));
}, 120_000);

afterAll(async () => {
  await store?.close();
  await pg?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});


  it('seeds 2000 realistic, varied tickets and computes the digest', () => {
    console.log(`${target}: seed 2000 tickets in ${seedMs} ms; digest in ${digestMs.toFixed(0)} ms`);
    expect(all).toHaveLength(2000);
    // How long they take is measured by the benchmark (npm run bench: the digest over 1M tickets), not asserted
    // here: on a shared machine a timed assertion fails for the load, not for the code.
    // The data is varied: every kind, level and most statuses, breaches, dissatisfied ratings, complaints.
    expect(new Set(all.map((t) => t.kind)).size).toBe(3);
    expect(new Set(all.filter((t) => t.level).map((t) => t.level)).size).toBe(4);
    expect(new Set(all.map((t) => t.status)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(all.map((t) => t.assignee).filter(Boolean)).size).toBeGreaterThanOrEqual(6);
  });

  it('counts new tickets by kind and level like a direct count', async () => {
    const reported = all.filter((t) => inPeriod(t.reportedAt));
    expect(digest.newTickets.total).toBe(reported.length);
    expect(digest.newTickets.total).toBe(await store.db.ticket.count({ where: { reportedAt: { gte: period.start, lt: period.end } } }));
    expect(digest.newTickets.total).toBeGreaterThan(20);
    for (const k of digest.newTickets.byKind) expect(k.count, k.kind).toBe(reported.filter((t) => t.kind === k.kind).length);
    for (const l of digest.newTickets.byLevel) expect(l.count, l.label).toBe(reported.filter((t) => t.kind === 'fault' && t.level === l.level).length);
  });

  it('counts open tickets by status and age like a direct count', async () => {
    const open = all.filter((t) => (OPEN_STATUSES as readonly string[]).includes(t.status) && t.reportedAt < NOW);
    expect(digest.open.total).toBe(open.length);
    expect(digest.open.total).toBeGreaterThan(0);
    for (const s of digest.open.byStatus) expect(s.count, s.status).toBe(open.filter((t) => t.status === s.status).length);
    expect(digest.open.byStatus.reduce((a, s) => a + s.count, 0)).toBe(open.length);
    for (const a of digest.open.byAge) expect(a.count, a.bucket).toBe(open.filter((t) => ageBucketOf(t.reportedAt, NOW) === a.bucket).length);
  });

  it('agrees, figure by figure, with an independent recount of the tables, in the text and the chart too', async () => {
    const entry = store.contracts.default;
    const r = await recountDigest(store.db, { contractFile: CONTRACT, calendar: entry.calendar, start: period.start, end: period.end, asOf: NOW, tz: TZ });
    expect(r.breaches.size).toBeGreaterThan(0);
    // Both kinds of breach are in the SQLite seed's day (the PostgreSQL seed draws other tickets).
    if (target === 'sqlite') expect(Object.values(r.sla).some((c) => c.late > 0) && Object.values(r.sla).some((c) => c.overdue > 0)).toBe(true);
    expectDigestMatches(expect as never, digest, r, renderDigestText(digest, { maxItems: 5000 }), digestChartData(digest));
  });

  it('lists what falls due today from the pending timers', async () => {
    const dayEnd = DateTime.fromJSDate(NOW, { zone: TZ }).endOf('day').toJSDate();
    const timers = await store.db.timer.findMany({ where: { state: 'pending', deadlineAt: { gte: NOW, lte: dayEnd } }, include: { ticket: true } });
    const clocks = Object.keys(store.contracts.default.contract.clocks);
    const expected = new Set(timers.filter((t) => clocks.includes(t.clock) && (OPEN_STATUSES as readonly string[]).includes(t.ticket.status)).map((t) => `${t.ticket.number}|${t.clock}`));
    expect(new Set(digest.dueToday.map((d) => `${d.number}|${d.clock}`))).toEqual(expected);
  });

  it('counts satisfaction, lists every dissatisfied rating, and every open complaint', async () => {
    const ratings = await store.db.rating.findMany({ where: { at: { gte: period.start, lt: period.end } }, include: { ticket: true } });
    expect(digest.satisfaction.count).toBe(ratings.length);
    const avg = ratings.reduce((a, r) => a + r.score, 0) / ratings.length;
    expect(digest.satisfaction.average).toBeCloseTo(avg, 2);
    const low = ratings.filter((r) => r.score <= 2).map((r) => r.ticket.number).sort();
    expect(digest.satisfaction.dissatisfied.map((r) => r.number).sort()).toEqual(low);
    const allRatings = await store.db.rating.count({ where: { score: { lte: 2 } } });
    expect(allRatings).toBeGreaterThan(0);
    const complaints = all.filter((t) => t.kind === 'complaint' && (OPEN_STATUSES as readonly string[]).includes(t.status));
    expect(digest.complaints.map((c) => c.number).sort()).toEqual(complaints.map((c) => c.number).sort());
    for (const c of digest.complaints) expect(c.dueAt).not.toBeNull();
  });

  it("counts each engineer's load", async () => {
    const inHand = all.filter((t) => t.assignee && ['acknowledged', 'on_site', 'replacing', 'reopened'].includes(t.status));
    expect(digest.engineers.reduce((a, e) => a + e.inHand, 0)).toBe(inHand.length);
    for (const e of digest.engineers) expect(e.inHand, e.name).toBe(inHand.filter((t) => t.assignee === e.name).length);
    const resolves = await store.db.ticketEvent.findMany({ where: { action: 'resolve', at: { gte: period.start, lt: period.end } } });
    const engineers = new Set((await store.db.person.findMany({ where: { role: 'engineer' } })).map((p) => p.id));
    const pairs = new Set(resolves.filter((r) => r.actorId !== null && engineers.has(r.actorId)).map((r) => `${r.actorId}|${r.ticketId}`));
    expect(digest.engineers.reduce((a, e) => a + e.resolved, 0)).toBe(pairs.size);
  });

  it('gives the same figures from plain rows counted in memory as from the SQL counts', async () => {
    const input = await loadDigestInput(store.db, store.contracts, period, NOW);
    const fromRows = computeDigest({ ...input, newCounts: countNew(all, period), ...countOpen(all, NOW) });
    expect(fromRows.newTickets).toEqual(digest.newTickets);
    expect(fromRows.open).toEqual(digest.open);
  });

  it('draws the chart with its Chinese labels', async () => {
    const png = await renderDigestChart(digestChartData(digest));
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    mkdirSync('test-results', { recursive: true });
    writeFileSync(`test-results/digest-seeded-${target}.png`, png);
  }, 120_000);
});
}

function inPeriod(d: Date | null | undefined): boolean {
  return !!d && d >= period.start && d < period.end;
}
