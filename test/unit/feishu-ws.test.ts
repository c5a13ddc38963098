/**
 * Long-connection mode: the WSClient is replaced by a stub that captures the
 * EventDispatcher it is started with; frames are then fed the way
 * WSClient.handleEventData does it: dispatcher.invoke(plaintext event, { needCheck: false }).
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { FeishuLongConnection } from '../../src/channels/feishu/ws.js';
import type { InboundClick, InboundMessage } from '../../src/core/channel.js';
import { botMention, cardActionEvent, RecordingSink, TEST_APP, textMessageEvent } from '../support/feishu-events.js';

function stubWs() {
  const stub = {
    dispatcher: undefined as lark.EventDispatcher | undefined,
    closed: false,
    state: 'connected' as 'connected' | 'reconnecting',
    async start(p: { eventDispatcher: lark.EventDispatcher }) {
      stub.dispatcher = p.eventDispatcher;
    },
    close() {
      stub.closed = true;
    },
    getConnectionStatus() {
      return { state: stub.state, reconnectAttempts: 0 };
    },
  };
  return stub;
}

function connection(sink: RecordingSink, ws = stubWs(), appId: string = TEST_APP.appId) {
  const conn = new FeishuLongConnection({
    appId,
    appSecret: TEST_APP.appSecret,
    deps: { sink, botOpenId: async () => TEST_APP.botOpenId, resolveUser: async () => ({ name: '王工' }) },
    wsClient: ws as unknown as lark.WSClient,
  });
  return { conn, ws };
}

describe('FeishuLongConnection', () => {
  it('routes a message frame through the shared handler to the sink', async () => {
    const sink = new RecordingSink();
    const { conn, ws } = connection(sink);
    await conn.start();
    expect(ws.dispatcher).toBe(conn.dispatcher);
    const ret = await ws.dispatcher!.invoke(textMessageEvent('@_user_1 闸机坏了', { mentions: [botMention()] }), { needCheck: false });
    expect(ret).toEqual({});
    const e = sink.calls[0] as InboundMessage;
    expect(e.text).toBe('闸机坏了');
    expect(e.mentionsBot).toBe(true);
    expect(e.sender.name).toBe('王工');
  });

  it('a card click frame answers with the toast and card (WSClient base64-encodes it into the ack)', async () => {
    const sink = new RecordingSink();
    sink.respond = () => ({ toast: '已到场' });
    const { conn, ws } = connection(sink);
    await conn.start();
    const ret = await ws.dispatcher!.invoke(cardActionEvent({ messageId: 'om_c', value: { value: 'arrive' } }), { needCheck: false });
    expect(ret).toEqual({ toast: { type: 'info', content: '已到场' } });
    expect((sink.calls[0] as InboundClick).value).toBe('arrive');
  });

  it('the sink failing rejects the invoke (WSClient then acks with code 500 and Feishu redelivers)', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('db down');
    const { conn, ws } = connection(sink);
    await conn.start();
    await expect(ws.dispatcher!.invoke(textMessageEvent('x'), { needCheck: false })).rejects.toThrow('db down');
  });

  it('reports the connection state and closes on stop', async () => {
    const { conn, ws } = connection(new RecordingSink());
    await conn.start();
    expect(conn.status()).toMatchObject({ channel: 'feishu', connected: true });
    ws.state = 'reconnecting';
    expect(conn.status().connected).toBe(false);
    await conn.stop();
    expect(ws.closed).toBe(true);
  });

  it('refuses an app id the SDK would silently ignore', async () => {
    const { conn } = connection(new RecordingSink(), stubWs(), 'not-an-app-id');
    await expect(conn.start()).rejects.toThrow(/cli_/);
  });
});
