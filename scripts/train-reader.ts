/**
 * Train the reader's learned part (src/domain/classifier.ts) on the training
 * split of the corpus and write config/reader-model.json:
 *
 *   npm run train:reader                 # ngram+rules (what the service uses)
 *   npm run train:reader -- --features=ngram --out=/tmp/m.json
 *
 * Deterministic: the same corpus and settings give the same weights. Only the
 * training split is read; the test split is never seen here.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_TRAIN,
  KIND_CLASSES,
  LEVEL_CLASSES,
  compileModel,
  serialiseModel,
  train,
  type ReaderModel,
  type ReaderModelFile,
  type TrainOptions,
} from '../src/domain/classifier.js';
import type { CompiledLexicon } from '../src/domain/lexicon.js';
import { readerFeatures } from '../src/domain/report-parser.js';
import { ROOT, loadCorpus, loadDefaultLexicon, type CorpusRecord } from './corpus.js';

export interface TrainSettings {
  kind: TrainOptions;
  level: TrainOptions;
  levelMinProb: number;
  rulesBelowProb: number;
  disagreeAskProb: number;
  levelAskProb: number;
  levelMarginAsk: number;
  farDisagreeAsk: boolean;
  faultAskProb: number;
  /** Batches whose fault levels follow another convention: used for kind, not for level. */
  levelSkipBatches: readonly string[];
  /** Use the skipped batches' levels where the conventions agree (all but a whole-scope 3). */
  levelPartialSkip?: boolean;
}

/** Settings chosen by cross-validation on the training split (see scripts/eval-parser.ts --cv). */
export const SETTINGS: TrainSettings = {
  kind: { ...DEFAULT_TRAIN },
  level: { ...DEFAULT_TRAIN },
  // Chosen by 5-fold CV on the training split (scripts/eval-parser.ts): the rules' level wins
  // where the model is below 0.9 sure; with no rules' level, below 0.7 the level is asked;
  // is_fault is asked from 0.1 (fewer silent drops for a few more questions). Re-checked by batch
  // CV with train-e (scripts/tune-reader.ts): 0.7 and 0.8 read fewer levels right and no fewer wrong.
  rulesBelowProb: 0.9,
  levelMinProb: 0.7,
  disagreeAskProb: 0,
  // Chosen by batch CV on the training split (eval:parser --folds=batch, mean of the held-out
  // batches; issue 12): the highest threshold keeping needless questions at 8.0 % (from 7.6 %),
  // wrong level 9.3 % → 8.8 %. From 0.1 needless questions rise past 8 %, at 0.3 to 9.9 %.
  levelAskProb: 0.075,
  // The level model torn between two levels (its two likeliest within 0.03): the level is asked.
  // Batch CV over the seven batches, pooled: wrong levels 142 → 138, levels read right 1256 → 1253,
  // needless questions 241 → 248 (of 2585); wider margins ask more right levels than wrong ones.
  levelMarginAsk: 0.03,
  // Asking when the rules and the model are two levels or more apart looked good on six batches
  // (wrong level 8.3 → 7.7 %) but not with train-e: pooled, it removed 5 wrong levels for 11 right
  // ones and 16 more questions. Off.
  farDisagreeAsk: false,
  faultAskProb: 0.1,
  // train-c and train-d were written to a brief that defines level 1 as line- or
  // control-centre-wide only, so a whole station down is 3 there; the project reads it as 1
  // (issue 12, README). Their level labels (71 % level 3, against 54 % in the other batches
  // and in the test split) would teach the level model the other convention.
  levelSkipBatches: ['train-c', 'train-d'],
};

export function trainReader(
  records: readonly CorpusRecord[],
  lex: CompiledLexicon,
  features: ReaderModel['features'],
  settings: TrainSettings = SETTINGS,
): ReaderModelFile {
  const feats = records.map((r) => readerFeatures(r.text, lex, features));
  const kind = train(
    KIND_CLASSES,
    records.map((r, i) => ({ features: feats[i]!, label: r.kind })),
    settings.kind,
  );
  // A batch of the other convention still teaches levels where the conventions agree: every
  // level but a 3 that names a whole scope (a whole station, which that convention calls 3).
  const wide = (f: readonly string[]): boolean => f.includes('R:cue=allScope') || f.includes('R:cue=systemDown') || f.includes('R:cue=allWeak');
  const levelOk = (r: CorpusRecord, i: number): boolean =>
    !settings.levelSkipBatches.includes(r.batch ?? '') || (settings.levelPartialSkip === true && !(r.severity === 3 && wide(feats[i]!)));
  const faults = records.map((r, i) => ({ r, i })).filter((x) => x.r.kind === 'fault' && levelOk(x.r, x.i));
  const level = train(
    LEVEL_CLASSES,
    faults.map(({ r, i }) => ({ features: feats[i]!, label: String(r.severity) })),
    settings.level,
  );
  return {
    version: 1,
    features,
    kind: serialiseModel(kind),
    level: serialiseModel(level),
    levelMinProb: settings.levelMinProb,
    rulesBelowProb: settings.rulesBelowProb,
    disagreeAskProb: settings.disagreeAskProb,
    levelAskProb: settings.levelAskProb,
    levelMarginAsk: settings.levelMarginAsk,
    farDisagreeAsk: settings.farDisagreeAsk,
    faultAskProb: settings.faultAskProb,
    trainedOn: { messages: records.length, faults: faults.length, epochs: settings.kind.epochs, minCount: settings.kind.minCount },
  };
}

export function trainedModel(records: readonly CorpusRecord[], lex: CompiledLexicon, features: ReaderModel['features']): ReaderModel {
  return compileModel(trainReader(records, lex, features));
}

function main(): void {
  const features = (process.argv.find((a) => a.startsWith('--features='))?.slice(11) ?? 'ngram+rules') as ReaderModel['features'];
  const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? resolve(ROOT, 'config/reader-model.json');
  // Rules alone decide the features: the lexicon is loaded without a model.
  const lex = loadDefaultLexicon({ model: false });
  const records = loadCorpus('train');
  const file = trainReader(records, lex, features);
  writeFileSync(out, JSON.stringify(file) + '\n');
  console.log(`trained on ${records.length} messages (${String(file.trainedOn?.faults)} faults): ${Object.keys(file.kind.weights).length} kind features, ${Object.keys(file.level.weights).length} level features → ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
