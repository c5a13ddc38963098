/**
 * Configuration: environment variables and the YAML files (contract,
 * organisation, lexicon), validated once at start-up. A bad value stops the
 * service with one line naming the file or variable, the field and what was
 * expected (ConfigError), never a stack trace alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cron from 'node-cron';
import YAML from 'yaml';
import { z } from 'zod';
import { ContractSchema, type Contract } from './domain/contract.js';
import { OrgSchema, type Org } from './domain/org.js';
import { compileLexicon, LexiconSchema, type CompiledLexicon, type Lexicon } from './domain/lexicon.js';
import { RetentionSchema, type Retention } from './domain/retention.js';
import { compileModel, ReaderModelSchema, type ReaderModelFile } from './domain/classifier.js';
import { plansWithoutTerms } from './domain/customer-plans.js';
import { wecomBotConfig, wecomKfConfig, type WecomBotConfig, type WecomKfConfig } from './config-wecom.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The folder holding package.json, found from this file whether it runs from src/ or dist/. */
export const PACKAGE_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
})();

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('data'),
  CONTRACT_FILE: z.string().default('config/contract.yaml'),
  ORG_FILE: z.string().default('config/org.yaml'),
  LEXICON_FILE: z.string().default('config/lexicon.yaml'),
  /** How long personal data is kept (config/retention.yaml; the defaults when the file is absent). */
  RETENTION_FILE: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** auto: readable lines in a terminal, JSON lines otherwise; json or pretty to choose. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** When set, the JSON API wants `Authorization: Bearer <API_TOKEN>`; unset, it answers localhost only. */
  API_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Serve the sandbox chat page and API (default: on when no platform is configured). */
  SANDBOX: boolish.optional(),
  /** manual: the service's clock moves only through POST /api/sandbox/clock. */
  SANDBOX_CLOCK: z.enum(['system', 'manual']).default('system'),
  /**
   * Act on the inbound queue and fire timers in a processing thread, beside the one that answers
   * webhooks (npm start). Unset: on with PostgreSQL, off with SQLite, where the two threads contend
   * for the file's one write lock and answers came slower with the thread than without it
   * (bench/ANALYSIS.md, ingest).
   */
  PROCESSING_THREAD: boolish.optional(),
  /** Seconds between scheduler ticks (timers). */
  TICK_SECONDS: z.coerce.number().int().min(1).max(59).default(2),
  /** Name of this replica in logs and claims. */
  REPLICA_NAME: z.string().optional(),
  FEISHU_APP_ID: z.string().optional(),
  FEISHU_APP_SECRET: z.string().optional(),
  FEISHU_ENCRYPT_KEY: z.string().optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().optional(),
  FEISHU_MODE: z.enum(['webhook', 'websocket']).default('webhook'),
  FEISHU_DOMAIN: z.string().url().optional(),
  /** What the app receives in groups: mentions (im:message.group_at_msg:readonly) or all (im:message.group_msg). */
  FEISHU_RECEIVE: z.enum(['mentions', 'all']).default('mentions'),
  /** Replies in threads: "all", or a comma-separated list of chat ids; unset: ordinary messages quoting the report. */
  FEISHU_THREAD_REPLIES: z.string().optional(),
  /** Voice messages to text with Feishu's speech_to_text API (auto: when the app has the permission). */
  FEISHU_SPEECH_TO_TEXT: z.enum(['auto', 'off']).default('auto'),
  WECHATY_PUPPET: z.string().optional(),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().optional(),
  WECHAT_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(1500),
  WECHAT_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** The WeCom intelligent bot (API mode, long connection): on when both are set (src/config-wecom.ts). */
  WECOM_BOT_ID: z.string().optional(),
  WECOM_BOT_SECRET: z.string().optional(),
  /** The long connection's address (default wss://openws.work.weixin.qq.com; tests: the fake). */
  WECOM_BOT_WS_URL: z.string().optional(),
  /** The bot's display names, comma-separated: "@name" is taken out of message text. */
  WECOM_BOT_NAMES: z.string().optional(),
  /** name: "@张工" in the text; tag: WeCom's <@userid> (once npm run smoke:wecom showed it works). */
  WECOM_MENTION_STYLE: z.enum(['name', 'tag']).default('name'),
  /** Pacing of the WeCom bot's sends per chat (WeCom documents no rate for aibot_send_msg; 20/min is the group robot's). */
  WECOM_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  WECOM_MAX_PER_CHAT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** WeChat Customer Service (微信客服): on when corp id, secret, token and AES key are set. */
  WECOM_KF_CORP_ID: z.string().optional(),
  WECOM_KF_SECRET: z.string().optional(),
  WECOM_KF_TOKEN: z.string().optional(),
  WECOM_KF_ENCODING_AES_KEY: z.string().optional(),
  /** The customer-service accounts (open_kfid), comma-separated: read at start and polled as a safety net. */
  WECOM_KF_OPEN_KFIDS: z.string().optional(),
  /** WeCom's API address (default https://qyapi.weixin.qq.com; tests: the fake). */
  WECOM_KF_BASE_URL: z.string().optional(),
  /** Minutes between safety-net reads of each account (the callback is the fast path). */
  WECOM_KF_POLL_MINUTES: z.coerce.number().min(0.01).max(1440).default(5),
  /** Daily digest time, cron syntax in the contract's time zone. */
  DIGEST_CRON: z.string().default('0 9 * * *'),
  /** Dashboard logins: "name:hash,name2:hash2" (hashes from `npm run --silent cli -- hash-password`). */
  DASHBOARD_USERS: z.string().optional(),
  /** No longer used: dashboard sessions are kept in the database. Accepted so existing deployments keep starting. */
  DASHBOARD_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /** Reverse proxies whose X-Forwarded-For/-Proto/-Host are believed: addresses or CIDR ranges, comma-separated. */
  TRUST_PROXY: z.string().optional(),
  /** Optional LLM reader (OpenAI-compatible chat completions), off unless both are set. */
  LLM_BASE_URL: z.string().url().optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_API_KEY: z.string().optional(),
  /** The LLM reader's answer must come within this many ms, else the local reading stands. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
  /** Send phone numbers to the LLM as written (default: masked). */
  LLM_SEND_PHONES: boolish.optional(),
  /** The learned reader's weights (kind and level); missing file: rules alone. */
  READER_MODEL_FILE: z.string().default('config/reader-model.json'),
});
export type Env = z.infer<typeof EnvSchema>;

export type DatabaseTarget = { provider: 'sqlite'; url: string; file: string } | { provider: 'postgresql'; url: string };

/** DATABASE_URL unset means an embedded SQLite file under the data folder. */
export function databaseTarget(env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'>, cwd = process.cwd()): DatabaseTarget {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    const file = path.resolve(cwd, env.DATA_DIR, 'servicebot.db');
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  if (url.startsWith('file:')) {
    const file = path.resolve(cwd, url.slice('file:'.length).replace(/^\/\//, ''));
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', url };
  const scheme = url.split(':')[0];
  throw new ConfigError(
    `DATABASE_URL: unknown scheme "${scheme}:" — use file:./data/servicebot.db (SQLite) or postgresql://user@host:5432/db`,
  );
}

function formatIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((i) => {
    const field = i.path.length ? i.path.join('.') : '(top level)';
    return `${where}: ${field}: ${i.message}`;
  });
  if (error.issues.length > 5) lines.push(`${where}: … and ${error.issues.length - 5} more`);
  return lines.join('\n');
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const r = EnvSchema.safeParse(source);
  if (!r.success) throw new ConfigError(formatIssues('environment', r.error));
  return r.data;
}

function readYaml(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${err.message.split('\n')[0]}`);
  }
  return doc.toJS();
}

function loadWith<T>(schema: z.ZodType<T>, file: string, what: string): T {
  const r = schema.safeParse(readYaml(file, what));
  if (!r.success) throw new ConfigError(formatIssues(file, r.error));
  return r.data;
}

export function loadContract(file: string): Contract {
  return loadWith(ContractSchema, file, 'contract file');
}

export function loadOrg(file: string): Org {
  return loadWith(OrgSchema, file, 'organisation file');
}

export function loadLexicon(file: string): Lexicon {
  return loadWith(LexiconSchema, file, 'lexicon file');
}

/** RETENTION_FILE, or config/retention.yaml when present, else the defaults (7 days, 3 years). */
export function loadRetention(file: string | undefined, cwd = process.cwd()): Retention {
  const path = resolveFile(file ?? 'config/retention.yaml', cwd);
  if (!file && !existsSync(path)) return RetentionSchema.parse({});
  const retention = loadWith(RetentionSchema, path, 'retention file');
  if (!cron.validate(retention.dailyAt)) throw new ConfigError(`${path}: dailyAt: "${retention.dailyAt}" is not a cron expression (e.g. "30 3 * * *")`);
  return retention;
}

/** The learned reader's weights, validated; null when the file does not exist (rules alone). */
export function loadReaderModel(file: string): ReaderModelFile | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: reader model is not valid JSON: ${(e as Error).message}`);
  }
  const r = ReaderModelSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(formatIssues(file, r.error));
  return r.data;
}

/** The reader the service uses: the lexicon's rules with the learned model when one is configured. */
export function compileReader(config: Pick<Config, 'lexicon' | 'readerModel'>): CompiledLexicon {
  return compileLexicon(config.lexicon, config.readerModel ? compileModel(config.readerModel) : null);
}

export interface Config {
  env: Env;
  database: DatabaseTarget;
  /** Contracts by name; "default" always present. */
  contracts: Map<string, Contract>;
  /** The file each contract was read from, as configured (for messages that say what to edit). */
  contractFiles: Map<string, string>;
  org: Org;
  lexicon: Lexicon;
  retention: Retention;
  /** Weights of the learned reader (READER_MODEL_FILE); null: the rules alone read kind and level. */
  readerModel: ReaderModelFile | null;
  dataDir: string;
  feishu: null | {
    appId: string;
    appSecret: string;
    encryptKey: string;
    verificationToken: string;
    mode: 'webhook' | 'websocket';
    domain?: string;
    receiveMode: 'mentions' | 'all';
    replyInThread: boolean;
    threadReplyChats: string[];
    speechToText: 'auto' | 'off';
  };
  wechat: null | { puppet: string; puppetToken?: string };
  wecom: WecomBotConfig | null;
  wecomKf: WecomKfConfig | null;
  sandbox: boolean;
}

/** Resolves a configured path relative to the working directory, falling back to the package's own copy. */
function resolveFile(p: string, cwd: string): string {
  const local = path.resolve(cwd, p);
  if (existsSync(local) || path.isAbsolute(p)) return local;
  const packaged = path.resolve(PACKAGE_ROOT, p);
  return existsSync(packaged) ? packaged : local;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const env = loadEnv(source);
  const database = databaseTarget(env, cwd);
  const contracts = new Map<string, Contract>();
  const contractFiles = new Map<string, string>([['default', env.CONTRACT_FILE]]);
  contracts.set('default', loadContract(resolveFile(env.CONTRACT_FILE, cwd)));
  const orgFile = resolveFile(env.ORG_FILE, cwd);
  const org = existsSync(orgFile) ? loadOrg(orgFile) : OrgSchema.parse({});
  for (const [name, file] of Object.entries(org.contracts)) {
    contracts.set(name, loadContract(resolveFile(file, path.dirname(orgFile))));
    contractFiles.set(name, file);
  }
  // A customer's inspection plan or visit schedule needs its contract's terms (lead time, reminders, …).
  const missingTerms = plansWithoutTerms(org.customers, contracts);
  if (missingTerms.length) throw new ConfigError(missingTerms.map((p) => `${orgFile}: ${p.path.join('.')}: ${p.message}`).join('\n'));
  const lexicon = loadLexicon(resolveFile(env.LEXICON_FILE, cwd));
  const retention = loadRetention(env.RETENTION_FILE, cwd);
  const readerModel = loadReaderModel(resolveFile(env.READER_MODEL_FILE, cwd));

  const feishuVars = ['FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN'] as const;
  const feishuSet = feishuVars.filter((k) => env[k]);
  if (feishuSet.length && feishuSet.length < feishuVars.length) {
    const missing = feishuVars.filter((k) => !env[k]);
    throw new ConfigError(`Feishu is half configured: set ${missing.join(', ')} too (or unset ${feishuSet.join(', ')})`);
  }
  const feishu = feishuSet.length
    ? {
        appId: env.FEISHU_APP_ID!,
        appSecret: env.FEISHU_APP_SECRET!,
        encryptKey: env.FEISHU_ENCRYPT_KEY!,
        verificationToken: env.FEISHU_VERIFICATION_TOKEN!,
        mode: env.FEISHU_MODE,
        ...(env.FEISHU_DOMAIN ? { domain: env.FEISHU_DOMAIN } : {}),
        receiveMode: env.FEISHU_RECEIVE,
        replyInThread: env.FEISHU_THREAD_REPLIES?.trim().toLowerCase() === 'all',
        threadReplyChats: (env.FEISHU_THREAD_REPLIES ?? '')
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c && c.toLowerCase() !== 'all'),
        speechToText: env.FEISHU_SPEECH_TO_TEXT,
      }
    : null;
  // "off" and "none" mean off too, so a deployment can switch WeChat off without unsetting.
  const puppetName = env.WECHATY_PUPPET?.trim();
  const wechat = puppetName && !['off', 'none'].includes(puppetName.toLowerCase())
    ? { puppet: puppetName, ...(env.WECHATY_PUPPET_SERVICE_TOKEN ? { puppetToken: env.WECHATY_PUPPET_SERVICE_TOKEN } : {}) }
    : null;
  const wecom = wecomBotConfig(env);
  const wecomKf = wecomKfConfig(env);
  const real = [feishu && 'Feishu', wechat && 'WeChat', wecom && 'WeCom', wecomKf && 'WeChat Customer Service'].filter((c): c is string => Boolean(c));
  if (env.SANDBOX && real.length) throw new ConfigError(sandboxBesideRealChannels(real));
  const sandbox = env.SANDBOX ?? !real.length;
  return { env, database, contracts, contractFiles, org, lexicon, retention, readerModel, dataDir: path.resolve(cwd, env.DATA_DIR), feishu, wechat, wecom, wecomKf, sandbox };
}

/**
 * Why SANDBOX cannot be on beside a real channel: in the sandbox anyone says who they are (the
 * manager, the desk), and its actions land on the same tickets and go out to the same chats.
 */
export function sandboxBesideRealChannels(channels: string[]): string {
  return `SANDBOX is on beside ${channels.join(' and ')}: the sandbox lets anyone act as any role, and it would act on the real tickets and post into the real chats. Unset SANDBOX (or set SANDBOX=0), or run the sandbox as its own service on its own database without platform credentials`;
}
