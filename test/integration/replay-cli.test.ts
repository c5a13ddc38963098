/**
 * `npm run cli -- replay FILE`: saved payloads through each channel's own
 * inbound path into the bot, on the database of DATABASE_URL; a redelivered
 * one does nothing; a payload no channel handles is said so (exit 1).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/store/client.js';
import { botMention, textMessageEvent } from '../support/feishu-events.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'servicebot-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli replay', () => {
  it('replays Feishu, WeChat and sandbox payloads; a redelivery does nothing', async () => {
    const feishu = textMessageEvent('@_user_1 小寨站 3号闸机刷卡没反应 电话13800138000', { chatId: 'oc_replay', mentions: [botMention()] });
    const snapshot = {
      id: 'wx-msg-1',
      kind: 'text',
      puppetType: 7,
      talker: { id: 'wxid_wang', name: '老王' },
      text: '钟楼站 5号TVM不出票 电话13800138001',
      mentions: [],
      self: { id: 'wxid_bot', name: '售后小助手' },
      isSelf: false,
      timestamp: Date.parse('2026-11-24T02:00:00Z'),
      room: { id: '20001@chatroom', topic: '二号线售后群' },
    };
    // A line of the service log: WeChat's "sink refused the event", with the event as JSON text.
    const logLine = { level: 50, msg: 'wechat: sink refused the event', event: JSON.stringify({ channel: 'wechat', type: 'message', raw: snapshot }) };
    const post = { chat: 'replay', from: { id: 'c9', name: '王工', role: 'customer' }, text: '体育场站 2号闸机黑屏', messageId: 'm-replay-1' };
    const file = path.join(dir, 'payloads.jsonl');
    writeFileSync(file, [JSON.stringify({ ...feishu, channel: undefined }), JSON.stringify(feishu), JSON.stringify(logLine), JSON.stringify({ channel: 'sandbox', raw: post }), JSON.stringify({ nothing: true })].join('\n'));
    const url = `file:${path.join(dir, 'replay.db')}`;
    const env = { ...process.env, DATABASE_URL: url, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const tsx = path.resolve('node_modules/.bin/tsx');
    const out = await run(tsx, ['src/cli.ts', 'replay', file, '--channel', 'feishu'], { env }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((out as { code?: number }).code).toBe(1);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { status: string; channel: string; replies?: Array<{ text: string }> });
    expect(lines.map((l) => [l.channel, l.status])).toEqual([
      ['feishu', 'queued'],
      ['feishu', 'duplicate'],
      ['feishu', 'not an event this channel handles'],
      ['feishu', 'not an event this channel handles'],
      ['feishu', 'not an event this channel handles'],
    ]);
    // Queued as Feishu's webhook queues it, and acted on right after.
    expect(lines[0]!.replies!.map((r) => r.text).join('\n')).toContain('已收到报修');

    // Without --channel, each line names its own.
    const mixed = path.join(dir, 'mixed.jsonl');
    writeFileSync(mixed, [JSON.stringify(logLine), JSON.stringify({ channel: 'sandbox', raw: post })].join('\n'));
    const ok = await run(tsx, ['src/cli.ts', 'replay', mixed], { env });
    expect(ok.stdout.trim().split('\n').map((l) => JSON.parse(l).status)).toEqual(['processed', 'processed']);
    const { prisma } = createPrismaClient(url);
    try {
      expect((await prisma.ticket.findMany({ orderBy: { id: 'asc' } })).map((t) => t.site)).toEqual(['小寨站', '钟楼站', '体育场站']);
    } finally {
      await prisma.$disconnect();
    }
  }, 120_000);
});
