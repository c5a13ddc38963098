/**
 * Issue 3 in the sandbox: a report whose level is unclear gets the level
 * question and a free-text answer settles it (the clock runs from the first
 * message); thanks make nothing; a report split over two messages makes one
 * ticket; a second report of the same open fault is linked to it; an
 * unanswered question times out with a provisional level and the desk told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, MIN, about, advanceTo, deadline, names, now, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, customer2 } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

describe('intake in the sandbox', () => {
  it('"票务系统有问题 快来看看" gets the level question; "全线都进不去" makes it level 1 with its deadlines from the first message', async () => {
    const chat = new ChatView(svc, 's10-level');
    const t0 = now(svc);
    let said = await chat.ask(customer, '票务系统有问题 快来看看');
    const id = ticketIdIn(said[0]);
    const q = said.find((m) => m.text.includes('请问影响范围'));
    expect(q, transcript(said)).toBeDefined();
    expect(q!.text).toContain('1 整个系统/车站业务中断');
    expect(q!.text).toContain('请回复数字，或直接描述情况');
    expect(names(q)).toEqual(['王工']);
    let t = await svc.ticket(id);
    expect(t.status).toBe('reported');
    expect(t.level).toBeNull();
    // While the level is unknown the strictest limit holds, provisionally.
    expect(deadline(t, 'first_response')).toMatchObject({ dueAt: new Date(t0.getTime() + 30 * MIN).toISOString(), provisional: true });

    await svc.advance(3);
    said = await chat.ask(customer, '全线都进不去');
    expect(said.some((m) => m.text.includes('已受理') && m.text.includes('一级故障')), transcript(said)).toBe(true);
    t = await svc.ticket(id);
    expect(t).toMatchObject({ level: 1, levelProvisional: false, status: 'accepted' });
    expect(t.levelEvidence.length).toBeGreaterThan(0);
    expect(deadline(t, 'first_response').dueAt).toBe(new Date(t0.getTime() + 30 * MIN).toISOString());
    expect(deadline(t, 'on_site').dueAt).toBe(new Date(t0.getTime() + 24 * 60 * MIN).toISOString());
    const levelEvent = t.events.find((e: { action: string }) => e.action === 'set_level');
    expect(levelEvent.detail.answer).toBe('全线都进不去');
  });

  it('"谢谢 辛苦了" makes nothing', async () => {
    const chat = new ChatView(svc, 's10-thanks');
    const before = (await svc.db.ticket.count()) as number;
    const r = await chat.say(customer, '谢谢 辛苦了');
    expect(r.status).toBe('ignored');
    expect(await chat.news()).toHaveLength(0);
    expect(await svc.db.ticket.count()).toBe(before);
  });

  it('"小寨站" then "3号闸机坏了" make one ticket, reported at the first message; a second report of it is linked', async () => {
    const chat = new ChatView(svc, 's10-split');
    const first = now(svc);
    const before = (await svc.db.ticket.count()) as number;
    expect((await chat.say(customer, '小寨站')).status).toBe('ignored');
    expect(await chat.news()).toHaveLength(0);
    await svc.advance(1);
    const said = await chat.ask(customer, '3号闸机坏了');
    expect(await svc.db.ticket.count()).toBe(before + 1);
    const id = ticketIdIn(said[0]);
    const t = await svc.ticket(id);
    expect(t).toMatchObject({ site: '小寨站', device: '闸机', level: 3 });
    expect(t.steps.reportedAt).toBe(first.toISOString());
    expect(t.content).toBe('小寨站\n3号闸机坏了');

    // Someone else reports the same fault: linked, no new ticket.
    await svc.advance(5);
    const dup = await chat.ask(customer2, '小寨站3号闸机还是坏的，刷不了卡');
    expect(dup, transcript(dup)).toHaveLength(1);
    expect(dup[0]!.text).toContain(`该故障已有工单 #${id}`);
    expect(names(dup[0])).toEqual(['刘师傅']);
    expect(await svc.db.ticket.count()).toBe(before + 1);
    const linked = (await svc.ticket(id)).events.filter((e: { action: string }) => e.action === 'duplicate_report');
    expect(linked).toHaveLength(1);
    expect(linked[0].detail.reporter).toBe('刘师傅');
  });

  it('a new report starting with a number ("2 号TVM…") is a report, not the rating a closed-out ticket waits for', async () => {
    const chat = new ChatView(svc, 's10-rating');
    const id = ticketIdIn((await chat.ask(customer, '钟楼站 4号闸机刷卡没反应 电话13800138000'))[0]);
    await svc.post('managers', PEOPLE.manager, `派单 #${id} @张工`);
    await chat.say(PEOPLE.engineer, `接单 #${id}`);
    await chat.say(PEOPLE.engineer, `已修复 #${id} 更换读卡器`);
    await chat.ask(customer, '确认修复');
    const said = await chat.ask(customer, '2 号TVM不出票 电话13800138000');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    expect((await svc.ticket(id)).status).toBe('confirmed');
    expect((await chat.ask(customer, '5分')).some((m) => m.text.includes('感谢您的评价（5 分）'))).toBe(true);
  });

  it('an unanswered level question times out: a provisional level, the desk told, the ticket accepted', async () => {
    const chat = new ChatView(svc, 's10-timeout');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const id = ticketIdIn((await chat.ask(customer, '北客站 票务系统有问题 快来看看 电话13800138000'))[0]);
    await advanceTo(svc, t0.getTime() + 15 * MIN);
    const desk = about(await managers.news(), id);
    expect(desk.some((m) => m.text.includes('暂定') && names(m).includes('客服小刘')), transcript(desk)).toBe(true);
    const said = await chat.news();
    expect(said.some((m) => m.text.includes('已受理'))).toBe(true);
    const t = await svc.ticket(id);
    expect(t).toMatchObject({ status: 'accepted', levelProvisional: true, level: 3 });
    // The clock still runs from the report, not from the timeout.
    expect(deadline(t, 'first_response').dueAt).toBe(new Date(t0.getTime() + 30 * MIN).toISOString());
  });
});
