import { describe, expect, it } from 'vitest';
import { createFeishuChannel } from '../../src/channels/feishu/index.js';
import { RecordingSink, TEST_APP } from '../support/feishu-events.js';

describe('createFeishuChannel', () => {
  it('webhook mode: a channel and a middleware; start/stop survive being copied onto the channel', async () => {
    const bundle = createFeishuChannel({ ...TEST_APP, mode: 'webhook', domain: 'http://127.0.0.1:9' }, { sink: new RecordingSink() });
    expect(bundle.channel.channel).toBe('feishu');
    expect(typeof bundle.webhook).toBe('function');
    // What src/channels.ts does with it.
    const adapter = Object.assign(bundle.channel, { start: () => bundle.start(), stop: () => bundle.stop() });
    await expect(adapter.start()).resolves.toBeUndefined();
    await expect(adapter.stop()).resolves.toBeUndefined();
  });

  it('websocket mode: no middleware; the channel reports the long connection\u2019s state', () => {
    const bundle = createFeishuChannel({ ...TEST_APP, mode: 'websocket', domain: 'http://127.0.0.1:9' }, { sink: new RecordingSink() });
    expect(bundle.webhook).toBeUndefined();
    expect(bundle.channel.status()).toMatchObject({ channel: 'feishu', connected: false });
  });
});
