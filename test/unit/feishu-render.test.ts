import { describe, expect, it } from 'vitest';
import {
  cardJson,
  contentBytes,
  FEISHU_LIMITS,
  renderCard,
  renderCardCallbackAnswer,
  renderCardUpdate,
  renderImage,
  renderText,
  TRUNCATION_NOTE,
} from '../../src/channels/feishu/render.js';
import { decodeButtonValue } from '../../src/channels/feishu/translate.js';
import { PermanentSendError } from '../../src/core/channel.js';

describe('render: text', () => {
  it('puts real mentions in front of the text', () => {
    const m = renderText('请处理', [
      { id: 'ou_1', name: '王工' },
      { id: 'all', name: '所有人' },
    ]);
    expect(m.msg_type).toBe('text');
    expect(JSON.parse(m.content)).toEqual({ text: '<at user_id="ou_1">王工</at> <at user_id="all">所有人</at> 请处理' });
  });

  it('defuses <at> written by people so quoting a report pings nobody', () => {
    const m = renderText('原文：<at user_id="all">所有人</at>');
    expect(JSON.parse(m.content).text).not.toContain('<at');
  });

  it('a too-long text is cut to fit, ending with a note', () => {
    const m = renderText('长'.repeat(100_000));
    expect(contentBytes(m.content)).toBeLessThanOrEqual(FEISHU_LIMITS.textBytes);
    expect(JSON.parse(m.content).text.endsWith(TRUNCATION_NOTE)).toBe(true);
  });

  it('never cuts inside a surrogate pair', () => {
    const m = renderText('😀'.repeat(60_000));
    const text: string = JSON.parse(m.content).text;
    expect(text.replace(TRUNCATION_NOTE, '')).toMatch(/^(😀)+$/u);
  });
});

describe('render: cards', () => {
  const card = {
    title: '请选择故障等级',
    text: '小寨站 3号闸机刷卡没反应',
    buttons: [
      { label: '1 级', value: 'level:1', style: 'danger' as const },
      { label: '2 级', value: 'level:2' },
    ],
    mentions: [{ id: 'ou_1', name: '李站长' }],
  };

  it('interactive card: header, markdown with mentions, buttons carrying {value}', () => {
    const m = renderCard(card);
    expect(m.msg_type).toBe('interactive');
    const c = JSON.parse(m.content);
    expect(c.header.title).toEqual({ tag: 'plain_text', content: '请选择故障等级' });
    expect(c.elements[0]).toEqual({ tag: 'markdown', content: '<at id=ou_1></at> 小寨站 3号闸机刷卡没反应' });
    expect(c.elements[1].actions.map((b: { type: string; value: unknown }) => [b.type, b.value])).toEqual([
      ['danger', { value: 'level:1' }],
      ['default', { value: 'level:2' }],
    ]);
  });

  it('a button value survives the round trip render → click → translate', () => {
    const value = 'ticket:FW-0001:accept|重要';
    const c = cardJson({ title: 't', text: 'x', buttons: [{ label: '接单', value }] }) as { elements: Array<{ actions?: Array<{ value: unknown }> }> };
    expect(decodeButtonValue(c.elements[1]!.actions![0]!.value)).toBe(value);
  });

  it('an oversize card is cut to 30 KB; a card that cannot fit at all is refused permanently', () => {
    const m = renderCard({ ...card, text: '长'.repeat(20_000) });
    expect(contentBytes(m.content)).toBeLessThanOrEqual(FEISHU_LIMITS.cardBytes);
    expect(JSON.parse(m.content).elements[0].content.endsWith(TRUNCATION_NOTE)).toBe(true);
    const huge = { ...card, buttons: Array.from({ length: 2000 }, (_, i) => ({ label: `按钮${i}`, value: `v${i}` })) };
    expect(() => renderCard(huge)).toThrow(PermanentSendError);
    try {
      renderCard(huge);
    } catch (e) {
      expect((e as PermanentSendError).code).toBe('content_too_long');
    }
  });

  it('updated card: choice shown, buttons gone', () => {
    const u = JSON.parse(renderCardUpdate({ title: '请选择故障等级', text: '小寨站 3号闸机', chosen: '2 级' }).content);
    expect(u.header.template).toBe('green');
    expect(JSON.stringify(u)).toContain('已选择：**2 级**');
    expect(JSON.stringify(u)).not.toContain('"button"');
    expect(u.config.update_multi).toBe(true);
  });

  it('callback answer: toast and the updated card as raw card JSON', () => {
    const a = renderCardCallbackAnswer({
      status: 'processed',
      toast: '已接单',
      card: { kind: 'card_update', messageId: 'om_1', title: '工单', text: 'x', chosen: '接单' },
    });
    expect(a.toast).toEqual({ type: 'info', content: '已接单' });
    expect(a.card?.type).toBe('raw');
    expect(renderCardCallbackAnswer({ status: 'duplicate' })).toEqual({});
  });
});

describe('render: images', () => {
  it('image alone → image message; with caption → post with the image and the text', () => {
    expect(renderImage('img_1')).toEqual({ msg_type: 'image', content: '{"image_key":"img_1"}' });
    const p = renderImage('img_1', '本周统计');
    expect(p.msg_type).toBe('post');
    expect(JSON.parse(p.content)).toEqual({
      zh_cn: { title: '', content: [[{ tag: 'img', image_key: 'img_1' }], [{ tag: 'text', text: '本周统计' }]] },
    });
  });
});

describe('render: card update with only the choice known', () => {
  it('leaves out an empty header and text instead of rendering them blank', () => {
    const u = JSON.parse(renderCardUpdate({ title: '', text: '', chosen: '接单' }).content);
    expect(u.header).toBeUndefined();
    expect(u.elements).toEqual([{ tag: 'markdown', content: '✅ 已选择：**接单**' }]);
    const a = renderCardCallbackAnswer({ status: 'processed', card: { kind: 'card_update', messageId: 'om_1', title: '', text: '', chosen: '3 分' } });
    expect(JSON.stringify(a.card?.data)).toContain('3 分');
  });
});
