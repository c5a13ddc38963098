/**
 * npm run smoke:feishu — day-one check of a real Feishu app and a test group.
 *
 *   FEISHU_APP_ID=cli_… FEISHU_APP_SECRET=… FEISHU_SMOKE_CHAT_ID=oc_… npm run smoke:feishu
 *
 * Posts a message and a card to the group, updates the card, reads the bot's
 * identity and the group's members, and prints what worked and what is
 * missing. Skipped in CI and without credentials. Exit code 1 when something
 * the service cannot work without (identity, sending) fails.
 */
import { formatSmoke, runFeishuSmoke } from '../src/channels/feishu/smoke.js';

const { FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_SMOKE_CHAT_ID, FEISHU_DOMAIN, CI } = process.env;
if (CI) {
  console.log('smoke:feishu skipped in CI (it talks to a real Feishu tenant)');
  process.exit(0);
}
if (!FEISHU_APP_ID || !FEISHU_APP_SECRET || !FEISHU_SMOKE_CHAT_ID) {
  console.log('smoke:feishu skipped: set FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_SMOKE_CHAT_ID (a test group the bot is in; its chat id is logged when the bot is added to it). FEISHU_DOMAIN=lark for Lark international.');
  process.exit(0);
}
const lines = await runFeishuSmoke({ appId: FEISHU_APP_ID, appSecret: FEISHU_APP_SECRET, chatId: FEISHU_SMOKE_CHAT_ID, ...(FEISHU_DOMAIN ? { domain: FEISHU_DOMAIN } : {}) });
console.log(formatSmoke(lines));
const failed = lines.filter((l) => !l.ok);
console.log(failed.length ? `\n${failed.length} check(s) need attention (✘ the service cannot work without; ! limits what it can do).` : '\nEverything checked works.');
process.exit(lines.some((l) => l.required && !l.ok) ? 1 : 0);
