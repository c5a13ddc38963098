import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadCorpusFile, loadDefaultLexicon, type CorpusRecord } from '../../scripts/corpus.js';
import { batchValidated, formatBatchCv, missedTargets, scoreReadings } from '../../scripts/eval-parser.js';
import { trainReader } from '../../scripts/train-reader.js';
import { parseReport, type ParsedReport } from '../../src/domain/report-parser.js';

const lex = loadDefaultLexicon();

const rec = (over: Partial<CorpusRecord>): CorpusRecord => ({
  id: over.id ?? 'x',
  text: 'x',
  kind: 'fault',
  severity: 3,
  site: null,
  device: null,
  phone: null,
  ...over,
});
const reading = (over: Partial<ParsedReport>): ParsedReport => ({ ...parseReport('', lex), ...over });

describe('eval figures', () => {
  it('counts a silent drop only when the reader neither reads a fault nor asks is_fault', () => {
    const r = scoreReadings(
      [rec({ id: 'a' }), rec({ id: 'b' }), rec({ id: 'c' })],
      [reading({ kind: 'other' }), reading({ kind: 'other', asks: ['is_fault'] }), reading({ kind: 'fault', level: 3 })],
      false,
    );
    expect(r.silentDrop).toEqual({ hit: 1, n: 3 });
    expect(r.mismatches).toEqual([]);
  });

  it('counts a wrong level only when a level is given, and a needless question where the label was clear', () => {
    const r = scoreReadings(
      [rec({ severity: 2 }), rec({ severity: 2 }), rec({ severity: null }), rec({ kind: 'other', severity: null }), rec({ kind: 'other', severity: null, ambiguous: true })],
      [
        reading({ kind: 'fault', level: 3 }),
        reading({ kind: 'fault', level: null, asks: ['level'] }),
        reading({ kind: 'fault', level: null, asks: ['level'] }),
        reading({ kind: 'other', asks: ['is_fault'] }),
        reading({ kind: 'other', asks: ['is_fault'] }),
      ],
      true,
    );
    expect(r.wrongLevel).toEqual({ hit: 1, n: 2 });
    // the level ask on a labelled level, and is_fault on a clear non-fault; not the ambiguous one.
    expect(r.needlessQuestion).toEqual({ hit: 2, n: 4 });
    // an ambiguous message answered by an is_fault question counts as read right.
    expect(r.kind.hit).toBe(5);
    expect(r.asksUnclear).toEqual({ hit: 1, n: 1 });
    expect(missedTargets(r).length).toBeGreaterThan(0);
  });

  it('refuses to list the test split message by message', () => {
    for (const args of [['--split=test', '--show'], ['--show']]) {
      const p = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval-parser.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(p.status).toBe(2);
      expect(p.stdout).toBe('');
      expect(p.stderr).toMatch(/training split only/);
    }
  });
});

describe('reading a new batch fresh (--file)', () => {
  it('reads a labelled file outside the test split, and refuses the test split', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-file-'));
    const file = join(dir, 'new-batch.jsonl');
    writeFileSync(
      file,
      [
        { id: 'N-1', style: 'tidy', text: '小寨站3号闸机坏了 电话13800138000', kind: 'fault', severity: 3, site: '小寨站', device: '闸机', phone: '13800138000' },
        { id: 'N-2', style: 'chat', text: '谢谢 辛苦了', kind: 'other', severity: null, site: null, device: null, phone: null },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const p = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval-parser.ts', `--file=${file}`], { encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/new-batch\.jsonl \(2 messages, read fresh\)/);
    expect(p.stdout).toMatch(/-- combined: per style --/);
    const t = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval-parser.ts', '--file=test/fixtures/corpus/test/test-a.jsonl', '--show'], { encoding: 'utf8', timeout: 60_000 });
    expect(t.status).toBe(2);
    expect(t.stdout).toBe('');
  });

  it('names the line of a malformed record', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-file-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"a","text":"x","kind":"fault","severity":3,"site":null,"device":null,"phone":null}\n{"id":\n');
    expect(() => loadCorpusFile(file)).toThrow(/bad\.jsonl:2: not valid JSON/);
  });
});

describe('batch cross-validation', () => {
  it('reads every batch once, by a model trained on the other batches only', () => {
    const rulesLex = loadDefaultLexicon({ model: false });
    const all = loadCorpus('train');
    const batches = [...new Set(all.map((r) => r.batch))];
    expect(batches.length).toBeGreaterThanOrEqual(2);
    const some = batches.slice(0, 3).flatMap((b) => all.filter((r) => r.batch === b).slice(0, 40));
    const folds = batchValidated(some, rulesLex, 'ngram+rules');
    expect(folds.map((f) => f.batch)).toEqual([...new Set(some.map((r) => r.batch))].sort());
    const seen = folds.flatMap((f) => f.indices).sort((a, b) => a - b);
    expect(seen).toEqual(some.map((_r, i) => i));
    for (const f of folds) {
      expect(f.indices.every((i) => some[i]!.batch === f.batch)).toBe(true);
      expect(f.readings).toHaveLength(f.indices.length);
    }
    const { table, results } = formatBatchCv(some, folds);
    expect(results).toHaveLength(folds.length);
    expect(table).toMatch(/mean of batches/);
  });
});

describe('reader model training', () => {
  it('is deterministic and ships weights trained on the training split', () => {
    const rulesLex = loadDefaultLexicon({ model: false });
    const some = loadCorpus('train').slice(0, 200);
    const a = trainReader(some, rulesLex, 'ngram+rules');
    const b = trainReader(some, rulesLex, 'ngram+rules');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(lex.model).not.toBeNull();
    expect(lex.model!.features).toBe('ngram+rules');
  });
});
