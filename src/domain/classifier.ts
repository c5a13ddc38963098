/**
 * The learned part of the reader: two small multinomial logistic-regression
 * models over character n-grams (and, for the combined reader, the rules'
 * own findings as extra features), one for the kind of a message and one for
 * the fault level of a fault.
 *
 * Trained reproducibly by scripts/train-reader.ts from the training split of
 * test/fixtures/corpus; the weights are data (config/reader-model.json), so
 * this module is pure: features, prediction and the deterministic trainer.
 */
import { z } from 'zod';

export const KIND_CLASSES = ['fault', 'consultation', 'complaint', 'other'] as const;
export const LEVEL_CLASSES = ['1', '2', '3', '4', 'null'] as const;

/** One model: a weight vector per class for each known feature, and a bias per class. */
export interface LinearModel {
  classes: readonly string[];
  bias: number[];
  weights: Map<string, Float64Array>;
}

const ModelJson = z.object({
  classes: z.array(z.string()).min(2).max(10),
  bias: z.array(z.number()),
  /** feature → weights per class, rounded; features with only tiny weights are dropped. */
  weights: z.record(z.string(), z.array(z.number())),
});

export const ReaderModelSchema = z.object({
  version: z.literal(1),
  /** "ngram": character n-grams only; "ngram+rules": also the rules' findings. */
  features: z.enum(['ngram', 'ngram+rules']),
  kind: ModelJson,
  level: ModelJson,
  /** Below this probability the level model's choice gives way to the rules' level where they read one. */
  rulesBelowProb: z.number().min(0).max(1).default(0),
  /** Below this probability (and no rules' level) the level model's choice is not trusted: the level is asked. */
  levelMinProb: z.number().min(0).max(1).default(0),
  /**
   * Where the model is unsure (below rulesBelowProb) and disagrees with the rules' level, the
   * rules' level stands only if the model gives it at least this probability; else the level is asked.
   */
  disagreeAskProb: z.number().min(0).max(1).default(0),
  /**
   * The combined reader's last word on the level: when the level model gives the level finally read
   * (its own or the rules') less than this probability, the level is asked rather than guessed.
   */
  levelAskProb: z.number().min(0).max(1).default(0),
  /**
   * The level model torn between two levels: when its two likeliest levels are closer than this
   * in probability, the level is asked (0: never).
   */
  levelMarginAsk: z.number().min(0).max(1).default(0),
  /** The rules and the level model two or more levels apart: the level is asked rather than either given. */
  farDisagreeAsk: z.boolean().default(false),
  /** A message read as not a fault with at least this probability of being one gets the is_fault question. */
  faultAskProb: z.number().min(0).max(1).default(0.25),
  /** Training summary, for the record (messages, date of the corpus, settings). */
  trainedOn: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type ReaderModelFile = z.infer<typeof ReaderModelSchema>;

/** A model for prediction: weights keyed by the feature's hash (no strings built per message). */
export interface HashedModel {
  classes: readonly string[];
  bias: number[];
  weights: Map<number, Float64Array>;
}

export interface ReaderModel {
  features: ReaderModelFile['features'];
  levelMinProb: number;
  rulesBelowProb: number;
  disagreeAskProb: number;
  levelAskProb: number;
  levelMarginAsk: number;
  farDisagreeAsk: boolean;
  faultAskProb: number;
  kind: HashedModel;
  level: HashedModel;
}

/** FNV-1a over UTF-16 code units, continuing from `h` (so n-grams hash incrementally). */
export function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// Keys kept in the small-integer range: V8 hashes those fastest.
const KEY = 0x3fffffff;
export const hashFeature = (s: string): number => fnv(s) & KEY;

export function compileModel(file: ReaderModelFile): ReaderModel {
  const conv = (m: z.infer<typeof ModelJson>): HashedModel => {
    const k = m.classes.length;
    if (m.bias.length !== k) throw new Error(`model: ${k} classes but ${m.bias.length} biases`);
    const weights = new Map<number, Float64Array>();
    for (const [f, w] of Object.entries(m.weights)) {
      if (w.length !== k) throw new Error(`model: feature ${f} has ${w.length} weights for ${k} classes`);
      const h = hashFeature(f);
      // Two features with one hash (rare) add up, as they would in a hashed model.
      const prev = weights.get(h);
      weights.set(h, prev ? prev.map((x, i) => x + w[i]!) : Float64Array.from(w));
    }
    return { classes: m.classes, bias: m.bias, weights };
  };
  return { features: file.features, kind: conv(file.kind), level: conv(file.level), levelMinProb: file.levelMinProb, rulesBelowProb: file.rulesBelowProb, disagreeAskProb: file.disagreeAskProb, levelAskProb: file.levelAskProb, levelMarginAsk: file.levelMarginAsk, farDisagreeAsk: file.farDisagreeAsk, faultAskProb: file.faultAskProb };
}

export function serialiseModel(m: LinearModel, digits = 3): z.infer<typeof ModelJson> {
  const round = (x: number): number => Number(x.toFixed(digits));
  const weights: Record<string, number[]> = {};
  const min = 0.5 * 10 ** -digits;
  for (const [f, w] of [...m.weights].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if ([...w].every((x) => Math.abs(x) < min)) continue;
    weights[f] = [...w].map(round);
  }
  return { classes: [...m.classes], bias: m.bias.map(round), weights };
}

/**
 * Character n-grams (1–3) of the message with digits folded to "0" and Latin
 * letters lower-cased, each counted once; the caller may add its own features.
 */
export function ngramFeatures(text: string, maxChars = 300): string[] {
  const t = text
    .slice(0, maxChars)
    .replace(/[0-9]+/gu, '0')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = [...`^${t}$`];
  const out = new Set<string>();
  for (let i = 0; i < chars.length; i++) {
    const c1 = chars[i]!;
    if (c1 !== ' ') out.add(c1);
    if (i + 1 < chars.length) out.add(c1 + chars[i + 1]!);
    if (i + 2 < chars.length) out.add(c1 + chars[i + 1]! + chars[i + 2]!);
  }
  return [...out];
}

/**
 * The hashes of `ngramFeatures(text)`, computed without building the strings:
 * the same n-grams, hashed as `hashFeature` would hash them.
 */
export function ngramHashes(text: string, maxChars = 300): Set<number> {
  const t = text
    .slice(0, maxChars)
    .replace(/[0-9]+/gu, '0')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = [...`^${t}$`];
  const out = new Set<number>();
  for (let i = 0; i < chars.length; i++) {
    const c1 = chars[i]!;
    const h1 = fnv(c1);
    if (c1 !== ' ') out.add(h1 & KEY);
    if (i + 1 < chars.length) {
      const h2 = fnv(chars[i + 1]!, h1);
      out.add(h2 & KEY);
      if (i + 2 < chars.length) out.add(fnv(chars[i + 2]!, h2) & KEY);
    }
  }
  return out;
}

/** Class probabilities of a hashed model (softmax), in the model's class order. */
export function predictHashed(m: HashedModel, features: Iterable<number>): number[] {
  const z = m.bias.slice();
  for (const f of features) {
    const w = m.weights.get(f);
    if (!w) continue;
    for (let c = 0; c < z.length; c++) z[c]! += w[c]!;
  }
  return softmax(z);
}

function softmax(z: number[]): number[] {
  const max = Math.max(...z);
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    z[c] = Math.exp(z[c]! - max);
    sum += z[c]!;
  }
  return z.map((x) => x / sum);
}

/** Class probabilities (softmax), in the model's class order. */
export function predict(m: LinearModel, features: readonly string[]): number[] {
  const z = m.bias.slice();
  for (const f of features) {
    const w = m.weights.get(f);
    if (!w) continue;
    for (let c = 0; c < z.length; c++) z[c]! += w[c]!;
  }
  const max = Math.max(...z);
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    z[c] = Math.exp(z[c]! - max);
    sum += z[c]!;
  }
  return z.map((x) => x / sum);
}

export interface TrainOptions {
  epochs: number;
  /** L2 penalty per example. */
  l2: number;
  learningRate: number;
  /** Features seen in fewer training messages are ignored. */
  minCount: number;
  seed: number;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 15, l2: 1e-4, learningRate: 0.1, minCount: 2, seed: 12 };

/**
 * Softmax regression by AdaGrad over shuffled examples; deterministic for a
 * given seed and input order (a small linear congruential generator shuffles).
 */
export function train(
  classes: readonly string[],
  examples: readonly { features: readonly string[]; label: string }[],
  opts: TrainOptions = DEFAULT_TRAIN,
): LinearModel {
  const k = classes.length;
  const counts = new Map<string, number>();
  for (const e of examples) for (const f of new Set(e.features)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const weights = new Map<string, Float64Array>();
  const g2 = new Map<string, Float64Array>();
  for (const [f, n] of counts) {
    if (n >= opts.minCount) {
      weights.set(f, new Float64Array(k));
      g2.set(f, new Float64Array(k).fill(1e-8));
    }
  }
  const bias = new Array<number>(k).fill(0);
  const bg2 = new Array<number>(k).fill(1e-8);
  const m: LinearModel = { classes, bias, weights };
  const order = examples.map((_e, i) => i);
  let state = opts.seed >>> 0 || 1;
  const rand = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const e = examples[idx]!;
      const y = classes.indexOf(e.label);
      if (y < 0) continue;
      const p = predict(m, e.features);
      for (let c = 0; c < k; c++) {
        const g = p[c]! - (c === y ? 1 : 0);
        bg2[c]! += g * g;
        bias[c]! -= (opts.learningRate * g) / Math.sqrt(bg2[c]!);
      }
      for (const f of e.features) {
        const w = weights.get(f);
        if (!w) continue;
        const gg = g2.get(f)!;
        for (let c = 0; c < k; c++) {
          const g = p[c]! - (c === y ? 1 : 0) + opts.l2 * w[c]!;
          gg[c]! += g * g;
          w[c]! -= (opts.learningRate * g) / Math.sqrt(gg[c]!);
        }
      }
    }
  }
  return m;
}
