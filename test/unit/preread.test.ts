/** The LLM reader's turn before the transaction (pipeline/preread.ts): only unsure messages, never commands, never when off; a failure leaves the local reading. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadDefaultLexicon } from '../../scripts/corpus.js';
import type { InboundEvent } from '../../src/core/channel.js';
import type { BotDeps } from '../../src/bot/context.js';
import { preread } from '../../src/bot/pipeline/preread.js';
import type { ParsedReport } from '../../src/domain/report-parser.js';

const lexicon = loadDefaultLexicon();
const UNSURE = '钟楼站的闸机好像又好了，不知道是不是还有问题';

function deps(read: ((text: string, local: ParsedReport) => Promise<ParsedReport>) | null): { deps: BotDeps; calls: string[] } {
  const calls: string[] = [];
  const llm = read ? { read: (text: string, local: ParsedReport) => (calls.push(text), read(text, local)) } : null;
  return { deps: { lexicon, llm, log: pino({ level: 'silent' }) } as unknown as BotDeps, calls };
}

const message = (text: string): InboundEvent => ({
  type: 'message',
  channel: 'sandbox',
  eventId: 'e1',
  messageId: 'm1',
  chat: { id: 'c', type: 'group' },
  sender: { id: 's', name: '王工' },
  text,
  mentions: [],
  at: new Date(0),
}) as unknown as InboundEvent;

describe('preread', () => {
  const asFault = async (_t: string, local: ParsedReport): Promise<ParsedReport> => ({ ...local, kind: 'fault', level: 3, asks: [] });

  it('asks the LLM about a message the local reader is unsure about, and hands its reading on', async () => {
    const { deps: d, calls } = deps(asFault);
    const r = await preread(d, message(UNSURE));
    expect(calls).toEqual([UNSURE]);
    expect(r).toMatchObject({ kind: 'fault', level: 3 });
  });

  it.each([
    ['a sure report', '小寨站3号闸机刷卡没反应 电话13800138000'],
    ['a command', '接单 #12'],
    ['an empty text', '   '],
  ])('leaves %s alone', async (_what, text) => {
    const { deps: d, calls } = deps(asFault);
    expect(await preread(d, message(text))).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('does nothing when the reader is off, or for a click', async () => {
    expect(await preread(deps(null).deps, message(UNSURE))).toBeUndefined();
    const { deps: d, calls } = deps(asFault);
    expect(await preread(d, { type: 'click', channel: 'sandbox', eventId: 'e', messageId: 'm', value: 'x', chat: { id: 'c' }, sender: { id: 's' }, at: new Date(0) } as unknown as InboundEvent)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('a failing reader leaves the local reading (undefined: the steps read locally)', async () => {
    const { deps: d, calls } = deps(() => Promise.reject(new Error('boom')));
    expect(await preread(d, message(UNSURE))).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});
