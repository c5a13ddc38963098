import { describe, expect, it } from 'vitest';
import { runParseCli } from '../../src/domain/parse-cli.js';
import { loadDefaultLexicon } from '../../scripts/eval-parser.js';

const lex = loadDefaultLexicon();

async function* from(lines: string[]): AsyncIterable<string> {
  for (const l of lines) yield l;
}

async function run(lines: string[]): Promise<{ out: Record<string, unknown>[]; ok: number; errors: number }> {
  const out: Record<string, unknown>[] = [];
  const res = await runParseCli(from(lines), (l) => out.push(JSON.parse(l) as Record<string, unknown>), lex);
  return { out, ...res };
}

describe('runParseCli', () => {
  it('writes one line per input with the parsed fields', async () => {
    const { out, ok, errors } = await run([
      JSON.stringify({ id: 'a1', text: '小寨站3号闸机坏了 联系人王芳 138-0013-8000' }),
      JSON.stringify({ id: 'a2', text: '谢谢 辛苦了' }),
    ]);
    expect({ ok, errors }).toEqual({ ok: 2, errors: 0 });
    expect(out[0]).toEqual({
      id: 'a1',
      kind: 'fault',
      severity: 3,
      grade: 'C',
      site: '小寨站',
      device: '闸机',
      phone: '13800138000',
      contact: '王芳',
      symptom: expect.stringContaining('3号闸机坏了'),
      evidence: expect.arrayContaining(['3号']),
      asks: [],
      alsoConsultation: false,
      deviceNumber: 3,
      completeness: 'complete',
    });
    expect(out[1]).toMatchObject({ id: 'a2', kind: 'other', severity: null, grade: null, evidence: [], asks: [] });
  });

  it('says what the bot would ask next', async () => {
    const { out } = await run([
      JSON.stringify({ id: 'q1', text: '票务系统有问题 快来看看' }),
      JSON.stringify({ id: 'q2', text: '小寨站3号闸机坏了 电话13800138000' }),
    ]);
    expect(out[0]).toMatchObject({ asks: ['level', 'site', 'phone'], completeness: 'complete' });
    expect(out[1]).toMatchObject({ asks: [], deviceNumber: 3 });
  });

  it('skips blank lines but counts them for line numbers', async () => {
    const { out } = await run(['', '   ', '{"text":"票务系统有问题 快来看看"}', '\t', 'nope']);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ id: 'line 3', kind: 'fault', severity: null, device: '票务系统' });
    expect(out[1]).toMatchObject({ id: 'line 5', error: expect.stringMatching(/invalid JSON/) });
  });

  it.each([
    ['invalid JSON', '{"id":"x1","text":', 'line 1', /invalid JSON/],
    ['an array', '["小寨站"]', 'line 1', /JSON object/],
    ['a string', '"小寨站"', 'line 1', /JSON object/],
    ['null', 'null', 'line 1', /JSON object/],
    ['missing text', '{"id":"x2"}', 'x2', /missing "text"/],
    ['numeric text', '{"id":"x3","text":42}', 'x3', /must be a string, got number/],
    ['null text', '{"id":"x4","text":null}', 'x4', /got null/],
  ])('reports %s with the id or line number and goes on', async (_label, line, id, msg) => {
    const { out, ok, errors } = await run([line, '{"id":"next","text":"收到"}']);
    expect(out[0]).toEqual({ id, error: expect.stringMatching(msg) });
    expect(out[1]).toMatchObject({ id: 'next', kind: 'other' });
    expect({ ok, errors }).toEqual({ ok: 1, errors: 1 });
  });

  it('accepts a numeric id and a byte-order mark', async () => {
    const { out } = await run(['\uFEFF{"id":7,"text":"收到"}']);
    expect(out[0]).toMatchObject({ id: '7', kind: 'other' });
  });

  it('keeps hostile text as plain data', async () => {
    const text = '<script>alert(1)</script>\u0000\'; DROP TABLE t; --';
    const { out } = await run([JSON.stringify({ id: 'h', text })]);
    expect(out[0]).toMatchObject({ id: 'h', kind: 'other' });
  });
});
