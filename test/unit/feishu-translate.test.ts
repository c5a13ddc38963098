import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeButtonValue, parseFeishuTime, translateFeishuEvent } from '../../src/channels/feishu/translate.js';
import type { InboundClick, InboundMessage } from '../../src/core/channel.js';
import {
  botMembershipEvent,
  botMention,
  cardActionEvent,
  imageMessageEvent,
  messageEvent,
  postMessageEvent,
  TEST_APP,
  textMessageEvent,
} from '../support/feishu-events.js';

const bot = { botOpenId: TEST_APP.botOpenId };

/** What EventDispatcher.invoke hands a handler: header and event merged into one object. */
function flattened(p: Record<string, unknown>): Record<string, unknown> {
  const { header, event, ...rest } = p as { header: object; event: object };
  return { ...rest, ...header, ...event };
}

describe('translate: im.message.receive_v1 text', () => {
  it('maps @_user_N keys to @name, removes the bot\u2019s own mention, sets mentionsBot', () => {
    const p = textMessageEvent('@_user_1 小寨站 3号闸机刷卡没反应，@_user_2 请看一下', {
      mentions: [botMention('@_user_1'), { key: '@_user_2', openId: 'ou_eng', name: '王工' }],
    });
    const e = translateFeishuEvent(p, bot) as InboundMessage;
    expect(e.text).toBe('小寨站 3号闸机刷卡没反应，@王工 请看一下');
    expect(e.mentionsBot).toBe(true);
    expect(e.mentions).toEqual([{ id: 'ou_eng', name: '王工' }]);
  });

  it('@_user_1 does not eat the front of @_user_10', () => {
    const mentions = Array.from({ length: 10 }, (_, i) => ({ key: `@_user_${i + 1}`, openId: `ou_${i + 1}`, name: `人${i + 1}` }));
    const e = translateFeishuEvent(textMessageEvent('@_user_10 和 @_user_1', { mentions }), bot) as InboundMessage;
    expect(e.text).toBe('@人10 和 @人1');
  });

  it('the bot mentioned in the middle leaves one space; @_all becomes @所有人', () => {
    const e = translateFeishuEvent(
      textMessageEvent('请 @_user_1 登记 @_all', { mentions: [botMention('@_user_1')] }),
      bot,
    ) as InboundMessage;
    expect(e.text).toBe('请 登记 @所有人');
  });

  it('without the bot\u2019s open_id, mentioned_type "bot" identifies it', () => {
    const e = translateFeishuEvent(textMessageEvent('@_user_1 你好', { mentions: [botMention('@_user_1')] })) as InboundMessage;
    expect(e.mentionsBot).toBe(true);
    expect(e.text).toBe('你好');
  });

  it('a message that does not mention the bot', () => {
    const e = translateFeishuEvent(textMessageEvent('大家好'), bot) as InboundMessage;
    expect(e.mentionsBot).toBe(false);
    expect(e.mentions).toEqual([]);
  });

  it('keeps ids, chat type, reply target, time and raw', () => {
    const p = textMessageEvent('x', {
      eventId: 'ev1',
      messageId: 'om_1',
      chatId: 'oc_9',
      chatType: 'p2p',
      rootId: 'om_root',
      createTime: '1760000000123',
    });
    const e = translateFeishuEvent(p, bot) as InboundMessage;
    expect(e).toMatchObject({
      type: 'message',
      channel: 'feishu',
      eventId: 'ev1',
      messageId: 'om_1',
      chat: { id: 'oc_9', type: 'p2p' },
      replyToMessageId: 'om_root',
      sender: { id: 'ou_customer000000000000000000000001', name: '' },
    });
    expect(e.at.toISOString()).toBe(new Date(1760000000123).toISOString());
    expect(e.raw).toBe(p);
    const withParent = translateFeishuEvent(textMessageEvent('x', { parentId: 'om_p', rootId: 'om_r' }), bot) as InboundMessage;
    expect(withParent.replyToMessageId).toBe('om_p');
  });

  it('accepts the SDK\u2019s flattened form', () => {
    const p = textMessageEvent('@_user_1 你好', { eventId: 'ev-flat', mentions: [botMention()] });
    const e = translateFeishuEvent(flattened(p), bot) as InboundMessage;
    expect(e.eventId).toBe('ev-flat');
    expect(e.text).toBe('你好');
  });

  it('drops the bot\u2019s own messages', () => {
    expect(translateFeishuEvent(textMessageEvent('x', { senderOpenId: TEST_APP.botOpenId, senderType: 'app' }), bot)).toBeNull();
  });
});

describe('translate: post and image messages', () => {
  it('post: title, paragraphs, links, mentions, images inside', () => {
    const p = postMessageEvent(
      {
        title: '故障',
        content: [
          [
            { tag: 'at', user_id: '@_user_1', user_name: TEST_APP.botName },
            { tag: 'text', text: ' 3号闸机 ' },
            { tag: 'a', text: '监控', href: 'https://example.com' },
          ],
          [{ tag: 'text', text: '请' }, { tag: 'at', user_id: '@_user_2', user_name: '王工' }, { tag: 'text', text: '处理' }],
          [{ tag: 'img', image_key: 'img_a' }, { tag: 'img', image_key: 'img_b' }],
        ],
      },
      { mentions: [botMention('@_user_1'), { key: '@_user_2', openId: 'ou_eng', name: '王工' }] },
    );
    const e = translateFeishuEvent(p, bot) as InboundMessage;
    expect(e.text).toBe('故障\n3号闸机 监控\n请@王工处理');
    expect(e.mentionsBot).toBe(true);
    expect(e.mentions).toEqual([{ id: 'ou_eng', name: '王工' }]);
    expect(e.attachments).toEqual([
      { kind: 'image', key: 'img_a' },
      { kind: 'image', key: 'img_b' },
    ]);
  });

  it('post wrapped in a locale', () => {
    const p = messageEvent({ messageType: 'post', content: { zh_cn: { title: '', content: [[{ tag: 'text', text: '你好' }]] } } });
    expect((translateFeishuEvent(p, bot) as InboundMessage).text).toBe('你好');
  });

  it('image message → empty text and an image attachment; file → file attachment', () => {
    const e = translateFeishuEvent(imageMessageEvent('img_v3_x'), bot) as InboundMessage;
    expect(e.text).toBe('');
    expect(e.attachments).toEqual([{ kind: 'image', key: 'img_v3_x' }]);
    const f = translateFeishuEvent(messageEvent({ messageType: 'file', content: { file_key: 'file_1', file_name: '日志.txt' } }), bot) as InboundMessage;
    expect(f.attachments).toEqual([{ kind: 'file', key: 'file_1', name: '日志.txt' }]);
  });

  it('stickers, cards of other bots, system messages and unknown types → null', () => {
    expect(translateFeishuEvent(messageEvent({ messageType: 'sticker', content: { file_key: 'x' } }), bot)).toBeNull();
    expect(translateFeishuEvent(messageEvent({ messageType: 'interactive', senderType: 'app', content: { title: 'x', elements: [] } }), bot)).toBeNull();
    expect(translateFeishuEvent(messageEvent({ messageType: 'system', content: { template: '{from_user} invited {to_chatters}' } }), bot)).toBeNull();
    expect(translateFeishuEvent(messageEvent({ messageType: 'holographic', content: { x: 1 } }), bot)).toBeNull();
  });

  it('audio and media become attachments; location, shared chat and user become notes', () => {
    const audio = translateFeishuEvent(messageEvent({ messageType: 'audio', content: { file_key: 'file_a', duration: 2000 } }), bot) as InboundMessage;
    expect(audio.attachments).toEqual([{ kind: 'audio', key: 'file_a' }]);
    expect(audio.text).toBe('');
    const media = translateFeishuEvent(messageEvent({ messageType: 'media', content: { file_key: 'file_v', image_key: 'img_c', file_name: 'gate.mp4', duration: 9000 } }), bot) as InboundMessage;
    expect(media.attachments).toEqual([{ kind: 'video', key: 'file_v', name: 'gate.mp4' }]);
    const loc = translateFeishuEvent(messageEvent({ messageType: 'location', content: { name: '小寨站B口', longitude: '108.94', latitude: '34.22' } }), bot) as InboundMessage;
    expect(loc.notes).toEqual(['位置：小寨站B口（纬度 34.22，经度 108.94）']);
    const chat = translateFeishuEvent(messageEvent({ messageType: 'share_chat', content: { chat_id: 'oc_x' } }), bot) as InboundMessage;
    expect(chat.notes?.[0]).toContain('oc_x');
    const user = translateFeishuEvent(messageEvent({ messageType: 'share_user', content: { user_id: 'ou_y' } }), bot) as InboundMessage;
    expect(user.notes?.[0]).toContain('ou_y');
    expect(translateFeishuEvent(messageEvent({ messageType: 'location', content: { longitude: 'x;DROP', latitude: '1' } }), bot)).toBeNull();
  });
});

describe('translate: card.action.trigger', () => {
  it('→ InboundClick with the clicker, the card\u2019s message id and the button value', () => {
    const p = cardActionEvent({
      eventId: 'ev-c',
      operatorOpenId: 'ou_eng',
      messageId: 'om_card',
      chatId: 'oc_1',
      value: { value: 'ticket:1:accept' },
      createTime: '1760000000123456',
    });
    const e = translateFeishuEvent(p, bot) as InboundClick;
    expect(e).toMatchObject({
      type: 'click',
      eventId: 'ev-c',
      messageId: 'om_card',
      value: 'ticket:1:accept',
      sender: { id: 'ou_eng' },
      chat: { id: 'oc_1', type: 'group' },
    });
    expect(e.at.getTime()).toBe(1760000000123);
    // flattened by the SDK (the card token overwrites the header token; we read neither)
    expect((translateFeishuEvent(flattened(p), bot) as InboundClick).value).toBe('ticket:1:accept');
  });

  it('button values as Feishu may hand them back', () => {
    expect(decodeButtonValue({ value: 'a' })).toBe('a');
    expect(decodeButtonValue('{"value":"b"}')).toBe('b');
    expect(decodeButtonValue('plain')).toBe('plain');
    expect(decodeButtonValue({ other: 1 })).toBeUndefined();
    expect(decodeButtonValue(undefined)).toBeUndefined();
  });

  it('a click without a usable value or message → null', () => {
    expect(translateFeishuEvent(cardActionEvent({ messageId: 'om_c', value: { x: 1 } }), bot)).toBeNull();
    const p = cardActionEvent({ messageId: 'om_c', value: { value: 'v' } }) as { event: { context: object } };
    p.event.context = {};
    expect(translateFeishuEvent(p, bot)).toBeNull();
  });
});

describe('translate: bot added / removed', () => {
  it('→ bot_added / bot_removed with the chat title and the operator', () => {
    const a = translateFeishuEvent(botMembershipEvent('added', { chatId: 'oc_a', chatName: '小寨站', operatorOpenId: 'ou_m' }), bot);
    expect(a).toMatchObject({ type: 'bot_added', chat: { id: 'oc_a', type: 'group', title: '小寨站' }, sender: { id: 'ou_m' } });
    const d = translateFeishuEvent(botMembershipEvent('deleted', { chatId: 'oc_a' }), bot);
    expect(d?.type).toBe('bot_removed');
  });
});

describe('translate: never throws', () => {
  it('unknown types and malformed payloads → null', () => {
    for (const p of [null, undefined, 1, 'x', [], {}, { header: {} }, { schema: '2.0', header: { event_id: 'e', event_type: 'x' }, event: {} }]) {
      expect(translateFeishuEvent(p, bot)).toBeNull();
    }
    const bad = textMessageEvent('x') as { event: { message: Record<string, unknown> } };
    bad.event.message['content'] = '{not json';
    expect(translateFeishuEvent(bad, bot)).toBeNull();
  });

  it('fast-check: arbitrary JSON and mutated real events never throw', () => {
    const base = textMessageEvent('@_user_1 x', { mentions: [botMention()] }) as { header: object; event: { message: object; sender: object } };
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }),
        fc.dictionary(fc.constantFrom('content', 'mentions', 'message_type', 'chat_id', 'create_time', 'message_id'), fc.jsonValue({ maxDepth: 3 })),
        (any, over) => {
          translateFeishuEvent(any, bot);
          translateFeishuEvent({ ...base, event: { ...base.event, message: { ...base.event.message, ...over } } }, bot);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parses Feishu times in s, ms and µs', () => {
    expect(parseFeishuTime('1760000000')?.getTime()).toBe(1760000000000);
    expect(parseFeishuTime('1760000000123')?.getTime()).toBe(1760000000123);
    expect(parseFeishuTime('1760000000123456')?.getTime()).toBe(1760000000123);
    expect(parseFeishuTime('abc')).toBeUndefined();
    expect(parseFeishuTime('-5')).toBeUndefined();
  });
});
