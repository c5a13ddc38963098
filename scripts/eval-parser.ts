/**
 * Evaluate the reader on the labelled corpus (test/fixtures/corpus/{train,test}).
 *
 *   npm run eval:parser                    # both splits, rules / model / combined side by side;
 *                                          # exit 1 if the shipped reader misses a target on test
 *   npm run eval:parser -- --split=train --show[=rules|model|combined]
 *                                          # list the training split's mismatches (train only)
 *   npm run eval:parser -- --llm           # also the LLM reader (LLM_BASE_URL, LLM_MODEL, LLM_API_KEY)
 *   npm run eval:parser -- --folds=5       # cross-validation folds on the training split
 *   npm run eval:parser -- --folds=batch   # hold out one batch (file) of the training split at a time:
 *                                          # train on the others, figures per held-out batch and averaged
 *   npm run eval:parser -- --file=new.jsonl [--show]
 *                                          # read one labelled file as fresh data (a new batch before it
 *                                          # joins the training split): rules and the shipped reader
 *
 * THE TEST SPLIT IS NEVER SHOWN MESSAGE BY MESSAGE. Its writers never saw the
 * rules; it is read for aggregate figures only (per field, per style, per
 * kind, the level confusion matrix). `--show` refuses it, and the evaluation
 * does not even collect its mismatches. Rules are tuned and the model trained
 * on the training split; figures for the model on the training split are
 * out-of-fold (k-fold cross-validation), so they are honest too.
 *
 * Readers compared:
 * - rules: the lexicon's rules alone decide kind and level.
 * - model: a logistic-regression model over character n-grams alone decides
 *   kind and level (trained here on the training split; entities from the rules).
 * - combined: the shipped reader, config/reader-model.json: the model over
 *   n-grams plus the rules' findings as features (scripts/train-reader.ts).
 * - llm (with --llm): the combined reader, and the LLM where it is unsure.
 *
 * Figures (over the labelled messages; "asks" is the reader's `asks` list):
 * - kind: the kind read equals the label; a message labelled ambiguous:true
 *   also counts as right when the reader asks is_fault (需要为此报修吗).
 * - level exact (clear): over faults with a labelled level, the reader reads a
 *   fault with that level.
 * - asks when unclear: over faults labelled with no level, the reader asks the
 *   level (or is_fault).
 * - SILENT DROP: a labelled fault that the reader neither reads as a fault nor
 *   asks is_fault about (an is_fault ask counts as not dropped). Rate over
 *   labelled faults. Target ≤ 1 %.
 * - WRONG LEVEL: a level given and wrong: the reader reads a fault with a level,
 *   and the label has another level. Rate over faults with a labelled level.
 *   Target ≤ 4 %.
 * - NEEDLESS QUESTION: a level or is_fault question asked where the label says
 *   it was clear: an is_fault ask on a message not labelled ambiguous, or a
 *   level ask on a fault labelled with a level. Rate over messages not labelled
 *   ambiguous. Target ≤ 10 %.
 * - chit-chat ticketed: a message labelled non-fault that the reader reads as
 *   a fault without asking (a ticket nobody wanted). Rate over non-faults.
 * - site, device, phone: exact equality with the label (null included), over
 *   every message; contact where labelled; alsoConsultation over faults.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReaderModel } from '../src/domain/classifier.js';
import type { CompiledLexicon } from '../src/domain/lexicon.js';
import { parseReport, type ParsedReport, type ReaderMode } from '../src/domain/report-parser.js';
import { STYLES, loadCorpus, loadCorpusFile, loadDefaultLexicon, loadShippedModel, type CorpusRecord, type Split } from './corpus.js';
import { trainedModel } from './train-reader.js';

export { loadCorpus, loadDefaultLexicon } from './corpus.js';
export type { CorpusRecord } from './corpus.js';

/** Ratio of hits to cases; an empty case set counts as met. */
export interface Score {
  hit: number;
  n: number;
}

export interface StyleRow {
  n: number;
  kind: Score;
  silentDrop: Score;
  levelExact: Score;
  site: Score;
  device: Score;
}

export interface EvalResult {
  messages: number;
  kind: Score;
  levelExact: Score;
  asksUnclear: Score;
  /** hit = dropped (lower is better). */
  silentDrop: Score;
  wrongLevel: Score;
  needlessQuestion: Score;
  chitChatTicketed: Score;
  phone: Score;
  site: Score;
  device: Score;
  contact: Score;
  alsoConsultation: Score;
  /** confusion[gold][predicted]; gold in "1".."4","null"; predicted also "ask" (is_fault) and "not fault". */
  confusion: Record<string, Record<string, number>>;
  /** kinds[gold][predicted], predicted also "ask". */
  kinds: Record<string, Record<string, number>>;
  styles: Record<string, StyleRow>;
  /** Collected for the training split only; always empty for the test split. */
  mismatches: { id: string; text: string; field: string; want: unknown; got: unknown }[];
}

/** Targets from issue 12, checked on the test split for the shipped (combined) reader. */
export const TARGETS = {
  kind: { min: 0.95 },
  levelExact: { min: 0.9 },
  silentDrop: { max: 0.01 },
  wrongLevel: { max: 0.04 },
  needlessQuestion: { max: 0.1 },
  phone: { min: 1 },
  site: { min: 0.95 },
  device: { min: 0.95 },
} as const;
/** No style row below this on kind. */
export const STYLE_KIND_MIN = 0.85;

export const LEVEL_KEYS = ['1', '2', '3', '4', 'null'] as const;
export const PRED_KEYS = [...LEVEL_KEYS, 'ask', 'not fault'] as const;
const KIND_KEYS = ['fault', 'consultation', 'complaint', 'other'] as const;

export type Reader = (text: string) => ParsedReport | Promise<ParsedReport>;

export function localReader(lex: CompiledLexicon, mode: ReaderMode, model?: ReaderModel | null): Reader {
  return (text) => parseReport(text, lex, { mode, ...(model !== undefined ? { model } : {}) });
}

const score = (): Score => ({ hit: 0, n: 0 });

/** Score readings against labels. `collect` lists mismatches: refused for the test split. */
export function scoreReadings(records: readonly CorpusRecord[], readings: readonly ParsedReport[], collect: boolean): EvalResult {
  const r: EvalResult = {
    messages: records.length,
    kind: score(),
    levelExact: score(),
    asksUnclear: score(),
    silentDrop: score(),
    wrongLevel: score(),
    needlessQuestion: score(),
    chitChatTicketed: score(),
    phone: score(),
    site: score(),
    device: score(),
    contact: score(),
    alsoConsultation: score(),
    confusion: Object.fromEntries(LEVEL_KEYS.map((g) => [g, Object.fromEntries(PRED_KEYS.map((p) => [p, 0]))])),
    kinds: Object.fromEntries(KIND_KEYS.map((g) => [g, Object.fromEntries([...KIND_KEYS, 'ask'].map((p) => [p, 0]))])),
    styles: {},
    mismatches: [],
  };
  records.forEach((rec, i) => {
    const got = readings[i]!;
    const asksFault = got.asks.includes('is_fault');
    const miss = (field: string, want: unknown, have: unknown): void => {
      if (collect) r.mismatches.push({ id: rec.id, text: rec.text, field, want, got: have });
    };
    const check = (s: Score, field: string, want: unknown, have: unknown, ok = want === have): boolean => {
      s.n++;
      if (ok) s.hit++;
      else miss(field, want, have);
      return ok;
    };
    const style = (r.styles[rec.style ?? 'untagged'] ??= { n: 0, kind: score(), silentDrop: score(), levelExact: score(), site: score(), device: score() });
    style.n++;

    const kindOk = check(r.kind, 'kind', rec.kind, asksFault ? `${got.kind}+ask` : got.kind, got.kind === rec.kind || (rec.ambiguous === true && asksFault));
    bump(style.kind, kindOk);
    r.kinds[rec.kind]![asksFault ? 'ask' : got.kind]!++;
    bump(style.site, check(r.site, 'site', rec.site, got.site));
    bump(style.device, check(r.device, 'device', rec.device, got.device));
    check(r.phone, 'phone', rec.phone, got.phone);
    if (rec.contact !== undefined) check(r.contact, 'contact', rec.contact, got.contact);

    const asksLevel = got.asks.includes('level');
    if (rec.ambiguous !== true) {
      const needless = asksFault || (rec.kind === 'fault' && rec.severity !== null && asksLevel);
      r.needlessQuestion.n++;
      if (needless) {
        r.needlessQuestion.hit++;
        miss('needless question', 'no question', got.asks.join(','));
      }
    }
    if (rec.kind === 'fault') {
      const dropped = got.kind !== 'fault' && !asksFault;
      r.silentDrop.n++;
      style.silentDrop.n++;
      if (dropped) {
        r.silentDrop.hit++;
        style.silentDrop.hit++;
        miss('SILENT DROP', 'fault', got.kind);
      }
      const pred = asksFault && got.kind !== 'fault' ? 'ask' : got.kind !== 'fault' ? 'not fault' : String(got.level);
      const gold = String(rec.severity);
      r.confusion[gold]![pred]!++;
      check(r.alsoConsultation, 'alsoConsultation', rec.alsoConsultation ?? false, got.alsoConsultation);
      if (rec.severity === null) {
        check(r.asksUnclear, 'asks level', 'level', got.asks.join(',') || 'none', asksLevel || asksFault);
      } else {
        bump(style.levelExact, check(r.levelExact, 'level', gold, pred));
        r.wrongLevel.n++;
        if (got.kind === 'fault' && got.level !== null && got.level !== rec.severity) r.wrongLevel.hit++;
      }
    } else {
      r.chitChatTicketed.n++;
      if (got.kind === 'fault' && !asksFault) {
        r.chitChatTicketed.hit++;
        miss('ticketed', rec.kind, 'fault');
      }
    }
  });
  return r;
}

function bump(s: Score, ok: boolean): void {
  s.n++;
  if (ok) s.hit++;
}

export async function evaluate(records: readonly CorpusRecord[], reader: Reader, split: Split): Promise<EvalResult> {
  const readings: ParsedReport[] = [];
  for (const rec of records) readings.push(await reader(rec.text));
  return scoreReadings(records, readings, split === 'train');
}

/**
 * Out-of-fold readings for the training split: each fold is read by a model
 * trained on the other folds, so model figures on train are not memorised.
 */
export function crossValidated(
  records: readonly CorpusRecord[],
  lexNoModel: CompiledLexicon,
  features: ReaderModel['features'],
  folds: number,
): ParsedReport[] {
  const out = new Array<ParsedReport>(records.length);
  for (let f = 0; f < folds; f++) {
    const trainSet = records.filter((_r, i) => i % folds !== f);
    const model = trainedModel(trainSet, lexNoModel, features);
    records.forEach((r, i) => {
      if (i % folds === f) out[i] = parseReport(r.text, lexNoModel, { mode: features === 'ngram' ? 'model' : 'combined', model });
    });
  }
  return out;
}

/**
 * Batch cross-validation: for each batch (file) of the training split, a model
 * trained on the other batches reads the held-out one. A batch was written in
 * one go, so this is closer to reading new writers than random folds are.
 * (The rules were tuned on every batch; for them the figure is optimistic.)
 */
export function batchValidated(
  records: readonly CorpusRecord[],
  lexNoModel: CompiledLexicon,
  features: ReaderModel['features'],
): { batch: string; indices: number[]; readings: ParsedReport[] }[] {
  const batches = [...new Set(records.map((r) => r.batch ?? ''))].sort();
  return batches.map((b) => {
    const indices = records.flatMap((r, i) => ((r.batch ?? '') === b ? [i] : []));
    const model = trainedModel(records.filter((r) => (r.batch ?? '') !== b), lexNoModel, features);
    const mode: ReaderMode = features === 'ngram' ? 'model' : 'combined';
    return { batch: b, indices, readings: indices.map((i) => parseReport(records[i]!.text, lexNoModel, { mode, model })) };
  });
}

/** Figures per held-out batch and their unweighted mean (the batch-CV summary). */
export function formatBatchCv(
  records: readonly CorpusRecord[],
  folds: { batch: string; indices: number[]; readings: ParsedReport[] }[],
): { table: string; results: [string, EvalResult][] } {
  const results: [string, EvalResult][] = folds.map((f) => [f.batch, scoreReadings(f.indices.map((i) => records[i]!), f.readings, true)]);
  const keys: (keyof EvalResult)[] = ['kind', 'levelExact', 'silentDrop', 'wrongLevel', 'needlessQuestion', 'site', 'device', 'phone'];
  const w = 22;
  const lines = [`${'held-out batch'.padEnd(w)}${'n'.padStart(6)}${keys.map((k) => String(k).padStart(17)).join('')}`];
  for (const [b, r] of results) lines.push(`${b.padEnd(w)}${String(r.messages).padStart(6)}${keys.map((k) => pct(r[k] as Score).padStart(17)).join('')}`);
  const mean = (k: keyof EvalResult): string => {
    const xs = results.map(([, r]) => r[k] as Score).filter((s) => s.n > 0);
    return xs.length === 0 ? 'n/a' : `${((100 * xs.reduce((a, s) => a + ratio(s), 0)) / xs.length).toFixed(1)}%`;
  };
  lines.push(`${'mean of batches'.padEnd(w)}${String(records.length).padStart(6)}${keys.map((k) => mean(k).padStart(17)).join('')}`);
  return { table: lines.join('\n'), results };
}

const ratio = (x: Score): number => (x.n === 0 ? 0 : x.hit / x.n);
const pct = (x: Score): string => (x.n === 0 ? 'n/a' : `${(100 * ratio(x)).toFixed(1)}%`);

/** Which targets a result misses (empty when all are met), the style rows included. */
export function missedTargets(r: EvalResult): string[] {
  const out: string[] = [];
  for (const [k, t] of Object.entries(TARGETS) as [keyof typeof TARGETS, { min?: number; max?: number }][]) {
    const s = r[k];
    if (s.n === 0) continue;
    if (t.min !== undefined && ratio(s) < t.min) out.push(`${k} ${pct(s)} < ${t.min * 100}%`);
    if (t.max !== undefined && ratio(s) > t.max) out.push(`${k} ${pct(s)} > ${t.max * 100}%`);
  }
  for (const [style, row] of Object.entries(r.styles)) {
    if (row.kind.n > 0 && ratio(row.kind) < STYLE_KIND_MIN) out.push(`style ${style}: kind ${pct(row.kind)} < ${STYLE_KIND_MIN * 100}%`);
  }
  return out;
}

const FIELD_ROWS: [string, keyof EvalResult, string][] = [
  ['kind', 'kind', '≥ 95%'],
  ['level exact (clear)', 'levelExact', '≥ 90%'],
  ['asks when level unclear', 'asksUnclear', ''],
  ['SILENT DROP (lower is better)', 'silentDrop', '≤ 1%'],
  ['WRONG LEVEL (lower is better)', 'wrongLevel', '≤ 4%'],
  ['NEEDLESS QUESTION (lower better)', 'needlessQuestion', '≤ 10%'],
  ['chit-chat ticketed (lower better)', 'chitChatTicketed', ''],
  ['site', 'site', '≥ 95%'],
  ['device', 'device', '≥ 95%'],
  ['phone', 'phone', '100%'],
  ['contact (where labelled)', 'contact', ''],
  ['alsoConsultation (faults)', 'alsoConsultation', ''],
];

/** Side-by-side figures of several readers on one split. */
export function formatComparison(title: string, results: [string, EvalResult][]): string {
  const w = 34;
  const col = 18;
  const lines = [`== ${title} ==`, `${'figure'.padEnd(w)}${results.map(([n]) => n.padStart(col)).join('')}   target`];
  for (const [label, key, target] of FIELD_ROWS) {
    const cells = results.map(([, r]) => {
      const s = r[key] as Score;
      return `${pct(s)} ${s.hit}/${s.n}`.padStart(col);
    });
    lines.push(`${label.padEnd(w)}${cells.join('')}   ${target}`);
  }
  return lines.join('\n');
}

export function formatDetail(name: string, r: EvalResult): string {
  const lines = [`-- ${name}: level confusion (rows: labelled level of faults; columns: read) --`];
  lines.push(['gold\\read', ...PRED_KEYS].map((h) => h.padStart(10)).join(''));
  for (const g of LEVEL_KEYS) lines.push([g, ...PRED_KEYS.map((p) => String(r.confusion[g]![p]))].map((c) => c.padStart(10)).join(''));
  lines.push('', `-- ${name}: kinds (rows: labelled; columns: read, "ask" = is_fault asked) --`);
  lines.push(['gold\\read', ...KIND_KEYS, 'ask'].map((h) => h.padStart(13)).join(''));
  for (const g of KIND_KEYS) lines.push([g, ...[...KIND_KEYS, 'ask'].map((p) => String(r.kinds[g]![p]))].map((c) => c.padStart(13)).join(''));
  lines.push('', `-- ${name}: per style --`);
  lines.push(`${'style'.padEnd(20)}${['n', 'kind', 'silent drop', 'level exact', 'site', 'device'].map((h) => h.padStart(13)).join('')}`);
  const order = [...STYLES, 'untagged'];
  for (const style of order) {
    const row = r.styles[style];
    if (!row) continue;
    const flag = row.kind.n > 0 && ratio(row.kind) < STYLE_KIND_MIN ? '  < 85%' : '';
    lines.push(
      `${style.padEnd(20)}${[String(row.n), pct(row.kind), `${row.silentDrop.hit}/${row.silentDrop.n}`, pct(row.levelExact), pct(row.site), pct(row.device)]
        .map((c) => c.padStart(13))
        .join('')}${flag}`,
    );
  }
  return lines.join('\n');
}

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === undefined) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : '';
}

/** Read one labelled file (not under test/) with the rules and the shipped reader. */
async function evalFile(file: string, show: string | undefined): Promise<void> {
  if (/(?:^|[\\/])corpus[\\/]test[\\/]/u.test(resolve(file))) {
    console.error('--file reads a new batch; the test split is read for aggregate figures only (plain eval:parser).');
    process.exitCode = 2;
    return;
  }
  const records = loadCorpusFile(file);
  const lexNoModel = loadDefaultLexicon({ model: false });
  const shipped = loadShippedModel();
  const results: [string, EvalResult][] = [['rules', await evaluate(records, localReader(lexNoModel, 'rules', null), 'train')]];
  if (shipped) results.push(['combined', await evaluate(records, localReader(lexNoModel, 'combined', shipped), 'train')]);
  console.log(formatComparison(`${file} (${records.length} messages, read fresh)`, results));
  const [name, last] = results[results.length - 1]!;
  console.log('');
  console.log(formatDetail(name, last));
  if (show !== undefined) {
    console.log('\n-- mismatches --');
    for (const m of last.mismatches) console.log(`  ${m.id} ${m.field}: want ${JSON.stringify(m.want)} got ${JSON.stringify(m.got)}  | ${m.text.replace(/\n/g, '⏎')}`);
  }
  const missed = missedTargets(last);
  console.log(missed.length > 0 ? `\n${file} (${name}) misses: ${missed.join('; ')}` : `\n${file} (${name}) meets every target`);
}

async function main(): Promise<void> {
  const only = arg('split') as Split | undefined;
  const show = arg('show');
  const file = arg('file');
  if (file !== undefined) {
    if (file.length === 0) {
      console.error('--file needs a path: --file=new-batch.jsonl');
      process.exitCode = 2;
      return;
    }
    await evalFile(file, show);
    return;
  }
  if (show !== undefined && only !== 'train') {
    console.error('--show lists messages, which is allowed on the training split only: use --split=train --show. The test split is read for aggregate figures only.');
    process.exitCode = 2;
    return;
  }
  const foldArg = arg('folds') ?? '5';
  const byBatch = foldArg === 'batch';
  const folds = byBatch ? 0 : Number(foldArg);
  if (!byBatch && !(Number.isInteger(folds) && folds >= 2)) {
    console.error(`--folds must be a whole number from 2, or "batch" (got "${foldArg}")`);
    process.exitCode = 2;
    return;
  }
  const lexNoModel = loadDefaultLexicon({ model: false });
  const shipped = loadShippedModel();
  const train = loadCorpus('train');
  const useLlm = arg('llm') !== undefined;
  let llm: Reader | null = null;
  if (useLlm) {
    const { llmReaderFromEnv } = await import('../src/reader/llm.js');
    const lex = loadDefaultLexicon();
    const client = llmReaderFromEnv(process.env, lex);
    if (!client) {
      console.error('--llm needs LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY when the server wants one)');
      process.exitCode = 2;
      return;
    }
    llm = (text) => client.read(text, parseReport(text, lex));
  }

  let failed = false;
  for (const split of ['train', 'test'] as const) {
    if (only && only !== split) continue;
    const records = split === 'train' ? train : loadCorpus('test');
    if (records.length === 0) {
      console.log(`== ${split}: no messages ==\n`);
      continue;
    }
    const results: [string, EvalResult][] = [];
    const rules = await evaluate(records, localReader(lexNoModel, 'rules', null), split);
    results.push(['rules', rules]);
    let model: EvalResult;
    let combined: EvalResult | null = null;
    if (split === 'train' && byBatch) {
      const join = (fs: ReturnType<typeof batchValidated>): ParsedReport[] => {
        const out = new Array<ParsedReport>(records.length);
        for (const f of fs) f.indices.forEach((i, j) => (out[i] = f.readings[j]!));
        return out;
      };
      const m = batchValidated(records, lexNoModel, 'ngram');
      const c = batchValidated(records, lexNoModel, 'ngram+rules');
      model = scoreReadings(records, join(m), true);
      combined = scoreReadings(records, join(c), true);
      console.log(`== batch cross-validation, combined (train on the other batches, read the held-out one) ==\n${formatBatchCv(records, c).table}\n`);
    } else if (split === 'train') {
      model = scoreReadings(records, crossValidated(records, lexNoModel, 'ngram', folds), true);
      combined = scoreReadings(records, crossValidated(records, lexNoModel, 'ngram+rules', folds), true);
    } else {
      model = await evaluate(records, localReader(lexNoModel, 'model', trainedModel(train, lexNoModel, 'ngram')), split);
      if (shipped) combined = await evaluate(records, localReader(lexNoModel, 'combined', shipped), split);
    }
    const cvName = byBatch ? 'batch-cv' : `${folds}-fold`;
    results.push([split === 'train' ? `model (${cvName})` : 'model', model]);
    if (combined) results.push([split === 'train' ? `combined (${cvName})` : 'combined', combined]);
    if (llm) results.push(['combined+llm', await evaluate(records, llm, split)]);

    console.log(formatComparison(`${split} (${records.length} messages)`, results));
    const shippedResult = combined ?? rules;
    const shippedName = combined ? 'combined' : 'rules';
    console.log('');
    console.log(formatDetail(shippedName, shippedResult));
    if (show !== undefined && split === 'train') {
      const pick = results.find(([n]) => n.startsWith(show || 'combined'))?.[1] ?? shippedResult;
      console.log('\n-- mismatches (training split) --');
      for (const m of pick.mismatches) {
        console.log(`  ${m.id} ${m.field}: want ${JSON.stringify(m.want)} got ${JSON.stringify(m.got)}  | ${m.text.replace(/\n/g, '⏎')}`);
      }
    }
    console.log('');
    if (split === 'test') {
      const missed = missedTargets(shippedResult);
      if (missed.length > 0) {
        failed = true;
        console.log(`test split (${shippedName}) misses: ${missed.join('; ')}`);
      } else console.log(`test split (${shippedName}) meets every target`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
