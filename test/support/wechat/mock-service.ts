/**
 * The REAL service (startService: temp SQLite database, bot, dispatcher) with
 * its WeChat channel on wechaty + MentionPuppetMock: a customer group with a
 * customer, an engineer and a manager, and a managers' group. For
 * test/e2e/wechat-lifecycle.test.ts and `npm run demo:wechat` only.
 *
 * People and rooms are mock contacts whose ids go into an organisation file
 * (ORG_FILE) written to the temp folder: staff ids.wechat, the managers' group,
 * the customer group bound to the customer. The service clock is manual
 * (SANDBOX_CLOCK=manual), so deadlines in the bot's text are predictable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { pino, type Logger } from 'pino';
import { types } from 'wechaty';
import { mock } from 'wechaty-puppet-mock';

import { loadConfig } from '../../../src/config.js';
import { startService, type Service } from '../../../src/main.js';
import { ManualClock } from '../../../src/core/clock.js';
import { MentionPuppetMock, onRoomMessage, type MockRoomMessage } from './mock-puppet.js';

/** Who is in the mock world. `liGong` is not in the organisation file (a manager makes him an engineer). */
export const MOCK_PEOPLE = {
  bot: { id: 'wxid_servicebot', name: '售后小助手' },
  /** WeChat nickname 老王; in the customer group he set the room alias 王站长. */
  customer: { id: 'wxid_wang', name: '老王', roomAlias: '王站长' },
  engineer: { id: 'wxid_zhang', name: '张工' },
  manager: { id: 'wxid_limgr', name: '李经理' },
  liGong: { id: 'wxid_ligong', name: '李工' },
} as const;
export type MockPersonKey = keyof typeof MOCK_PEOPLE;

export const MOCK_ROOMS = {
  customer: { id: '20001@chatroom', topic: '西安地铁二号线售后群' },
  managers: { id: '20002@chatroom', topic: '售后经理群' },
} as const;

export const MOCK_CUSTOMER = '西安地铁二号线运营分公司';

/** One message said in a mock room, as the room saw it. */
export interface TranscriptLine {
  messageId: string;
  roomId: string;
  /** The service's (manual) clock when the room saw the message. */
  at: Date;
  /** Wall clock (ms) of the message: the puppet's timestamp. */
  wallMs: number;
  talkerId: string;
  /** Room alias if set, else the WeChat name. */
  talker: string;
  fromBot: boolean;
  text: string;
  /** Real @mentions (the puppet's mentionIdList) as ids and display names. */
  mentionIds: string[];
  mentions: string[];
  type: number;
}

export interface WechatMockServiceOptions {
  /** Folder for the database, memory card and org file; a temp folder (removed by close()) when absent. */
  dir?: string;
  /** Service clock start, ISO. Default Tuesday 2026-11-24 10:00 Asia/Shanghai. */
  start?: string;
  /** WECHAT_MIN_INTERVAL_MS. Default 20 (the real default is 1500). */
  minIntervalMs?: number;
  /** WECHAT_MAX_PER_MINUTE. Default 1000 (the real default is 20). */
  maxPerMinute?: number;
  /** Run the dispatcher loop and scheduler in the background instead of settle() after each message. */
  background?: boolean;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Also write the service log (JSON lines, level info) here, e.g. for debugging. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export interface SayOptions {
  /** People to @mention for real (WeChat: picked from the @ list, which also writes "@name\u2005" in the text). */
  mentions?: MockPersonKey[];
  /** Default: the customer group. */
  room?: mock.RoomMock;
}

export interface WechatMockService {
  svc: Service;
  dir: string;
  mocker: mock.Mocker;
  puppet: MentionPuppetMock;
  contacts: Record<MockPersonKey, mock.ContactMock>;
  room: mock.RoomMock;
  managersRoom: mock.RoomMock;
  /** Everything said in every mock room created through this harness, in order. */
  transcript: TranscriptLine[];
  /** Structured service log lines (pino JSON), level debug and up. */
  logLines: Array<Record<string, unknown>>;
  /** The display name of a contact in a room (alias or name). */
  nameIn(room: mock.RoomMock, id: string): string;
  /** A new room with the given members (the bot included when listed), recorded in the transcript. */
  createRoom(topic: string, members: MockPersonKey[], id?: string): mock.RoomMock;
  /**
   * One person says something in a room; waits until the WeChat channel handed it
   * to the bot (or dropped it), then delivers the outbox (settle()) and returns what
   * the bot said in any room meanwhile.
   */
  say(who: MockPersonKey, text: string, opts?: SayOptions): Promise<{ message: TranscriptLine; outcome: string; bot: TranscriptLine[] }>;
  /** Waits until the channel reports the message id (inbound status or ignored); returns the status. */
  waitHandled(messageId: string, since?: number): Promise<string>;
  /** Delivers what is due: fires due timers and sends the outbox (background mode: waits for the loop). */
  deliver(): Promise<void>;
  /** Moves the manual clock, firing timers at their own moments. */
  advance(minutes: number): Promise<void>;
  /** The bot's lines in a room since index `from` of the transcript. */
  botLines(room?: mock.RoomMock, from?: number): TranscriptLine[];
  close(): Promise<void>;
}

const DEFAULT_START = '2026-11-24T02:00:00.000Z';

function orgYaml(): string {
  const p = MOCK_PEOPLE;
  return [
    '# Written by the WeChat mock harness: the mock contact and room ids.',
    'customers:',
    `  - name: ${MOCK_CUSTOMER}`,
    '    contract: default',
    '    warrantyStart: 2025-06-01',
    '    warrantyEnd: 2028-05-31',
    `    chats: [{ channel: wechat, id: "${MOCK_ROOMS.customer.id}" }]`,
    'staff:',
    `  - { name: 张工, role: engineer, department: 系统集成部, phone: "13900000001", ids: { wechat: ${p.engineer.id} } }`,
    `  - { name: 李经理, role: manager, department: 系统集成部, ids: { wechat: ${p.manager.id} } }`,
    'managersGroups:',
    `  - { channel: wechat, id: "${MOCK_ROOMS.managers.id}" }`,
    '',
  ].join('\n');
}

async function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function startWechatMockService(opts: WechatMockServiceOptions = {}): Promise<WechatMockService> {
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'servicebot-wechat-e2e-'));
  const orgFile = path.join(dir, 'org.yaml');
  writeFileSync(orgFile, orgYaml());

  const env = {
    PATH: process.env['PATH'],
    DATABASE_URL: `file:${path.join(dir, 'servicebot.db')}`,
    DATA_DIR: dir,
    ORG_FILE: orgFile,
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX: 'false',
    SANDBOX_CLOCK: 'manual',
    LOG_LEVEL: 'silent',
    WECHAT_MIN_INTERVAL_MS: String(opts.minIntervalMs ?? 20),
    WECHAT_MAX_PER_MINUTE: String(opts.maxPerMinute ?? 1000),
    ...opts.env,
  };
  const config = loadConfig(env);

  // The manual clock starts where the settings table says.
  {
    const { createPrismaClient } = await import('../../../src/store/client.js');
    const { applyMigrations } = await import('../../../src/store/migrate.js');
    await applyMigrations(config.database.url);
    const { prisma } = createPrismaClient(config.database.url);
    const at = opts.start ?? DEFAULT_START;
    await prisma.setting.upsert({ where: { key: 'sandbox.clock' }, update: { value: at }, create: { key: 'sandbox.clock', value: at } });
    await prisma.$disconnect();
  }

  // The mock world: contacts and rooms exist before the bot logs in.
  const mocker = new mock.Mocker();
  const puppet = new MentionPuppetMock({ mocker });
  const contacts = Object.fromEntries(
    Object.entries(MOCK_PEOPLE).map(([k, p]) => [k, mocker.createContact({ id: p.id, name: p.name })]),
  ) as Record<MockPersonKey, mock.ContactMock>;

  const transcript: TranscriptLine[] = [];
  const logLines: Array<Record<string, unknown>> = [];
  const echo = opts.logLevel && opts.logLevel !== 'silent' ? opts.logLevel : undefined;
  const levels: Record<string, number> = { debug: 20, info: 30, warn: 40, error: 50 };
  const sinkStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const obj = JSON.parse(line) as Record<string, unknown>;
          logLines.push(obj);
          if (echo && Number(obj['level']) >= levels[echo]!) process.stderr.write(`${line}\n`);
        } catch {
          /* not JSON */
        }
      }
      cb();
    },
  });
  const log: Logger = pino({ level: 'debug' }, sinkStream);

  let svc: Service | undefined;
  const roomsById = new Map<string, mock.RoomMock>();
  const aliases = new Map<string, string>();
  const nameIn = (room: mock.RoomMock, id: string) =>
    aliases.get(`${room.id}\u0000${id}`) ?? Object.values(MOCK_PEOPLE).find((p) => p.id === id)?.name ?? id;

  const watch = (room: mock.RoomMock) => {
    roomsById.set(room.id, room);
    onRoomMessage(room, (m: MockRoomMessage) => {
      transcript.push({
        messageId: m.id,
        roomId: room.id,
        at: svc ? svc.clock.now() : new Date(opts.start ?? DEFAULT_START),
        wallMs: m.timestamp,
        talkerId: m.talkerId,
        talker: nameIn(room, m.talkerId),
        fromBot: m.talkerId === MOCK_PEOPLE.bot.id,
        text: m.text ?? (m.type === types.Message.Image ? '[图片]' : `[type ${m.type}]`),
        mentionIds: [...(m.mentionIdList ?? [])],
        mentions: (m.mentionIdList ?? []).map((id) => nameIn(room, id)),
        type: m.type,
      });
    });
  };
  const createRoom = (topic: string, members: MockPersonKey[], id?: string) => {
    const room = mocker.createRoom({ ...(id ? { id } : {}), topic, memberIdList: members.map((k) => MOCK_PEOPLE[k].id) });
    watch(room);
    return room;
  };

  const room = createRoom(MOCK_ROOMS.customer.topic, ['bot', 'customer', 'engineer', 'manager', 'liGong'], MOCK_ROOMS.customer.id);
  const managersRoom = createRoom(MOCK_ROOMS.managers.topic, ['bot', 'manager'], MOCK_ROOMS.managers.id);
  puppet.setRoomAlias(room.id, MOCK_PEOPLE.customer.id, MOCK_PEOPLE.customer.roomAlias);
  aliases.set(`${room.id}\u0000${MOCK_PEOPLE.customer.id}`, MOCK_PEOPLE.customer.roomAlias);

  svc = await startService(config, { background: opts.background ?? false, log, wechatPuppet: puppet });
  const service = svc;
  mocker.login(contacts.bot);
  await waitUntil(() => service.config && logLines.some((l) => l['msg'] === 'wechat: logged in'), 'the bot to log in');

  const idle = async () =>
    (await service.db.outbox.count({ where: { status: { in: ['pending', 'sending'] }, nextAttemptAt: { lte: new Date() } } })) === 0;

  const deliver = async () => {
    if (opts.background) {
      await waitUntil(idle, 'the dispatcher to send the outbox', 30_000);
    } else {
      await service.settle();
    }
  };

  const waitHandled = (messageId: string, since = 0) =>
    waitUntil(() => {
      for (let i = since; i < logLines.length; i++) {
        const l = logLines[i]!;
        if (l['eventId'] === messageId && l['msg'] === 'wechat: inbound') return String(l['status']);
        if (l['messageId'] === messageId && /ignored/.test(String(l['msg']))) return 'dropped';
        if (l['messageId'] === messageId && /failed/.test(String(l['msg']))) return `failed: ${String(l['err'])}`;
      }
      return undefined;
    }, `message ${messageId} to be handled`);

  const say: WechatMockService['say'] = async (who, text, sayOpts = {}) => {
    const target = sayOpts.room ?? room;
    const mentioned = (sayOpts.mentions ?? []).map((k) => contacts[k]);
    // WeChat writes "@name\u2005" for a member picked from the @ list.
    let body = text;
    for (const k of sayOpts.mentions ?? []) {
      const n = nameIn(target, MOCK_PEOPLE[k].id);
      body = body.replace(new RegExp(`@${n}(?: |$)`), (m) => (m.endsWith(' ') ? `@${n}\u2005` : m));
    }
    const from = transcript.length;
    const logFrom = logLines.length;
    contacts[who].say(body, mentioned).to(target);
    const message = transcript.slice(from).find((l) => l.talkerId === MOCK_PEOPLE[who].id);
    if (!message) throw new Error(`the room did not see ${who}'s message`);
    const outcome = await waitHandled(message.messageId, logFrom);
    await deliver();
    return { message, outcome, bot: transcript.slice(from).filter((l) => l.fromBot) };
  };

  const advance = async (minutes: number) => {
    const clock = service.clock;
    if (!(clock instanceof ManualClock)) throw new Error('advance() needs the manual clock');
    const target = clock.now().getTime() + minutes * 60_000;
    const pending = await service.db.timer.findMany({
      where: { state: 'pending', dueAt: { gt: clock.now(), lte: new Date(target) } },
      orderBy: { dueAt: 'asc' },
      select: { dueAt: true },
    });
    for (const t of pending) {
      if (t.dueAt.getTime() > clock.now().getTime()) clock.set(t.dueAt);
      await service.settle();
    }
    clock.set(new Date(target));
    await service.settle();
    if (opts.background) await deliver();
  };

  const botLines = (r: mock.RoomMock = room, from = 0) => transcript.slice(from).filter((l) => l.fromBot && l.roomId === r.id);

  return {
    svc: service,
    dir,
    mocker,
    puppet,
    contacts,
    room,
    managersRoom,
    transcript,
    logLines,
    nameIn,
    createRoom,
    say,
    waitHandled,
    deliver,
    advance,
    botLines,
    async close() {
      await service.stop();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** "10:00:03 王站长: text" lines, mentions in brackets; continuation lines indented. */
export function formatTranscript(lines: TranscriptLine[], opts: { timeZone?: string; roomTitles?: Map<string, string> } = {}): string {
  const tz = opts.timeZone ?? 'Asia/Shanghai';
  const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const out: string[] = [];
  let lastRoom: string | undefined;
  for (const l of lines) {
    if (opts.roomTitles && l.roomId !== lastRoom) {
      out.push(`── ${opts.roomTitles.get(l.roomId) ?? l.roomId} ──`);
      lastRoom = l.roomId;
    }
    const who = l.mentions.length ? `${l.talker} [@${l.mentions.join(' @')}]` : l.talker;
    const [first, ...rest] = l.text.replaceAll('\u2005', ' ').split('\n');
    out.push(`${fmt.format(l.at)}  ${who}: ${first}`);
    for (const r of rest) out.push(`          ${' '.repeat(0)}${r}`);
  }
  return out.join('\n');
}
