/**
 * Core of `npm run cli -- parse`: JSON lines {"id","text"} in, one JSON line per
 * input out. Pure apart from the injected line source and writer, so the CLI
 * wires stdin/stdout and tests feed arrays.
 */
import type { CompiledLexicon } from './lexicon.js';
import { parseReport } from './report-parser.js';

/** One output line for a good input. */
export interface ParseCliResult {
  id: string;
  kind: string;
  severity: 1 | 2 | 3 | 4 | null;
  grade: string | null;
  site: string | null;
  device: string | null;
  phone: string | null;
  contact: string | null;
  symptom: string | null;
  evidence: string[];
  /** What the bot would ask next: "is_fault" (alone), or for a fault "level", "site", "phone"; empty when nothing. */
  asks: string[];
  /** A fault that also asks a question (a ticket and a consultation). */
  alsoConsultation: boolean;
  /** The device's own number ("3号闸机" → 3), for linking duplicates. */
  deviceNumber: number | null;
  /** "complete" report, "fragment" of one, or "none". */
  completeness: string;
}

/** One output line for a bad input: the run goes on. */
export interface ParseCliError {
  id: string;
  error: string;
}

/**
 * Read JSON lines, write one JSON line per non-blank input line. A line that is
 * not a JSON object with a string `text` gets {"id": <its id or "line N">, "error"}.
 * `id` may be a string or a number (written back as a string); when absent the
 * line number (1-based, counting blank lines) stands in.
 */
export async function runParseCli(
  lines: AsyncIterable<string>,
  write: (line: string) => void,
  lex: CompiledLexicon,
): Promise<{ ok: number; errors: number }> {
  let n = 0;
  let ok = 0;
  let errors = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim().length === 0) continue;
    const out = parseLine(line, n, lex);
    write(JSON.stringify(out));
    if ('error' in out) errors++;
    else ok++;
  }
  return { ok, errors };
}

function parseLine(line: string, n: number, lex: CompiledLexicon): ParseCliResult | ParseCliError {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { id: `line ${n}`, error: `invalid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { id: `line ${n}`, error: 'expected a JSON object with "id" and "text"' };
  }
  const rec = value as Record<string, unknown>;
  const id = typeof rec.id === 'string' ? rec.id : typeof rec.id === 'number' ? String(rec.id) : `line ${n}`;
  if (!('text' in rec)) return { id, error: 'missing "text"' };
  if (typeof rec.text !== 'string') return { id, error: `"text" must be a string, got ${jsonType(rec.text)}` };
  const r = parseReport(rec.text, lex);
  return {
    id,
    kind: r.kind,
    severity: r.level,
    grade: r.grade,
    site: r.site,
    device: r.device,
    phone: r.phone,
    contact: r.contact,
    symptom: r.symptom,
    evidence: r.levelEvidence,
    asks: r.asks,
    alsoConsultation: r.alsoConsultation,
    deviceNumber: r.deviceNumber,
    completeness: r.completeness,
  };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
