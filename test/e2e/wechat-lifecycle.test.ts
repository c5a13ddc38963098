/**
 * The REAL service (startService on a temp SQLite database: bot, outbox
 * dispatcher, timers) with its WeChat channel on wechaty + MentionPuppetMock.
 * People and rooms come from an organisation file written to the temp folder
 * (see test/support/wechat/mock-service.ts): 张工 (engineer) and 李经理
 * (manager) by their WeChat contact ids, the managers' group, the customer
 * group bound to 西安地铁二号线运营分公司. The customer 老王 set the room alias
 * 王站长 in the customer group. 李工 is in the group but not in the file.
 *
 * What the bot says is read from the mock room, with the mention ids the
 * puppet received (real @mentions, not "@name" text).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  MOCK_CUSTOMER,
  MOCK_PEOPLE as P,
  startWechatMockService,
  type TranscriptLine,
  type WechatMockService,
} from '../support/wechat/mock-service.js';

const MIN_INTERVAL = 40;

/** "@王站长\u2005…" as wechaty writes a real mention in front of the text. */
const mentionsFirst = (line: TranscriptLine, name: string) => expect(line.text).toMatch(new RegExp(`^@${name}[\\u2005 ]`));

describe('WeChat: a whole ticket through the real service', () => {
  let h: WechatMockService;
  let ticketId: number;
  let reportId: string;

  beforeAll(async () => {
    h = await startWechatMockService({ minIntervalMs: MIN_INTERVAL });
  });
  afterAll(async () => h?.close());

  it('WeChat is on with the injected puppet and logged in; the org file mapped the staff ids', async () => {
    expect(h.svc.config.sandbox).toBe(false);
    expect(await fetchStatus(h)).toEqual([{ channel: 'wechat', connected: true, detail: 'logged in as 售后小助手' }]);
    const login = await fetch(`${h.svc.url}/wechat/login`);
    expect(await login.text()).toContain('售后小助手');
    const staff = await h.svc.db.person.findMany({ where: { channel: 'wechat' }, orderBy: { name: 'asc' } });
    expect(staff.map((p) => [p.platformId, p.name, p.role])).toEqual(
      expect.arrayContaining([
        [P.engineer.id, '张工', 'engineer'],
        [P.manager.id, '李经理', 'manager'],
      ]),
    );
  });

  it('report → the bot confirms it and asks the reporter for the level, mentioning him for real', async () => {
    const r = await h.say('customer', '@售后小助手 小寨站进站闸机出故障了，电话13800138000', { mentions: ['bot'] });
    reportId = r.message.messageId;
    expect(r.outcome).toBe('processed');
    expect(r.bot).toHaveLength(2);
    const [ack, question] = r.bot as [TranscriptLine, TranscriptLine];

    const t = await h.svc.db.ticket.findFirstOrThrow({ include: { reporter: true, customer: true } });
    ticketId = t.id;
    expect(t).toMatchObject({ number: 'GD-20261124-0001', status: 'reported', level: null, site: '小寨站', device: '闸机', phone: '13800138000', sourceMessageId: reportId });
    // The person: contact id + the room alias as the name; the chat: bound to the customer by the org file.
    expect(t.reporter).toMatchObject({ channel: 'wechat', platformId: P.customer.id, name: '王站长', role: 'customer' });
    expect(t.customer?.name).toBe(MOCK_CUSTOMER);

    expect(ack.mentionIds).toEqual([P.customer.id]);
    mentionsFirst(ack, '王站长');
    expect(ack.text).toContain(`已收到报修，工单 #${ticketId}（GD-20261124-0001）`);

    expect(question.mentionIds).toEqual([P.customer.id]);
    expect(question.text).toContain('【请确认影响范围');
    expect(question.text).toMatch(/\n1 整个系统\/车站业务中断\n2 系统能用但主要功能不正常\n3 个别设备异常\n4 有告警但暂不影响运行\n/);
    // Listed once (the card text already has the choices), not re-numbered "1. 1 …".
    expect(question.text).not.toMatch(/^\d\. /m);
    expect(question.text).toContain('请回复数字');
  });

  it('a bare "2" from the reporter answers the level; the customer hears it accepted, the managers\' group is asked to assign', async () => {
    const staffBefore = h.botLines(h.managersRoom).length;
    const r = await h.say('customer', '2');
    expect(r.outcome).toBe('processed');
    const inRoom = r.bot.filter((l) => l.roomId === h.room.id);
    expect(inRoom).toHaveLength(1);
    const accepted = inRoom[0]!;
    expect(accepted.mentionIds).toEqual([P.customer.id]);
    expect(accepted.text).toContain(`已受理 #${ticketId}（GD-20261124-0001）：二级故障`);
    expect(accepted.text).not.toContain('派单');
    expect(accepted.text).not.toMatch(/接单|已修复/);
    const staff = h.botLines(h.managersRoom).slice(staffBefore);
    expect(staff).toHaveLength(1);
    const card = staff[0]!;
    expect(card.mentionIds).toEqual([P.manager.id]);
    mentionsFirst(card, '李经理');
    expect(card.text).toContain('请李经理派单');
    expect(card.text).toMatch(/请回复：接单 \/ 到场 \/ 已修复$/);
    expect(await h.svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).toMatchObject({ status: 'accepted', level: 2 });
  });

  it('派单 #N @张工 by the manager (real mention) → the customer hears who is coming, the engineer is mentioned among the staff', async () => {
    const staffBefore = h.botLines(h.managersRoom).length;
    const r = await h.say('manager', `派单 #${ticketId} @张工`, { mentions: ['engineer'] });
    expect(r.message.mentionIds).toEqual([P.engineer.id]);
    const inRoom = r.bot.filter((l) => l.roomId === h.room.id);
    expect(inRoom).toHaveLength(1);
    expect(inRoom[0]!.text).toContain('已安排工程师张工处理');
    const staff = h.botLines(h.managersRoom).slice(staffBefore);
    expect(staff.map((l) => l.mentionIds)).toEqual([[P.engineer.id]]);
    expect(staff[0]!.text).toContain('已派给张工，请接单');
    const t = await h.svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { assignee: true } });
    expect(t.status).toBe('assigned');
    expect(t.assignee?.platformId).toBe(P.engineer.id);
  });

  it('接单 → 到场 → 已修复 by the engineer; each is told to the reporter', async () => {
    const ack = await h.say('engineer', '接单');
    expect(ack.bot.map((l) => [l.mentionIds, l.text.replace(/^@\S+\s/, '')])).toEqual([
      [[P.customer.id], `工程师张工已接单 #${ticketId}（GD-20261124-0001），将尽快与您联系。`],
    ]);
    const arrive = await h.say('engineer', '到场');
    expect(arrive.bot.map((l) => [l.mentionIds, l.text.replace(/^@\S+\s/, '')])).toEqual([
      [[P.customer.id], `#${ticketId}（GD-20261124-0001）：工程师张工已到达现场。`],
    ]);
    const fixed = await h.say('engineer', '已修复 更换读卡器模块');
    expect(fixed.bot).toHaveLength(1);
    const confirm = fixed.bot[0]!;
    expect(confirm.mentionIds).toEqual([P.customer.id]);
    expect(confirm.text).toContain('工程师已报修复：更换读卡器模块');
    expect(confirm.text).toMatch(/1 确认修复 {2}2 还没好\n请回复数字 1–2$/);
    expect((await h.svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).status).toBe('resolved');
  });

  it('a bare "1" confirms; the rating question shows the scores as the numbers to reply', async () => {
    const r = await h.say('customer', '1');
    expect(r.bot).toHaveLength(1);
    const rating = r.bot[0]!;
    expect(rating.mentionIds).toEqual([P.customer.id]);
    expect(rating.text).toContain('\n5 非常满意\n4 满意\n3 基本满意\n2 不满意\n1 很不满意\n请回复数字 1–5');
    expect((await h.svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).status).toBe('confirmed');
  });

  it('a bare "5" rates 5 and closes the ticket; the managers\' group heard nothing of it', async () => {
    const staffBefore = h.botLines(h.managersRoom).length;
    const r = await h.say('customer', '5');
    expect(r.bot.filter((l) => l.roomId === h.room.id).map((l) => l.text)).toEqual([`感谢您的评价（5 分）！#${ticketId}（GD-20261124-0001）已关闭。`]);
    const t = await h.svc.db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(t).toMatchObject({ status: 'closed', satisfaction: 5, confirmation: 'confirmed' });
    expect(await h.svc.db.rating.findMany({ where: { ticketId } })).toEqual([expect.objectContaining({ score: 5 })]);
    // The staff hear of the rating only as the follow-up visit it plans, if any.
    expect(h.botLines(h.managersRoom).slice(staffBefore).filter((l) => l.text.includes('评价'))).toEqual([]);
    // Every reply went out through the outbox and WeChat took it.
    expect(await h.svc.db.outbox.count({ where: { status: { not: 'sent' } } })).toBe(0);
  });

  it('a replayed message id (a puppet replaying after a reconnect) makes nothing', async () => {
    const outboxBefore = await h.svc.db.outbox.count();
    const botBefore = h.botLines().length;
    const logFrom = h.logLines.length;
    h.puppet.emit('message', { messageId: reportId });
    expect(await h.waitHandled(reportId, logFrom)).toBe('duplicate');
    await h.deliver();
    expect(await h.svc.db.inboundEvent.count({ where: { channel: 'wechat', messageId: reportId } })).toBe(1);
    expect(await h.svc.db.ticket.count()).toBe(1);
    expect(await h.svc.db.outbox.count()).toBe(outboxBefore);
    expect(h.botLines().length).toBe(botBefore);
  });

  it("the bot's own message (said from the bot account) makes nothing", async () => {
    const inboundBefore = await h.svc.db.inboundEvent.count();
    const outboxBefore = await h.svc.db.outbox.count();
    const r = await h.say('bot', '小寨站3号闸机刷卡没反应，电话13800138000');
    expect(r.outcome).toBe('dropped');
    expect(h.logLines.some((l) => l['msg'] === 'wechat: own message ignored' && l['messageId'] === r.message.messageId)).toBe(true);
    expect(await h.svc.db.inboundEvent.count()).toBe(inboundBefore);
    expect(await h.svc.db.outbox.count()).toBe(outboxBefore);
    expect(r.bot).toEqual([r.message]); // only the message itself, no reply
  });

  it('接单 by the engineer without 派单 takes the one ticket waiting in the group', async () => {
    // A vague symptom: the level is asked ("售票机不出票" alone reads as one device, level 3).
    await h.say('customer', '钟楼站售票机出故障了 电话13800138000');
    const level = await h.say('customer', '3');
    expect(level.bot.filter((l) => l.roomId === h.room.id).at(-1)!.mentionIds).toEqual([P.customer.id]);
    expect(h.botLines(h.managersRoom).at(-1)!.mentionIds).toEqual([P.manager.id]);
    const t2 = await h.svc.db.ticket.findFirstOrThrow({ where: { id: { not: ticketId } } });
    expect(t2).toMatchObject({ status: 'accepted', level: 3, site: '钟楼站' });
    const r = await h.say('engineer', '接单');
    expect(r.bot.map((l) => [l.mentionIds, l.text.replace(/^@\S+\s/, '')])).toEqual([
      [[P.customer.id], `工程师张工已接单 #${t2.id}（${t2.number}），将尽快与您联系。`],
    ]);
    const after = await h.svc.db.ticket.findUniqueOrThrow({ where: { id: t2.id }, include: { assignee: true } });
    expect(after.status).toBe('acknowledged');
    expect(after.assignee?.platformId).toBe(P.engineer.id);
  });

  it('"设为工程师 @李工" by the manager (real mention) makes 李工 an engineer; work can then be transferred to him', async () => {
    const t2 = await h.svc.db.ticket.findFirstOrThrow({ where: { id: { not: ticketId } } });
    const refused = await h.say('manager', `转派 #${t2.id} @李工`, { mentions: ['liGong'] });
    expect(refused.bot.map((l) => l.text.replace(/^@\S+\s/, ''))).toEqual(['李工不是工程师，不能接收工单。']);

    const r = await h.say('manager', '设为工程师 @李工', { mentions: ['liGong'] });
    expect(r.message.mentionIds).toEqual([P.liGong.id]);
    expect(r.bot).toHaveLength(1);
    expect(r.bot[0]!.mentionIds).toEqual([P.manager.id]);
    expect(r.bot[0]!.text).toContain('已将李工设为工程师。');
    expect(await h.svc.db.person.findUniqueOrThrow({ where: { channel_platformId: { channel: 'wechat', platformId: P.liGong.id } } })).toMatchObject({
      name: '李工',
      role: 'engineer',
    });

    // The same text from the same person within 10 s is taken for a platform duplicate (contract
    // intake.duplicateTextWindow); the manager repeats the command a minute later.
    await h.advance(1);
    const staffBefore = h.botLines(h.managersRoom).length;
    const moved = await h.say('manager', `转派 #${t2.id} @李工`, { mentions: ['liGong'] });
    expect(moved.bot.filter((l) => l.roomId === h.room.id).map((l) => l.text.replace(/^@\S+\s/, ''))).toEqual([`#${t2.id}（${t2.number}）已安排工程师李工处理。`]);
    expect(h.botLines(h.managersRoom).slice(staffBefore).map((l) => [l.mentionIds, l.text.replace(/^@\S+\s/, '')])).toEqual([[[P.liGong.id], `#${t2.id}（${t2.number}）已转派给李工，请接单。`]]);

    // A customer cannot do it.
    const no = await h.say('customer', '设为工程师 @李工', { mentions: ['liGong'] });
    expect(no.bot.map((l) => l.text.replace(/^@\S+\s/, ''))).toEqual(['抱歉，「设置角色」是服务人员的操作。如需报修或咨询，请直接描述情况，我们会尽快处理。']);
  });

  it('a room the bot is added to is registered and greeted; "绑定客户 西安地铁二号线" binds it, and reports there belong to the customer', async () => {
    const room3 = h.createRoom('二号线三期售后群', ['manager', 'customer'], '20003@chatroom');
    const from = h.transcript.length;
    const logFrom = h.logLines.length;
    room3.add(h.contacts.bot).by(h.contacts.manager);
    await waitFor(() => h.logLines.slice(logFrom).some((l) => l['msg'] === 'wechat: inbound' && String(l['eventId']).startsWith('bot_added:20003@chatroom')), 'bot_added');
    await h.deliver();
    expect(h.botLines(room3, from).map((l) => l.text)).toEqual([expect.stringContaining('大家好，我是售后服务助手')]);
    const chat = await h.svc.db.chat.findUniqueOrThrow({ where: { channel_platformId: { channel: 'wechat', platformId: room3.id } } });
    expect(chat).toMatchObject({ title: '二号线三期售后群', purpose: 'customer', customerId: null, active: true });

    const bind = await h.say('manager', '@售后小助手 绑定客户 西安地铁二号线', { room: room3, mentions: ['bot'] });
    expect(bind.bot.map((l) => [l.mentionIds, l.text.replace(/^@\S+\s/, '')])).toEqual([[[P.manager.id], `本群已绑定客户「${MOCK_CUSTOMER}」。`]]);
    const customer = await h.svc.db.customer.findUniqueOrThrow({ where: { name: MOCK_CUSTOMER } });
    expect((await h.svc.db.chat.findUniqueOrThrow({ where: { id: chat.id } })).customerId).toBe(customer.id);

    const report = await h.say('customer', '北客站自动售票机黑屏，电话13800138000', { room: room3 });
    // The customer's room is answered (the dispatch card goes to the managers' room, in either order).
    expect(report.bot.filter((l) => l.roomId === room3.id).map((l) => l.text), JSON.stringify(report.bot)).toContainEqual(expect.stringContaining('已收到报修'));
    const t3 = await h.svc.db.ticket.findFirstOrThrow({ where: { chatId: chat.id } });
    expect(t3.customerId).toBe(customer.id);

    // A customer cannot bind.
    const no = await h.say('customer', '绑定客户 别的公司', { room: room3 });
    expect(no.bot.at(-1)!.text).toContain('是服务人员的操作');
  });

  it('one-to-one: the engineer\'s "我的工单" is answered in the private chat', async () => {
    const logFrom = h.logLines.length;
    const sent = h.puppet.sentText.length;
    h.contacts.engineer.say('我的工单').to(h.contacts.bot);
    await waitFor(() => h.logLines.slice(logFrom).some((l) => l['msg'] === 'wechat: inbound' && l['status'] === 'processed'), 'p2p message');
    await h.deliver();
    const replies = h.puppet.sentText.slice(sent);
    expect(replies).toEqual([expect.objectContaining({ conversationId: P.engineer.id })]);
    expect(replies[0]!.text).toMatch(/您的未完成工单|您目前没有未完成的工单/);
  });

  it('pacing holds under a burst of 20 replies in one room', async () => {
    const from = h.transcript.length;
    const logFrom = h.logLines.length;
    // Twenty messages at once, each answered by the bot; then the dispatcher sends the twenty replies.
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      h.contacts.customer.say('帮助').to(h.room);
      ids.push(h.transcript.at(-1)!.messageId);
    }
    for (const id of ids) expect(await h.waitHandled(id, logFrom)).toBe('processed');
    await h.deliver();
    const burst = h.botLines(h.room, from);
    expect(burst).toHaveLength(20);
    for (const l of burst) expect(l.mentionIds).toEqual([P.customer.id]);
    for (let i = 1; i < burst.length; i++) {
      expect(burst[i]!.wallMs - burst[i - 1]!.wallMs).toBeGreaterThanOrEqual(MIN_INTERVAL);
    }
    expect(await h.svc.db.outbox.count({ where: { status: { not: 'sent' } } })).toBe(0);
  });
});

describe('WeChat: the background dispatcher loop delivers and paces', () => {
  let h: WechatMockService;
  beforeAll(async () => {
    h = await startWechatMockService({ minIntervalMs: MIN_INTERVAL, background: true });
  });
  afterAll(async () => h?.close());

  it('report and level answer are answered without settle(); a burst of 20 replies is paced', async () => {
    const r = await h.say('customer', '@售后小助手 小寨站进站闸机出故障了，电话13800138000', { mentions: ['bot'] });
    expect(r.bot.map((l) => l.mentionIds)).toEqual([[P.customer.id], [P.customer.id]]);
    const level = await h.say('customer', '1');
    expect(level.bot.at(-1)!.text).toContain('一级故障');

    const from = h.transcript.length;
    const logFrom = h.logLines.length;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      h.contacts.engineer.say('帮助').to(h.room);
      ids.push(h.transcript.at(-1)!.messageId);
    }
    for (const id of ids) await h.waitHandled(id, logFrom);
    await waitFor(() => h.botLines(h.room, from).length >= 20 || undefined, '20 replies', 20_000);
    await h.deliver();
    const burst = h.botLines(h.room, from);
    expect(burst).toHaveLength(20);
    for (let i = 1; i < burst.length; i++) {
      expect(burst[i]!.wallMs - burst[i - 1]!.wallMs).toBeGreaterThanOrEqual(MIN_INTERVAL);
    }
  });
});

async function waitFor<T>(fn: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function fetchStatus(h: WechatMockService): Promise<Array<{ channel: string; connected: boolean; detail?: string }>> {
  const r = await fetch(`${h.svc.url}/healthz`);
  return ((await r.json()) as { channels: Array<{ channel: string; connected: boolean; detail?: string }> }).channels;
}
