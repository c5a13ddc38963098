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
  faultAskProb: number;
  /** Batches whose fault levels follow another convention: used for kind, not for level. */
  levelSkipBatches: readonly string[];
}

/** Settings chosen by cross-validation on the training split (see scripts/eval-parser.ts --cv). */
export const SETTINGS: TrainSettings = {
  kind: { ...DEFAULT_TRAIN },
  level: { ...DEFAULT_TRAIN },
  // Chosen by 5-fold CV on the training split (scripts/eval-parser.ts): the rules' level wins
  // where the model is below 0.9 sure; with no rules' level, below 0.7 the level is asked;
  // is_fault is asked from 0.1 (fewer silent drops for a few more questions).
  rulesBelowProb: 0.9,
  levelMinProb: 0.7,
  disagreeAskProb: 0,
  // Chosen by batch CV on the training split (eval:parser --folds=batch, mean of the held-out
  // batches; issue 12): the highest threshold keeping needless questions at 8.0 % (from 7.6 %),
  // wrong level 9.3 % → 8.8 %. From 0.1 needless questions rise past 8 %, at 0.3 to 9.9 %.
  levelAskProb: 0.075,
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
  const faults = records.map((r, i) => ({ r, i })).filter((x) => x.r.kind === 'fault' && !settings.levelSkipBatches.includes(x.r.batch ?? ''));
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
