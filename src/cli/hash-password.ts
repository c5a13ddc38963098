/** `cli hash-password`: a scrypt hash for DASHBOARD_USERS ("name:hash"), from a password read on stdin. */
import { createInterface } from 'node:readline';
import { read } from 'read';
import { hashPassword } from '../web/dashboard/auth.js';

const USAGE = `usage: npm run --silent cli -- hash-password [--user NAME]
  Reads the password from standard input (typed, or piped: echo -n secret | …)
  and prints the hash; with --user, prints the whole DASHBOARD_USERS entry NAME:HASH.
  Join entries with commas: DASHBOARD_USERS="li:s1.…,wang:s1.…"`;

/**
 * The password: typed at a terminal without echo (the prompt goes to stderr, so
 * stdout holds only the hash), or the first line of piped input.
 */
export async function readPassword(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Promise<string> {
  if (input.isTTY) {
    // Nothing of what is typed is shown, not even a mask.
    return String(await read({ prompt: 'password (not shown): ', silent: true, replace: '', input, output, terminal: true }));
  }
  const rl = createInterface({ input, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.error(USAGE);
    return 0;
  }
  const i = argv.indexOf('--user');
  const user = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && (!user || !/^[\w.\-\u4e00-\u9fff]{1,32}$/.test(user))) {
    console.error(`--user: 1–32 letters, digits, Chinese characters, . _ or -\n\n${USAGE}`);
    return 2;
  }
  const password = (await readPassword()).replace(/\r$/, '');
  if (password.length < 8) {
    console.error('the password must be at least 8 characters');
    return 2;
  }
  const hash = await hashPassword(password);
  console.log(user ? `${user}:${hash}` : hash);
  return 0;
}
