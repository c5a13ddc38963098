/** The LLM reader as the configuration asks for it (the service's main thread and its processing thread). */
import type { Config } from '../config.js';
import type { CompiledLexicon } from '../domain/lexicon.js';
import { LlmReader } from './llm.js';

/** The optional LLM reader, off unless LLM_BASE_URL and LLM_MODEL are set. */
export function llmReader(config: Config, lexicon: CompiledLexicon): LlmReader | null {
  const { LLM_BASE_URL: baseUrl, LLM_MODEL: model, LLM_API_KEY: apiKey, LLM_TIMEOUT_MS: timeoutMs, LLM_SEND_PHONES: sendPhones } = config.env;
  if (!baseUrl || !model) return null;
  return new LlmReader({ baseUrl, model, ...(apiKey ? { apiKey } : {}), timeoutMs, sendPhones: sendPhones === true, lexicon });
}
