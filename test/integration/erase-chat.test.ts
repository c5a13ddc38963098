/**
 * Erasing personal data by chat, through the real service (sandbox): a customer's
 * 删除我的信息 is answered (what goes, what the contract keeps), recorded with
 * internal ids only, and handed to the desk and the managers; the desk's (or a
 * manager's) 删除个人信息 用户N erases that person's data as `cli erase` does, with
 * an audit record naming the operator by id. What stays is the pseudonymised
 * service record: the ticket's number, times, site, device, level, status and
 * rating score, linked to a person row without a name or phone.
 * Engineers and customers cannot erase anyone; staff are not erased by chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASED } from '../../src/domain/personal-data.js';
import type { Db } from '../../src/store/types.js';
import { ChatView, ticketIdIn } from '../support/scenario.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';

const { customer, customer2, engineer, desk, manager } = PEOPLE;
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { DIGEST_CRON: 'off' } });
});
afterAll(() => svc?.close());

/** Every row of every table that can hold personal data, as text. */
async function everything(db: Db): Promise<string> {
  const tables = await Promise.all([
    db.person.findMany(), db.ticket.findMany(), db.ticketEvent.findMany(), db.inboundEvent.findMany(), db.outbox.findMany(), db.rating.findMany(),
    db.complaint.findMany(), db.attachment.findMany(), db.pendingQuestion.findMany(), db.sandboxMessage.findMany(), db.privacyAudit.findMany(),
  ]);
  return JSON.stringify(tables);
}

describe('删除我的信息 and 删除个人信息', () => {
  const chat = () => new ChatView(svc, 'erase-chat');
  const managers = () => new ChatView(svc, 'managers');
  let ticketId: number;
  let personId: number;
  let otherPersonId: number;

  beforeAll(async () => {
    const c = chat();
    ticketId = ticketIdIn((await c.ask(customer, '小寨站 3号闸机刷卡没反应 联系人王工 电话13800138000'))[0]);
    await svc.post('managers', manager, `派单 #${ticketId} @张工`);
    await c.say(engineer, '接单');
    await svc.advance(10);
    await c.ask(engineer, `已修复 #${ticketId} 更换读卡器`);
    await svc.advance(5);
    await c.ask(customer, '1');
    await c.ask(customer, '5分 师傅很专业');
    expect((await svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).status).toBe('closed');
    // A neighbour in the same chat, whose data must stay.
    await c.ask(customer2, '钟楼站 2号TVM不出票 电话13700137000');
    personId = (await svc.db.person.findUniqueOrThrow({ where: { channel_platformId: { channel: 'sandbox', platformId: customer.id } } })).id;
    otherPersonId = (await svc.db.person.findUniqueOrThrow({ where: { channel_platformId: { channel: 'sandbox', platformId: customer2.id } } })).id;
  }, 120_000);

  it('a customer\'s 删除我的信息 is answered, recorded without personal data, and handed to the desk and the managers', async () => {
    const m = await managers().skipOld();
    const said = await chat().ask(customer, '删除我的信息');
    expect(said, JSON.stringify(said)).toHaveLength(1);
    expect(said[0]!.text).toContain(`已收到您删除个人信息的申请（用户${personId}）`);
    expect(said[0]!.text).toContain('服务记录按合同保留');
    expect(said[0]!.mentions.map((x) => x.id)).toEqual([customer.id]);
    const request = (await m.news()).find((x) => x.text.includes('个人信息删除申请'));
    expect(request?.text).toContain(`「删除个人信息 用户${personId}」`);
    // The desk and the manager are called by name; the customer's name is not in the managers' group.
    expect(request!.mentions.map((x) => x.id).sort()).toEqual([desk.id, manager.id].sort());
    expect(request!.text).not.toContain(customer.name);
    const audit = await svc.db.privacyAudit.findFirstOrThrow({ where: { action: 'erase_requested' } });
    expect(audit).toMatchObject({ actor: `person:${personId}`, subject: `person:${personId}`, counts: '{}' });
    // Nothing is erased by the request itself.
    expect((await svc.db.person.findUniqueOrThrow({ where: { id: personId } })).name).toBe(customer.name);
    // Worded differently, it is the same request.
    expect((await chat().ask(customer, '请帮我删除我的个人资料'))[0]!.text).toContain('已收到您删除个人信息的申请');
  });

  it('an engineer, or a customer, cannot erase anyone; nor can the desk erase staff by chat', async () => {
    const before = await everything(svc.db);
    let said = await chat().ask(engineer, `删除个人信息 用户${personId}`);
    expect(said[0]!.text).toMatch(/^抱歉，「删除个人信息」需由部门经理或客服操作/);
    said = await chat().ask(customer2, `删除个人信息 用户${personId}`);
    expect(said[0]!.text).toMatch(/^抱歉，「删除个人信息」是服务人员的操作/);
    const engineerRow = await svc.db.person.findUniqueOrThrow({ where: { channel_platformId: { channel: 'sandbox', platformId: engineer.id } } });
    said = await managers().ask(desk, `删除个人信息 用户${engineerRow.id}`);
    expect(said[0]!.text).toContain('是公司员工');
    said = await managers().ask(desk, '删除个人信息 用户999999');
    expect(said[0]!.text).toContain('没有找到用户999999');
    said = await managers().ask(desk, '删除个人信息');
    expect(said[0]!.text).toContain('请指明要删除谁的个人信息');
    // Only the bot's answers were added: no person, ticket, rating or audit record changed.
    const after = await everything(svc.db);
    for (const trace of ['13800138000', '师傅很专业']) expect(after).toContain(trace);
    expect(await svc.db.privacyAudit.count({ where: { action: 'erase_person' } })).toBe(0);
    expect(before.length).toBeLessThan(after.length);
  });

  it('the desk\'s 删除个人信息 用户N erases them everywhere, keeps the pseudonymised service record, and is audited by id', async () => {
    const before = await svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    const deskRow = await svc.db.person.findUniqueOrThrow({ where: { channel_platformId: { channel: 'sandbox', platformId: desk.id } } });
    const said = await managers().ask(desk, `删除个人信息 用户${personId}`);
    expect(said[0]!.text).toMatch(new RegExp(`^已删除用户${personId}的个人信息：姓名和电话，\\d+ 张工单中的个人内容，\\d+ 条消息的原文`));
    expect(said[0]!.text).toContain('服务记录（编号、时间、设备、时限）保留');

    // Removed: the name, the phone, their words, everywhere the service keeps data.
    const all = await everything(svc.db);
    for (const trace of ['13800138000', '王工', '师傅很专业']) {
      const i = all.indexOf(trace);
      expect(i, `${trace} in …${all.slice(Math.max(0, i - 400), i + 100)}`).toBe(-1);
    }
    expect(await svc.db.person.findUniqueOrThrow({ where: { id: personId } })).toMatchObject({ name: ERASED, phone: null });
    expect(await svc.db.inboundEvent.count({ where: { channel: 'sandbox', senderPlatformId: customer.id, NOT: { text: null } } })).toBe(0);
    // Kept, pseudonymised: the service record, linked to the same (now nameless) person.
    const t = await svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(t).toMatchObject({ number: before.number, status: 'closed', level: before.level, site: before.site, device: before.device, reportedAt: before.reportedAt, resolvedAt: before.resolvedAt, reporterId: personId, phone: null, contact: null });
    expect(t.anonymisedAt).not.toBeNull();
    expect(await svc.db.rating.findFirstOrThrow({ where: { ticketId } })).toMatchObject({ score: 5, comment: null });
    expect((await svc.ticket(ticketId)).number).toBe(before.number);

    // The audit record: who (by id), whom (by id), what (counts); no personal data.
    const audit = await svc.db.privacyAudit.findFirstOrThrow({ where: { action: 'erase_person' } });
    expect(audit).toMatchObject({ actor: `person:${deskRow.id}`, subject: `person:${personId}` });
    expect(JSON.parse(audit.counts)).toMatchObject({ people: 1, tickets: 1, ratings: 1 });
    expect(JSON.stringify(audit)).not.toMatch(/王工|1380013|"c1"/);

    // The neighbour is untouched.
    expect((await svc.db.person.findUniqueOrThrow({ where: { id: otherPersonId } })).name).toBe(customer2.name);
    expect(all).toContain('13700137000');
  }, 60_000);

  it('a manager can do it too, from any chat', async () => {
    const said = await chat().ask(manager, `删除个人信息 用户${otherPersonId}`);
    expect(said[0]!.text).toContain(`已删除用户${otherPersonId}的个人信息`);
    expect(await everything(svc.db)).not.toContain('13700137000');
  }, 60_000);
});
