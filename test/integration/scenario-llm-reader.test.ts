/**
 * Issue 12, must-have 5, the bot's side: with LLM_BASE_URL and LLM_MODEL set,
 * a message the local reader is unsure about is read by the LLM before the
 * event's transaction (here a local fake of an OpenAI-compatible server), with
 * the phone masked; a sure message is never sent; a slow or broken answer
 * leaves the local reading (需要为此报修吗 asked as without the LLM).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PEOPLE, startTestService, type TestService } from '../support/service.js';
import { ChatView, ticketIdIn, transcript } from '../support/scenario.js';

const { customer } = PEOPLE;
const completion = (content: string): string => JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] });

/** What the fake server answers, and the texts it was sent. */
let answer: (res: ServerResponse) => void;
const sent: string[] = [];
let server: Server;
let svc: TestService;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { messages: Array<{ role: string; content: string }> };
      sent.push(body.messages.find((m) => m.role === 'user')?.content ?? '');
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  svc = await startTestService({ env: { DIGEST_CRON: 'off', LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MODEL: 'fake', LLM_TIMEOUT_MS: '1500' } });
});
afterAll(async () => {
  await svc?.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  sent.length = 0;
});

/** Unsure for the local reader (需要为此报修吗), with a phone that must not leave the machine. */
const UNSURE = '钟楼站的闸机好像又好了，不知道是不是还有问题 电话13800138000';

describe('the optional LLM reader in the bot', () => {
  it('reads a message the local reader is unsure about: the LLM’s fault makes the ticket at once, the phone masked', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion('{"kind":"fault","level":3,"unclear":false,"evidence":["还有问题"]}'));
    const chat = new ChatView(svc, 'llm-fault');
    const said = await chat.ask(customer, UNSURE);
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain('13800138000');
    expect(sent[0]).toContain('钟楼站');
    expect(said.some((m) => m.text.includes('需要为此报修吗')), transcript(said)).toBe(false);
    const t = await svc.ticket(ticketIdIn(said[0]));
    expect(t).toMatchObject({ kind: 'fault', level: 3, site: '钟楼站', device: '闸机' });
  });

  it('never sends a message the local reader is sure about', async () => {
    answer = (res) => res.writeHead(200).end(completion('{"kind":"other"}'));
    const chat = new ChatView(svc, 'llm-sure');
    const said = await chat.ask(customer, '小寨站3号闸机刷卡没反应 电话13800138000');
    expect(said[0]!.text, transcript(said)).toMatch(/已收到报修/);
    expect(sent).toHaveLength(0);
  });

  it('a slow answer leaves the local reading: 需要为此报修吗 is asked', async () => {
    answer = (res) => setTimeout(() => res.writeHead(200).end(completion('{"kind":"fault","level":1}')), 3000).unref();
    const chat = new ChatView(svc, 'llm-slow');
    const said = await chat.ask(customer, UNSURE);
    expect(sent).toHaveLength(1);
    expect(said.some((m) => m.text.includes('需要为此报修吗')), transcript(said)).toBe(true);
  });

  it('an answer that does not validate leaves the local reading', async () => {
    answer = (res) => res.writeHead(200).end(completion('{"kind":"fault","level":7}'));
    const chat = new ChatView(svc, 'llm-invalid');
    const said = await chat.ask(customer, UNSURE);
    expect(sent).toHaveLength(1);
    expect(said.some((m) => m.text.includes('需要为此报修吗')), transcript(said)).toBe(true);
  });
});
