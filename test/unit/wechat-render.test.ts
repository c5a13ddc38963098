import { describe, expect, it } from 'vitest';

import { mentionPrefix, numberPrompt, renderAction, renderCardText } from '../../src/channels/wechat/render.js';

const LEVELS = [
  { label: '整个系统/车站业务中断', value: 'L1' },
  { label: '部分设备故障，业务降级', value: 'L2' },
  { label: '单台设备故障，不影响业务', value: 'L3' },
  { label: '咨询或一般问题', value: 'L4' },
];

describe('renderAction', () => {
  it('text with mentions → mention ids for room.say', () => {
    expect(
      renderAction({
        kind: 'text',
        text: '请尽快到场处理',
        mentions: [
          { id: 'wxid_eng', name: '张工' },
          { id: 'wxid_mgr', name: '李经理' },
          { id: 'wxid_eng', name: '张工' },
        ],
      }),
    ).toEqual([{ kind: 'text', text: '请尽快到场处理', mentionIds: ['wxid_eng', 'wxid_mgr'], mentionNames: ['张工', '李经理'] }]);
  });

  it('numbered card → title, text, numbered lines, "请回复数字 1–4"', () => {
    const [part] = renderAction({
      kind: 'card',
      title: '故障等级',
      text: '请选择故障影响范围：',
      buttons: LEVELS,
      numbered: true,
      mentions: [{ id: 'wxid_cust', name: '王站长' }],
    });
    expect(part).toEqual({
      kind: 'text',
      text: [
        '【故障等级】',
        '请选择故障影响范围：',
        '1. 整个系统/车站业务中断',
        '2. 部分设备故障，业务降级',
        '3. 单台设备故障，不影响业务',
        '4. 咨询或一般问题',
        '请回复数字 1–4',
      ].join('\n'),
      mentionIds: ['wxid_cust'],
      mentionNames: ['王站长'],
    });
  });

  it('card without numbered → labels as words to reply with', () => {
    const text = renderCardText({
      kind: 'card',
      title: '新工单 #12',
      text: '小寨站闸机黑屏',
      buttons: [
        { label: '接单', value: 'accept' },
        { label: '转派', value: 'reassign' },
      ],
    });
    expect(text).toBe('【新工单 #12】\n小寨站闸机黑屏\n请回复：接单 / 转派');
  });

  it('card with no buttons is just title and text', () => {
    expect(renderCardText({ kind: 'card', title: 't', text: 'x', buttons: [], numbered: true })).toBe('【t】\nx');
  });

  it('numberPrompt', () => {
    expect(numberPrompt(1)).toBe('请回复数字 1');
    expect(numberPrompt(5)).toBe('请回复数字 1–5');
  });

  it('card_update with a choice → nothing (WeChat cannot edit; the reply shows the choice)', () => {
    expect(renderAction({ kind: 'card_update', messageId: 'm1', title: '故障等级', text: '…', chosen: '2. 部分设备故障' })).toEqual([]);
  });

  it('card_update without a choice → one short follow-up line', () => {
    const parts = renderAction({ kind: 'card_update', messageId: 'm1', title: '工单 #12', text: '已由张工接单\n预计 30 分钟到场' });
    expect(parts).toEqual([{ kind: 'text', text: '【工单 #12】已由张工接单', mentionIds: [], mentionNames: [] }]);
    const long = renderAction({ kind: 'card_update', messageId: 'm1', title: 't', text: '很'.repeat(100) });
    expect([...(long[0] as { text: string }).text].length).toBe(60);
  });

  it('image → caption text, then the PNG', () => {
    expect(renderAction({ kind: 'image', pngBase64: 'iVBORw0KGgo=', caption: '本周工单统计' })).toEqual([
      { kind: 'text', text: '本周工单统计', mentionIds: [], mentionNames: [] },
      { kind: 'image', pngBase64: 'iVBORw0KGgo=', name: 'image.png' },
    ]);
    expect(renderAction({ kind: 'image', pngBase64: 'AAAA' })).toHaveLength(1);
  });

  it('mentionPrefix matches what wechaty writes', () => {
    expect(mentionPrefix([])).toBe('');
    expect(mentionPrefix(['张工', '李经理'])).toBe('@张工\u2005@李经理 ');
  });
});

describe('numbered cards whose labels carry their own number (the bot reads a bare number as that value)', () => {
  it('rating 5..1: labels shown as they are, never re-numbered ("1" must not mean "5 非常满意")', () => {
    const text = renderCardText({
      kind: 'card',
      title: '服务评价 #1',
      text: '请为本次服务打分（1–5 分，5 分最满意）。',
      buttons: [5, 4, 3, 2, 1].map((s) => ({ label: `${s} ${['', '很不满意', '不满意', '基本满意', '满意', '非常满意'][s]}`, value: `rate:1:${s}` })),
      numbered: true,
    });
    expect(text).toBe(['【服务评价 #1】', '请为本次服务打分（1–5 分，5 分最满意）。', '5 非常满意', '4 满意', '3 基本满意', '2 不满意', '1 很不满意', '请回复数字 1–5'].join('\n'));
  });

  it('choices already listed in the text are not repeated; an existing "回复数字" is not repeated either', () => {
    expect(
      renderCardText({
        kind: 'card',
        title: '请确认修复 #1',
        text: '请确认设备是否恢复正常：1 确认修复  2 还没好',
        buttons: [
          { label: '1 确认修复', value: 'confirm:1' },
          { label: '2 还没好', value: 'deny:1' },
        ],
        numbered: true,
      }),
    ).toBe('【请确认修复 #1】\n请确认设备是否恢复正常：1 确认修复  2 还没好\n请回复数字 1–2');
    expect(
      renderCardText({
        kind: 'card',
        title: '影响范围',
        text: '请问影响范围？\n1 整个系统/车站业务中断\n2 个别设备异常\n请回复数字，或直接描述情况。',
        buttons: [
          { label: '1 整个系统/车站业务中断', value: 'level:1:1' },
          { label: '2 个别设备异常', value: 'level:1:2' },
        ],
        numbered: true,
      }),
    ).toBe('【影响范围】\n请问影响范围？\n1 整个系统/车站业务中断\n2 个别设备异常\n请回复数字，或直接描述情况。');
  });

  it('labels with repeated or missing numbers fall back to 1..N', () => {
    const text = renderCardText({
      kind: 'card',
      title: 't',
      text: 'x',
      buttons: [
        { label: '1 甲', value: 'a' },
        { label: '乙', value: 'b' },
      ],
      numbered: true,
    });
    expect(text).toBe('【t】\nx\n1. 1 甲\n2. 乙\n请回复数字 1–2');
  });
});
