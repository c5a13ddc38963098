/**
 * What the duty commands share: the registry finds them by their words, then
 * the duty parser (src/domain/duty-commands.ts) reads the whole message — a
 * notice keeps its "#", a date or a window is read in the contract's time
 * zone — and a malformed one is answered with its example.
 */
import type { ChannelName } from '../../core/channel.js';
import { parseDutyCommand, type DutyCommand } from '../../domain/duty-commands.js';
import type { Person } from '../../store/types.js';
import { mentionOf, type Ctx } from '../context.js';
import { mentionedPeople } from '../directory.js';
import { chatCommand, MANAGERS_AND_DESK } from './command.js';
import { dutyParseOptions, messageText } from '../duties/support.js';
import { dutyMessages } from '../messages/duties.js';
import { dutyCommandMessages as DM } from '../messages/replies.js';

/** The message read as the duty command `type`; a string to answer with when it is malformed. */
export async function readDuty<T extends DutyCommand['type']>(ctx: Ctx, type: T): Promise<Extract<DutyCommand, { type: T }> | string> {
  const text = messageText(ctx);
  if (text === null) return DM.typeIt.text();
  const parsed = parseDutyCommand(text, await dutyParseOptions(ctx));
  if (!parsed) return DM.notUnderstood.text();
  if (parsed.type === 'usage') return dutyMessages.usage.text({ problem: parsed.problem, example: parsed.example });
  if (parsed.type !== type) return DM.notUnderstood.text();
  return parsed as Extract<DutyCommand, { type: T }>;
}

/**
 * A duty command's confirmation (staff words: job numbers, who holds what):
 * given in a customer's chat, it goes to that customer's staff group (the
 * managers' group when it has none), mentioning who gave it; elsewhere, where
 * it was given. What the customer reads (a notice, a result) is sent apart.
 */
export async function confirmToStaff(ctx: Ctx, person: Person, text: string, mentions: Person[] = []): Promise<void> {
  const audience = ctx.chat.purpose === 'customer' ? { audience: 'staff' as const } : {};
  await ctx.text(text, [person, ...mentions].map(mentionOf), audience);
}

/** The registry only recognises the words; the arguments are read by readDuty. */
export const bare = () => ({});

/**
 * 派巡检 #5 @张工 · 派回访 #7 @客服小刘: a manager or the desk gives a job or a
 * visit to the staff member mentioned. The two commands differ only in what
 * they give and to whom.
 */
export function assignDutyCommand<T extends { id: number }>(spec: {
  name: 'inspection_assign' | 'follow_up_assign';
  word: string;
  pattern: RegExp;
  order: number;
  /** What it gives ("巡检任务"), and the command written out for a job or visit ("派巡检 #5 @张工"); the help shows it for `sample`. */
  what: string;
  example: (id: number) => string;
  sample: number;
  /** Whom to mention, in the request to mention one ("要派给的工程师"), and who may be given it. */
  whom: string;
  fits: (p: Person) => boolean;
  meant: (ctx: Ctx, person: Person, ref: { short: number } | { number: string }) => Promise<T | string>;
  assign: (ctx: Ctx, item: T, to: Person) => Promise<{ text: string; assigned: boolean }>;
}) {
  return chatCommand({
    name: spec.name,
    word: spec.word,
    parse: { pattern: spec.pattern, args: bare },
    roles: MANAGERS_AND_DESK,
    help: { managers: { line: spec.example(spec.sample), order: spec.order } },
    async run({ ctx, src, person, say }) {
      const cmd = await readDuty(ctx, spec.name);
      if (typeof cmd === 'string') return say(cmd);
      if (!cmd.ref) return say(`请带上${spec.what}编号，例如「${spec.example(spec.sample)}」。`);
      const item = await spec.meant(ctx, person, cmd.ref);
      if (typeof item === 'string') return say(item);
      const [to] = await mentionedPeople(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, src.mentions);
      if (!to || !spec.fits(to)) return say(`请 @ ${spec.whom}，例如「${spec.example(item.id)}」。`);
      const r = await spec.assign(ctx, item, to);
      await confirmToStaff(ctx, person, r.text, r.assigned ? [to] : []);
    },
  });
}
