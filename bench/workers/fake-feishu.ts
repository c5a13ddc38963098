/**
 * The fake Feishu open platform in its own process (so that the load
 * generator, the service and the platform do not share one event loop).
 * Sends {url} over IPC when listening; answers {type:'stats'} with counts;
 * {type:'fail', times, spec} makes the next calls fail.
 */
import { FakeFeishu, type FailureSpec } from '../../test/support/fake-feishu.js';
import { TEST_APP } from '../../test/support/feishu-events.js';

const fake = await new FakeFeishu({ appId: TEST_APP.appId, appSecret: TEST_APP.appSecret, botOpenId: TEST_APP.botOpenId }).start();
// The people of the ingest benchmark (reportRequest): their names can be looked up.
for (let i = 0; i < 1000; i++) fake.users.set(`ou_ingest_${i}`, { name: `客户${i}` });
// The request log is for tests; a long benchmark would keep every body.
const trim = setInterval(() => fake.requests.splice(0, fake.requests.length), 1000);
trim.unref();
process.on('message', (m: { type: string; id?: number; times?: number; spec?: FailureSpec }) => {
  if (m.type === 'stats') {
    const uuids = new Set(fake.messages.map((x) => x.uuid).filter(Boolean));
    process.send!({ type: 'stats', id: m.id, messages: fake.messages.length, distinctUuids: uuids.size, duplicateUuids: fake.duplicateUuids, rss: process.memoryUsage().rss });
  } else if (m.type === 'fail') {
    fake.failNext(m.times ?? 1, m.spec!);
    process.send!({ type: 'ok', id: m.id });
  } else if (m.type === 'stop') {
    void fake.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', url: fake.url });
