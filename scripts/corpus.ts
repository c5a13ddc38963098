/**
 * The labelled corpus (test/fixtures/corpus): what a record holds, and loading
 * a split. train/ is what rules are tuned and the model is trained on;
 * test/ was written separately, by writers who never saw the rules, and is
 * read only for aggregate figures (see scripts/eval-parser.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { z } from 'zod';
import { compileModel, ReaderModelSchema, type ReaderModel } from '../src/domain/classifier.js';
import { compileLexicon, LexiconSchema, type CompiledLexicon } from '../src/domain/lexicon.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The 18 style tags of the corpus brief, plus "untagged" for older records without one. */
export const STYLES = [
  'tidy', 'form', 'terse', 'typo', 'pinyin', 'voice', 'english', 'cn-phone', 'forward', 'two-intents', 'reassurance',
  'history', 'complaint-implicit', 'consult-implicit', 'staff', 'false-alarm', 'notice', 'chat',
] as const;

export const CorpusRecordSchema = z.object({
  id: z.string().min(1),
  style: z.enum(STYLES).optional(),
  text: z.string(),
  kind: z.enum(['fault', 'consultation', 'complaint', 'other']),
  severity: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.null()]),
  site: z.string().nullable(),
  device: z.string().nullable(),
  phone: z.string().nullable(),
  contact: z.string().optional(),
  /** A careful desk could not tell whether it is a report: asking 需要为此报修吗 is right. */
  ambiguous: z.boolean().optional(),
  /** A fault that also asks a separate question. */
  alsoConsultation: z.boolean().optional(),
});
export type CorpusRecord = z.infer<typeof CorpusRecordSchema> & {
  /** The file (batch) the record came from, without ".jsonl": batch cross-validation holds out one at a time. */
  batch?: string;
};
export type Split = 'train' | 'test';

export function loadDefaultLexicon(opts: { model?: boolean } = {}): CompiledLexicon {
  const lexicon = LexiconSchema.parse(YAML.parse(readFileSync(resolve(ROOT, 'config/lexicon.yaml'), 'utf8')));
  return compileLexicon(lexicon, opts.model === false ? null : loadShippedModel());
}

/** config/reader-model.json, or null when it is absent (rules alone). */
export function loadShippedModel(): ReaderModel | null {
  const file = resolve(ROOT, 'config/reader-model.json');
  if (!existsSync(file)) return null;
  return compileModel(ReaderModelSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
}

/** Every *.jsonl file of a split, in file-name order, each line validated. */
export function loadCorpus(split: Split): CorpusRecord[] {
  const dir = resolve(ROOT, 'test/fixtures/corpus', split);
  if (!existsSync(dir)) return [];
  const out: CorpusRecord[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) out.push(...readJsonl(resolve(dir, f), `${split}/${f}`));
  return out;
}

/** One labelled .jsonl file anywhere (a new batch read fresh before it joins the training split). */
export function loadCorpusFile(path: string): CorpusRecord[] {
  return readJsonl(resolve(path), basename(path));
}

function readJsonl(path: string, name: string): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((l, i) => {
    if (l.trim().length === 0) return;
    let json: unknown;
    try {
      json = JSON.parse(l);
    } catch {
      throw new Error(`${name}:${i + 1}: not valid JSON`);
    }
    const r = CorpusRecordSchema.safeParse(json);
    // Never echo a test record: name the file and line only.
    if (!r.success) throw new Error(`${name}:${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    out.push({ ...r.data, batch: basename(path).replace(/\.jsonl$/u, '') });
  });
  return out;
}
