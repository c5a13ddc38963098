/**
 * What the duty commands share: the registry finds them by their words, then
 * the duty parser (src/domain/duty-commands.ts) reads the whole message — a
 * notice keeps its "#", a date or a window is read in the contract's time
 * zone — and a malformed one is answered with its example.
 */
import { parseDutyCommand, type DutyCommand } from '../../domain/duty-commands.js';
import type { Ctx } from '../context.js';
import { dutyParseOptions, messageText } from '../duties/support.js';
import { dutyMessages } from '../messages/duties.js';

/** The message read as the duty command `type`; a string to answer with when it is malformed. */
export async function readDuty<T extends DutyCommand['type']>(ctx: Ctx, type: T): Promise<Extract<DutyCommand, { type: T }> | string> {
  const text = messageText(ctx);
  if (text === null) return '请在聊天中输入该命令。';
  const parsed = parseDutyCommand(text, await dutyParseOptions(ctx));
  if (!parsed) return '没有读懂这条命令。';
  if (parsed.type === 'usage') return dutyMessages.usage.text({ problem: parsed.problem, example: parsed.example });
  if (parsed.type !== type) return '没有读懂这条命令。';
  return parsed as Extract<DutyCommand, { type: T }>;
}

/** The registry only recognises the words; the arguments are read by readDuty. */
export const bare = () => ({});
