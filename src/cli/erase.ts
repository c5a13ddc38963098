/** `cli erase`: erase or anonymise one person's personal data (a request under the Personal Information Protection Law). */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { UsageError, openStore } from './support.js';
import { PrivacyError, erasePerson, findPeople, parsePersonRef } from '../store/privacy.js';

const USAGE = `usage: npm run --silent cli -- erase --person ID [--by NAME] [--dry-run]
       npm run --silent cli -- erase --find NAME_OR_PHONE
  --person   the person: their id (see --find) or <channel>:<platform id>, e.g. feishu:ou_1a2b…
  --by       who asked for the erasure, for the audit record (default: your login name)
  --dry-run  say what would be erased, change nothing
  --find     list the people whose name or phone contains the text (to get the id)
Erases the person's name and phone, the personal parts of the tickets they reported (phone,
contact, names and phone numbers in the texts), their ratings' comments, complaint records,
attachments (files too), the text of the messages they sent and of the replies mentioning them.
Ticket numbers, times, levels, sites and devices stay. A privacy audit record says what was
erased (counts) and by whom.`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { person: { type: 'string' }, by: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, find: { type: 'string' }, help: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  try {
    if (!values.person && values.find === undefined) throw new UsageError('give --person ID (or --find NAME_OR_PHONE to look the id up)');
    if (values.person && values.find !== undefined) throw new UsageError('give --person or --find, not both');
    const ref = values.person ? parsePersonRef(values.person) : null;
    const by = (values.by ?? os.userInfo().username).trim();
    if (ref && !/^[\w.@\-\u4e00-\u9fff]{1,64}$/.test(by)) throw new UsageError('--by: a name of 1–64 letters, digits or Chinese characters');
    const store = await openStore(process.env, { seedOrg: false });
    try {
      if (!ref) {
        const people = await findPeople(store.db, values.find!);
        if (!people.length) console.error(`nobody's name or phone contains "${values.find}"`);
        for (const p of people) console.log(`${p.id}\t${p.channel}:${p.platformId}\t${p.role}\t${p.name}\t${p.phone ?? ''}\t${p.tickets} tickets reported`);
        return 0;
      }
      const r = await erasePerson(store.db, ref, { actor: `cli:${by}`, dryRun: values['dry-run'] });
      const what = Object.entries(r.counts)
        .filter(([k, n]) => n > 0 && k !== 'stillQueued')
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      console.log(`${r.dryRun ? 'would erase' : 'erased'} person #${r.personId}: ${what || 'nothing left to erase'}${r.auditId ? ` (privacy audit #${r.auditId})` : ''}`);
      if (r.counts.stillQueued) console.error(`${r.counts.stillQueued} of their messages are still waiting to be acted on: run erase again in a minute`);
      return 0;
    } finally {
      await store.close();
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof PrivacyError) {
      console.error(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
