/**
 * Tune the combined reader's decision thresholds by batch cross-validation on
 * the training split (never the test split): one model per held-out batch is
 * trained once, then each setting is read over the held-out batches and the
 * mean of batches printed.
 *
 *   npx tsx scripts/tune-reader.ts [--train='{"level":{"l2":0.001}}'] ['{"levelAskProb":0.2}' …]
 *   npx tsx scripts/tune-reader.ts --file=new-batch.jsonl …   # settings read on a new batch, fresh
 */
import { compileModel, type ReaderModel } from '../src/domain/classifier.js';
import { parseReport } from '../src/domain/report-parser.js';
import { loadCorpus, loadCorpusFile, loadDefaultLexicon } from './corpus.js';
import { scoreReadings, type EvalResult, type Score } from './eval-parser.js';
import { SETTINGS, trainReader, type TrainSettings } from './train-reader.js';

type Policy = Partial<Pick<ReaderModel, 'levelAskProb' | 'levelMarginAsk' | 'farDisagreeAsk' | 'faultAskProb' | 'rulesBelowProb'>>;

const lex = loadDefaultLexicon({ model: false });
const records = loadCorpus('train');
const batches = [...new Set(records.map((r) => r.batch ?? ''))].sort();
// --train='{"level":{"l2":0.001}}': training settings over the shipped ones (merged one level deep).
const trainArg = process.argv.find((a) => a.startsWith('--train='))?.slice(8);
const over = (trainArg ? JSON.parse(trainArg) : {}) as Record<string, unknown>;
const settings: TrainSettings = Object.fromEntries(
  Object.entries({ ...SETTINGS, ...over }).map(([k, v]) => [k, typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(SETTINGS as unknown as Record<string, object>)[k], ...v } : v]),
) as unknown as TrainSettings;

// --file=new.jsonl: one fold only, a model trained on the whole training split reading a new batch.
const fileArg = process.argv.find((a) => a.startsWith('--file='))?.slice(7);
const fresh = fileArg ? loadCorpusFile(fileArg) : [];
if (fileArg) records.push(...fresh);
const t0 = Date.now();
const folds = (fileArg ? [fresh[0]?.batch ?? ''] : batches).map((b) => ({
  batch: b,
  indices: records.flatMap((r, i) => ((r.batch ?? '') === b ? [i] : [])),
  model: compileModel(trainReader(records.filter((r) => (r.batch ?? '') !== b), lex, 'ngram+rules', settings)),
}));
console.error(`trained ${folds.length} folds in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const ratio = (s: Score): number => (s.n === 0 ? 0 : s.hit / s.n);
const KEYS = ['kind', 'levelExact', 'silentDrop', 'wrongLevel', 'needlessQuestion'] as const;

function run(name: string, policy: Policy): void {
  const results: [string, EvalResult][] = folds.map((f) => {
    const model = { ...f.model, ...policy };
    const recs = f.indices.map((i) => records[i]!);
    return [f.batch, scoreReadings(recs, recs.map((r) => parseReport(r.text, lex, { mode: 'combined', model })), false)];
  });
  const mean = (k: (typeof KEYS)[number], only?: (b: string) => boolean): string => {
    const xs = results.filter(([b]) => !only || only(b)).map(([, r]) => r[k]).filter((s) => s.n > 0);
    return ((100 * xs.reduce((a, s) => a + ratio(s), 0)) / xs.length).toFixed(1).padStart(7);
  };
  const levelConv = (b: string): boolean => !settings.levelSkipBatches.includes(b);
  const ci = results.map(([, r]) => r.styles['complaint-implicit']).filter((s) => s !== undefined);
  const ciKind = ci.reduce((a, s) => a + s.kind.hit, 0) / Math.max(1, ci.reduce((a, s) => a + s.kind.n, 0));
  const pooled = (k: (typeof KEYS)[number]): string => `${results.reduce((a, [, r]) => a + r[k].hit, 0)}/${results.reduce((a, [, r]) => a + r[k].n, 0)}`;
  console.log(
    `${name.padEnd(44)}[${(['levelExact', 'wrongLevel', 'needlessQuestion'] as const).map(pooled).join(' ')}] `+
    `${KEYS.map((k) => mean(k)).join('')}  | conv:${mean('levelExact', levelConv)}${mean('wrongLevel', levelConv)}${mean('needlessQuestion', levelConv)}  | ci-kind ${(100 * ciKind).toFixed(1)}`,
  );
}

console.log(`${'setting'.padEnd(44)}${KEYS.map((k) => k.slice(0, 7).padStart(7)).join('')}  | same-convention batches: level, wrong, needless`);
const grid = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (grid.length === 0) {
  run('shipped settings', {});
  for (const t of [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]) run(`levelAskProb ${t}`, { levelAskProb: t });
  for (const m of [0.05, 0.1, 0.15, 0.2, 0.3]) run(`levelMarginAsk ${m}`, { levelMarginAsk: m });
  run('farDisagreeAsk', { farDisagreeAsk: true });
  for (const m of [0.05, 0.1, 0.15]) run(`farDisagreeAsk + margin ${m}`, { farDisagreeAsk: true, levelMarginAsk: m });
} else {
  for (const g of grid) run(g, JSON.parse(g) as Policy);
}
