/**
 * Contract: a hardware fault not solved within 28 hours gets a replacement
 * part of the same or higher specification (new and unused unless the customer
 * agreed); a confirmed faulty part gets a detection report with the repair
 * cost within 8 hours; a failed disk stays with the customer (rule 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, deadline, escalations, names, now, reminders, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, manager } = PEOPLE;
const H = 60 * MIN;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

describe('a hardware fault', () => {
  it('28 h without a fix: the spare-replacement prompt; 申请备件 starts the 8 h detection-report clock; a disk asks for 介质已留存', async () => {
    const chat = new ChatView(svc, 's8');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const at = (ms: number) => new Date(t0.getTime() + ms).toISOString();
    const id = ticketIdIn((await chat.ask(customer, '控制中心 存储服务器硬盘故障告警 但暂时不影响运行 电话13800138000'))[0]);
    let t = await svc.ticket(id);
    expect(t).toMatchObject({ level: 4, hardware: true, device: '服务器' });
    expect(deadline(t, 'resolve_or_replace').dueAt).toBe(at(28 * H));
    await svc.post('managers', manager, `派单 #${id} @张工`);
    await chat.say(engineer, '接单');
    await advanceTo(svc, t0.getTime() + 20 * H);
    await chat.say(engineer, '到场 机房内告警灯亮，阵列降级');

    // The 28-hour clock: reminders at 14 h and 22.4 h, then at 28 h the breach and the replacement prompt.
    // All of it among the staff (the managers' group: this chat has no staff group), none in the customer's chat.
    await advanceTo(svc, t0.getTime() + 28 * H + 5 * MIN);
    const customerSaw = await chat.news();
    expect(customerSaw.filter((m) => /^(⏰|⚠️)|请更换/.test(m.text)), transcript(customerSaw)).toEqual([]);
    let said = await managers.news();
    expect(reminders(said, id, '修复或更换备件').map((m) => m.at), transcript(said)).toEqual([at(14 * H), at(22.4 * H)]);
    const prompt = said.filter((m) => m.text.includes('请更换同档次或更高档次的备件/备机'));
    expect(prompt, transcript(said)).toHaveLength(1);
    expect(prompt[0]!.at).toBe(at(28 * H));
    expect(names(prompt[0])).toEqual(['张工']);
    const breach = escalations(said, id, '修复或更换备件已超时');
    expect(breach).toHaveLength(1);
    expect(names(breach[0]).sort()).toEqual(['张工', '李经理'].sort());

    // The spare: the 8-hour detection-report clock starts.
    const spareAt = now(svc);
    said = await chat.ask(engineer, '申请备件 硬盘 600G SAS');
    expect(said[0]!.text).toContain('已登记备件申请：硬盘 600G SAS');
    expect(said[0]!.text).toContain('全新未使用件');
    expect(said[0]!.text).toMatch(/请于 \d+月\d+日 \d\d:\d\d 前提交故障检测报告/);
    t = await svc.ticket(id);
    expect(t.status).toBe('replacing');
    expect(deadline(t, 'detection_report').dueAt).toBe(new Date(spareAt.getTime() + 8 * H).toISOString());

    await advanceTo(svc, spareAt.getTime() + 5 * H);
    expect(await chat.news()).toEqual([]);
    said = await managers.news();
    const dr = reminders(said, id, '故障检测报告');
    expect(dr.map((m) => m.at), transcript(said)).toEqual([new Date(spareAt.getTime() + 4 * H).toISOString()]);
    expect(names(dr[0])).toEqual(['张工']);
    said = await chat.ask(engineer, '检测报告 硬盘坏道，维修费用 1200元');
    expect(said[0]!.text).toBe(`#${id}（${t.number}）故障检测报告已提交：硬盘坏道；维修费用 1200元。`);
    expect(names(said[0])).toEqual(['王工']);

    // The replacement: a disk stays with the customer.
    said = await chat.ask(engineer, '已更换 硬盘');
    expect(said[0]!.text).toContain('全新未使用件');
    expect(said[0]!.text).toContain('磁介质须留存客户处');
    expect(said[0]!.text).toContain(`介质已留存 #${id}`);
    expect(names(said[0])).toEqual(['张工']);
    said = await chat.ask(engineer, `已修复 #${id} 更换硬盘 阵列重建完成`);
    expect(said.map((m) => m.text.split('\n')[0]), transcript(said)).toEqual([`【请确认修复 #${id}（${t.number}）】`]);
    expect((await managers.news()).map((m) => m.text)).toContain(`请确认更换下的硬盘已留存客户处，回复「介质已留存 #${id}」。`);
    said = await chat.ask(engineer, `介质已留存 #${id}`);
    expect(said[0]!.text).toContain('损坏介质留存客户处');

    await svc.advance(10);
    await chat.ask(customer, '确认修复');
    said = await chat.ask(customer, '4分');
    expect(said.some((m) => m.text.includes('已关闭'))).toBe(true);

    t = await svc.ticket(id);
    expect(t.status).toBe('closed');
    expect(t.serviceRecord).toMatchObject({
      arrivalState: '机房内告警灯亮，阵列降级',
      sparePart: '硬盘',
      spareNew: true,
      mediumRetained: true,
      detectionReport: '硬盘坏道',
      repairCost: '1200元',
      confirmation: 'confirmed',
      satisfaction: 4,
    });
    expect(deadline(t, 'resolve_or_replace').met).toBe(false);
    expect(deadline(t, 'detection_report').met).toBe(true);
    expect(deadline(t, 'on_site').met).toBe(true);
    const actions = t.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['request_spare', 'detection_report', 'part_replaced', 'medium_retained']));
    expect(about(await managers.all(), id).filter((m) => m.text.includes('请更换同档次'))).toHaveLength(1);
    expect(about(await chat.all(), id).filter((m) => m.text.includes('请更换同档次'))).toHaveLength(0);
  }, LONG);

  it('a used part is recorded as such, with the customer\'s agreement', async () => {
    const chat = new ChatView(svc, 's8-used');
    const id = ticketIdIn((await chat.ask(customer, '钟楼站 交换机 端口灯不亮 电话13800138000'))[0]);
    await chat.say(customer, '3');
    await svc.post('managers', manager, `派单 #${id} @张工`);
    await chat.say(engineer, `接单 #${id}`);
    await chat.say(engineer, `申请备件 #${id} 交换机电源模块`);
    const said = await chat.ask(engineer, `已更换 #${id} 电源模块（客户同意使用非新件）`);
    expect(said[0]!.text).toContain('客户同意使用非全新件');
    expect(said[0]!.text).not.toContain('介质');
    expect((await svc.ticket(id)).serviceRecord).toMatchObject({ sparePart: '电源模块', spareNew: false });
  });
});
