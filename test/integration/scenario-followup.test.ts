/**
 * Consultations (service grade B) are tracked with their own response limit
 * and close after the engineer's answer and the customer's thanks, or a
 * timeout. A fix the customer never confirms is reminded once and then closed
 * as "unconfirmed" — an invalid record in the contract's terms (rule 3); an
 * unanswered rating is reminded once and the record closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, deadline, names, now, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, manager } = PEOPLE;
const H = 60 * MIN;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

describe('consultations', () => {
  it('the engineer\'s answer (a reply mentioning the customer) and the customer\'s thanks close it', async () => {
    const chat = new ChatView(svc, 's9-consult');
    const managers = await new ChatView(svc, 'managers').skipOld();
    let said = await chat.ask(customer, '请问闸机的交易数据怎么导出？');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toMatch(/已收到您的咨询，编号 #\d+/);
    expect(said[0]!.text).toMatch(/咨询响应 \d+月\d+日 \d\d:\d\d前/);
    const id = ticketIdIn(said[0]);
    const told = about(await managers.news(), id);
    expect(told[0]!.text).toContain('新咨询');
    expect(names(told[0])).toEqual(['李经理']);
    let t = await svc.ticket(id);
    expect(t).toMatchObject({ kind: 'consultation', grade: 'B', status: 'accepted' });

    await svc.advance(10);
    said = await chat.ask(engineer, '@王工 在SC后台 报表-交易明细 里选日期导出即可');
    expect(said[0]!.text).toContain('张工答复：在SC后台 报表-交易明细 里选日期导出即可');
    expect(names(said[0])).toEqual(['王工']);
    t = await svc.ticket(id);
    expect(t.status).toBe('resolved');
    expect(deadline(t, 'consultation_response').met).toBe(true);

    await svc.advance(1);
    said = await chat.ask(customer, '好的谢谢');
    expect(said[0]!.text).toContain(`咨询 #${id}`);
    expect(said[0]!.text).toContain('已办结');
    t = await svc.ticket(id);
    expect(t.status).toBe('closed');
    expect(t.serviceRecord.handling).toContain('SC后台');
  });

  it('answered with 答复 #N and no thanks: closed after the configured time, once', async () => {
    const chat = new ChatView(svc, 's9-timeout');
    const id = ticketIdIn((await chat.ask(customer, '请问TVM的参数怎么下发？'))[0]);
    await svc.advance(5);
    const answeredAt = now(svc);
    await chat.ask(engineer, `答复 #${id} 在参数管理里选择下发`);
    await advanceTo(svc, answeredAt.getTime() + 24 * H - MIN);
    expect((await svc.ticket(id)).status).toBe('resolved');
    await advanceTo(svc, answeredAt.getTime() + 25 * H);
    const said = await chat.news();
    const closed = said.filter((m) => m.text.includes(`咨询 #${id}`) && m.text.includes('已办结'));
    expect(closed, transcript(said)).toHaveLength(1);
    expect(closed[0]!.at).toBe(new Date(answeredAt.getTime() + 24 * H).toISOString());
    expect((await svc.ticket(id)).status).toBe('closed');
  }, LONG);
});

describe('confirmation and rating follow-ups', () => {
  async function resolvedFault(chat: ChatView, report: string): Promise<{ id: number; resolvedAt: Date }> {
    const id = ticketIdIn((await chat.ask(customer, report))[0]);
    await svc.post('managers', manager, `派单 #${id} @张工`);
    await chat.say(engineer, `接单 #${id}`);
    await svc.advance(30);
    const resolvedAt = now(svc);
    await chat.say(engineer, `已修复 #${id} 更换读卡器`);
    await chat.news();
    return { id, resolvedAt };
  }

  it('an unconfirmed fix is reminded once, then closed as "unconfirmed" (an invalid record) and the desk told', async () => {
    const chat = new ChatView(svc, 's9-unconfirmed');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const { id, resolvedAt } = await resolvedFault(chat, '钟楼站 5号闸机不能刷卡 电话13800138000');
    await advanceTo(svc, resolvedAt.getTime() + 25 * H);
    const said = await chat.news();
    const again = said.filter((m) => m.text.includes('再次确认') && m.text.includes('请确认设备是否恢复正常'));
    expect(again.map((m) => m.at), transcript(said)).toEqual([new Date(resolvedAt.getTime() + 4 * H).toISOString()]);
    expect(names(again[0])).toEqual(['王工']);
    // The customer is told politely; the invalid record and the call-back are the staff's business.
    const closed = said.filter((m) => m.text.includes('暂未收到您的确认'));
    expect(said.some((m) => m.text.includes('无效'))).toBe(false);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.at).toBe(new Date(resolvedAt.getTime() + 24 * H).toISOString());
    const desk = about(await managers.news(), id).filter((m) => m.text.includes('未确认'));
    expect(desk).toHaveLength(1);
    expect(names(desk[0])).toEqual(['客服小刘']);
    const t = await svc.ticket(id);
    expect(t.status).toBe('closed');
    expect(t.serviceRecord.confirmation).toBe('unconfirmed');
    const record = await chat.ask(engineer, `查询 #${id}`);
    expect(record[0]!.text).toContain('客户确认：未确认（无效记录）');
  }, LONG);

  it('a fix confirmed in the customer\'s own words, then no rating: reminded once, closed', async () => {
    const chat = new ChatView(svc, 's9-unrated');
    const { id } = await resolvedFault(chat, '北客站 2号闸机不能刷卡 电话13800138000');
    let said = await chat.ask(customer, '正常了，谢谢');
    expect(said.some((m) => m.text.includes('请为本次服务打分')), transcript(said)).toBe(true);
    const confirmedAt = now(svc);
    await advanceTo(svc, confirmedAt.getTime() + 25 * H);
    said = await chat.news();
    expect(said.filter((m) => m.text.includes('再次确认') && m.text.includes('请为本次服务打分')), transcript(said)).toHaveLength(1);
    expect(said.filter((m) => m.text.includes('未收到评价'))).toHaveLength(1);
    const t = await svc.ticket(id);
    expect(t.status).toBe('closed');
    expect(t.serviceRecord.confirmation).toBe('confirmed');
    expect(t.serviceRecord.satisfaction).toBeNull();
  }, LONG);
});
