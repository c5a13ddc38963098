/**
 * The send pacer (5 messages a second per chat, 50 a second for the app), the
 * error codes the adapter retries or refuses, and a card click answered within
 * its budget when the bot is slow.
 */
import { describe, expect, it } from 'vitest';
import { classifyFeishuError, FEISHU_HINTS } from '../../src/channels/feishu/errors.js';
import { CLICK_PENDING_TOAST, handleFeishuEvent } from '../../src/channels/feishu/handler.js';
import { FeishuPacer } from '../../src/channels/feishu/pacer.js';
import { FeishuPeople } from '../../src/channels/feishu/people.js';
import { PermanentSendError, RetryableSendError, type InboundEvent, type OutboundAction, type ReceiveResult } from '../../src/core/channel.js';
import { cardActionEvent } from '../support/feishu-events.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

describe('FeishuPacer', () => {
  it('lets 5 messages a second through to one chat, then waits for the window', async () => {
    const c = clock();
    const p = new FeishuPacer({ now: c.now, sleep: c.sleep });
    const start = c.now();
    for (let i = 0; i < 5; i++) await p.take('oc_a');
    expect(c.now()).toBe(start);
    await p.take('oc_a');
    // The sixth waits a little over a second (arrivals bunch up on the way).
    expect(c.now() - start).toBeGreaterThanOrEqual(1000);
    // Another chat is not held by the first one's window.
    const t = c.now();
    await p.take('oc_b');
    expect(c.now()).toBe(t);
  });

  it('holds the app to 50 a second across chats', async () => {
    const c = clock();
    const p = new FeishuPacer({ now: c.now, sleep: c.sleep });
    const start = c.now();
    for (let i = 0; i < 50; i++) await p.take(`oc_${i}`);
    expect(c.now()).toBe(start);
    await p.take('oc_last');
    expect(c.now() - start).toBe(1000);
  });

  it('a wait longer than maxWaitMs goes back to the dispatcher as a retry with its delay', async () => {
    const c = clock();
    const p = new FeishuPacer({ now: c.now, sleep: c.sleep, perChatPerSecond: 1, maxWaitMs: 100 });
    await p.take('oc_a');
    const e = await p.take('oc_a').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetryableSendError);
    expect((e as RetryableSendError).retryAfterMs).toBeGreaterThan(100);
  });
});

describe('Feishu codes', () => {
  const axios = (code: number) => ({ isAxiosError: true, message: 'Request failed with status code 400', response: { status: 400, headers: {}, data: { code, msg: 'x' } } });
  it.each([230020, 230049, 99991400])('%i is retried', (code) => {
    expect(classifyFeishuError(axios(code))).toBeInstanceOf(RetryableSendError);
  });
  it.each([230002, 230027, 230028, 230054, 230071, 230072, 230011, 231003])('%i is permanent', (code) => {
    const e = classifyFeishuError(axios(code));
    expect(e).toBeInstanceOf(PermanentSendError);
    expect((e as PermanentSendError).code).toBe(code);
  });
  it('230027 names the fix: external sharing (对外共享) for an external group', () => {
    expect(classifyFeishuError(axios(230027)).message).toContain('对外共享');
    expect(FEISHU_HINTS[230002]).toContain('添加机器人');
  });
});

describe('a card click and a slow bot', () => {
  it('is answered with a toast within the budget; the card is updated when the bot is done', async () => {
    let release: (r: ReceiveResult) => void = () => undefined;
    const slow = new Promise<ReceiveResult>((r) => (release = r));
    const updates: Array<{ update: OutboundAction; chatId: string }> = [];
    const sink = { receive: (_e: InboundEvent) => slow };
    const t0 = performance.now();
    const out = await handleFeishuEvent(cardActionEvent({ messageId: 'om_card', chatId: 'oc_c', value: { value: 'ack:1' } }), {
      sink,
      clickBudgetMs: 100,
      updateCard: async (update, chatId) => void updates.push({ update, chatId }),
    });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out.answer).toEqual({ toast: { type: 'info', content: CLICK_PENDING_TOAST } });
    release({ status: 'processed', toast: '已接单', card: { kind: 'card_update', messageId: 'om_card', title: 't', text: 'x', chosen: '接单' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(updates).toEqual([{ update: expect.objectContaining({ kind: 'card_update', messageId: 'om_card' }), chatId: 'oc_c' }]);
  });

  it('a click the bot answers in time gets its toast and card at once', async () => {
    const sink = { receive: async () => ({ status: 'processed', toast: '已到场' }) as ReceiveResult };
    const out = await handleFeishuEvent(cardActionEvent({ messageId: 'om_c2', value: { value: 'arrive:1' } }), { sink, clickBudgetMs: 1000 });
    expect(out.answer).toEqual({ toast: { type: 'info', content: '已到场' } });
  });
});

describe('FeishuPeople', () => {
  it('never asks the contact API about another tenant; a slow look-up is not waited for beyond the budget and is cached after', async () => {
    const asked: string[] = [];
    let releaseMembers: () => void = () => undefined;
    const people = new FeishuPeople({
      contact: async (id) => {
        asked.push(id);
        return { name: '张工', departmentIds: ['od-1'] };
      },
      members: () => new Promise((r) => (releaseMembers = () => r([{ openId: 'ou_ext', name: '刘站长', tenantKey: 't2' }]))),
    });
    const t0 = performance.now();
    expect(await people.lookup('ou_ext', { chatId: 'oc_x', external: true, budgetMs: 50 })).toEqual({});
    expect(performance.now() - t0).toBeLessThan(500);
    expect(asked).toEqual([]);
    releaseMembers();
    await new Promise((r) => setTimeout(r, 10));
    expect(people.cached('ou_ext', 'oc_x').name).toBe('刘站长');
    expect(await people.lookup('ou_own', { chatId: 'oc_x', external: false, budgetMs: 50 })).toEqual({ name: '张工', departmentIds: ['od-1'] });
    people.rememberName('ou_mentioned', '陈工');
    expect(people.cached('ou_mentioned').name).toBe('陈工');
  });
});
