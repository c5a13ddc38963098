import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  kindFromPuppetType,
  looksLikeRoomId,
  stripQuote,
  timestampToDate,
  toInboundMessage,
  type WechatMessageSnapshot,
} from '../../src/channels/wechat/translate.js';

const BOT = { id: 'wxid_bot', name: '售后小助手' };
const CUSTOMER = { id: 'wxid_cust', name: '王站长', roomAlias: '西安二号线-王' };
const ENGINEER = { id: 'wxid_eng', name: '张工' };
const T0 = Date.UTC(2025, 2, 3, 1, 0, 0); // 2025-03-03 09:00 Beijing

function snap(over: Partial<WechatMessageSnapshot> = {}): WechatMessageSnapshot {
  return {
    id: 'msg-1',
    kind: 'text',
    puppetType: 7,
    room: { id: '123@chatroom', topic: '西安地铁二号线售后群' },
    talker: CUSTOMER,
    text: '@售后小助手\u2005小寨站闸机全部黑屏',
    mentions: [BOT],
    self: BOT,
    isSelf: false,
    timestamp: T0,
    ...over,
  };
}

describe('toInboundMessage', () => {
  it('maps a room message: ids, chat, sender alias, bot mention removed', () => {
    const m = toInboundMessage(snap());
    expect(m).toMatchObject({
      type: 'message',
      channel: 'wechat',
      eventId: 'msg-1',
      messageId: 'msg-1',
      chat: { id: '123@chatroom', type: 'group', title: '西安地铁二号线售后群' },
      sender: { id: 'wxid_cust', name: '西安二号线-王' },
      text: '小寨站闸机全部黑屏',
      mentions: [],
      mentionsBot: true,
    });
    expect(m!.at.getTime()).toBe(T0);
    expect(m!.raw).toEqual(snap());
    expect(JSON.parse(JSON.stringify(m!.raw))).toEqual(snap());
  });

  const table: Array<[string, Partial<WechatMessageSnapshot>, { text: string; mentionsBot: boolean; mentions: string[] }]> = [
    ['other mention kept as @name', { text: '@售后小助手\u2005@张工\u2005请看一下', mentions: [BOT, ENGINEER] }, { text: '@张工 请看一下', mentionsBot: true, mentions: ['wxid_eng'] }],
    ['bot mentioned by its room alias', { text: '@小助手 在吗', mentions: [BOT], self: { ...BOT, roomAlias: '小助手' } }, { text: '在吗', mentionsBot: true, mentions: [] }],
    ['bot mention at the end', { text: '闸机坏了 @售后小助手', mentions: [BOT] }, { text: '闸机坏了', mentionsBot: true, mentions: [] }],
    ['bot named in text, no mention list (PC client, plain space)', { text: '@售后小助手 闸机坏了', mentions: [] }, { text: '闸机坏了', mentionsBot: true, mentions: [] }],
    ['no mention at all', { text: '闸机坏了', mentions: [] }, { text: '闸机坏了', mentionsBot: false, mentions: [] }],
    ['a longer name starting with the bot name is not the bot', { text: '@售后小助手二号 你好', mentions: [] }, { text: '@售后小助手二号 你好', mentionsBot: false, mentions: [] }],
    ['engineer mentioned by room alias', { text: '@老张\u2005接单', mentions: [{ ...ENGINEER, roomAlias: '老张' }] }, { text: '@老张 接单', mentionsBot: false, mentions: ['wxid_eng'] }],
    ['duplicate mention ids collapse', { text: '@张工\u2005@张工\u2005快', mentions: [ENGINEER, ENGINEER] }, { text: '@张工 @张工 快', mentionsBot: false, mentions: ['wxid_eng'] }],
    ['quoted reply keeps only the reply', { text: '「售后小助手：请选择故障等级」\n- - - - - - - - - - - - - - -\n2', mentions: [] }, { text: '2', mentionsBot: false, mentions: [] }],
    ['bare number', { text: ' 2 ', mentions: [] }, { text: '2', mentionsBot: false, mentions: [] }],
    ['multi-line text keeps lines', { text: '@售后小助手\u2005报修\n地点：小寨站\n现象：黑屏', mentions: [BOT] }, { text: '报修\n地点：小寨站\n现象：黑屏', mentionsBot: true, mentions: [] }],
  ];
  it.each(table)('%s', (_name, over, want) => {
    const m = toInboundMessage(snap(over));
    expect(m).not.toBeNull();
    expect(m!.text).toBe(want.text);
    expect(m!.mentionsBot).toBe(want.mentionsBot);
    expect(m!.mentions.map((u) => u.id)).toEqual(want.mentions);
  });

  it('maps mention names to the alias in the room', () => {
    const m = toInboundMessage(snap({ text: '@老张\u2005看下', mentions: [{ ...ENGINEER, roomAlias: '老张' }] }));
    expect(m!.mentions).toEqual([{ id: 'wxid_eng', name: '老张' }]);
  });

  it('drops the bot own messages (self flag or talker is the bot)', () => {
    expect(toInboundMessage(snap({ isSelf: true }))).toBeNull();
    expect(toInboundMessage(snap({ talker: BOT }))).toBeNull();
  });

  it('drops messages older than the login, with a grace for clock skew', () => {
    const loginAt = new Date(T0 + 60_000);
    expect(toInboundMessage(snap(), { loginAt })).toBeNull();
    expect(toInboundMessage(snap({ timestamp: T0 + 60_000 }), { loginAt })).not.toBeNull();
    expect(toInboundMessage(snap({ timestamp: T0 + 58_000 }), { loginAt, historyGraceMs: 5_000 })).not.toBeNull();
    expect(toInboundMessage(snap({ timestamp: T0 + 54_000 }), { loginAt, historyGraceMs: 5_000 })).toBeNull();
    // Puppets that give seconds.
    expect(toInboundMessage(snap({ timestamp: (T0 + 120_000) / 1000 }), { loginAt })!.at.getTime()).toBe(T0 + 120_000);
  });

  it('one-to-one message: chat is the talker, addressed to the bot', () => {
    const { room: _room, ...rest } = snap({ text: '我的工单', mentions: [] });
    const m = toInboundMessage(rest);
    expect(m).toMatchObject({ chat: { id: 'wxid_cust', type: 'p2p' }, text: '我的工单', mentionsBot: true });
  });

  it('image and file messages carry an attachment keyed by message id', () => {
    const img = toInboundMessage(snap({ kind: 'image', puppetType: 6, text: '', mentions: [], filename: 'a.jpg' }));
    expect(img).toMatchObject({ text: '', attachments: [{ kind: 'image', key: 'msg-1', name: 'a.jpg' }] });
    const file = toInboundMessage(snap({ kind: 'file', puppetType: 1, text: '', mentions: [] }));
    expect(file!.attachments).toEqual([{ kind: 'file', key: 'msg-1' }]);
  });

  it('unsupported kinds are dropped', () => {
    expect(toInboundMessage(snap({ kind: 'other', puppetType: 5 }))).toBeNull();
  });

  it('carries the quoted message id when the puppet gives one', () => {
    expect(toInboundMessage(snap({ quotedMessageId: 'q-9' }))!.replyToMessageId).toBe('q-9');
    expect(toInboundMessage(snap())!.replyToMessageId).toBeUndefined();
  });
});

describe('helpers', () => {
  it('kindFromPuppetType mirrors wechaty-puppet MessageType', async () => {
    const { types } = await import('wechaty');
    expect(kindFromPuppetType(types.Message.Text)).toBe('text');
    expect(kindFromPuppetType(types.Message.Image)).toBe('image');
    expect(kindFromPuppetType(types.Message.Attachment)).toBe('file');
    expect(kindFromPuppetType(types.Message.Video)).toBe('video');
    expect(kindFromPuppetType(types.Message.Emoticon)).toBe('other');
  });
  it('looksLikeRoomId', () => {
    expect(looksLikeRoomId('123@chatroom')).toBe(true);
    expect(looksLikeRoomId('R:10696051737544800')).toBe(true);
    expect(looksLikeRoomId('wxid_abc')).toBe(false);
  });
  it('timestampToDate handles seconds and milliseconds', () => {
    expect(timestampToDate(1_700_000_000).getTime()).toBe(1_700_000_000_000);
    expect(timestampToDate(1_700_000_000_123).getTime()).toBe(1_700_000_000_123);
  });
  it('stripQuote leaves ordinary text alone', () => {
    expect(stripQuote('「不是引用」后面')).toBe('「不是引用」后面');
  });
});

describe('boundary', () => {
  for (const file of ['translate.ts', 'render.ts', 'pacer.ts']) {
    it(`${file} imports no SDK`, () => {
      const src = readFileSync(fileURLToPath(new URL(`../../src/channels/wechat/${file}`, import.meta.url)), 'utf8');
      const imports = [...src.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      expect(imports.length).toBeGreaterThan(0);
      for (const spec of imports) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\//);
      }
      expect(src).not.toMatch(/['"](wechaty|wechaty-puppet[^'"]*|file-box)['"]/);
    });
  }
});
