import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDefaultLexicon } from '../../scripts/corpus.js';
import { parseReport } from '../../src/domain/report-parser.js';
import { LlmReader, llmReaderFromEnv, maskPhones, parseAnswer } from '../../src/reader/llm.js';

const lex = loadDefaultLexicon();

/** A local stand-in for an OpenAI-compatible server: answers with whatever the test sets. */
let reply: (body: Record<string, unknown>, res: ServerResponse) => void;
const seen: { body: Record<string, unknown>; auth: string | undefined }[] = [];
let server: Server;
let baseUrl: string;

const completion = (content: string): string => JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] });

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push({ body, auth: req.headers.authorization });
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      reply(body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

const reader = (timeoutMs = 3000, sendPhones = false): LlmReader =>
  new LlmReader({ baseUrl, model: 'test-model', apiKey: 'sk-test', timeoutMs, sendPhones, lexicon: lex });

// A message the local reader is unsure about: it would ask the level.
const UNSURE = '票务系统有问题 快来看看 电话13800138000';

describe('LLM reader against a local OpenAI-compatible server', () => {
  it('settles what the local reader was unsure about, with the model and key configured', async () => {
    reply = (_b, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(completion('{"kind":"fault","level":2,"unclear":false,"evidence":["有问题"]}'));
    const local = parseReport(UNSURE, lex);
    expect(local.asks).toContain('level');
    const r = await reader().read(UNSURE, local);
    expect(r).toMatchObject({ kind: 'fault', level: 2, grade: 'C', levelEvidence: ['有问题'], phone: '13800138000' });
    expect(r.asks).not.toContain('level');
    expect(seen[0]!.body).toMatchObject({ model: 'test-model', response_format: { type: 'json_object' } });
    expect(seen[0]!.auth).toBe('Bearer sk-test');
  });

  it('masks phone numbers before the text leaves, unless configured', async () => {
    reply = (_b, res) => res.writeHead(200).end(completion('{"kind":"fault","level":3}'));
    await reader().read(UNSURE, parseReport(UNSURE, lex));
    expect(JSON.stringify(seen[0]!.body)).not.toContain('13800138000');
    await reader(3000, true).read(UNSURE, parseReport(UNSURE, lex));
    expect(JSON.stringify(seen[1]!.body)).toContain('13800138000');
    expect(maskPhones('电话幺三八 九一二三 四五六七 座机(029)8765-4321')).not.toMatch(/\d{4}/);
  });

  it('does not ask when the local reader is sure', async () => {
    const text = '小寨站3号闸机坏了 电话13800138000';
    const local = parseReport(text, lex);
    expect(await reader().read(text, local)).toBe(local);
    expect(seen).toHaveLength(0);
  });

  it.each([
    ['not JSON', completion('the level is two')],
    ['a kind that does not exist', completion('{"kind":"emergency","level":1}')],
    ['a level out of range', completion('{"kind":"fault","level":7}')],
    ['no choices', JSON.stringify({ error: 'nope' })],
    ['a huge body', completion(`{"kind":"fault","level":1,"evidence":["${'x'.repeat(70_000)}"]}`)],
  ])('keeps the local reading on %s', async (_label, body) => {
    reply = (_b, res) => res.writeHead(200).end(body);
    const local = parseReport(UNSURE, lex);
    expect(await reader().read(UNSURE, local)).toEqual(local);
  });

  it('keeps the local reading on an HTTP error and on a timeout', async () => {
    reply = (_b, res) => res.writeHead(500).end('{}');
    const local = parseReport(UNSURE, lex);
    expect(await reader().read(UNSURE, local)).toEqual(local);
    reply = (_b, res) => setTimeout(() => res.writeHead(200).end(completion('{"kind":"other"}')), 1000);
    const t0 = Date.now();
    expect(await reader(150).read(UNSURE, local)).toEqual(local);
    expect(Date.now() - t0).toBeLessThan(900);
  });

  it('never shows engineers evidence that is not the customer\'s own words', async () => {
    reply = (_b, res) => res.writeHead(200).end(completion('{"kind":"fault","level":1,"evidence":["<script>alert(1)</script>","有问题"]}'));
    const r = await reader().read(UNSURE, parseReport(UNSURE, lex));
    expect(r.levelEvidence).toEqual(['有问题']);
  });

  it('accepts a fenced JSON answer and asks is_fault when the model cannot tell', () => {
    expect(parseAnswer(completion('```json\n{"kind":"fault","level":null,"unclear":true}\n```'))).toMatchObject({ kind: 'fault', unclear: true });
  });

  it('is off unless both LLM_BASE_URL and LLM_MODEL are set', () => {
    expect(llmReaderFromEnv({}, lex)).toBeNull();
    expect(llmReaderFromEnv({ LLM_BASE_URL: baseUrl }, lex)).toBeNull();
    expect(llmReaderFromEnv({ LLM_BASE_URL: baseUrl, LLM_MODEL: 'm' }, lex)).toBeInstanceOf(LlmReader);
  });
});
