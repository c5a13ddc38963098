/**
 * Contract: a breach goes to the managers' group at once (the department
 * manager, and the assignee when there is one), and 60 minutes later up to
 * the vice-president; the manager who does not assign in time is passed over
 * to the vice-president (assignment is top-down).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, deadline, escalations, firedCounts, names, now, reminders, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, manager } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

describe('escalation on breach', () => {
  it('nobody acts: the manager at the breach, the vice-president 60 minutes later; the missed assignment goes to the vice-president', async () => {
    const chat = new ChatView(svc, 's2-nobody');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const at = (m: number) => new Date(t0.getTime() + m * MIN).toISOString();
    const said = await chat.ask(customer, '票务系统全线都进不去了 电话13800138000');
    const id = ticketIdIn(said[0]);
    expect((await svc.ticket(id)).level).toBe(1);

    // Just before the breach: reminders only, among the staff (this chat has no staff group of
    // its own: the managers' group), one per moment naming both clocks; nothing in the customer's chat.
    await advanceTo(svc, t0.getTime() + 29 * MIN);
    const before = about(await managers.news(), id);
    expect(before.filter((x) => !x.text.startsWith('⏰') && !x.text.includes('派单')), transcript(before)).toHaveLength(0);
    expect(reminders(before, id, '首次响应')).toHaveLength(2);
    expect(reminders(before, id, '首次响应').every((x) => x.text.includes('派单时限'))).toBe(true);
    expect(reminders(await chat.news(), id, '首次响应')).toHaveLength(0);

    // The breach (30 min): first response → the manager (nobody assigned yet); assignment → the vice-president.
    await advanceTo(svc, t0.getTime() + 30 * MIN);
    let m = await managers.news();
    const fr = escalations(m, id, '首次响应已超时');
    expect(fr, transcript(m)).toHaveLength(1);
    expect(fr[0]!.at).toBe(at(30));
    expect(names(fr[0])).toEqual(['李经理']);
    expect(fr[0]!.text).toContain('处理人：未派单');
    const as = escalations(m, id, '派单已超时');
    expect(as).toHaveLength(1);
    expect(names(as[0])).toEqual(['王总']);
    expect(about(m, id)).toHaveLength(2);

    // 60 minutes later: the vice-president.
    await advanceTo(svc, t0.getTime() + 89 * MIN);
    expect(about(await managers.news(), id)).toHaveLength(0);
    await advanceTo(svc, t0.getTime() + 90 * MIN);
    m = await managers.news();
    const up = escalations(m, id, '超时升级（第 2 级）');
    expect(up, transcript(m)).toHaveLength(1);
    expect(up[0]!.text).toContain('首次响应已超时 1 小时');
    expect(names(up[0])).toEqual(['王总']);

    const t = await svc.ticket(id);
    expect(t.status).toBe('accepted');
    expect(deadline(t, 'first_response').met).toBe(false);
    expect(deadline(t, 'assignment').met).toBe(false);
    expect(t.events.filter((e: { action: string }) => e.action === 'escalation')).toHaveLength(3);

    // Much later: the on-site breach goes the same way, and nothing is sent twice.
    await advanceTo(svc, t0.getTime() + (24 * 60 + 61) * MIN);
    m = await managers.news();
    expect(escalations(m, id, '到场已超时').map((x) => names(x)), transcript(m)).toEqual([['李经理'], ['王总']]);
    const all = await managers.svc.messages('managers');
    expect(about(all, id).filter((x) => x.text.includes('首次响应已超时'))).toHaveLength(2);
    expect(Object.values(firedCounts(await svc.ticket(id))).every((n) => n === 1)).toBe(true);
  }, LONG);

  it('assigned but not taken: the breach mentions the manager and the assignee, then the vice-president', async () => {
    const chat = new ChatView(svc, 's2-assigned');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const said = await chat.ask(customer, '北客站 综合监控系统 报表查询很慢 电话13800138000');
    const id = ticketIdIn(said[0]);
    await advanceTo(svc, t0.getTime() + 5 * MIN);
    await managers.say(manager, `派单 #${id} @张工`);
    await managers.news();

    await advanceTo(svc, t0.getTime() + 30 * MIN);
    let m = await managers.news();
    const fr = escalations(m, id, '首次响应已超时');
    expect(fr, transcript(m)).toHaveLength(1);
    expect(names(fr[0]).sort()).toEqual(['张工', '李经理'].sort());
    expect(fr[0]!.text).toContain('处理人：张工');
    // The manager did assign in time: no assignment breach.
    expect(escalations(m, id, '派单已超时')).toHaveLength(0);

    await advanceTo(svc, t0.getTime() + 90 * MIN);
    m = await managers.news();
    expect(escalations(m, id, '超时升级').map((x) => names(x))).toEqual([['王总']]);
    const t = await svc.ticket(id);
    expect(deadline(t, 'assignment').met).toBe(true);
    expect(deadline(t, 'first_response').met).toBe(false);
  });
});
