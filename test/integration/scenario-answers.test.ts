/**
 * Every message addressed to the bot is answered: a chase ("怎么还没人来",
 * "你们的工程师怎么还没到？都两个小时了") gets an apology and the ticket's
 * status with who is coming; a question in English is answered in Chinese; a
 * status question from someone with several open tickets asks which one with
 * numbered choices, and the number answers it. Chit-chat among people stays
 * unanswered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodContaining, renderDigestText } from '../../src/domain/digest.js';
import { loadDigest } from '../../src/report/digest-store.js';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, MIN, advanceTo, names, now, ticketIdIn, transcript } from '../support/scenario.js';

/** The managers' digest is tested on its own; here it would only slow long clock jumps. */
const NO_DIGEST = { DIGEST_CRON: 'off' };

const { customer, engineer, manager } = PEOPLE;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: NO_DIGEST });
});
afterAll(async () => svc?.close());

describe('answers to messages addressed to the bot', () => {
  it('an angry chase is answered politely with the status and who is coming, and opens no complaint', async () => {
    const chat = new ChatView(svc, 'ans-chase');
    const id = ticketIdIn((await chat.ask(customer, '钟楼站 2号TVM不出票 电话13800138000'))[0]);
    await svc.post('managers', manager, `派单 #${id} @张工`);
    for (const text of ['你们的工程师怎么还没到？都两个小时了', '怎么还没人来', '还没到？']) {
      const said = await chat.ask(customer, text);
      expect(said, `${text}\n${transcript(said)}`).toHaveLength(1);
      expect(said[0]!.text).toContain('抱歉让您久等了');
      expect(said[0]!.text).toContain(`#${id}`);
      expect(said[0]!.text).toContain('张工');
      expect(said[0]!.text).not.toMatch(/投诉/);
      expect(names(said[0])).toEqual(['王工']);
    }
    // No complaint ticket was opened by the chase.
    expect((await chat.all()).some((m) => /投诉/.test(m.text))).toBe(false);
  });

  it('a question in English is answered in Chinese with the status', async () => {
    const chat = new ChatView(svc, 'ans-english');
    const id = ticketIdIn((await chat.ask(customer, '北客站 4号闸机黑屏 电话13800138000'))[0]);
    const said = await chat.ask(customer, 'Has the engineer arrived yet?');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toContain(`#${id}`);
    expect(said[0]!.text).toContain('当前状态');
  });

  it('"到场了吗" with two open tickets asks which one, and the number answers it', async () => {
    const chat = new ChatView(svc, 'ans-which');
    const first = ticketIdIn((await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000'))[0]);
    const second = ticketIdIn((await chat.ask(customer, '体育场站 1号TVM卡币 电话13800138000'))[0]);
    expect(second).not.toBe(first);
    await svc.post('managers', manager, `派单 #${second} @张工`);
    let said = await chat.ask(customer, '到场了吗');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toContain('请问是哪一张');
    expect(said[0]!.text).toMatch(new RegExp(`1 #${first}\\b`));
    expect(said[0]!.text).toMatch(new RegExp(`2 #${second}\\b`));
    said = await chat.ask(customer, '2');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toContain(`#${second}`);
    expect(said[0]!.text).not.toContain(`#${first}`);
    expect(said[0]!.text).toContain('张工');
    expect(said[0]!.text).toContain('当前状态');
  });

  it('chit-chat among people stays unanswered', async () => {
    const chat = new ChatView(svc, 'ans-chat');
    await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000');
    for (const text of ['好的收到', '今天中午吃什么']) {
      const said = await chat.ask(customer, text);
      expect(said, `${text}\n${transcript(said)}`).toHaveLength(0);
    }
  });
});

describe('messages addressed to the bot by mention or reply', () => {
  it('an @-mention of the bot and a reply to its message are answered; the same words among people are not', async () => {
    const chat = new ChatView(svc, 'ans-mention');
    let said = await chat.ask(customer, '@售后服务助手 你好');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toContain('报修请说明车站、设备和故障现象');
    expect(names(said[0])).toEqual(['王工']);
    expect(await chat.ask(customer, '你好')).toHaveLength(0);
    const accepted = (await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000'))[0]!;
    said = await chat.ask(customer, '好的', { replyTo: accepted.id });
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toContain('随时');
    expect(await chat.ask(customer, '好的')).toHaveLength(0);
  });
});

describe('a late answer to the level question', () => {
  it('is accepted after the time-out: the provisional level corrected and announced', async () => {
    const chat = new ChatView(svc, 'ans-late-level');
    const t0 = now(svc);
    const id = ticketIdIn((await chat.ask(customer, '北客站 票务系统有问题 快来看看 电话13800138000'))[0]);
    await advanceTo(svc, t0.getTime() + 15 * MIN);
    let t = await svc.ticket(id);
    expect(t).toMatchObject({ levelProvisional: true, level: 3 });
    await svc.advance(20);
    const said = await chat.ask(customer, '2');
    expect(said, transcript(said)).toHaveLength(1);
    expect(said[0]!.text).toContain(`#${id}`);
    expect(said[0]!.text).toContain('故障级别调整为二级');
    t = await svc.ticket(id);
    expect(t).toMatchObject({ levelProvisional: false, level: 2 });
  });

  it('the old level button still answers it while the level is provisional', async () => {
    const chat = new ChatView(svc, 'ans-late-button');
    const t0 = now(svc);
    const first = await chat.ask(customer, '北客站 票务系统有问题 快来看看 电话13800138000');
    const id = ticketIdIn(first[0]);
    const card = first.find((m) => m.buttons.length > 0)!;
    await advanceTo(svc, t0.getTime() + 15 * MIN);
    expect(await svc.ticket(id)).toMatchObject({ levelProvisional: true, level: 3 });
    await chat.skipOld();
    const r = await svc.click('ans-late-button', customer, card.id, card.buttons.find((b) => b.label.startsWith('2'))!.value);
    expect(r.toast ?? '').not.toContain('已确定');
    expect(await svc.ticket(id)).toMatchObject({ levelProvisional: false, level: 2 });
  });
});

describe('a recurrence', () => {
  it('"又坏了" about a device opens a fault linked to its earlier ticket, not a complaint', async () => {
    const chat = new ChatView(svc, 'ans-recur');
    const first = ticketIdIn((await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000'))[0]);
    await svc.post('managers', manager, `派单 #${first} @张工`);
    await chat.say(engineer, `接 #${first}`);
    await chat.say(engineer, `已修复 #${first} 更换读卡器`);
    const said = await chat.ask(customer, '小寨站3号闸机又坏了，上周刚修过');
    expect(said.some((m) => /投诉/.test(m.text)), transcript(said)).toBe(false);
    const again = ticketIdIn(said.find((m) => m.text.includes('已收到报修')));
    expect(again).not.toBe(first);
    expect(said.some((m) => m.text.includes('复发') && m.text.includes(`#${first}`))).toBe(true);
    const t = await svc.ticket(again);
    expect(t.kind).toBe('fault');
    expect(JSON.stringify(t.events)).toContain('recurrence');
    // The day's digest counts it, naming the earlier ticket.
    const tz = 'Asia/Shanghai';
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(now(svc));
    const digest = await loadDigest(svc.db, svc.bot.deps.contracts, periodContaining('daily', day, tz), now(svc));
    const t1 = await svc.ticket(first);
    expect(digest.recurrences).toEqual([{ ticketId: again, number: t.number, earlier: t1.number }]);
    expect(renderDigestText(digest)).toContain(`其中同一设备再次故障 1 件\n· ${t.number}，前次工单 ${t1.number}`);
  });
});

describe('a question to the supplier without 请问', () => {
  it('is taken as a consultation, in Chinese or in English; a question among people is not', async () => {
    const chat = new ChatView(svc, 'ans-question');
    for (const text of ['TVM的参数怎么下发', '你们周末有人值班吗？', 'How do I export the gate transaction data?']) {
      const said = await chat.ask(customer, text);
      expect(said, `${text}\n${transcript(said)}`).toHaveLength(1);
      expect(said[0]!.text, text).toMatch(/已收到您的咨询，编号 #\d+/);
    }
    expect(await chat.ask(customer, '明天开会吗？')).toHaveLength(0);
  });
});
