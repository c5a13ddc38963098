/**
 * Every command is checked against the sender's role and the ticket's chat:
 * a customer who tries an engineer's or a manager's command gets a polite
 * refusal and nothing changes; a customer of another chat cannot see or act on
 * this chat's ticket. A customer's question ("到场了吗") is answered, not refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, names, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, engineer2, manager } = PEOPLE;
const stranger = { id: 'c9', name: '赵工', role: 'customer' };

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

/** What must not change when a command is refused. */
async function snapshot(id: number) {
  const t = await svc.ticket(id);
  return { status: t.status, assignee: t.assignee, steps: t.steps, events: t.events.length, feeStatus: t.feeStatus };
}

describe('roles', () => {
  it('a customer is refused politely on engineers\' and managers\' commands, and nothing changes', async () => {
    const chat = new ChatView(svc, 's7');
    const id = ticketIdIn((await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000'))[0]);
    const before = await snapshot(id);
    for (const [text, word] of [
      [`接单 #${id}`, '接单'],
      ['接单', '接单'],
      [`派单 #${id} @张工`, '派单'],
      [`到场 #${id}`, '到场'],
      [`已修复 #${id} 好了`, '已修复'],
      [`转派 #${id} @李工`, '转派'],
      [`#${id} 改为一级`, '调整级别'],
      [`免费处理 #${id}`, '免费处理'],
      [`申请备件 #${id} 读卡器`, '申请备件'],
    ] as const) {
      const said = await chat.ask(customer, text);
      expect(said, `${text}\n${transcript(said)}`).toHaveLength(1);
      if (word === '调整级别') expect(said[0]!.text).toMatch(/故障级别已确定|服务人员/);
      else expect(said[0]!.text).toContain(`抱歉，「${word}」`);
      expect(names(said[0])).toEqual(['王工']);
    }
    // The customer's card has no staff buttons (接单/到场/已修复 are on the staff's dispatch card only).
    const card = (await chat.all()).find((m) => m.text.includes('已受理'))!;
    expect(card.buttons).toEqual([]);
    expect((await chat.all()).every((m) => m.buttons.every((b) => !['接单', '到场', '已修复'].includes(b.label)))).toBe(true);
    expect(await snapshot(id)).toEqual(before);
  });

  it('a customer\'s question about progress is answered with the ticket\'s status, not refused', async () => {
    const chat = new ChatView(svc, 's7-ask');
    const id = ticketIdIn((await chat.ask(customer, '钟楼站 2号TVM不出票 电话13800138000'))[0]);
    await svc.post('managers', manager, `派单 #${id} @张工`);
    const before = await snapshot(id);
    let said = await chat.ask(customer, '到场了吗');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).not.toContain('抱歉');
    expect(said[0]!.text).toContain(`#${id}`);
    expect(said[0]!.text).toContain('已派单');
    expect(said[0]!.text).toContain('张工');
    expect(said[0]!.text).toMatch(/到场时限 \d+月\d+日 \d\d:\d\d/);
    said = await chat.ask(customer, '工程师什么时候到场啊，等了很久了');
    expect(said[0]!.text).toContain('当前状态');
    expect(await snapshot(id)).toEqual(before);
  });

  it('a customer of another chat cannot see or act on this chat\'s ticket', async () => {
    const chat = new ChatView(svc, 's7-own');
    const other = new ChatView(svc, 's7-other');
    const id = ticketIdIn((await chat.ask(customer, '北客站 4号闸机黑屏 电话13800138000'))[0]);
    await svc.post('managers', manager, `派单 #${id} @张工`);
    await chat.say(engineer, `接 #${id}`);
    await chat.say(engineer, `已修复 #${id} 更换电源`);
    const before = await snapshot(id);
    expect(before.status).toBe('resolved');
    for (const text of [`查询 #${id}`, `确认修复 #${id}`, `还没好 #${id}`, `撤销 #${id}`, `同意收费 #${id}`]) {
      const said = await other.ask(stranger, text);
      expect(said, text).toHaveLength(1);
      expect(said[0]!.text).toBe('没有找到这张工单，请核对工单号。');
      expect(names(said[0])).toEqual(['赵工']);
    }
    expect(await snapshot(id)).toEqual(before);
    // The ticket's own reporter can.
    expect((await chat.ask(customer, '确认修复')).some((m) => m.text.includes('请为本次服务打分'))).toBe(true);
  });

  it('engineers: tolerant commands, and only the assignee works the job', async () => {
    const chat = new ChatView(svc, 's7-eng');
    const id = ticketIdIn((await chat.ask(customer, '南稍门站 1号闸机不读卡 电话13800138000'))[0]);
    const number = (await svc.ticket(id)).number as string;
    await svc.post('managers', manager, `派单 #${id} @张工`);
    // Another engineer cannot take or close someone else's job.
    let said = await chat.ask(engineer2, `接单 ${number}`);
    expect(said[0]!.text).toContain('已派给其他工程师');
    said = await chat.ask(engineer2, `已修复 #${id}`);
    expect(said[0]!.text).toMatch(/已派给其他工程师|不是派给您的|不能报修复/);
    // The assignee, typed loosely: full-width "＃", the full number.
    said = await chat.ask(engineer, `接单 ${number}`);
    expect(said.some((m) => m.text.includes('张工已接单'))).toBe(true);
    said = await chat.ask(engineer, `到场 ＃${id}`);
    expect(said.some((m) => m.text.includes('已到达现场'))).toBe(true);
    // Transfer to 李工, who then resolves.
    said = await chat.ask(engineer, `转派 #${id} @李工 临时有事`);
    expect(said.some((m) => m.text.includes('已安排工程师李工处理'))).toBe(true);
    expect((await svc.messages('managers')).some((m) => m.text.includes(`#${id}（`) && m.text.includes('已转派给李工') && m.mentions.some((x) => x.name === '李工'))).toBe(true);
    // The new assignee takes it (a bare command: their one job) and resolves it.
    said = await chat.ask(engineer2, '接单');
    expect(said.some((m) => m.text.includes('李工已接单'))).toBe(true);
    said = await chat.ask(engineer2, '已修复 清洁读卡模块');
    expect(said.some((m) => m.text.includes('请确认设备是否恢复正常'))).toBe(true);
    const t = await svc.ticket(id);
    expect(t.assignee.name).toBe('李工');
    expect(t.status).toBe('resolved');
    // Queries.
    said = await chat.ask(engineer2, `查询 #${id}`);
    expect(said[0]!.text).toContain('【客户服务记录】');
    expect(said[0]!.text).toContain('工程师：李工，系统集成部');
    said = await chat.ask(engineer2, '我的工单');
    expect(said[0]!.text).toContain(`#${id}`);
  });

  it('engineers: a quoted ticket message stands for the reference; level correction, cancelling, lists', async () => {
    const chat = new ChatView(svc, 's7-quote');
    const a = ticketIdIn((await chat.ask(customer, '五路口站 1号闸机不读卡 电话13800138000'))[0]);
    await svc.advance(5);
    const b = ticketIdIn((await chat.ask(customer, '五路口站 2号TVM不出票 电话13800138000'))[0]);
    for (const id of [a, b]) {
      await svc.post('managers', manager, `派单 #${id} @李工`);
      await chat.say(engineer2, `接单 #${id}`);
    }
    // Two jobs in hand: a bare command is ambiguous…
    let said = await chat.ask(engineer2, '已修复 重启');
    expect(said[0]!.text).toContain('多张工单');
    // …unless it quotes the bot's message about one of them.
    const cardB = (await chat.all()).find((m) => m.text.includes('已受理') && m.text.includes(`#${b}（`))!;
    said = await chat.ask(engineer2, '已修复 重启工控机', { replyTo: cardB.id });
    expect(said.some((m) => m.text.includes(`请确认修复 #${b}（`)), transcript(said)).toBe(true);
    expect((await svc.ticket(a)).status).toBe('acknowledged');

    said = await chat.ask(engineer2, `#${a} 改为二级`);
    expect(said[0]!.text).toMatch(new RegExp(`#${a}（.*故障级别调整为二级。时限：`));
    expect((await svc.ticket(a)).level).toBe(2);

    said = await chat.ask(manager, '待处理');
    expect(said[0]!.text).toContain(`#${a} `);
    said = await chat.ask(engineer2, `撤销 #${a} 重复报修`);
    expect(said[0]!.text).toContain('已撤销，原因：重复报修');
    const t = await svc.ticket(a);
    expect(t.status).toBe('cancelled');
    expect(t.timers.filter((x: { state: string }) => x.state === 'pending')).toHaveLength(0);
  });
});
