/**
 * The "done when", through the real service: FEISHU_* set and
 * FEISHU_DOMAIN pointing at the fake platform; a signed, encrypted
 * im.message.receive_v1 with a fault report posted to /feishu/events is
 * answered 200 within 3 s, and the fake platform receives a reply in that
 * message's thread that names the new ticket.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFeishu } from '../support/fake-feishu.js';
import { botMention, cardActionEvent, feishuEnv, feishuRequest, newMessageId, postFeishu, TEST_APP, textMessageEvent } from '../support/feishu-events.js';
import { startTestService, type TestService } from '../support/service.js';

let fake: FakeFeishu;
let svc: TestService;
const CHAT = 'oc_chat0000000000000000000000000001';
/** The managers' group on Feishu: the dispatch card (接单) goes to staff, never to the customer's chat. */
const MANAGERS = 'oc_managers0000000000000000000000003';
const ENGINEER = 'ou_engineer00000000000000000000001';

/** The default organisation file with the Feishu chat and the engineer's Feishu id added. */
function orgFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-feishu-org-'));
  const org = readFileSync(new URL('../../config/org.yaml', import.meta.url), 'utf8')
    .replace('- { channel: sandbox, id: demo }', `- { channel: sandbox, id: demo }\n      - { channel: feishu, id: ${CHAT} }`)
    .replace('ids: { sandbox: e1 }', `ids: { sandbox: e1, feishu: ${ENGINEER} }`)
    .replace('- { channel: sandbox, id: managers }', `- { channel: sandbox, id: managers }\n  - { channel: feishu, id: ${MANAGERS} }`);
  const file = path.join(dir, 'org.yaml');
  writeFileSync(file, org);
  return file;
}

beforeAll(async () => {
  fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
  fake.users.set('ou_customer000000000000000000000001', { name: '李站长' });
  fake.addChat(MANAGERS);
  svc = await startTestService({
    env: {
      ...feishuEnv(fake.url),
      ORG_FILE: orgFile(),
    },
  });
});

afterAll(async () => {
  await svc?.close();
  await fake?.stop();
});

describe('Feishu through the real service', () => {
  it('a fault report is answered 200 within 3 s and replied to quoting it, naming the ticket; 接单 by the engineer updates the card', async () => {
    const messageId = newMessageId();
    const payload = textMessageEvent('@_user_1 小寨站 3号闸机刷卡没反应', { messageId, mentions: [botMention()] });
    const r = await postFeishu(`${svc.url}/feishu/events`, feishuRequest(payload));
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    // Redelivered five times at once: nothing more happens.
    const again = await Promise.all(Array.from({ length: 5 }, () => postFeishu(`${svc.url}/feishu/events`, feishuRequest(payload))));
    expect(again.map((x) => x.status)).toEqual([200, 200, 200, 200, 200]);
    await svc.settle();
    const replies = fake.messages.filter((m) => m.replyTo === messageId);
    expect(replies.length).toBeGreaterThanOrEqual(1);
    // The first reply names the new ticket and @mentions the reporter.
    const first = replies[0]!;
    expect(first.msgType).toBe('text');
    expect(first.replyInThread).toBe(false);
    expect((first.content as { text: string }).text).toMatch(/<at user_id="ou_customer000000000000000000000001">李站长<\/at> .*工单 #1/);
    await svc.settle();
    expect(fake.messages.filter((m) => m.replyTo === messageId)).toHaveLength(replies.length);

    // The customer's chat got no staff buttons; the engineer clicks 接单 on the dispatch card in the
    // managers' group: the answer updates the card.
    expect(replies.some((m) => JSON.stringify(m.content).includes('"content":"接单"'))).toBe(false);
    const card = fake.messages.find((m) => m.chatId === MANAGERS && m.msgType === 'interactive' && JSON.stringify(m.content).includes('"content":"接单"'))!;
    expect(card).toBeDefined();
    const accept = JSON.stringify(card.content).match(/"content":"接单"},"type":"primary","value":\{"value":"([^"]+)"/)![1]!;
    const click = await postFeishu(
      `${svc.url}/feishu/events`,
      feishuRequest(cardActionEvent({ messageId: card.messageId, chatId: MANAGERS, operatorOpenId: ENGINEER, value: { value: accept } })),
    );
    expect(click.status).toBe(200);
    expect(click.ms).toBeLessThan(3000);
    const answer = click.json as { toast?: { content: string }; card?: { type: string; data: unknown } };
    expect(answer.toast?.content).toBeTruthy();
    expect(answer.card?.type).toBe('raw');
    expect(JSON.stringify(answer.card?.data)).toContain('已选择');
    expect(JSON.stringify(answer.card?.data)).not.toContain('"button"');
    await svc.settle();
  });
});
