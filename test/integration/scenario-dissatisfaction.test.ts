/**
 * Contract rule 4: a dissatisfied customer's work is corrected at once (the
 * ticket reopens to the same engineer), escalated to the manager, and up to
 * the vice-president if it happens again; the non-conformance is recorded.
 * "还没好" after the fix reopens the ticket and tells the manager.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, about, names, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, customer2, engineer, manager } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

/** A fault assigned to 张工 and taken; returns its id. */
async function openJob(chat: ChatView, report: string): Promise<number> {
  const id = ticketIdIn((await chat.ask(customer, report))[0]);
  await svc.post('managers', manager, `派单 #${id} @张工`);
  await chat.say(engineer, '接单');
  await svc.advance(10);
  return id;
}

describe('dissatisfaction', () => {
  it('"还没好" reopens to the same engineer and tells the manager', async () => {
    const chat = new ChatView(svc, 's4-notfixed');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const id = await openJob(chat, '钟楼站 5号闸机刷卡没反应 电话13800138000');
    await chat.ask(engineer, `已修复 #${id} 重启读卡器`);
    await svc.advance(5);
    const said = await chat.ask(customer, '还没好，还是刷不了');
    const reopened = said.find((m) => m.text.includes('已重新打开'));
    expect(reopened, transcript(said)).toBeDefined();
    // The customer who said it is answered; the engineer and the manager hear it among the staff only.
    expect(names(reopened)).toEqual(['王工']);
    expect(said.map((x) => x.text).join('\n')).not.toContain('返工');
    const m = about(await managers.news(), id);
    expect(m.map((x) => x.text).join('\n')).toContain('客户反馈未修好');
    expect(names(m.find((x) => x.text.includes('客户反馈未修好')))).toEqual(['张工', '李经理']);
    const t = await svc.ticket(id);
    expect(t.status).toBe('reopened');
    expect(t.assignee.name).toBe('张工');
    expect(t.nonConformances).toHaveLength(0);
    expect(t.steps.resolvedAt).toBeNull();
    // The fix is asked for again; the customer can now confirm.
    await chat.ask(engineer, '已修复 更换读卡器');
    await svc.advance(5);
    expect((await chat.ask(customer, '1')).some((m) => m.text.includes('请为本次服务打分'))).toBe(true);
  });

  it('a rating of 2 reopens to the same engineer, escalates to the manager and records a non-conformance; a second one goes to the vice-president', async () => {
    const chat = new ChatView(svc, 's4-rating');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const id = await openJob(chat, '小寨站 2号TVM不出票 电话13800138000');
    // A "还没好" first: a reopening, but not a dissatisfaction.
    await chat.ask(engineer, `已修复 #${id} 清理卡票`);
    await svc.advance(5);
    await chat.ask(customer, '还没好');
    await chat.ask(engineer, `已修复 #${id} 更换出票模块`);
    await svc.advance(5);
    await chat.ask(customer, '确认修复');
    await svc.advance(1);
    let said = await chat.ask(customer, '2 拖太久了');
    const sorry = said.find((m) => m.text.includes('非常抱歉没有让您满意'));
    expect(sorry, transcript(said)).toBeDefined();
    // The apology goes to the customer who rated; the engineer is named among the staff.
    expect(names(sorry)).toEqual(['王工']);
    let m = about(await managers.news(), id).filter((x) => x.text.includes('客户不满意'));
    expect(m, transcript(m)).toHaveLength(1);
    expect(names(m[0])).toEqual(['李经理', '张工']);
    expect(m[0]!.text).toContain('拖太久了');
    let t = await svc.ticket(id);
    expect(t.status).toBe('reopened');
    expect(t.assignee.name).toBe('张工');
    expect(t.nonConformances).toHaveLength(1);
    expect(t.nonConformances[0].reason).toContain('2 分');
    expect(t.ratings.map((r: { score: number }) => r.score)).toEqual([2]);

    // Corrected, confirmed, and again not satisfied ("不满意"): now the vice-president too.
    await chat.ask(engineer, `已修复 #${id} 重新调试并更换出票模块`);
    await svc.advance(5);
    await chat.ask(customer, '确认修复');
    await svc.advance(1);
    said = await chat.ask(customer, '不满意');
    expect(said.some((x) => x.text.includes('已重新打开'))).toBe(true);
    m = about(await managers.news(), id).filter((x) => x.text.includes('客户不满意'));
    expect(m, transcript(m)).toHaveLength(1);
    expect(names(m[0]).sort()).toEqual(['李经理', '王总', '张工'].sort());
    t = await svc.ticket(id);
    expect(t.nonConformances).toHaveLength(2);
    expect(t.ratings.map((r: { score: number }) => r.score)).toEqual([2, 2]);
    const nc = t.events.filter((e: { action: string }) => e.action === 'non_conformance');
    expect(nc.map((e: { detail: { engineer: string } }) => e.detail.engineer)).toEqual(['张工', '张工']);

    // Third time lucky: satisfied, closed.
    await chat.ask(engineer, `已修复 #${id} 整机更换`);
    await svc.advance(5);
    await chat.ask(customer, '确认修复');
    await svc.advance(1);
    said = await chat.ask(customer, '满意');
    expect(said.some((x) => x.text.includes('感谢您的评价（5 分）'))).toBe(true);
    expect((await svc.ticket(id)).status).toBe('closed');
  });

  it('only the reporter confirms and rates; another customer of the chat may once the reporter has been away long enough', async () => {
    const chat = new ChatView(svc, 's4-who');
    const id = await openJob(chat, '钟楼站 3号闸机黑屏 电话13800138000');
    await chat.ask(engineer, `已修复 #${id} 更换电源`);
    let said = await chat.ask(customer2, `确认修复 #${id}`);
    expect(said[0]!.text).toMatch(/请由报修人确认/);
    expect((await svc.ticket(id)).status).toBe('resolved');
    await svc.advance(121);
    said = await chat.ask(customer2, `确认修复 #${id}`);
    expect(said.some((x) => x.text.includes('请为本次服务打分')), transcript(said)).toBe(true);
    const t = await svc.ticket(id);
    expect(t.status).toBe('confirmed');
    expect(t.events.find((e: { action: string }) => e.action === 'confirm').actor).toBe('刘师傅');
  });
});
