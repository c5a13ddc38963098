/**
 * Optional LLM reader: for the messages the local reader is unsure about
 * (it would ask is_fault or the level), ask an OpenAI-compatible
 * chat-completions endpoint (a local vLLM/Ollama server or a cloud model)
 * for the kind and the level.
 *
 * Off unless LLM_BASE_URL and LLM_MODEL are set. The local reading is always
 * the fallback: on a timeout (3 s by default), an HTTP error, or an answer
 * that does not validate, the local result stands. The answer is untrusted
 * input: validated with zod, bounded, and only its kind, level and evidence
 * words that occur in the message itself are used; entities stay local.
 * Phone numbers are masked before the text leaves the machine unless
 * LLM_SEND_PHONES is set.
 */
import { z } from 'zod';
import type { CompiledLexicon, FaultLevel } from '../domain/lexicon.js';
import { digitsOf } from '../domain/phone.js';
import type { Ask, ParsedReport } from '../domain/report-parser.js';

export interface LlmReaderOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  /** Send phone numbers as written (default: masked). */
  sendPhones: boolean;
  lexicon: CompiledLexicon;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** What the model must answer: JSON only, validated before use. */
export const LlmAnswerSchema = z.object({
  kind: z.enum(['fault', 'consultation', 'complaint', 'other']),
  level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.null()]).default(null),
  /** The model itself cannot tell whether the writer wants a ticket. */
  unclear: z.boolean().default(false),
  evidence: z.array(z.string().max(40)).max(8).default([]),
});
export type LlmAnswer = z.infer<typeof LlmAnswerSchema>;

const MAX_TEXT = 1000;
const MAX_BODY = 64 * 1024;

const SYSTEM_PROMPT = [
  '你是地铁设备售后服务台的助手。读一条群聊消息，只输出一个JSON对象，不要任何其他文字：',
  '{"kind":"fault|consultation|complaint|other","level":1|2|3|4|null,"unclear":true|false,"evidence":["原文中的词"]}',
  'kind: fault=报告设备故障或异常（即使不影响运营）；consultation=咨询使用、配置、流程、合同；complaint=对服务的不满（迟到、没修好、态度）；other=问候、感谢、工程师状态、已恢复或误报、通知、闲聊、范围外设备。',
  'level（仅fault）：1=系统瘫痪（全线或整站该系统中断）；2=系统能用但主要功能不正常、多台（约5台以上）、整个出入口、全系统很慢；3=个别设备或局部异常；4=告警或隐患，暂不影响运行；null=看不出影响范围。',
  'unclear=true 仅当无法判断对方是否要报修。evidence 只能是消息原文中出现的词。',
].join('\n');

/** Mobile and landline numbers, in digits or Chinese numerals, replaced by a placeholder. */
export function maskPhones(text: string): string {
  const t = digitsOf(text);
  return t.replace(/(?:\+?86[\s-]?)?(?:\(?0\d{2,3}\)?[\s-]?)?\d(?:[\s-]?\d){6,}/gu, '[电话]');
}

export class LlmReader {
  constructor(private readonly opts: LlmReaderOptions) {}

  /** Whether the local reading leaves something the LLM could settle. */
  static unsure(local: ParsedReport): boolean {
    return local.asks.includes('is_fault') || local.asks.includes('level');
  }

  /** The local reading, improved by the LLM where it was unsure; never throws. */
  async read(text: string, local: ParsedReport): Promise<ParsedReport> {
    if (!LlmReader.unsure(local)) return local;
    const answer = await this.ask(text).catch(() => null);
    return answer ? merge(text, local, answer, this.opts.lexicon) : local;
  }

  /** One request; null on any failure (timeout, HTTP status, invalid answer). */
  async ask(text: string): Promise<LlmAnswer | null> {
    const input = (this.opts.sendPhones ? text : maskPhones(text)).slice(0, MAX_TEXT);
    const doFetch = this.opts.fetch ?? fetch;
    const url = `${this.opts.baseUrl.replace(/\/+$/u, '')}/chat/completions`;
    const res = await doFetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: this.opts.model,
        temperature: 0,
        max_tokens: 200,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: input },
        ],
      }),
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    if (!res.ok) return null;
    const body = await res.text();
    if (body.length > MAX_BODY) return null;
    return parseAnswer(body);
  }
}

/** The chat-completions body to a validated answer, or null. */
export function parseAnswer(body: string): LlmAnswer | null {
  let content: unknown;
  try {
    content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
  } catch {
    return null;
  }
  if (typeof content !== 'string') return null;
  // Some servers wrap JSON in a code fence despite response_format.
  const json = content.replace(/^\s*```(?:json)?\s*/u, '').replace(/\s*```\s*$/u, '');
  try {
    const r = LlmAnswerSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function merge(text: string, local: ParsedReport, a: LlmAnswer, lex: CompiledLexicon): ParsedReport {
  const kind = a.kind;
  const level: FaultLevel | null = kind === 'fault' ? a.level : null;
  // Evidence the engineers see must be the customer's own words, never the model's.
  const fromText = a.evidence.filter((w) => w.trim().length > 0 && text.includes(w)).slice(0, 5);
  const evidence = level === null ? [] : level === local.level && local.levelEvidence.length > 0 ? local.levelEvidence : fromText;
  const asks: Ask[] = [];
  if (a.unclear) asks.push('is_fault');
  else if (kind === 'fault') {
    if (level === null) asks.push('level');
    if (local.site === null) asks.push('site');
    if (local.phone === null) asks.push('phone');
  }
  return {
    ...local,
    kind,
    level,
    levelEvidence: evidence,
    grade: kind === 'consultation' ? lex.source.grades.consultation : level !== null ? lex.source.grades.byLevel[level] : null,
    hardware: kind === 'fault' && local.device !== null && lex.hardware.has(local.device),
    alsoConsultation: kind === 'fault' && local.alsoConsultation,
    asks,
  };
}

/** The LLM reader the environment configures, or null (off). */
export function llmReaderFromEnv(env: NodeJS.ProcessEnv, lexicon: CompiledLexicon): LlmReader | null {
  const baseUrl = env.LLM_BASE_URL?.trim();
  const model = env.LLM_MODEL?.trim();
  if (!baseUrl || !model) return null;
  const timeoutMs = Number(env.LLM_TIMEOUT_MS ?? 3000);
  return new LlmReader({
    baseUrl,
    model,
    ...(env.LLM_API_KEY ? { apiKey: env.LLM_API_KEY } : {}),
    timeoutMs: Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.min(timeoutMs, 30_000) : 3000,
    sendPhones: /^(1|true|yes)$/iu.test(env.LLM_SEND_PHONES ?? ''),
    lexicon,
  });
}
