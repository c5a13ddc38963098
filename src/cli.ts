/**
 * Command-line entry: `npm run --silent cli -- <command> [options]`.
 * Each command lives in src/cli/<command>.ts and exports run(argv).
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  parse: { summary: 'read JSON lines {"id","text"} on stdin, write the parse of each', load: () => import('./cli/parse.js') },
  digest: { summary: "the managers' digest of a day/week/month as JSON or text; --png writes its chart", load: () => import('./cli/digest.js') },
  export: { summary: 'service records (客户服务记录表) or complaint records for a date range as CSV or XLSX', load: () => import('./cli/export.js') },
  'hash-password': { summary: 'hash a dashboard password (stdin) for DASHBOARD_USERS', load: () => import('./cli/hash-password.js') },
  erase: { summary: "erase one person's personal data (--person ID, --find NAME_OR_PHONE), with a privacy audit record", load: () => import('./cli/erase.js') },
  retention: { summary: 'apply the retention periods (config/retention.yaml) now; --dry-run says what would change', load: () => import('./cli/retention.js') },
  seed: { summary: 'write realistic demo/benchmark tickets over the last days into the database', load: () => import('./cli/seed.js') },
  replay: { summary: 'feed saved platform payloads (InboundEvent.raw) through a channel into the bot', load: () => import('./cli/replay.js') },
};

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    if (name && name !== 'help' && name !== '--help') console.error(`unknown command "${name}"`);
    console.error('usage: npm run --silent cli -- <command> [options]\n\ncommands:');
    for (const [n, c] of Object.entries(COMMANDS)) console.error(`  ${n.padEnd(13)} ${c.summary}`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  return (await cmd.load()).run(argv);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
