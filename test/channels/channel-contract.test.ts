/**
 * The contract every channel keeps, checked over each one through the real
 * service (test/support/channel-harness.ts): its own messages are skipped, a
 * redelivery changes nothing, a chat's messages are acted on in order, a
 * question is asked with buttons or numbered choices and answered either way,
 * and a picture sent with a report is kept (or refused for good by a channel
 * that takes no attachments).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentSendError } from '../../src/core/channel.js';
import { HARNESSES, type ChannelHarness } from '../support/channel-harness.js';

describe.each(HARNESSES)('the %s channel', (_name, start) => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await start();
  }, 60_000);
  afterAll(async () => h?.close());

  const tickets = () => h.svc.db.ticket.findMany({ orderBy: { id: 'asc' } });

  it('implements the channel interface', () => {
    expect(h.channel.name).toBe(h.name);
    expect(h.channel.status()).toMatchObject({ channel: h.name });
    for (const k of ['cards', 'cardUpdates', 'threads', 'mentions', 'images', 'attachments'] as const) expect(typeof h.channel.capabilities[k]).toBe('boolean');
  });

  it('skips its own messages: nothing stored, nothing said', async () => {
    const before = { tickets: (await tickets()).length, said: (await h.botMessages()).length, events: await h.svc.db.inboundEvent.count() };
    await h.sayAsBot('钟楼站 9号闸机刷卡没反应 电话13800138000');
    await h.settle();
    expect((await tickets()).length).toBe(before.tickets);
    expect((await h.botMessages()).map((m) => m.text).slice(before.said)).toEqual([]);
    expect(await h.svc.db.inboundEvent.count()).toBe(before.events);
  });

  it('a redelivered message makes one ticket and one set of replies', async () => {
    const before = (await tickets()).length;
    const said = await h.say('小寨站 3号闸机刷卡没反应 电话13800138000');
    await h.settle();
    const replies = (await h.botMessages()).length;
    await said.again();
    await said.again();
    await h.settle();
    const after = await tickets();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.site).toBe('小寨站');
    expect((await h.botMessages()).length).toBe(replies);
  });

  it('replays a saved payload (as kept with the event) through its own path: the same event again', async () => {
    const said = await h.say('体育场站 8号TVM黑屏 电话13800138005');
    await h.settle();
    const row = await h.svc.db.inboundEvent.findFirst({ where: { channel: h.name, type: 'message', text: { contains: '体育场站 8号TVM黑屏' } }, orderBy: { id: 'desc' } });
    expect(row?.raw).toBeTruthy();
    const before = (await tickets()).length;
    expect(await h.channel.replay(JSON.parse(row!.raw!))).toEqual({ status: 'duplicate' });
    expect(await h.channel.replay({ not: 'an event' })).toBeNull();
    await said.again();
    await h.settle();
    expect((await tickets()).length).toBe(before);
  });

  it('acts on a chat’s messages in the order they came', async () => {
    const before = (await tickets()).length;
    await h.sayAll(['体育场站 5号闸机黑屏 电话13800138001', '钟楼站 2号TVM不出票 电话13800138002', '行政中心站 1号闸机不开门 电话13800138003']);
    await h.settle();
    expect((await tickets()).slice(before).map((t) => t.site)).toEqual(['体育场站', '钟楼站', '行政中心站']);
  });

  it('asks with buttons or numbered choices, and takes the answer either way', async () => {
    const before = (await h.botMessages()).length;
    await h.say('票务系统有问题 快来看看');
    await h.settle();
    const question = (await h.botMessages()).slice(before).find((m) => /影响范围/.test(m.text))!;
    expect(question).toBeDefined();
    if (h.channel.capabilities.cards) {
      expect(question.choices.map((c) => c.label)).toHaveLength(4);
    } else {
      expect(question.choices).toEqual([]);
      expect(question.text).toMatch(/^2 .+$/m);
      expect(question.text).toMatch(/请回复数字/);
    }
    await h.choose(question, 2);
    await h.settle();
    const t = (await tickets()).at(-1)!;
    expect(t.level).toBe(2);
    expect(t.status).toBe('accepted');
  });

  it('keeps a picture sent after a report, or refuses attachments for good', async () => {
    await h.say('北客站 7号闸机刷卡没反应 电话13800138004');
    await h.settle();
    const bytes = await h.sendPicture();
    await h.settle();
    if (!h.channel.capabilities.attachments) {
      expect(bytes).toBeNull();
      await expect(h.channel.downloadAttachment({ kind: 'image', key: 'x' }, 'x')).rejects.toBeInstanceOf(PermanentSendError);
      return;
    }
    const t = (await tickets()).at(-1)!;
    const [a] = await h.svc.db.attachment.findMany({ where: { ticketId: t.id } });
    expect(a).toMatchObject({ kind: 'image', state: 'stored' });
    expect(readFileSync(a!.path!).equals(bytes!)).toBe(true);
  });
});
