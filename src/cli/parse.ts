/** `cli parse`: JSON lines in on stdin, one parse result (or error line) out per line. */
import { createInterface } from 'node:readline';
import { compileReader, loadConfig } from '../config.js';
import { compileLexicon } from '../domain/lexicon.js';
import { runParseCli } from '../domain/parse-cli.js';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.error('usage: npm run --silent cli -- parse < messages.jsonl\n  input lines: {"id": "...", "text": "..."}\n  LEXICON_FILE selects the lexicon (default config/lexicon.yaml)');
    return 0;
  }
  const lex = compileReader(loadConfig());
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const { errors } = await runParseCli(lines, (line) => process.stdout.write(line + '\n'), lex);
  return errors ? 1 : 0;
}
