/**
 * Contract: a complaint's investigation result goes back to the customer by
 * the second working day on the Chinese public-holiday calendar. A complaint
 * received on 2026-09-30, the eve of National Day, is due 2026-10-09 18:00.
 * The complaint desk is told in the managers' group; the investigation
 * result closes the loop with the complainant's rating (rule 6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, about, advanceTo, deadline, names, reminders, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, desk } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ start: '2026-09-30T02:00:00Z', env: NO_DIGEST });
});
afterAll(async () => svc?.close());

describe('a complaint received on the eve of National Day', () => {
  it('is due on the second working day after the holiday, reminded on working time, and closed with the investigation and the rating', async () => {
    const chat = new ChatView(svc, 's5');
    const managers = await new ChatView(svc, 'managers').skipOld();
    const text = '投诉：你们工程师上次修闸机拖了三天才来，态度也不好，要求换个工程师';
    let said = await chat.ask(customer, text);
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toMatch(/投诉已登记，编号 #\d+（GD-20260930-\d{4}）/);
    expect(said[0]!.text).toContain('10月9日 18:00前反馈调查结果');
    expect(names(said[0])).toEqual(['王工']);
    const id = ticketIdIn(said[0]);

    // The complaint desk (and the manager) in the managers' group.
    const m = about(await managers.news(), id);
    expect(m, transcript(m)).toHaveLength(1);
    expect(m[0]!.text).toContain('新投诉');
    expect(names(m[0])).toEqual(expect.arrayContaining(['客服小刘', '李经理']));

    let t = await svc.ticket(id);
    expect(t.kind).toBe('complaint');
    expect(deadline(t, 'complaint_answer').dueAt).toBe('2026-10-09T10:00:00.000Z');
    expect(t.complaint).toMatchObject({ complainant: '王工', receiver: '客服小刘', content: text, demand: '要求换个工程师', wantsOtherEngineer: true });
    expect(t.complaint.id).toBeGreaterThan(0);

    // Nothing during the holiday; the 50 % reminder on working time (Oct 8, 14:00), to the desk and the manager.
    await advanceTo(svc, Date.parse('2026-10-08T00:00:00Z'));
    expect(reminders(await managers.news(), id, '投诉调查结果反馈')).toHaveLength(0);
    await advanceTo(svc, Date.parse('2026-10-09T01:30:00Z'));
    // Reminders are for the staff (the managers' group here), never the complainant's chat.
    expect(reminders(await chat.news(), id, '投诉调查结果反馈')).toHaveLength(0);
    said = await managers.news();
    const r = reminders(said, id, '投诉调查结果反馈');
    expect(r.map((x) => x.at), transcript(said)).toEqual(['2026-10-08T06:00:00.000Z']);
    expect(names(r[0]).sort()).toEqual(['客服小刘', '李经理'].sort());

    // The investigation result, from the managers' group, goes to the complainant with a rating question.
    const finding = '经核实，工程师响应迟缓，已批评教育并更换工程师';
    await managers.say(desk, `调查结果 #${id} ${finding}`);
    said = await chat.news();
    const answer = said.find((x) => x.text.includes('调查结果'));
    expect(answer?.text, transcript(said)).toContain(finding);
    expect(names(answer)).toEqual(['王工']);
    expect(said.some((x) => x.text.includes('请为本次服务打分'))).toBe(true);
    expect(about(await managers.news(), id).some((x) => x.text.includes('已处理'))).toBe(true);

    // The correction (纠正过程) goes on the complaint record; a customer cannot write it.
    said = await chat.ask(customer, `整改 #${id} 我来写`);
    expect(said.map((x) => x.text).join('\n')).toContain('服务人员的操作');
    await managers.say(desk, `整改 #${id} 由李工接手，已复查全部闸机`);
    said = await chat.news();
    expect(said.some((x) => x.text.includes('整改情况：由李工接手，已复查全部闸机'))).toBe(true);

    said = await chat.ask(customer, '4分 处理还算及时');
    expect(said.some((x) => x.text.includes('感谢您的评价（4 分）')), transcript(said)).toBe(true);
    t = await svc.ticket(id);
    expect(t.status).toBe('closed');
    expect(deadline(t, 'complaint_answer').met).toBe(true);
    expect(t.complaint).toMatchObject({ investigation: finding, correction: '由李工接手，已复查全部闸机', satisfaction: 4, customerOpinion: '处理还算及时' });
    expect(t.complaint.answeredAt).toBe('2026-10-09T01:30:00.000Z');
    expect(t.complaint.archivedAt).not.toBeNull();
    expect(t.remindersSent.map((x: { stage: string }) => x.stage)).toEqual(['remind_50']);
  }, LONG);
});
