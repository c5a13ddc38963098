/**
 * Two audiences over a whole ticket's life (issue 18): report → assignment →
 * reminders → breach → escalation → fix → confirmation → rating → reopening →
 * "还是不行". The customer's chat (demo) gets what the customer needs; the
 * customer's staff group (staff-demo, org.yaml customers[].staffChats) gets the
 * dispatch request, the reminders and the rework; the managers' group the
 * escalations. None of the staff's messages reach the customer's chat.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMsg } from '../support/service.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, LONG, MIN, about, advanceTo, escalations, names, now, reminders, ticketIdIn, transcript } from '../support/scenario.js';
import { STAFF_ONLY, houseRuleBreaks } from '../support/house-rules.js';

const { customer, engineer, manager } = PEOPLE;
let svc: TestService;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-audiences-'));
  const org = path.join(dir, 'org.yaml');
  writeFileSync(org, readFileSync('config/org.yaml', 'utf8').replace('      - { channel: sandbox, id: demo }\n', '      - { channel: sandbox, id: demo }\n    staffChats:\n      - { channel: sandbox, id: staff-demo }\n'));
  svc = await startTestService({ env: { ORG_FILE: org, DIGEST_CRON: 'off' } });
});
afterAll(async () => svc?.close());

/** The kinds of message, by what they say: a transcript reads as a list of these. */
function kind(m: SandboxMsg): string {
  const t = m.text;
  const rules: Array<[RegExp, string]> = [
    [/客户不满意/, 'dissatisfied'],
    [/^⏰/, 'reminder'],
    [/^⚠️/, 'escalation'],
    [/新工单/, 'dispatch'],
    [/已派给|已转派给/, 'please-take'],
    [/返工/, 'rework'],
    [/已收到报修/, 'received'],
    [/已受理/, 'accepted'],
    [/已安排工程师/, 'engineer-assigned'],
    [/已接单/, 'taken'],
    [/已到达现场/, 'arrived'],
    [/请确认设备是否恢复正常/, 'please-confirm'],
    [/请为本次服务打分/, 'rating-request'],
    [/非常抱歉没有让您满意/, 'apology'],
    [/很抱歉还没修好/, 'reopened-ack'],
  ];
  return rules.find(([re]) => re.test(t))?.[1] ?? `other: ${t.slice(0, 30)}`;
}

describe('two audiences over a ticket\'s life', () => {
  it('the customer\'s chat, the staff group and the managers\' group each get their own messages', async () => {
    const chat = new ChatView(svc, 'demo');
    const staff = await new ChatView(svc, 'staff-demo').skipOld();
    const managers = await new ChatView(svc, 'managers').skipOld();
    const t0 = now(svc).getTime();

    // Report: received and accepted for the customer; the dispatch request for the staff.
    const said = await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    const id = ticketIdIn(said[0]);
    const dispatch = (await staff.news()).find((m) => kind(m) === 'dispatch');
    expect(dispatch?.buttons.map((b) => b.label)).toEqual(['接单', '到场', '已修复']);
    expect(names(dispatch)).toEqual(['李经理']);

    // Reminders at 15 min: one message naming both clocks, in the staff group only.
    await advanceTo(svc, t0 + 15 * MIN);
    let s = about(await staff.news(), id);
    expect(s.map(kind), transcript(s)).toEqual(['reminder']);
    expect(s[0]!.text).toContain('首次响应时限');
    expect(s[0]!.text).toContain('派单时限');

    // Assignment from the managers' group: the customer hears who is coming.
    await advanceTo(svc, t0 + 16 * MIN);
    await managers.say(manager, `派单 #${id} @张工`);
    s = about(await staff.news(), id);
    expect(s.map(kind)).toEqual(['please-take']);
    expect(names(s[0])).toEqual(['张工']);

    // Nobody takes it: the 80 % reminder to the staff, the breach and its escalation to the managers.
    await advanceTo(svc, t0 + 91 * MIN);
    s = about(await staff.news(), id);
    expect(reminders(s, id, '首次响应'), transcript(s)).toHaveLength(1);
    const m = await managers.news();
    expect(escalations(m, id, '首次响应已超时').map((x) => names(x).sort())).toEqual([['张工', '李经理'].sort(), ['王总']]);

    // Taken, arrived, fixed; confirmed; rated 2: reopened.
    await chat.say(engineer, '接单');
    await chat.say(engineer, `到场 #${id}`);
    await chat.say(engineer, `已修复 #${id} 更换读卡器`);
    await svc.advance(5);
    await chat.say(customer, '确认修复');
    await svc.advance(1);
    await chat.say(customer, '2 还是有点慢');
    const dissatisfied = about(await managers.news(), id).filter((x) => kind(x) === 'dissatisfied');
    expect(dissatisfied, transcript(await chat.all())).toHaveLength(1);
    expect(names(dissatisfied[0]).sort()).toEqual(['张工', '李经理'].sort());

    // Fixed again; "还是不行": the customer is answered, the engineer asked among the staff.
    await chat.say(engineer, `已修复 #${id} 重新调试`);
    await svc.advance(5);
    await chat.say(customer, '还是不行 刷卡还是没反应');
    s = about(await staff.news(), id);
    const rework = s.filter((x) => kind(x) === 'rework');
    expect(rework, `${transcript(s)}\n---\n${transcript(await chat.all())}`).toHaveLength(1);
    expect(rework[0]!.text).toContain('刷卡还是没反应');
    expect(names(rework[0])).toContain('张工');

    // In the staff group, 待处理 lists this customer's open tickets.
    const list = await staff.ask(manager, '待处理');
    expect(list.at(-1)?.text, transcript(list)).toContain(`#${id}`);

    // The customer's chat, whole: only what the customer needs, in order, and in the house style.
    const customerSaw = about(await chat.all(), id);
    expect(customerSaw.map(kind), transcript(customerSaw)).toEqual([
      'received',
      'accepted',
      'engineer-assigned',
      'taken',
      'arrived',
      'please-confirm',
      'rating-request',
      'apology',
      'please-confirm',
      'reopened-ack',
    ]);
    for (const x of customerSaw) {
      expect(houseRuleBreaks(x.text, 'customer'), x.text).toEqual([]);
      for (const w of STAFF_ONLY) expect(x.text).not.toContain(w);
      expect(x.buttons.filter((b) => ['接单', '到场', '已修复'].includes(b.label))).toEqual([]);
    }
    // Apologies and acknowledgements go to the customer who spoke, never to the engineer.
    for (const x of customerSaw.filter((y) => ['apology', 'reopened-ack'].includes(kind(y)))) expect(names(x)).toEqual(['王工']);

    // The staff group, whole: the staff's messages only, none of the customer's questions.
    const staffSaw = about(await staff.all(), id);
    expect([...new Set(staffSaw.map(kind))].sort(), transcript(staffSaw)).toEqual(['dispatch', 'please-take', 'reminder', 'rework'].sort());
    // Nothing of this ticket went to the customer's chat and the staff group both, nor to the managers twice.
    const texts = new Set(customerSaw.map((x) => x.text));
    expect(staffSaw.filter((x) => texts.has(x.text))).toEqual([]);
  }, LONG);
});
