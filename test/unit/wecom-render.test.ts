/**
 * Neutral actions → WeCom bot parts and WeChat Customer Service bodies; the error classes the
 * dispatcher acts on; the customer-service window. All pure.
 */
import { describe, expect, it } from 'vitest';
import { PermanentSendError, RetryableSendError, type OutboundAction } from '../../src/core/channel.js';
import { classifyWecomError } from '../../src/channels/wecom/errors.js';
import { clipBytes, fitsTemplateCard, MARKDOWN_MAX_BYTES, renderWecomAction, streamIdFor, taskIdFor } from '../../src/channels/wecom/render.js';
import { kfMsgId, renderKfAction, splitBytes } from '../../src/channels/wecom-kf/render.js';
import { kfChatId, menuIdFor, parseKfChatId, translateKfMessage, valueOfMenuId } from '../../src/channels/wecom-kf/translate.js';
import { KF_WINDOW_MS, windowState } from '../../src/channels/wecom-kf/window.js';

const card = (over: Partial<Extract<OutboundAction, { kind: 'card' }>> = {}): Extract<OutboundAction, { kind: 'card' }> => ({
  kind: 'card',
  title: '请选择故障等级',
  text: '工单 GD-20261201-0001：3号线17号闸机刷卡没反应',
  buttons: [
    { label: '1 一级', value: 'level:7:1', style: 'danger' },
    { label: '2 二级', value: 'level:7:2' },
  ],
  numbered: true,
  ...over,
});

describe('wecom bot render', () => {
  it('text → one markdown part; mentions as "@name" or as <@userid>', () => {
    expect(renderWecomAction({ kind: 'text', text: '请接单', mentions: [{ id: 'lisi', name: '李四' }, { id: 'lisi', name: '李四' }] }, 'k')).toEqual([{ kind: 'markdown', content: '@李四 请接单' }]);
    expect(renderWecomAction({ kind: 'text', text: '请接单', mentions: [{ id: 'lisi', name: '李四' }] }, 'k', { mentionStyle: 'tag' })).toEqual([{ kind: 'markdown', content: '<@lisi> 请接单' }]);
    expect(renderWecomAction({ kind: 'text', text: '  ' }, 'k')).toEqual([]);
  });

  it('markdown is cut to 20480 bytes on a character boundary', () => {
    const [p] = renderWecomAction({ kind: 'text', text: '闸'.repeat(10_000) }, 'k');
    expect(p?.kind === 'markdown' && Buffer.byteLength(p.content)).toBeLessThanOrEqual(MARKDOWN_MAX_BYTES);
    expect(clipBytes('ab闸', 4)).toBe('a…');
  });

  it('a card → a button card whose task_id comes from the row key (stable, valid for WeCom)', () => {
    const parts = renderWecomAction(card(), 'row-1');
    expect(parts).toHaveLength(1);
    const p = parts[0]!;
    if (p.kind !== 'card') throw new Error('not a card');
    expect(p.card).toMatchObject({
      card_type: 'button_interaction',
      main_title: { title: '请选择故障等级' },
      sub_title_text: '工单 GD-20261201-0001：3号线17号闸机刷卡没反应',
      button_list: [
        { text: '1 一级', key: 'level:7:1', style: 3 },
        { text: '2 二级', key: 'level:7:2' },
      ],
    });
    expect(p.card.task_id).toBe(taskIdFor('row-1'));
    expect(p.card.task_id).toMatch(/^[0-9A-Za-z_\-@]{1,128}$/);
    expect(taskIdFor('row-1')).not.toBe(taskIdFor('row-2'));
    expect(streamIdFor('row-1')).not.toBe(taskIdFor('row-1'));
  });

  it('a card with mentions: the mentions first as markdown, then the card', () => {
    expect(renderWecomAction(card({ mentions: [{ id: 'zs', name: '张三' }] }), 'k').map((p) => p.kind)).toEqual(['markdown', 'card']);
  });

  it.each([
    ['seven buttons', card({ buttons: Array.from({ length: 7 }, (_, i) => ({ label: `${i}`, value: `v${i}` })) })],
    ['a long label', card({ buttons: [{ label: '这是一个非常非常非常长的按钮文字啊', value: 'v' }] })],
    ['two buttons with one value', card({ buttons: [{ label: 'a', value: 'v' }, { label: 'b', value: 'v' }] })],
    ['no buttons', card({ buttons: [] })],
  ])('a card with %s goes as numbered text', (_n, c) => {
    expect(fitsTemplateCard(c)).toBe(false);
    const parts = renderWecomAction(c, 'k');
    expect(parts.map((p) => p.kind)).toEqual(['markdown']);
  });

  it('a card whose text is longer than a card holds: the text as markdown, then the title and buttons as a card', () => {
    const c = card({ text: '长'.repeat(113), mentions: [{ id: 'zs', name: '张三' }] });
    expect(fitsTemplateCard(c)).toBe(false);
    const parts = renderWecomAction(c, 'k');
    expect(parts.map((p) => p.kind)).toEqual(['markdown', 'card']);
    expect(parts[0]).toMatchObject({ kind: 'markdown', content: expect.stringContaining('@张三 【') });
    expect(parts[0]!.kind === 'markdown' && parts[0]!.content).toContain('长'.repeat(113));
    const cardPart = parts[1]!;
    expect(cardPart.kind === 'card' && cardPart.card).toMatchObject({ task_id: taskIdFor('k'), button_list: expect.any(Array) });
    expect(cardPart.kind === 'card' && 'sub_title_text' in cardPart.card).toBe(false);
  });

  it('card_update: replaced after a click; else nothing for a made choice, one line for a status change', () => {
    const [u] = renderWecomAction({ kind: 'card_update', messageId: 'task-1', title: '请选择故障等级', text: '已定为二级', chosen: '2 二级' }, 'k');
    expect(u).toMatchObject({ kind: 'update', taskId: 'task-1', fallback: null, card: { task_id: 'task-1', button_list: [{ text: '2 二级' }] } });
    const [s] = renderWecomAction({ kind: 'card_update', messageId: 'task-1', title: '工单已接单', text: '张工已接单\n预计 30 分钟到场' }, 'k');
    expect(s).toMatchObject({ kind: 'update', fallback: { kind: 'markdown', content: '【工单已接单】张工已接单' } });
  });

  it('image: the caption, then the PNG bytes', () => {
    const parts = renderWecomAction({ kind: 'image', pngBase64: Buffer.from('png').toString('base64'), caption: '日报' }, 'k');
    expect(parts.map((p) => p.kind)).toEqual(['markdown', 'image']);
    const img = parts[1];
    expect(img?.kind === 'image' && img.png.toString()).toBe('png');
  });
});

describe('wecom bot errors', () => {
  it.each([
    [new Error('WebSocket not connected, unable to send data'), 'not_sent', RetryableSendError],
    [new Error('Reply ack timeout (5000ms) for reqId: r1'), 'ambiguous', RetryableSendError],
    [new Error('WebSocket connection closed (code: 1006), reply for reqId: r1 cancelled'), 'ambiguous', RetryableSendError],
    [{ headers: { req_id: 'r' }, errcode: 45009, errmsg: 'freq' }, 'refused', RetryableSendError],
    [{ headers: { req_id: 'r' }, errcode: 45002, errmsg: 'too long' }, 'refused', PermanentSendError],
    [{ headers: { req_id: 'r' }, errcode: 42014, errmsg: 'task_id' }, 'refused', PermanentSendError],
    [{ headers: { req_id: 'r' }, errcode: 777777, errmsg: 'new' }, 'refused', RetryableSendError],
  ])('%o → %s', (err, outcome, cls) => {
    const c = classifyWecomError(err);
    expect(c.outcome).toBe(outcome);
    expect(c.error).toBeInstanceOf(cls);
  });
});

describe('wecom-kf render and translate', () => {
  it('text over 2048 bytes is split at line ends, under the limit, nothing lost', () => {
    const text = Array.from({ length: 40 }, (_, i) => `第${i}行：${'设备'.repeat(10)}`).join('\n');
    const pieces = splitBytes(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2048);
    expect(pieces.join('\n')).toBe(text);
  });

  it('msgids: stable per row and part, ≤ 32 of [0-9a-f]', () => {
    expect(kfMsgId('row', 0)).toMatch(/^[0-9a-f]{32}$/);
    expect(kfMsgId('row', 0)).toBe(kfMsgId('row', 0));
    expect(kfMsgId('row', 1)).not.toBe(kfMsgId('row', 0));
  });

  it('a card → a menu whose ids carry the values; a menu click → a click with that value', () => {
    const [m] = renderKfAction(card());
    if (!m || m.msgtype !== 'msgmenu') throw new Error('not a menu');
    expect(m.msgmenu.list.map((i) => i.click.content)).toEqual(['1 一级', '2 二级']);
    for (const i of m.msgmenu.list) expect(i.click.id).toMatch(/^[a-zA-Z0-9_]{1,128}$/);
    expect(valueOfMenuId(m.msgmenu.list[1]!.click.id)).toBe('level:7:2');
    const r = translateKfMessage(
      { msgid: 'x1', open_kfid: 'wk1', external_userid: 'wm1', send_time: 1764554400, origin: 3, msgtype: 'text', text: { content: '2 二级', menu_id: m.msgmenu.list[1]!.click.id } },
      { receivedAt: new Date() },
    );
    expect(r).toMatchObject({ kind: 'click', event: { type: 'click', value: 'level:7:2', chat: { id: 'wk1:wm1' } } });
    expect(menuIdFor('x'.repeat(64))).toBeNull();
    expect(valueOfMenuId('m0')).toBeNull();
  });

  it('a card with eleven choices goes as numbered text', () => {
    const c = card({ buttons: Array.from({ length: 11 }, (_, i) => ({ label: `选项${i + 1}`, value: `v${i}` })) });
    const [p] = renderKfAction(c);
    expect(p!.msgtype).toBe('text');
  });

  it('chat ids round-trip; hostile ones do not parse', () => {
    expect(parseKfChatId(kfChatId('wkA', 'wmB'))).toEqual({ openKfId: 'wkA', externalUserId: 'wmB' });
    expect(parseKfChatId('a:b:c')).toBeNull();
    expect(parseKfChatId('')).toBeNull();
  });

  it.each([
    ['servicer', { msgid: 'a', origin: 5, msgtype: 'text', text: { content: 'x' }, open_kfid: 'k', external_userid: 'u' }],
    ['no msgid', { origin: 3, msgtype: 'text', text: { content: 'x' } }],
    ['unknown type', { msgid: 'a', origin: 3, msgtype: 'channels_shop_order', open_kfid: 'k', external_userid: 'u' }],
    ['an id with a colon', { msgid: 'a', origin: 3, msgtype: 'text', text: { content: 'x' }, open_kfid: 'k:1', external_userid: 'u' }],
    ['not an object', 'hello'],
  ])('%s → ignored', (_n, m) => {
    expect('ignored' in translateKfMessage(m, { receivedAt: new Date() })).toBe(true);
  });

  it('the window: 5 within 48 h of the last customer message', () => {
    const last = new Date('2026-12-01T00:00:00Z');
    expect(windowState(null, last)).toMatchObject({ open: false, reason: 'no_customer_message' });
    expect(windowState({ lastCustomerMessageAt: last, sentSince: 4 }, new Date(last.getTime() + 1000))).toMatchObject({ open: true, remaining: 1 });
    expect(windowState({ lastCustomerMessageAt: last, sentSince: 5 }, new Date(last.getTime() + 1000))).toMatchObject({ open: false, reason: 'five_sent' });
    expect(windowState({ lastCustomerMessageAt: last, sentSince: 0 }, new Date(last.getTime() + KF_WINDOW_MS))).toMatchObject({ open: false, reason: 'expired' });
  });
});
