/**
 * A quarter of planned work for one customer (test/fixtures/config/org-plans.yaml
 * under config/contract.yaml's inspections and followUps terms), through the
 * sandbox with the manual clock: jobs made ahead of their due date and
 * announced to the customer, assigned by the plan or the rota, reminded,
 * overdue told to the manager, results recorded by command, problems found
 * opening linked fault tickets; monthly follow-up visits reminded and
 * recorded; a visit after a closed level-1 fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, advanceTo, names, ticketIdIn, transcript } from '../support/scenario.js';

const { customer, engineer, engineer2, desk, manager } = PEOPLE;
/** Beijing time as UTC. */
const bj = (s: string) => new Date(`${s}+08:00`);

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { DIGEST_CRON: 'off', ORG_FILE: 'test/fixtures/config/org-plans.yaml' } });
});
afterAll(async () => svc?.close());

describe('a quarter of inspections and follow-up visits', () => {
  it('plans → jobs → reminders → results → a problem becomes a ticket', async () => {
    const demo = new ChatView(svc, 'demo');
    const managers = new ChatView(svc, 'managers');
    await svc.settle();

    // 11-24: the monthly AFC inspection due 11-30 is within its 7-day lead: made, announced, given to the plan's engineer.
    let said = await demo.news();
    expect(said.map((m) => m.text), transcript(said)).toEqual([expect.stringContaining('【巡检通知】我们计划于 11月30日 对贵单位的闸机、售票机进行定期巡检')]);
    let staff = await managers.news();
    expect(staff, transcript(staff)).toHaveLength(1);
    expect(staff[0]!.text).toContain('巡检任务 #1');
    expect(names(staff[0])).toEqual(['李工']);
    // Past due dates of the plans (before the service ran) are not made.
    expect(await svc.db.inspectionJob.count()).toBe(1);

    // Reminded one day before the due time (the plan's remindBefore), in the managers' group.
    await advanceTo(svc, bj('2026-11-30T10:00:00'));
    staff = await managers.news();
    const reminder = staff.filter((m) => m.text.startsWith('⏰ 巡检提醒：#1'));
    expect(reminder.map((m) => m.at), transcript(staff)).toEqual([bj('2026-11-29T18:00:00').toISOString()]);
    expect(names(reminder[0])).toEqual(['李工']);

    // Another engineer may not record it; the job's engineer does; the customer is told the result.
    said = await managers.ask(engineer, '巡检完成 #1 正常');
    expect(said[0]!.text).toContain('由李工负责');
    said = await managers.ask(engineer2, '巡检完成 #1 一切正常');
    expect(said[0]!.text).toContain('巡检 #1 已记录：巡检正常（2 项）');
    said = await demo.news();
    expect(said.map((m) => m.text)).toEqual(['【巡检结果】月度巡检-车站AFC已完成：巡检正常（2 项）。']);
    said = await managers.ask(engineer2, '巡检完成 #1 正常');
    expect(said[0]!.text).toContain('已记录结果');

    // 12-03: the monthly visit due 12-10 is made and given to its owner; reminded the day before; recorded.
    await advanceTo(svc, bj('2026-12-10T09:00:00'));
    staff = await managers.news();
    const visitMade = staff.find((m) => m.text.startsWith('回访任务 #1'));
    expect(visitMade?.at, transcript(staff)).toBe(bj('2026-12-03T18:00:00').toISOString());
    expect(names(visitMade)).toEqual(['客服小刘']);
    expect(staff.filter((m) => m.text.startsWith('⏰ 回访提醒：#1')).map((m) => m.at)).toEqual([bj('2026-12-09T18:00:00').toISOString()]);
    said = await managers.ask(desk, '回访 #1 客户对服务满意。');
    expect(said[0]!.text).toContain('回访 #1 已记录');
    const visit = await svc.db.followUpVisit.findFirstOrThrow({ where: { id: 1 } });
    expect(visit).toMatchObject({ status: 'done', visitorName: '客服小刘', notes: '客户对服务满意。' });

    // The December AFC job nobody records: overdue at its due time, the engineer and the manager told.
    await advanceTo(svc, bj('2027-01-02T09:00:00'));
    staff = await managers.news();
    const overdue = staff.filter((m) => m.text.startsWith('⚠️ 巡检超期：#2'));
    expect(overdue.map((m) => m.at), transcript(staff)).toEqual([bj('2026-12-31T18:00:00').toISOString()]);
    expect(names(overdue[0]).sort()).toEqual(['李工', '李经理'].sort());
    // No overdue for the visit that was recorded, nor for the job that was done.
    expect(staff.some((m) => m.text.includes('回访超期：#1') || m.text.includes('巡检超期：#1'))).toBe(false);

    // 2027-01-01: the quarterly job due Friday 01-15 (14 days ahead), given to Friday's engineer on the rota.
    const quarterly = await svc.db.inspectionJob.findFirstOrThrow({ where: { plan: '季度巡检-中心机房' } });
    expect(quarterly).toMatchObject({ dueDate: '2027-01-15', assigneeName: '张工', assignedBy: 'rota', status: 'assigned' });
    const made = staff.find((m) => m.text.startsWith(`巡检任务 #${quarterly.id}`));
    expect(made?.at).toBe(bj('2027-01-01T18:00:00').toISOString());
    expect(made?.text).toContain('按值班表');
    said = await demo.news();
    expect(said.some((m) => m.text.includes('【巡检通知】我们计划于 1月15日 对贵单位的服务器、交换机、存储、UPS'))).toBe(true);

    // Reminded 3 days and 1 day before; the engineer finds two problems: two level-4 faults linked to the findings.
    await advanceTo(svc, bj('2027-01-15T10:00:00'));
    staff = await managers.news();
    expect(staff.filter((m) => m.text.startsWith(`⏰ 巡检提醒：#${quarterly.id}`)).map((m) => m.at), transcript(staff)).toEqual([
      bj('2027-01-12T18:00:00').toISOString(),
      bj('2027-01-14T18:00:00').toISOString(),
    ]);
    await demo.news();
    said = await managers.ask(engineer, `巡检完成 #${quarterly.id} 发现问题 1. 交换机风扇告警 2. 存储阵列磁盘状态异常`);
    // (The new faults' dispatch requests come to this group too.)
    expect(said.find((m) => m.text.startsWith(`巡检 #${quarterly.id} 已记录`))?.text, transcript(said)).toContain(`巡检 #${quarterly.id} 已记录：发现 2 个问题`);
    const findings = await svc.db.inspectionFinding.findMany({ orderBy: { seq: 'asc' } });
    expect(findings.map((f) => [f.text, f.device])).toEqual([
      ['交换机风扇告警', '交换机'],
      ['存储阵列磁盘状态异常', '存储'],
    ]);
    for (const f of findings) {
      expect(f.ticketId).not.toBeNull();
      const t = await svc.ticket(f.ticketId!);
      expect(t).toMatchObject({ kind: 'fault', level: 4, device: f.device, status: 'accepted' });
    }
    said = await demo.news();
    const result = said.find((m) => m.text.startsWith('【巡检结果】季度巡检-中心机房'));
    expect(result?.text, transcript(said)).toContain(`#${findings[0]!.ticketId}`);
    // The new faults are announced in the customer's chat as any other (accepted, the manager asked to assign).
    expect(said.filter((m) => m.text.includes('已受理'))).toHaveLength(2);
    // Done: its timers are gone, no overdue later.
    expect(await svc.db.dutyTimer.count({ where: { subject: 'inspection', subjectId: quarterly.id, state: 'pending' } })).toBe(0);
  }, LONG);

  it('a closed level-1 fault calls for a follow-up visit by the desk, recorded; a request in the notes becomes a ticket', async () => {
    const chat = new ChatView(svc, 'demo');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const id = ticketIdIn((await chat.ask(customer, '全线所有车站闸机都不能刷卡了 电话13800138000')).find((m) => m.text.includes('已收到报修')));
    expect((await svc.ticket(id)).level).toBe(1);
    await managers.say(manager, `派单 #${id} @张工`);
    await chat.say(engineer, `接单 #${id}`);
    await chat.say(engineer, `到场 #${id}`);
    await chat.say(engineer, `已修复 #${id} 重启服务器`);
    await chat.say(customer, '确认修复');
    await chat.say(customer, '满意');
    expect((await svc.ticket(id)).status).toBe('closed');
    const visit = await svc.db.followUpVisit.findFirstOrThrow({ where: { ticketId: id } });
    expect(visit).toMatchObject({ reason: 'after_fault', status: 'assigned', assigneeName: '客服小刘' });
    const told = (await managers.news()).filter((m) => m.text.startsWith(`回访任务 #${visit.id}`));
    expect(told[0]?.text).toContain('故障回访');
    // Closing twice (a retried event) makes no second visit.
    expect(await svc.db.followUpVisit.count({ where: { ticketId: id } })).toBe(1);

    const said = await managers.ask(desk, `回访 #${visit.id} 客户认可处理结果；钟楼站 5号闸机偶尔不能刷卡`);
    expect(said.find((m) => m.text.startsWith(`回访 #${visit.id}`))?.text, transcript(said)).toMatch(new RegExp(`回访 #${visit.id} 已记录；客户提出的问题已登记 #\\d+`));
    const row = await svc.db.followUpVisit.findUniqueOrThrow({ where: { id: visit.id } });
    const raised = JSON.parse(row.ticketIds) as number[];
    expect(raised).toHaveLength(1);
    expect((await svc.ticket(raised[0]!)).device).toBe('闸机');
  }, LONG);

  it('the dashboard lists the inspections and the visits, with their records and tickets', async () => {
    const get = async (p: string) => {
      const r = await fetch(svc.url + p);
      expect(r.status).toBe(200);
      return r.text();
    };
    const jobs = await get('/dashboard/inspections?from=2026-11-01&to=2027-01-31');
    expect(jobs).toContain('季度巡检-中心机房');
    expect(jobs).toContain('发现 2 个问题：交换机风扇告警；存储阵列磁盘状态异常（张工）');
    expect(jobs).toContain('<td data-label="状态" class="bad">逾期</td>');
    const finding = await svc.db.inspectionFinding.findFirstOrThrow({ where: { seq: 1 } });
    expect(jobs).toContain(`/dashboard/tickets/${(await svc.ticket(finding.ticketId!)).number}`);
    const visits = await get('/dashboard/visits?from=2026-11-01&to=2027-02-28');
    expect(visits).toContain('客户对服务满意。（客服小刘）');
    expect(visits).toContain('故障回访');
    expect(await get('/dashboard/inspections?from=2020-01-01&to=2020-01-31')).toContain('这段时间没有巡检任务');
    const bad = await fetch(svc.url + '/dashboard/visits?from=2027-02-01&to=2027-01-01');
    expect(bad.status).toBe(400);
    // The ticket a finding opened shows where it came from.
    expect(await get(`/dashboard/tickets/${finding.ticketId}`)).toContain('来自巡检');
  });

  it('exports the inspection records (巡检记录) with their checklist results and the tickets of their problems', async () => {
    const r = await fetch(svc.url + '/api/exports/inspections?from=2026-11-01&to=2027-01-31&format=csv');
    expect(r.status).toBe(200);
    const csv = (await r.text()).replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('巡检编号,客户单位,巡检计划,巡检系统,应完成时间,巡检人,巡检时间,结论,检查项目及结果,发现问题及工单,备注,状态');
    const finding = await svc.db.inspectionFinding.findFirstOrThrow({ where: { seq: 1 } });
    const number = (await svc.ticket(finding.ticketId!)).number;
    expect(csv).toContain(`1. 交换机风扇告警（工单 ${number}）`);
    expect(csv).toContain('交换机端口与风扇：异常（交换机风扇告警）');
    expect(csv).toContain('服务器硬件告警灯：正常');
    expect(csv).toMatch(/2026-11-30 18:00,李工,2026-11-30 10:00,正常/);
  });
});
