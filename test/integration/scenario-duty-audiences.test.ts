/**
 * Where the duties' messages go (issue 19 with issue 18's two audiences): for
 * a customer with its own staff group (line 2: staff-demo) the inspection
 * job's announcement, its reminder, the follow-up visit's, the repair steps'
 * limits and reminders and the emergency report's request go there, never to the managers' group; for
 * a customer without one (line 3) they go to the managers' group. The
 * customers' chats get only what concerns them: the planned date, the result,
 * the repair steps that concern them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMsg } from '../support/service.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, names, now, ticketIdIn, transcript } from '../support/scenario.js';

const { customer, engineer, engineer2, manager } = PEOPLE;
const H = 60 * MIN;
const bj = (s: string) => new Date(`${s}+08:00`);

const ORG = `
customers:
  - name: 西安地铁二号线运营分公司
    chats:
      - { channel: sandbox, id: demo }
    staffChats:
      - { channel: sandbox, id: staff-demo }
    inspections:
      - { name: 月度巡检-车站AFC, systems: [闸机, 售票机], every: monthly, from: 2026-01-31, checklist: [闸机通行与读卡], engineer: 李工, leadTime: { days: 7 }, remindBefore: [{ days: 1 }] }
    followUps: { every: monthly, from: 2026-01-10, owner: 客服小刘 }
  - name: 西安地铁三号线运营分公司
    chats:
      - { channel: sandbox, id: line3 }
    inspections:
      - { name: 月度巡检-三号线AFC, systems: [闸机], every: monthly, from: 2026-01-31, checklist: [闸机通行与读卡], engineer: 张工, leadTime: { days: 7 }, remindBefore: [{ days: 1 }] }
staff:
  - { name: 张工, role: engineer, ids: { sandbox: e1 } }
  - { name: 李工, role: engineer, ids: { sandbox: e2 } }
  - { name: 客服小刘, role: desk, ids: { sandbox: d1 } }
  - { name: 李经理, role: manager, ids: { sandbox: m1 } }
managersGroups:
  - { channel: sandbox, id: managers }
`;

/** Texts only the supplier's staff should read, by their openings. */
const STAFF_TEXT = /^(⏰|⚠️|📄|巡检任务|回访任务|新工单|新咨询)|已登记「|应急响应报告/;

let svc: TestService;
beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-duty-audiences-'));
  const org = path.join(dir, 'org.yaml');
  writeFileSync(org, ORG);
  svc = await startTestService({ env: { ORG_FILE: org, DIGEST_CRON: 'off' } });
});
afterAll(async () => svc?.close());

const texts = (msgs: SandboxMsg[]) => msgs.map((m) => m.text);

describe('duty messages go to the customer\'s staff group, else the managers\' group', () => {
  it('inspections: announced, reminded and overdue where each customer\'s staff read them; the customers told the date and the result', async () => {
    const demo = new ChatView(svc, 'demo');
    const line3 = new ChatView(svc, 'line3');
    const staffDemo = new ChatView(svc, 'staff-demo');
    const managers = new ChatView(svc, 'managers');
    await svc.settle();
    const jobs = await svc.db.inspectionJob.findMany({ orderBy: { id: 'asc' }, include: { customer: { select: { name: true } } } });
    const job2 = jobs.find((j) => j.customer.name === '西安地铁二号线运营分公司')!;
    const job3 = jobs.find((j) => j.customer.name === '西安地铁三号线运营分公司')!;
    expect(job2 && job3).toBeTruthy();

    // Made: line 2's job in its staff group, line 3's in the managers' group; each customer told the planned date.
    let s2 = await staffDemo.news();
    let m = await managers.news();
    expect(texts(s2), transcript(s2)).toEqual([expect.stringContaining(`巡检任务 #${job2.id}：西安地铁二号线运营分公司`)]);
    expect(names(s2[0])).toEqual(['李工']);
    expect(texts(m), transcript(m)).toEqual([expect.stringContaining(`巡检任务 #${job3.id}：西安地铁三号线运营分公司`)]);
    expect(names(m[0])).toEqual(['张工']);
    expect(texts(await demo.news())).toEqual([expect.stringContaining('【巡检通知】我们计划于 11月30日')]);
    expect(texts(await line3.news())).toEqual([expect.stringContaining('【巡检通知】我们计划于 11月30日')]);

    // Reminded the day before, each where it was announced.
    await advanceTo(svc, bj('2026-11-30T10:00:00'));
    s2 = await staffDemo.news();
    m = await managers.news();
    expect(s2.filter((x) => x.text.startsWith(`⏰ 巡检提醒：#${job2.id}`)).map((x) => x.at), transcript(s2)).toEqual([bj('2026-11-29T18:00:00').toISOString()]);
    expect(m.filter((x) => x.text.startsWith(`⏰ 巡检提醒：#${job3.id}`)).map((x) => x.at), transcript(m)).toEqual([bj('2026-11-29T18:00:00').toISOString()]);
    expect(m.some((x) => x.text.includes(`#${job2.id} `) || x.text.includes('二号线'))).toBe(false);

    // Line 2's job is recorded, typed in the customer's chat: the customer reads the result, the staff group the record.
    // Line 3's is not recorded: overdue in the managers' group.
    const said = await demo.ask(engineer2, `巡检完成 #${job2.id} 正常`);
    expect(texts(said), transcript(said)).toEqual(['【巡检结果】月度巡检-车站AFC已完成：巡检正常（1 项）。']);
    s2 = await staffDemo.news();
    expect(texts(s2), transcript(s2)).toEqual([expect.stringContaining(`巡检 #${job2.id} 已记录`)]);
    expect(names(s2[0])).toEqual(['李工']);
    await advanceTo(svc, bj('2026-12-01T10:00:00'));
    m = await managers.news();
    const overdue = m.filter((x) => x.text.startsWith(`⚠️ 巡检超期：#${job3.id}`));
    expect(overdue.map((x) => x.at), transcript(m)).toEqual([bj('2026-11-30T18:00:00').toISOString()]);
    expect(names(overdue[0]).sort()).toEqual(['张工', '李经理'].sort());
    expect((await staffDemo.news()).some((x) => x.text.includes('巡检超期'))).toBe(false);
    expect(texts(await line3.news()).filter((t) => STAFF_TEXT.test(t))).toEqual([]);
  }, LONG);

  it('repair and return: the customer told its steps, the limits and the late step told in the staff group (line 2) or the managers\' group (line 3)', async () => {
    const demo = await new ChatView(svc, 'demo').skipOld();
    const line3 = await new ChatView(svc, 'line3').skipOld();
    const staffDemo = await new ChatView(svc, 'staff-demo').skipOld();
    const managers = await new ChatView(svc, 'managers').skipOld();

    const id2 = ticketIdIn((await demo.ask(customer, '钟楼站 5号闸机读卡器坏了 电话13800138000')).find((x) => x.text.includes('已收到报修')));
    await staffDemo.say(manager, `派单 #${id2} @张工`);
    await demo.say(engineer, `接单 #${id2}`);
    const id3 = ticketIdIn((await line3.ask(customer, '北客站 2号闸机读卡器坏了 电话13800138000')).find((x) => x.text.includes('已收到报修')));
    await managers.say(manager, `派单 #${id3} @张工`);
    await line3.say(engineer, `接单 #${id3}`);
    await demo.news();
    await line3.news();
    await staffDemo.news();
    await managers.news();

    // Given in the customer's chat: the customer reads the step, the staff read the next limits.
    let said = await demo.ask(engineer, `收到故障件 #${id2} 读卡器`);
    expect(texts(said), transcript(said)).toEqual([expect.stringContaining('返修进度：收到故障件（读卡器）')]);
    let s2 = await staffDemo.news();
    expect(texts(about(s2, id2)), transcript(s2)).toEqual([expect.stringMatching(/已登记「收到故障件」；「维修周期和费用通告」请于 .* 前完成/)]);
    said = await line3.ask(engineer, `收到故障件 #${id3} 读卡器`);
    expect(texts(said), transcript(said)).toEqual([expect.stringContaining('返修进度：收到故障件（读卡器）')]);
    let m = await managers.news();
    expect(texts(about(m, id3)), transcript(m)).toEqual([expect.stringContaining('已登记「收到故障件」')]);

    // Nobody sends either part: reminded and overdue where each customer's staff read.
    const due = (await svc.db.dutyTimer.findFirstOrThrow({ where: { subject: 'repair', stage: 'sent:overdue' }, orderBy: { dueAt: 'desc' } })).dueAt;
    await advanceTo(svc, due.getTime() + H);
    s2 = await staffDemo.news();
    m = await managers.news();
    expect(about(s2, id2).filter((x) => x.text.startsWith('⚠️ 返修超时') && x.text.includes('「送修」')), transcript(s2)).toHaveLength(1);
    expect(about(s2, id2).some((x) => x.text.startsWith('⏰ 返修提醒'))).toBe(true);
    expect(about(m, id3).filter((x) => x.text.startsWith('⚠️ 返修超时') && x.text.includes('「送修」')), transcript(m)).toHaveLength(1);
    expect(about(m, id2).filter((x) => /返修/.test(x.text))).toEqual([]);
    expect(about(s2, id3)).toEqual([]);
    expect(texts(await demo.news()).filter((t) => STAFF_TEXT.test(t))).toEqual([]);
    expect(texts(await line3.news()).filter((t) => STAFF_TEXT.test(t))).toEqual([]);
  }, LONG);

  it('the emergency report is requested and acknowledged in the staff group, not in the customer\'s chat', async () => {
    const demo = await new ChatView(svc, 'demo').skipOld();
    const staffDemo = await new ChatView(svc, 'staff-demo').skipOld();
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const id = ticketIdIn((await demo.ask(customer, '控制中心 存储服务器硬盘故障告警 但暂时不影响运行 电话13800138000'))[0]);
    await staffDemo.say(manager, `派单 #${id} @张工`);
    await demo.say(engineer, `接单 #${id}`);
    await staffDemo.news();
    await managers.news();

    await advanceTo(svc, t0.getTime() + 29 * H);
    const s2 = about(await staffDemo.news(), id);
    expect(s2.filter((x) => x.text.includes('请提供应急响应报告')).map((x) => names(x)), transcript(s2)).toEqual([['张工']]);
    expect(about(await managers.news(), id).some((x) => x.text.includes('应急响应报告'))).toBe(false);

    const said = await demo.ask(engineer, `应急报告 #${id} 已启用备用硬盘恢复阵列`);
    expect(said, transcript(said)).toEqual([]);
    expect(about(await staffDemo.news(), id).filter((x) => x.text.startsWith('📄')).map((x) => x.text)).toEqual([expect.stringContaining('应急响应报告已提交（张工）')]);
    expect(texts(await demo.all()).filter((t) => STAFF_TEXT.test(t))).toEqual([]);
  }, LONG);

  it('follow-up visits: made and reminded in the staff group of their customer', async () => {
    await advanceTo(svc, bj('2026-12-10T10:00:00'));
    const staff = await new ChatView(svc, 'staff-demo').all();
    const managers = await new ChatView(svc, 'managers').all();
    const visit = await svc.db.followUpVisit.findFirstOrThrow({ where: { reason: 'scheduled' } });
    const made = staff.filter((x) => x.text.startsWith(`回访任务 #${visit.id}：西安地铁二号线运营分公司`));
    expect(made.map((x) => x.at), transcript(staff.slice(-20))).toEqual([bj('2026-12-03T18:00:00').toISOString()]);
    expect(names(made[0])).toEqual(['客服小刘']);
    expect(staff.filter((x) => x.text.startsWith(`⏰ 回访提醒：#${visit.id}`)).map((x) => x.at)).toEqual([bj('2026-12-09T18:00:00').toISOString()]);
    expect(managers.some((x) => /回访任务|回访提醒/.test(x.text))).toBe(false);
    expect(texts(await new ChatView(svc, 'demo').all()).filter((t) => STAFF_TEXT.test(t))).toEqual([]);
  }, LONG);
});
