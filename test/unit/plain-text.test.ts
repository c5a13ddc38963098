/**
 * What a channel cannot show becomes the plain text every channel can show:
 * table-driven over the capabilities a channel may lack.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelCapabilities, OutboundAction } from '../../src/core/channel.js';
import { cardAsText, fitToChannel } from '../../src/core/plain-text.js';

const ALL: ChannelCapabilities = { cards: true, cardUpdates: true, threads: true, mentions: true, images: true, attachments: true };
const NONE: ChannelCapabilities = { cards: false, cardUpdates: false, threads: false, mentions: false, images: false, attachments: false };
const zhang = { id: 'u1', name: '张工' };

const level: Extract<OutboundAction, { kind: 'card' }> = {
  kind: 'card',
  title: '请确认影响范围 #1',
  text: '请问影响范围？',
  buttons: [
    { label: '整个系统中断', value: 'level:1:1' },
    { label: '个别设备异常', value: 'level:1:3' },
  ],
  numbered: true,
  mentions: [zhang],
  replyTo: 'om_1',
  audience: 'customer',
};

describe('fitToChannel', () => {
  it.each<[string, OutboundAction, ChannelCapabilities, OutboundAction | null]>([
    ['a channel that shows everything gets the action as it is', level, ALL, level],
    [
      'a card without buttons: its text with numbered choices, mentions and thread kept',
      level,
      { ...ALL, cards: false },
      { kind: 'text', text: '【请确认影响范围 #1】\n请问影响范围？\n1. 整个系统中断\n2. 个别设备异常\n请回复数字 1–2', mentions: [zhang], replyTo: 'om_1', audience: 'customer' },
    ],
    [
      'no threads, no real mentions: a plain message with "@name" written',
      { kind: 'text', text: '已受理', mentions: [zhang], replyTo: 'om_1' },
      { ...ALL, threads: false, mentions: false },
      { kind: 'text', text: '@张工 已受理' },
    ],
    ['a card update recording a choice: nothing to post', { kind: 'card_update', messageId: 'om_2', title: 'T', text: 'x', chosen: '已选择 2' }, NONE, null],
    [
      'a card update without a choice: one short line',
      { kind: 'card_update', messageId: 'om_2', title: '工单 GD-1', text: '已接单\n第二行' },
      NONE,
      { kind: 'text', text: '【工单 GD-1】已接单' },
    ],
    ['an image without images: its caption', { kind: 'image', pngBase64: 'AA==', caption: ' 日报 ' }, NONE, { kind: 'text', text: '日报' }],
    ['an image without images or caption: nothing', { kind: 'image', pngBase64: 'AA==' }, NONE, null],
  ])('%s', (_what, action, can, want) => {
    expect(fitToChannel(action, can)).toEqual(want);
  });

  it('labels that carry their own number are shown as they are, not numbered again', () => {
    const rate: Extract<OutboundAction, { kind: 'card' }> = {
      kind: 'card',
      title: '服务评价',
      text: '请打分',
      buttons: [5, 4, 3, 2, 1].map((s) => ({ label: `${s} 分`, value: `rate:1:${s}` })),
      numbered: true,
    };
    expect(cardAsText(rate)).toBe('【服务评价】\n请打分\n5 分\n4 分\n3 分\n2 分\n1 分\n请回复数字 1–5');
    expect(cardAsText({ ...rate, numbered: false })).toBe('【服务评价】\n请打分\n请回复：5 分 / 4 分 / 3 分 / 2 分 / 1 分');
  });
});
