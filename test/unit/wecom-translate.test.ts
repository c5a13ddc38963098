/**
 * WeCom bot frames (the documented examples in test/fixtures/wecom/bot-frames.json) → neutral
 * events; bad frames come back as a reason to log, never as an event or an exception.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, parseMediaKey, stripBotMention, translateWecomFrame } from '../../src/channels/wecom/translate.js';

const frames = JSON.parse(readFileSync(new URL('../fixtures/wecom/bot-frames.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const at = new Date('2026-12-01T02:00:00Z');
const tr = (name: string, botNames = ['RobotA', '机器人']) => translateWecomFrame(frames[name], { botNames, receivedAt: at });

describe('wecom translate: documented frames', () => {
  it('group text: msgid is event and message id, the bot mention removed, chat is the chatid', () => {
    const r = tr('text_group');
    expect('event' in r && r.kind).toBe('message');
    if (!('event' in r) || r.event.type !== 'message') throw new Error('no message');
    expect(r.reqId).toBe('REQID_TEXT');
    expect(r.event).toMatchObject({
      channel: 'wecom',
      eventId: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
      messageId: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
      chat: { id: 'CHATID', type: 'group' },
      sender: { id: 'USERID' },
      text: 'hello robot',
      mentionsBot: true,
      at,
    });
  });

  it('single-chat image: an attachment whose key carries the URL and the AES key; the chat is the user', () => {
    const r = tr('image_single');
    if (!('event' in r) || r.event.type !== 'message') throw new Error('no message');
    expect(r.event.chat).toEqual({ id: 'USERID', type: 'p2p' });
    expect(r.event.attachments).toHaveLength(1);
    expect(r.event.attachments![0]!.kind).toBe('image');
    expect(parseMediaKey(r.event.attachments![0]!.key)).toEqual({
      url: 'https://ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com/BHoPdA3/7571665296904772241?sign=x',
      aeskey: 'AESKEY_IMAGE',
    });
  });

  it('mixed: the text items joined, the images attached', () => {
    const r = tr('mixed_group');
    if (!('event' in r) || r.event.type !== 'message') throw new Error('no message');
    expect(r.event.text).toBe('这是今日的测试情况');
    expect(r.event.attachments?.map((a) => a.kind)).toEqual(['image']);
  });

  it('voice arrives as text', () => {
    const r = tr('voice_single');
    if (!('event' in r) || r.event.type !== 'message') throw new Error('no message');
    expect(r.event.text).toBe('这是语音转成文本的内容');
    expect(r.event.mentionsBot).toBe(false);
  });

  it('file: a file attachment', () => {
    const r = tr('file_single');
    if (!('event' in r) || r.event.type !== 'message') throw new Error('no message');
    expect(r.event.attachments?.[0]?.kind).toBe('file');
    expect(r.event.text).toBe('');
  });

  it('enter_chat: the user opened the single chat (bot_added on the p2p chat), time from create_time', () => {
    const r = tr('enter_chat');
    expect('event' in r && r.kind).toBe('enter_chat');
    if (!('event' in r)) throw new Error('no event');
    expect(r.event).toMatchObject({ type: 'bot_added', chat: { id: 'USERID', type: 'p2p' }, at: new Date(1700000000 * 1000) });
  });

  it('template_card_event: a click whose message id is the task_id and whose value is the event_key', () => {
    const r = tr('template_card_event');
    if (!('event' in r) || r.event.type !== 'click') throw new Error('no click');
    expect(r.event).toMatchObject({ messageId: 'fBmjTL7ErRCQSNA6GZKMlcFiWX1shOvg', value: 'button_replace_text', chat: { id: 'CHATID', type: 'group' } });
  });

  it("template_card_event in the SDK's flat shape (event_key on the event) reads the same", () => {
    const f = structuredClone(frames['template_card_event']) as { body: { event: Record<string, unknown> } };
    f.body.event = { eventtype: 'template_card_event', event_key: 'k1', task_id: 't1' };
    const r = translateWecomFrame(f);
    if (!('event' in r) || r.event.type !== 'click') throw new Error('no click');
    expect(r.event.value).toBe('k1');
    expect(r.event.messageId).toBe('t1');
  });

  it('feedback_event is ignored with a reason', () => {
    expect(tr('feedback_event')).toMatchObject({ ignored: expect.stringMatching(/feedback_event/), msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AL=' });
  });
});

describe('wecom translate: hostile frames', () => {
  const base = frames['text_group'] as { body: Record<string, unknown> };
  const withBody = (patch: Record<string, unknown>) => ({ ...base, body: { ...base.body, ...patch } });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['no headers', { cmd: 'aibot_msg_callback', body: base.body }],
    ['no body', { cmd: 'aibot_msg_callback', headers: { req_id: 'r' } }],
    ['no msgid', withBody({ msgid: undefined })],
    ['a control character in the msgid', withBody({ msgid: 'a\u0000b' })],
    ['an unknown cmd', { ...base, cmd: 'aibot_something' }],
    ['an unknown message type', withBody({ msgtype: 'location', location: {} })],
    ['video (not handled)', withBody({ msgtype: 'video', video: { url: 'https://x' } })],
    ['text without content', withBody({ text: {} })],
    ['an image whose url is not http', withBody({ msgtype: 'image', image: { url: 'file:///etc/passwd' } })],
    ['a group message without chatid', withBody({ chatid: undefined })],
    ['no sender', withBody({ from: {} })],
    ['an event without eventtype', { cmd: 'aibot_event_callback', headers: { req_id: 'r' }, body: { msgid: 'm', msgtype: 'event', from: { userid: 'u' }, event: {} } }],
    ['a click without task_id', { cmd: 'aibot_event_callback', headers: { req_id: 'r' }, body: { msgid: 'm', msgtype: 'event', from: { userid: 'u' }, event: { eventtype: 'template_card_event', template_card_event: { event_key: 'k' } } } }],
  ])('%s → ignored, no throw', (_name, frame) => {
    const r = translateWecomFrame(frame);
    expect('ignored' in r).toBe(true);
  });

  it('an oversized frame is refused whole', () => {
    const r = translateWecomFrame(withBody({ text: { content: 'x'.repeat(MAX_FRAME_BYTES) } }));
    expect(r).toMatchObject({ ignored: expect.stringMatching(/oversized/) });
  });

  it('a long text within the frame limit is cut, and the raw body is then not kept', () => {
    const r = translateWecomFrame(withBody({ text: { content: '闸机'.repeat(5000) } }));
    if (!('event' in r) || r.event.type !== 'message') throw new Error('no message');
    expect([...r.event.text].length).toBe(8001);
    expect(r.event.raw).toBeUndefined();
  });

  it('a bot name is removed only as a whole @mention', () => {
    expect(stripBotMention('@RobotA 17号闸机坏了', ['RobotA'])).toEqual({ text: '17号闸机坏了', removed: true });
    expect(stripBotMention('@RobotAB 17号闸机坏了', ['RobotA'])).toEqual({ text: '@RobotAB 17号闸机坏了', removed: false });
    expect(stripBotMention('请 @张工\u2005处理 @RobotA', ['RobotA']).text).toBe('请 @张工\u2005处理');
  });
});

describe('wecom boundary', () => {
  const dir = fileURLToPath(new URL('../../src/channels/wecom/', import.meta.url));
  it.each(['translate.ts', 'render.ts', 'errors.ts'])('%s imports no SDK and nothing with I/O', (file) => {
    const src = readFileSync(dir + file, 'utf8');
    const specs = [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    for (const s of specs) expect(['../neutral.js', './translate.js', './render.js', './errors.js', 'node:crypto'], `${file} imports ${s}`).toContain(s);
  });

  it('no file outside src/channels/wecom imports the WeCom bot SDK (scripts excepted)', () => {
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const offenders = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ts$/.test(f) && !f.split(sep).join('/').startsWith('channels/wecom/'))
      .filter((f) => /@wecom\/aibot-node-sdk/.test(readFileSync(join(src, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
