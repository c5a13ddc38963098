/**
 * Cards lose their buttons once answered (issue 18): 需要为此报修吗, the level
 * question, the dispatch card once taken, the confirmation and rating cards and
 * the "which ticket" question, answered by text, each get a card_update in the
 * outbox — the same card without buttons, showing what was chosen — and the
 * sandbox shows them so. A card answered by its button is updated by the click's
 * answer: its card_update is recorded as sent, once, and never sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type SandboxMsg, type TestService } from '../support/service.js';
import { ChatView, ticketIdIn, transcript } from '../support/scenario.js';

const { customer, engineer, manager } = PEOPLE;
const UNSURE = '钟楼站的闸机好像又好了，不知道是不是还有问题';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { DIGEST_CRON: 'off' } });
});
afterAll(async () => svc?.close());

type Update = { kind: string; messageId: string; title: string; text: string; chosen?: string; buttons?: unknown };

/** The card_update rows written for one sent card, with their status. */
async function updatesOf(card: SandboxMsg): Promise<Array<Update & { status: string }>> {
  const rows = (await svc.db.outbox.findMany({ where: { action: { startsWith: '{"kind":"card_update"' } }, orderBy: { id: 'asc' } })) as Array<{ action: string; status: string }>;
  return rows.map((r) => ({ ...(JSON.parse(r.action) as Update), status: r.status })).filter((u) => u.messageId === card.id);
}

/** The card as the sandbox shows it now. */
async function nowShown(chat: string, card: SandboxMsg): Promise<SandboxMsg> {
  return (await svc.messages(chat)).find((m) => m.id === card.id)!;
}

async function expectRetired(chat: string, card: SandboxMsg | undefined, chosen: string, status = 'sent'): Promise<void> {
  expect(card, 'the card was sent').toBeDefined();
  expect(card!.buttons.length, 'the card had buttons').toBeGreaterThan(0);
  const ups = await updatesOf(card!);
  expect(ups, JSON.stringify(ups)).toHaveLength(1);
  expect(ups[0]).toMatchObject({ kind: 'card_update', chosen, status });
  expect(ups[0]!.buttons).toBeUndefined();
  // The same card: its title and text as sent.
  expect(card!.text).toContain(ups[0]!.text);
  const shown = await nowShown(chat, card!);
  expect(shown.buttons).toEqual([]);
  expect(shown.text).toContain(chosen);
}

describe('cards lose their buttons once answered', () => {
  it('each kind of card answered by text gets a card_update without buttons, through the outbox', async () => {
    const chat = new ChatView(svc, 'cards-text');
    const managers = await new ChatView(svc, 'managers').skipOld();

    // 需要为此报修吗 → "1"
    let said = await chat.ask(customer, UNSURE);
    const isFault = said.find((m) => m.text.includes('需要为此报修吗'));
    await svc.advance(2);
    said = await chat.ask(customer, '1');
    const id = ticketIdIn(said[0]);
    await expectRetired(chat.name, isFault, '1 是，请登记');

    // The level question → "3"
    const level = said.find((m) => m.text.includes('请问影响范围'));
    await svc.advance(1);
    said = await chat.ask(customer, '3');
    expect((await svc.ticket(id)).level).toBe(3);
    await expectRetired(chat.name, level, '已选择：三级');

    // The dispatch card, once taken (接单 typed).
    const dispatch = (await managers.news()).find((m) => m.buttons.some((b) => b.value === `ack:${id}`));
    await managers.say(manager, `派单 #${id} @张工`);
    await managers.say(engineer, `接单 #${id}`);
    await expectRetired('managers', dispatch, '张工已接单');

    // The confirmation card → "1", the rating card → "5分 很及时".
    said = await chat.ask(engineer, `已修复 #${id} 更换读卡器`);
    const confirmCard = said.find((m) => m.buttons.some((b) => b.value === `confirm:${id}`));
    said = await chat.ask(customer, '1');
    await expectRetired(chat.name, confirmCard, '已确认修复');
    const ratingCard = said.find((m) => m.buttons.some((b) => b.value.startsWith(`rate:${id}:`)));
    said = await chat.ask(customer, '5分 很及时');
    await expectRetired(chat.name, ratingCard, '评分：5分，非常满意');

    // "到场了吗" with two open tickets → the number.
    const a = ticketIdIn((await chat.ask(customer, '小寨站 3号闸机刷卡没反应 电话13800138000'))[0]);
    const b = ticketIdIn((await chat.ask(customer, '体育场站 1号TVM卡币 电话13800138000'))[0]);
    said = await chat.ask(customer, '到场了吗');
    const which = said.find((m) => m.text.includes('请问是哪一张'));
    expect(which?.buttons.map((x) => x.label), transcript(said)).toEqual([expect.stringMatching(new RegExp(`^1 #${a} `)), expect.stringMatching(new RegExp(`^2 #${b} `))]);
    said = await chat.ask(customer, '2');
    expect(said[0]!.text, transcript(said)).toContain(`#${b}`);
    await expectRetired(chat.name, which, `已选择：${which!.buttons[1]!.label.slice(2)}`);
  });

  it('a card answered by its button is updated by the click, recorded once; a later change leaves it alone', async () => {
    const chat = new ChatView(svc, 'cards-click');
    let said = await chat.ask(customer, UNSURE);
    const isFault = said.find((m) => m.text.includes('需要为此报修吗'))!;
    const r = await svc.click(chat.name, customer, isFault.id, isFault.buttons[0]!.value);
    expect(r.status).toBe('processed');
    await expectRetired(chat.name, isFault, '1 是，请登记');
    said = await chat.news();
    const id = ticketIdIn(said[0]);
    const level = said.find((m) => m.text.includes('请问影响范围'))!;
    await svc.click(chat.name, customer, level.id, level.buttons.find((x) => x.label.startsWith('2'))!.value);
    await expectRetired(chat.name, level, '已选择：二级');
    // The level changed later by text: the card already shows its answer and is not updated again.
    await svc.post('managers', manager, `#${id} 改为一级`);
    expect((await svc.ticket(id)).level).toBe(1);
    expect(await updatesOf(level)).toHaveLength(1);
    // Its buttons are gone: the sandbox refuses a click on them.
    await expect(svc.click(chat.name, customer, level.id, level.buttons[0]!.value)).rejects.toThrow(/no such button/);
    expect(await updatesOf(level)).toHaveLength(1);
  });

  it('a channel that cannot update a card posts nothing for an answered one', async () => {
    const { fitToChannel } = await import('../../src/core/plain-text.js');
    const can = { cards: false, cardUpdates: false, threads: false, mentions: false, images: false, attachments: false };
    expect(fitToChannel({ kind: 'card_update', messageId: 'm1', title: '请确认影响范围', text: '…', chosen: '已选择：二级' }, can)).toBeNull();
  });
});
