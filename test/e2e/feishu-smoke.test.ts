/**
 * npm run smoke:feishu's checks against the fake platform: what it says for a
 * group the app cannot reach yet (an external group without 对外共享), and for a
 * working one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSmoke, runFeishuSmoke } from '../../src/channels/feishu/smoke.js';
import { FakeFeishu } from '../support/fake-feishu.js';
import { TEST_APP } from '../support/feishu-events.js';

let fake: FakeFeishu;
const CHAT = 'oc_smoke0000000000000000000000000001';

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.strictChats = true;
  fake.users.set('ou_staff1', { name: '张工' });
  fake.addChat(CHAT, { external: true, members: [{ openId: 'ou_staff1', name: '张工' }, { openId: 'ou_metro1', name: '刘站长', tenantKey: 'other' }] });
});
afterAll(async () => {
  await fake.stop();
});

describe('smoke:feishu', () => {
  it('an external group without external sharing: sending fails with the fix named', async () => {
    const lines = await runFeishuSmoke({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, chatId: CHAT, domain: fake.url });
    const report = formatSmoke(lines);
    expect(report).toContain('✔ bot identity');
    expect(report).toMatch(/✘ send a message: Feishu 230027: .*对外共享/);
    expect(report).toMatch(/! speech to text: .*speech_to_text/);
  });

  it('a working group: message, card, update, members (two tenants) and a profile', async () => {
    fake.externalSharing = true;
    fake.speechPermission = true;
    const lines = await runFeishuSmoke({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, chatId: CHAT, domain: fake.url });
    expect(lines.filter((l) => !l.ok)).toEqual([]);
    const report = formatSmoke(lines);
    expect(report).toContain('✔ update the card');
    expect(report).toContain('2 members, from 2 tenants');
    expect(report).toContain('✔ read a profile (contact API): read 张工');
    expect(fake.messages.filter((m) => m.chatId === CHAT).map((m) => m.msgType)).toEqual(['text', 'interactive']);
    expect(fake.messages.find((m) => m.msgType === 'interactive')?.patches).toHaveLength(1);
  });

  it('wrong credentials: the identity check fails and says what to check', async () => {
    const lines = await runFeishuSmoke({ appId: TEST_APP.appId, appSecret: 'wrong', chatId: CHAT, domain: fake.url });
    expect(lines).toHaveLength(1);
    expect(formatSmoke(lines)).toContain('✘ bot identity: could not read /bot/v3/info');
  });
});
