import { describe, expect, it } from 'vitest';
import { createFeishuChannel } from '../../src/channels/feishu/index.js';
import { RecordingSink, TEST_APP } from '../support/feishu-events.js';

describe('createFeishuChannel', () => {
  it('webhook mode: the Channel serves the webhook as its route; start and stop', async () => {
    const feishu = createFeishuChannel({ ...TEST_APP, mode: 'webhook', domain: 'http://127.0.0.1:9' }, { sink: new RecordingSink() });
    expect(feishu.name).toBe('feishu');
    expect(feishu.channel.channel).toBe('feishu');
    expect(typeof feishu.webhook).toBe('function');
    expect(feishu.routes).toEqual([feishu.webhook]);
    expect(feishu.capabilities.cards).toBe(true);
    await expect(feishu.start()).resolves.toBeUndefined();
    await expect(feishu.stop()).resolves.toBeUndefined();
  });

  it('websocket mode: no route; the channel reports the long connection\u2019s state', () => {
    const feishu = createFeishuChannel({ ...TEST_APP, mode: 'websocket', domain: 'http://127.0.0.1:9' }, { sink: new RecordingSink() });
    expect(feishu.webhook).toBeUndefined();
    expect(feishu.routes).toEqual([]);
    expect(feishu.status()).toMatchObject({ channel: 'feishu', connected: false });
  });
});
