/**
 * Two customers on two contracts: every message, deadline and reminder about a
 * ticket follows that ticket's own contract (its customer's), never the default.
 *
 * 二号线 (chat "line2") is on the default contract. 三号线 (chat "line3") is on
 * a contract with other names for the levels and the on-site clock, a stricter
 * first response and on-site limit, the level question in other words, an
 * on-duty rota, another escalation chain, and a wider "dissatisfied" rating.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { formatTime } from '../../src/domain/wording.js';
import { ChatView, MIN, about, advanceTo, deadline, escalations, names, now, reminders, ticketIdIn, transcript } from '../support/scenario.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';

const { customer, customer2, engineer, manager } = PEOPLE;
const TZ = 'Asia/Shanghai';

const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-contracts-'));

/** The default contract, changed where a mix-up would show. */
function line3Contract(): string {
  const c = YAML.parse(readFileSync('config/contract.yaml', 'utf8')) as Record<string, any>;
  c.name = '售后服务条款（三号线）';
  c.ticketNumberPrefix = 'SX';
  const names = ['一类', '二类', '三类', '四类'];
  const questions = ['全线停运', '主要功能失效', '单台设备故障', '仅有告警'];
  c.faultLevels.forEach((l: Record<string, any>, i: number) => {
    l.name = names[i];
    l.question = questions[i];
    l.firstResponse = { minutes: 20 };
    l.onSite = { hours: 12 };
  });
  c.clocks.on_site.label = '到达现场';
  c.escalation.steps = [
    { after: { minutes: 0 }, notify: ['manager'] },
    { after: { minutes: 30 }, notify: ['desk', 'vp'] },
  ];
  c.confirmation.dissatisfiedAtOrBelow = 3;
  c.assignment.rota = true;
  return YAML.stringify(c);
}

const ORG = `
contracts: { line3: ${JSON.stringify(path.join(dir, 'contract-line3.yaml'))} }
customers:
  - { name: 西安地铁二号线运营分公司, contract: default, chats: [{ channel: sandbox, id: line2 }] }
  - { name: 西安地铁三号线运营分公司, contract: line3, chats: [{ channel: sandbox, id: line3 }] }
staff:
  - { name: 张工, role: engineer, department: 系统集成部, ids: { sandbox: e1 } }
  - { name: 李工, role: engineer, department: 系统集成部, ids: { sandbox: e2 } }
  - { name: 客服小刘, role: desk, department: 客户服务部, ids: { sandbox: d1 } }
  - { name: 李经理, role: manager, department: 系统集成部, ids: { sandbox: m1 } }
  - { name: 王总, role: vp, ids: { sandbox: v1 } }
managersGroups:
  - { channel: sandbox, id: managers }
rota:
  - { weekday: 2, engineer: 李工 }
`;

let svc: TestService;
beforeAll(async () => {
  writeFileSync(path.join(dir, 'contract-line3.yaml'), line3Contract());
  writeFileSync(path.join(dir, 'org.yaml'), ORG);
  svc = await startTestService({ env: { ORG_FILE: path.join(dir, 'org.yaml'), DIGEST_CRON: 'off' } });
});
afterAll(async () => {
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

const when = (iso: string) => formatTime(new Date(iso), TZ, now(svc));

describe('two customers on different contracts', () => {
  it('acceptance, level question, reminders, escalations and ratings each follow the ticket’s own contract', async () => {
    const line2 = new ChatView(svc, 'line2');
    const line3 = new ChatView(svc, 'line3');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc).getTime();

    // The same report in each chat: level 3 (one device) on both.
    const a = await line2.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    const b = await line3.ask(customer2, '钟楼站 5号闸机刷卡没反应 电话13800138001');
    const idA = ticketIdIn(a[0]);
    const idB = ticketIdIn(b[0]);
    const tA = await svc.ticket(idA);
    const tB = await svc.ticket(idB);
    expect(tA.number).toMatch(/^GD-/);
    expect(tB.number).toMatch(/^SX-/);

    // Acceptance: the level's name, the limits (as the ticket API computes them), who is to act.
    // The customer hears the level and the limits; who is to act is the staff's business (the managers' group).
    const acceptA = a.find((m) => m.text.includes('已受理'))!;
    const acceptB = b.find((m) => m.text.includes('已受理'))!;
    const staff = await managers.news();
    const dispatchA = about(staff, idA).find((m) => m.text.includes('新工单'))!;
    const dispatchB = about(staff, idB).find((m) => m.text.includes('新工单'))!;
    expect(acceptA.text, transcript(a)).toContain('三级故障');
    expect(acceptA.text).toContain(`首次响应 ${when(deadline(tA, 'first_response').dueAt)}前`);
    expect(acceptA.text).toContain(`到场 ${when(deadline(tA, 'on_site').dueAt)}前`);
    expect(dispatchA.text, transcript(staff)).toContain('请李经理派单');
    expect(acceptA.text).not.toContain('派单');
    expect(acceptB.text, transcript(b)).toContain('三类故障');
    expect(deadline(tB, 'first_response').dueAt).toBe(new Date(t0 + 20 * MIN).toISOString());
    expect(deadline(tB, 'on_site').dueAt).toBe(new Date(t0 + 12 * 60 * MIN).toISOString());
    expect(acceptB.text).toContain(`首次响应 ${when(deadline(tB, 'first_response').dueAt)}前`);
    expect(acceptB.text).toContain(`到达现场 ${when(deadline(tB, 'on_site').dueAt)}前`);
    // 三号线 has an on-duty rota: the engineer on duty is assigned at once.
    expect(dispatchB.text).toContain('请值班工程师李工接单');
    expect(b.some((m) => m.text.includes('已安排工程师李工处理'))).toBe(true);
    expect((await svc.ticket(idB)).assignee?.name).toBe('李工');

    // The level question in each contract's words.
    const qA = await line2.ask(customer, '票务系统有问题 快来看看');
    const qB = await line3.ask(customer2, '票务系统有问题 快来看看');
    expect(qA.at(-1)!.text, transcript(qA)).toContain('个别设备异常');
    expect(qB.at(-1)!.text, transcript(qB)).toContain('单台设备故障');
    expect(qB.at(-1)!.text).not.toContain('个别设备异常');
    // Answered, so that these tickets do not time out into the messages below.
    await line2.ask(customer, '4');
    await line3.ask(customer2, '4');

    // Progress and the service record name the contract's clocks and levels.
    // Two open tickets: the bot asks which one with numbered choices, and the number answers.
    const whichB = await line3.ask(customer2, '什么时候能来？');
    expect(whichB.at(-1)!.text, transcript(whichB)).toContain('请问是哪一张');
    const choice = whichB.at(-1)!.text.split('\n').find((l) => l.includes(`#${idB} `))?.trim().split(' ')[0];
    expect(choice, transcript(whichB)).toMatch(/^\d$/);
    const progressB = await line3.ask(customer2, choice!);
    expect(progressB.at(-1)!.text, transcript(progressB)).toContain('到达现场时限');
    const recordB = await line3.ask(customer2, `查询 #${idB}`);
    expect(recordB.at(-1)!.text).toContain('级别：三类');
    expect(recordB.at(-1)!.text).toContain('到达现场');

    // Reminders before the first response: at 50 % and 80 % of each ticket's own window.
    // Among the staff (the managers' group here), never in the customers' chats.
    await advanceTo(svc, t0 + 16 * MIN);
    expect(reminders(await line3.news(), idB, '首次响应')).toEqual([]);
    expect(reminders(await line2.news(), idA, '首次响应')).toEqual([]);
    const staff16 = await managers.news();
    const remB = reminders(staff16, idB, '首次响应');
    expect(remB.map((m) => m.at)).toEqual([new Date(t0 + 10 * MIN).toISOString(), new Date(t0 + 16 * MIN).toISOString()]);
    expect(names(remB[0])).toEqual(['李工']);
    const remA = reminders(staff16, idA, '首次响应');
    expect(remA.map((m) => m.at)).toEqual([new Date(t0 + 15 * MIN).toISOString()]);

    // The breach: 三号线 tells the manager only; 60 … 30 minutes later the desk and the vice-president.
    await advanceTo(svc, t0 + 30 * MIN);
    let m = await managers.news();
    const brB = escalations(m, idB, '首次响应已超时');
    expect(brB, transcript(m)).toHaveLength(1);
    expect(brB[0]!.at).toBe(new Date(t0 + 20 * MIN).toISOString());
    expect(brB[0]!.text).toContain('三类');
    expect(names(brB[0])).toEqual(['李经理']);
    const brA = escalations(m, idA, '首次响应已超时');
    expect(brA).toHaveLength(1);
    expect(names(brA[0])).toEqual(['李经理']);
    expect(brA[0]!.text).toContain('三级');
    await advanceTo(svc, t0 + 50 * MIN);
    m = await managers.news();
    const upB = escalations(m, idB, '超时升级（第 2 级）');
    expect(upB, transcript(m)).toHaveLength(1);
    expect(upB[0]!.at).toBe(new Date(t0 + 50 * MIN).toISOString());
    expect(names(upB[0]).sort()).toEqual(['客服小刘', '王总'].sort());
    expect(escalations(m, idA, '超时升级')).toHaveLength(0);

    // The on-site reminders name each contract's clock.
    await advanceTo(svc, t0 + 6 * 60 * MIN);
    const staff6h = await managers.news();
    expect(reminders(staff6h, idB, '到达现场')).toHaveLength(1);
    expect(reminders(staff6h, idA, '到场')).toHaveLength(0);
    expect(reminders(await line3.news(), idB, '到达现场')).toHaveLength(0);

    // Fixed, confirmed, rated 3: satisfied on the default contract, dissatisfied on 三号线 (≤ 3).
    await svc.post('managers', manager, `派单 #${idA} @张工`);
    await line2.say(engineer, `接单 #${idA}`);
    await line2.say(engineer, `已修复 #${idA} 重启读卡器`);
    await line3.say(PEOPLE.engineer2, `接单 #${idB}`);
    await line3.say(PEOPLE.engineer2, `已修复 #${idB} 重启读卡器`);
    await line2.ask(customer, '1');
    await line3.ask(customer2, '1');
    const rateA = await line2.ask(customer, '3');
    const rateB = await line3.ask(customer2, '3');
    expect(rateA.map((x) => x.text).join('\n'), transcript(rateA)).toContain('已关闭');
    expect((await svc.ticket(idA)).status).toBe('closed');
    expect(rateB.map((x) => x.text).join('\n'), transcript(rateB)).toContain('已重新打开');
    const after = await svc.ticket(idB);
    expect(after.status).toBe('reopened');
    expect(after.nonConformances).toHaveLength(1);
    expect(about(await managers.news(), idB).some((x) => x.text.includes('客户不满意'))).toBe(true);
  }, 120_000);
});
