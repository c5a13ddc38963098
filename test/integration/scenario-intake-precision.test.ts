/**
 * Issue 12 in the sandbox: no possible fault dropped in silence, and intake
 * precision. 3号闸机 then 5号闸机 at one station are two tickets; a 报修 form
 * and a report with a reassurance clause are tickets; "设备都正常 误报" is
 * nothing; a message the bot is unsure about gets 需要为此报修吗 (once, never
 * of staff) and "1" or the button makes the ticket, "2" nothing; "不是同一个"
 * after a duplicate notice makes a ticket; two complete reports are never
 * merged; a fault with a question makes a ticket and a consultation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type SandboxMsg, type TestService } from '../support/service.js';
import { ChatView, names, now, ticketIdIn, transcript } from '../support/scenario.js';

const { customer, customer2, engineer } = PEOPLE;
const customer3 = { id: 'c3', name: '赵站长', role: 'customer' } as const;

/** A message the reader cannot place (a symptom, then "it seems fine again"). */
const UNSURE = '钟楼站的闸机好像又好了，不知道是不是还有问题';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { DIGEST_CRON: 'off' } });
});
afterAll(async () => svc?.close());

const tickets = (): Promise<number> => svc.db.ticket.count() as Promise<number>;
const question = (said: SandboxMsg[]) => said.find((m) => m.text.includes('需要为此报修吗'));

describe('intake precision in the sandbox', () => {
  it('3号闸机 then 5号闸机 at one station, from two people, are two tickets; 3号闸机 again is linked to the first', async () => {
    const chat = new ChatView(svc, 's12-numbers');
    const before = await tickets();
    const first = ticketIdIn((await chat.ask(customer, '小寨站3号闸机刷卡没反应 电话13800138000'))[0]);
    await svc.advance(3);
    const said = await chat.ask(customer2, '小寨站5号闸机刷卡没反应 电话13900139000');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    const second = ticketIdIn(said[0]);
    expect(second).not.toBe(first);
    expect(await tickets()).toBe(before + 2);
    expect(await svc.ticket(second)).toMatchObject({ site: '小寨站', device: '闸机' });

    await svc.advance(3);
    const again = await chat.ask(customer3, '小寨站3号闸机还是刷不了卡');
    expect(again[0]!.text, transcript(again)).toContain(`该故障已有工单 #${first}`);
    expect(await tickets()).toBe(before + 2);
  });

  it('a reporter who answers 不是同一个 to a duplicate notice gets a ticket of that report', async () => {
    const chat = new ChatView(svc, 's12-not-same');
    const first = ticketIdIn((await chat.ask(customer, '钟楼站闸机刷卡没反应 电话13800138000'))[0]);
    await svc.advance(2);
    const t1 = now(svc);
    const dup = await chat.ask(customer2, '钟楼站闸机刷不了卡了');
    expect(dup[0]!.text, transcript(dup)).toContain(`该故障已有工单 #${first}`);
    expect(dup[0]!.text).toContain('不是同一个');
    const before = await tickets();
    await svc.advance(1);
    const said = await chat.ask(customer2, '不是同一个');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    const id = ticketIdIn(said[0]);
    expect(id).not.toBe(first);
    expect(await tickets()).toBe(before + 1);
    const t = await svc.ticket(id);
    expect(t).toMatchObject({ site: '钟楼站', device: '闸机', content: '钟楼站闸机刷不了卡了' });
    // Reported when the report was sent, not when it was corrected.
    expect(t.steps.reportedAt).toBe(t1.toISOString());
    // Said again: nothing more.
    expect(await chat.ask(customer2, '不是同一个')).toHaveLength(0);
    expect(await tickets()).toBe(before + 1);
  });

  it('a 报修 form with 地点/设备/现象 lines is a ticket', async () => {
    const chat = new ChatView(svc, 's12-form');
    const said = await chat.ask(customer, '报修\n地点：钟楼站\n设备：TVM\n现象：不出票\n联系人：李工 13800138000');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    expect(await svc.ticket(ticketIdIn(said[0]))).toMatchObject({ kind: 'fault', site: '钟楼站', device: '售票机' });
  });

  it('a report with a reassurance clause is a ticket', async () => {
    const chat = new ChatView(svc, 's12-reassurance');
    const said = await chat.ask(customer, '北客站2号售票机屏幕花屏，其他售票机正常，不影响运营');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    expect(await svc.ticket(ticketIdIn(said[0]))).toMatchObject({ kind: 'fault', device: '售票机' });
  });

  it('"设备都正常 误报" is nothing', async () => {
    const chat = new ChatView(svc, 's12-false-alarm');
    const before = await tickets();
    const r = await chat.say(customer, '设备都正常 误报');
    expect(r.status).toBe('ignored');
    expect(await chat.news()).toHaveLength(0);
    expect(await tickets()).toBe(before);
  });

  it('a message the bot is unsure about gets 需要为此报修吗 once, with buttons; "1" makes the ticket from it', async () => {
    const chat = new ChatView(svc, 's12-unsure');
    const before = await tickets();
    const t0 = now(svc);
    const said = await chat.ask(customer, UNSURE);
    const q = question(said);
    expect(q, transcript(said)).toBeDefined();
    expect(said).toHaveLength(1);
    expect(q!.text).toContain('1 是，请登记');
    expect(q!.text).toContain('2 不用');
    expect(q!.buttons.map((b) => b.label)).toEqual(['1 是，请登记', '2 不用']);
    expect(names(q)).toEqual(['王工']);
    expect(await tickets()).toBe(before);

    await svc.advance(2);
    const made = await chat.ask(customer, '1');
    expect(made[0]!.text, transcript(made)).toMatch(/已收到报修/);
    const id = ticketIdIn(made[0]);
    const t = await svc.ticket(id);
    expect(t).toMatchObject({ kind: 'fault', site: '钟楼站', device: '闸机', content: UNSURE });
    expect(t.steps.reportedAt).toBe(t0.toISOString());
    expect(await tickets()).toBe(before + 1);

    // "1" sent twice is not the answer to the level question that followed; a "1" a minute later is.
    expect(made.some((m) => m.text.includes('请问影响范围')), transcript(made)).toBe(true);
    expect(await chat.ask(customer, '1')).toHaveLength(0);
    expect((await svc.ticket(id)).level).toBeNull();
    await svc.advance(1);
    await chat.ask(customer, '3');
    expect((await svc.ticket(id)).level).toBe(3);

    // The answered question lost its buttons (it shows the answer): a late click has nothing to press.
    const shown = (await svc.messages(chat.name)).find((m) => m.id === q!.id)!;
    expect(shown.buttons).toEqual([]);
    expect(shown.text).toContain('1 是，请登记');
    await expect(svc.click(chat.name, customer, q!.id, q!.buttons[0]!.value)).rejects.toThrow(/no such button/);
    expect(await tickets()).toBe(before + 1);
  });

  it('the button makes the ticket too; "2" closes the question quietly; someone else’s click changes nothing', async () => {
    const chat = new ChatView(svc, 's12-buttons');
    const before = await tickets();
    const asked = (): Promise<number> => svc.db.pendingQuestion.count({ where: { kind: 'is_fault' } }) as Promise<number>;
    const askedBefore = await asked();
    const q = question(await chat.ask(customer, UNSURE))!;
    expect(q).toBeDefined();
    const other = await svc.click(chat.name, customer2, q.id, q.buttons[0]!.value);
    expect(other.toast).toBe('请由发消息的同事选择。');
    expect(await tickets()).toBe(before);
    const r = await svc.click(chat.name, customer, q.id, q.buttons[0]!.value);
    expect(r.status).toBe('processed');
    const said = await chat.news();
    expect(said.some((m) => /已收到报修/.test(m.text)), transcript(said)).toBe(true);
    expect(await tickets()).toBe(before + 1);

    const q2 = question(await chat.ask(customer2, '小寨站的闸机好像又好了，不知道是不是还有问题'));
    expect(q2).toBeDefined();
    expect(await chat.ask(customer2, '不用')).toHaveLength(0);
    expect(await tickets()).toBe(before + 1);
    // A late "1" is not an answer any more, and the same message is never asked about twice.
    expect(await chat.ask(customer2, '1')).toHaveLength(0);
    expect(await tickets()).toBe(before + 1);
    expect(await asked()).toBe(askedBefore + 2);
  });

  it('staff are never asked 需要为此报修吗', async () => {
    const chat = new ChatView(svc, 's12-staff');
    await chat.ask(customer, '小寨站3号闸机刷卡没反应 电话13800138000');
    const said = await chat.ask(engineer, UNSURE);
    expect(question(said), transcript(said)).toBeUndefined();
  });

  it('two complete reports sent back to back by one person are two tickets, not parts of one', async () => {
    const chat = new ChatView(svc, 's12-two-complete');
    const before = await tickets();
    const a = ticketIdIn((await chat.ask(customer, '小寨站3号闸机刷卡没反应 电话13800138000'))[0]);
    const said = await chat.ask(customer, '钟楼站2号售票机不出票');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    const b = ticketIdIn(said[0]);
    expect(b).not.toBe(a);
    expect(await tickets()).toBe(before + 2);
    expect((await svc.ticket(b)).content).toBe('钟楼站2号售票机不出票');
  });

  it('a place sent before a complete report that names its own place is not merged into it', async () => {
    const chat = new ChatView(svc, 's12-stray-place');
    expect((await chat.say(customer, '钟楼站')).status).toBe('ignored');
    const said = await chat.ask(customer, '小寨站4号闸机刷卡没反应 电话13800138000');
    const t = await svc.ticket(ticketIdIn(said[0]));
    expect(t).toMatchObject({ site: '小寨站', content: '小寨站4号闸机刷卡没反应 电话13800138000' });
  });

  it('a fault and a question in one message make a ticket and a consultation', async () => {
    const chat = new ChatView(svc, 's12-two-intents');
    const before = await tickets();
    const said = await chat.ask(customer, '小寨站3号闸机坏了，刷不了卡，电话13800138000。顺便问一下闸机维保在合同范围内吗？');
    expect(said.some((m) => /已收到报修/.test(m.text)), transcript(said)).toBe(true);
    expect(said.some((m) => /已收到您的咨询/.test(m.text)), transcript(said)).toBe(true);
    expect(await tickets()).toBe(before + 2);
    const kinds = (await svc.db.ticket.findMany({ where: { id: { gt: 0 } }, orderBy: { id: 'desc' }, take: 2, select: { kind: true } })).map((t: { kind: string }) => t.kind);
    expect(kinds.sort()).toEqual(['consultation', 'fault']);
  });
});
