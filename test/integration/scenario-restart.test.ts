/**
 * Contract: reminders are promises with deadlines. A restart in the middle of
 * a ticket loses no timer and sends none twice; a timer that came due while
 * the service was down fires on start, marked as late.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, escalations, firedCounts, names, now, reminders, settled, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, manager } = PEOPLE;
let svc: TestService | undefined;
let dir: string | undefined;
afterAll(async () => {
  await svc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a restart in the middle of a ticket', () => {
  it('loses no timer, fires what came due while down once (late), and nothing twice', async () => {
    svc = await startTestService({ env: NO_DIGEST });
    dir = svc.dir;
    let chat = new ChatView(svc, 's3');
    let managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const at = (m: number) => new Date(t0.getTime() + m * MIN).toISOString();
    const id = ticketIdIn((await chat.ask(customer, '北客站 综合监控系统 报表查询很慢 电话13800138000'))[0]);
    await advanceTo(svc, t0.getTime() + 5 * MIN);
    await managers.say(manager, `派单 #${id} @张工`);
    await advanceTo(svc, t0.getTime() + 20 * MIN);
    // Reminders are the staff's (the managers' group: no staff group for this chat), never the customer's.
    expect(reminders(await managers.news(), id, '首次响应').map((m) => m.at)).toEqual([at(15)]);
    expect(reminders(await chat.news(), id, '首次响应')).toEqual([]);

    // 1. Stop and start again on the same data: the clock and the timers are where they were.
    await svc.stop();
    svc = await startTestService({ dir, env: NO_DIGEST });
    await settled(svc);
    expect(now(svc).toISOString()).toBe(at(20));
    chat = await new ChatView(svc, 's3').skipOld();
    managers = await new ChatView(svc, 'managers').skipOld();
    await advanceTo(svc, t0.getTime() + 25 * MIN);
    let said = await managers.news();
    const r80 = reminders(said, id, '首次响应');
    expect(r80.map((m) => m.at), transcript(said)).toEqual([at(24)]);
    expect(names(r80[0])).toEqual(['张工']);
    expect(r80[0]!.text).not.toContain('延迟');

    // 2. Down from +25 to +45 min: the breach at +30 fires on start, once, marked late.
    await svc.stop();
    svc = await startTestService({ dir, start: at(45), env: NO_DIGEST });
    await settled(svc);
    managers = new ChatView(svc, 'managers');
    let m = about(await managers.all(), id);
    const breach = escalations(m, id, '首次响应已超时');
    expect(breach, transcript(m)).toHaveLength(1);
    expect(breach[0]!.text).toContain('延迟 15 分钟送达');
    expect(breach[0]!.at).toBe(at(45));
    expect(names(breach[0]).sort()).toEqual(['张工', '李经理'].sort());

    // The second step is on time after the restart, and then the engineer takes the job.
    chat = await new ChatView(svc, 's3').skipOld();
    await advanceTo(svc, t0.getTime() + 91 * MIN);
    m = about(await managers.all(), id);
    const up = escalations(m, id, '超时升级');
    expect(up.map((x) => x.at), transcript(m)).toEqual([at(90)]);
    expect(up[0]!.text).not.toContain('延迟');
    await chat.say(engineer, '接单');

    const t = await svc.ticket(id);
    expect(t.status).toBe('acknowledged');
    const fired = Object.fromEntries(t.remindersSent.map((r: { clock: string; stage: string; late: boolean }) => [`${r.clock}:${r.stage}`, r.late]));
    expect(fired).toEqual({
      'first_response:remind_50': false,
      'first_response:remind_80': false,
      'first_response:escalate_1': true,
      'first_response:escalate_2': false,
    });
    expect(Object.values(firedCounts(t)).every((n) => n === 1)).toBe(true);

    // Across all three runs, each reminder and escalation was said exactly once.
    const all = [...(await chat.all()), ...(await managers.all())];
    expect(reminders(all, id, '首次响应')).toHaveLength(2);
    expect(escalations(all, id, '首次响应')).toHaveLength(2);
  }, LONG);
});
