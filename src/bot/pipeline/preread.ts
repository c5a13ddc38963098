/**
 * The LLM reader's turn, before an event's transaction: a message the local
 * reader is unsure about (it would ask 需要为此报修吗 or the level) is read
 * again by the optional LLM reader (src/reader/llm.ts: its own time limit,
 * phones masked, the local reading on any failure). The network call is made
 * here so that no transaction waits on it; the steps use its reading
 * (EventCtx.preread). Nothing to do when the reader is off.
 */
import type { InboundEvent } from '../../core/channel.js';
import { parseReport, type ParsedReport } from '../../domain/report-parser.js';
import { LlmReader } from '../../reader/llm.js';
import { parseCommand } from '../commands/index.js';
import type { BotDeps } from '../context.js';

/** Longest text worth a round trip (a longer one is a notice or a history, read locally). */
const MAX_TEXT = 2000;

/** The LLM's reading of the event's text, or undefined (reader off, not a message, the local reading sure, or nothing better). */
export async function preread(deps: BotDeps, ev: InboundEvent): Promise<ParsedReport | undefined> {
  if (!deps.llm || ev.type !== 'message') return undefined;
  const text = ev.text;
  if (!text.trim() || text.length > MAX_TEXT || parseCommand(text)) return undefined;
  const local = parseReport(text, deps.lexicon);
  if (!LlmReader.unsure(local)) return undefined;
  try {
    const read = await deps.llm.read(text, local);
    return read === local ? undefined : read;
  } catch (e) {
    deps.log.warn({ err: e }, 'the LLM reader failed; the local reading stands');
    return undefined;
  }
}
