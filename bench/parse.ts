/**
 * parse: the reader (rules and the learned model, as the service runs it) over the training corpus, on one core (this
 * process, one thread): messages per second and the 99th percentile per message.
 */
import { loadCorpus } from '../scripts/corpus.js';
import { compileReader } from '../src/config.js';
import { parseReport } from '../src/domain/report-parser.js';
import { benchConfig, log, percentile, round } from './lib/common.js';

export interface ParseResult {
  parse_msgs_per_s: number;
  /** Messages per second of this process's CPU time: steadier than wall time on a shared machine. */
  parse_msgs_per_cpu_s: number;
  parse_p50_ms: number;
  parse_p99_ms: number;
  parse_corpus_messages: number;
  parse_messages_timed: number;
}

export async function benchParse(opts: { quick: boolean }): Promise<ParseResult> {
  const lex = compileReader(benchConfig());
  // The training split: the test split is read by the evaluation alone.
  const corpus = loadCorpus('train').map((r) => r.text);
  // Warm-up: let the JIT settle.
  for (let i = 0; i < 3; i++) for (const t of corpus) parseReport(t, lex);
  const rounds = opts.quick ? 20 : 100;
  const times: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const t of corpus) {
      const s = performance.now();
      parseReport(t, lex);
      times.push(performance.now() - s);
    }
  }
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const n = times.length;
  const res = {
    parse_msgs_per_s: Math.round(n / (elapsed / 1000)),
    parse_msgs_per_cpu_s: Math.round(n / ((cpu.user + cpu.system) / 1e6)),
    parse_p50_ms: round(percentile(times, 50), 4),
    parse_p99_ms: round(percentile(times, 99), 4),
    parse_corpus_messages: corpus.length,
    parse_messages_timed: n,
  };
  log(`parse: ${res.parse_msgs_per_s} msgs/s (${res.parse_msgs_per_cpu_s} per CPU second), p99 ${res.parse_p99_ms} ms`);
  return res;
}
