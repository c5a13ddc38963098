/**
 * Contract: fault levels 1–4 and their time limits (first response 30 min,
 * on-site 24/36/36/48 h), reminders at 50 % and 80 % of each window, in the
 * ticket's chat, mentioning the assignee (the manager while unassigned),
 * each exactly once; then the fix, the customer's confirmation and rating.
 * Driven through the sandbox API with the manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type SandboxMsg, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, deadline, escalations, firedCounts, names, now, reminders, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, manager } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

type LevelCase = {
  level: 1 | 2 | 3 | 4;
  onSiteHours: number;
  report: string;
  /** How the level is settled: in the report, a number, free text, or a button. */
  answer: { text: string } | { button: string } | null;
  levelName: string;
};

const CASES: LevelCase[] = [
  { level: 1, onSiteHours: 24, report: '票务系统有问题 快来看看 电话13800138000', answer: { text: '全线都进不去' }, levelName: '一级' },
  { level: 2, onSiteHours: 36, report: '行政中心 乘客信息系统 软件有点问题 电话13800138000', answer: { text: '2' }, levelName: '二级' },
  { level: 3, onSiteHours: 36, report: '北客站 综合监控系统 软件有点问题 电话13800138000', answer: { button: 'level' }, levelName: '三级' },
  { level: 4, onSiteHours: 48, report: '钟楼站 乘客信息系统有告警 暂时不影响运行 电话13800138000', answer: null, levelName: '四级' },
];

describe.each(CASES)('a level $level fault from report to rating', (c) => {
  const chat = () => new ChatView(svc, `s1-l${c.level}`);
  it(`is accepted, reminded at 50 % and 80 % of each limit exactly once, fixed, confirmed and rated`, async () => {
    const demo = chat();
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc);
    const at = (minutes: number) => new Date(t0.getTime() + minutes * MIN).toISOString();

    // Report.
    let said = await demo.ask(customer, c.report);
    expect(said[0]!.text).toMatch(/已收到报修，工单 #\d+（GD-\d{8}-\d{4}）/);
    expect(names(said[0])).toEqual(['王工']);
    const id = ticketIdIn(said[0]);

    // The level: asked when the text does not settle it.
    if (c.answer) {
      const question = said.find((m) => m.text.includes('影响范围'));
      expect(question, transcript(said)).toBeDefined();
      expect(names(question)).toEqual(['王工']);
      expect(question!.buttons.map((b) => b.label)).toEqual(['1 整个系统/车站业务中断', '2 系统能用但主要功能不正常', '3 个别设备异常', '4 有告警但暂不影响运行']);
      expect(said.some((m) => m.text.includes('已受理'))).toBe(false);
      expect((await svc.ticket(id)).status).toBe('reported');
      if ('text' in c.answer) {
        said = await demo.ask(customer, c.answer.text);
      } else {
        const button = question!.buttons.find((b) => b.label.startsWith(String(c.level)))!;
        const r = await svc.click(demo.name, customer, question!.id, button.value);
        expect(r.status).toBe('processed');
        said = await demo.news();
      }
    }

    // Accepted: the customer hears the level and the limits; the staff get the dispatch request.
    const card = said.find((m) => m.text.includes('已受理'));
    expect(card, transcript(said)).toBeDefined();
    expect(card!.text).toContain(`${c.levelName}故障`);
    expect(card!.text).toMatch(/首次响应 \d+月\d+日 \d\d:\d\d前/);
    expect(card!.text).not.toContain('派单');
    expect(card!.buttons).toEqual([]);
    expect(names(card)).toEqual(['王工']);
    const dispatch = about(await managers.news(), id).find((m) => m.text.includes('请李经理派单'));
    expect(dispatch).toBeDefined();
    expect(names(dispatch)).toEqual(['李经理']);
    expect(dispatch!.buttons.map((b) => b.label)).toEqual(['接单', '到场', '已修复']);
    let t = await svc.ticket(id);
    expect(t.status).toBe('accepted');
    expect(t.level).toBe(c.level);
    expect(t.hardware).toBe(false);
    expect(deadline(t, 'first_response').dueAt).toBe(at(30));
    expect(deadline(t, 'on_site').dueAt).toBe(at(c.onSiteHours * 60));
    expect(deadline(t, 'acceptance').met).toBe(true);

    // 50 % of the first response (15 min): the manager is reminded while nobody is assigned.
    await advanceTo(svc, t0.getTime() + 15 * MIN);
    expect(await demo.news()).toEqual([]);
    said = await managers.news();
    const fr50 = reminders(said, id, '首次响应');
    expect(fr50, transcript(said)).toHaveLength(1);
    expect(fr50[0]!.at).toBe(at(15));
    expect(names(fr50[0])).toEqual(['李经理']);
    // One reminder naming both clocks due at that moment.
    expect(reminders(said, id, '派单')).toEqual(fr50);

    // The manager assigns from the managers' group: the customer learns who is coming.
    await advanceTo(svc, t0.getTime() + 16 * MIN);
    await managers.say(manager, `派单 #${id} @张工`);
    said = await demo.news();
    expect(said.some((m) => m.text.includes('已安排工程师张工处理')), transcript(said)).toBe(true);
    said = await managers.news();
    expect(said.some((m) => m.text.includes('已派给张工') && names(m).includes('张工')), transcript(said)).toBe(true);
    expect((await svc.ticket(id)).assignee.name).toBe('张工');

    // 80 % of the first response (24 min): now the assignee is reminded.
    await advanceTo(svc, t0.getTime() + 24 * MIN);
    expect(await demo.news()).toEqual([]);
    said = await managers.news();
    const fr80 = reminders(said, id, '首次响应');
    expect(fr80, transcript(said)).toHaveLength(1);
    expect(fr80[0]!.at).toBe(at(24));
    expect(names(fr80[0])).toEqual(['张工']);
    expect(reminders(said, id, '派单')).toHaveLength(0);

    await advanceTo(svc, t0.getTime() + 25 * MIN);
    said = await demo.ask(engineer, '接单');
    expect(said.some((m) => m.text.includes('张工已接单') && names(m).includes('王工')), transcript(said)).toBe(true);

    // On-site reminders at 50 % and 80 % of the level's window, then arrival just after.
    const windowMin = c.onSiteHours * 60;
    await advanceTo(svc, t0.getTime() + (windowMin * 0.8 + 1) * MIN);
    expect(await demo.news()).toEqual([]);
    said = await managers.news();
    const os = reminders(said, id, '到场');
    expect(os.map((m) => m.at), transcript(said)).toEqual([at(windowMin * 0.5), at(windowMin * 0.8)]);
    for (const m of os) expect(names(m)).toEqual(['张工']);
    said = await demo.ask(engineer, `到场 #${id}`);
    expect(said.some((m) => m.text.includes('已到达现场'))).toBe(true);

    await advanceTo(svc, t0.getTime() + (windowMin * 0.8 + 30) * MIN);
    said = await demo.ask(engineer, `已修复 #${id} 更换电源模块`);
    expect(said, transcript(said)).toHaveLength(1);
    const confirmQ = said.find((m) => m.text.includes('请确认设备是否恢复正常'));
    expect(confirmQ, transcript(said)).toBeDefined();
    expect(confirmQ!.text).toContain('更换电源模块');
    expect(names(confirmQ)).toEqual(['王工']);

    await advanceTo(svc, t0.getTime() + (windowMin * 0.8 + 40) * MIN);
    said = await demo.ask(customer, '确认修复');
    expect(said.some((m) => m.text.includes('请为本次服务打分')), transcript(said)).toBe(true);
    said = await demo.ask(customer, '5');
    expect(said.some((m) => m.text.includes('感谢您的评价（5 分）')), transcript(said)).toBe(true);

    // The ticket: closed, every limit met, each reminder sent once.
    t = await svc.ticket(id);
    expect(t.status).toBe('closed');
    expect(t.assignee.name).toBe('张工');
    expect(t.serviceRecord.confirmation).toBe('confirmed');
    expect(t.serviceRecord.satisfaction).toBe(5);
    expect(t.serviceRecord.resolutionNote).toBe('更换电源模块');
    for (const clock of ['first_response', 'acceptance', 'assignment', 'on_site']) expect(deadline(t, clock).met, clock).toBe(true);
    expect(firedCounts(t)).toEqual({
      'first_response:remind_50': 1,
      'first_response:remind_80': 1,
      'assignment:remind_50': 1,
      'on_site:remind_50': 1,
      'on_site:remind_80': 1,
    });
    expect(t.remindersSent.every((r: { late: boolean }) => !r.late)).toBe(true);

    // The staff: each reminder once; no escalation anywhere. The customer's chat: none of it.
    const staff: SandboxMsg[] = about(await managers.all(), id);
    expect(reminders(staff, id, '首次响应')).toHaveLength(2);
    expect(reminders(staff, id, '到场')).toHaveLength(2);
    expect(reminders(staff, id, '派单')).toHaveLength(1);
    expect(escalations(staff, id, '')).toHaveLength(0);
    const everything: SandboxMsg[] = await demo.all();
    expect(everything.filter((m) => m.text.startsWith('⏰') || m.text.startsWith('⚠️') || m.text.includes('派单')), transcript(everything)).toEqual([]);
  }, LONG);
});
