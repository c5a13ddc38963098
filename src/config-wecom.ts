/**
 * The two WeCom channels' settings from the environment, checked at start: a channel is on only
 * when its required variables are all set, half a configuration stops the service naming what is
 * missing, and a malformed value is named with what was expected (docs/wechat.md, set-up).
 */
import { ConfigError, type Env } from './config.js';

export interface WecomBotConfig {
  botId: string;
  secret: string;
  /** The long connection's address; unset: the SDK's wss://openws.work.weixin.qq.com. */
  wsUrl?: string;
  /** The bot's display names ("@name" is taken out of message text). */
  botNames: string[];
  mentionStyle: 'name' | 'tag';
  minIntervalMs: number;
  maxPerChatPerMinute: number;
}

export interface WecomKfConfig {
  corpId: string;
  secret: string;
  token: string;
  encodingAESKey: string;
  /** Accounts read at start and polled as a safety net (a callback names the others). */
  openKfIds: string[];
  /** WeCom's API address; unset: https://qyapi.weixin.qq.com. */
  baseUrl?: string;
  pollMs: number;
}

type WecomEnv = Pick<
  Env,
  | 'WECOM_BOT_ID'
  | 'WECOM_BOT_SECRET'
  | 'WECOM_BOT_WS_URL'
  | 'WECOM_BOT_NAMES'
  | 'WECOM_MENTION_STYLE'
  | 'WECOM_MIN_INTERVAL_MS'
  | 'WECOM_MAX_PER_CHAT_PER_MINUTE'
  | 'WECOM_KF_CORP_ID'
  | 'WECOM_KF_SECRET'
  | 'WECOM_KF_TOKEN'
  | 'WECOM_KF_ENCODING_AES_KEY'
  | 'WECOM_KF_OPEN_KFIDS'
  | 'WECOM_KF_BASE_URL'
  | 'WECOM_KF_POLL_MINUTES'
>;

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** Which of `vars` are set; throws when some but not all are. */
function allOrNone<K extends keyof WecomEnv>(env: WecomEnv, what: string, vars: readonly K[]): boolean {
  const given = vars.filter((k) => set(env[k] as string | undefined));
  if (given.length && given.length < vars.length) {
    const missing = vars.filter((k) => !given.includes(k));
    throw new ConfigError(`${what} is half configured: set ${missing.join(', ')} too (or unset ${given.join(', ')})`);
  }
  return given.length === vars.length;
}

function check(name: string, value: string, ok: boolean, expected: string): string {
  if (!ok) throw new ConfigError(`${name}: ${expected} (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)})`);
  return value;
}

function url(name: string, value: string, schemes: string[]): string {
  let u: URL | null = null;
  try {
    u = new URL(value);
  } catch {
    u = null;
  }
  return check(name, value, u !== null && schemes.includes(u.protocol), `a ${schemes.map((s) => s.replace(':', '://')).join(' or ')} address`);
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** WECOM_BOT_ID and WECOM_BOT_SECRET turn the intelligent bot on. */
export function wecomBotConfig(env: WecomEnv): WecomBotConfig | null {
  if (!allOrNone(env, 'The WeCom bot', ['WECOM_BOT_ID', 'WECOM_BOT_SECRET'] as const)) return null;
  const botId = check('WECOM_BOT_ID', env.WECOM_BOT_ID!.trim(), /^[\x21-\x7e]{1,128}$/.test(env.WECOM_BOT_ID!.trim()), 'the Bot ID from 智能机器人 → API 模式 (letters and digits, no spaces)');
  const secret = check('WECOM_BOT_SECRET', env.WECOM_BOT_SECRET!.trim(), /^[\x21-\x7e]{1,256}$/.test(env.WECOM_BOT_SECRET!.trim()), 'the Secret shown beside the Bot ID (no spaces)');
  return {
    botId,
    secret,
    ...(set(env.WECOM_BOT_WS_URL) ? { wsUrl: url('WECOM_BOT_WS_URL', env.WECOM_BOT_WS_URL.trim(), ['ws:', 'wss:']) } : {}),
    botNames: list(env.WECOM_BOT_NAMES),
    mentionStyle: env.WECOM_MENTION_STYLE,
    minIntervalMs: env.WECOM_MIN_INTERVAL_MS,
    maxPerChatPerMinute: env.WECOM_MAX_PER_CHAT_PER_MINUTE,
  };
}

/** WECOM_KF_CORP_ID, _SECRET, _TOKEN and _ENCODING_AES_KEY turn WeChat Customer Service on. */
export function wecomKfConfig(env: WecomEnv): WecomKfConfig | null {
  const required = ['WECOM_KF_CORP_ID', 'WECOM_KF_SECRET', 'WECOM_KF_TOKEN', 'WECOM_KF_ENCODING_AES_KEY'] as const;
  if (!allOrNone(env, 'WeChat Customer Service (微信客服)', required)) {
    if (set(env.WECOM_KF_OPEN_KFIDS)) throw new ConfigError(`WECOM_KF_OPEN_KFIDS is set but WeChat Customer Service is off: set ${required.join(', ')} too`);
    return null;
  }
  const corpId = env.WECOM_KF_CORP_ID!.trim();
  check('WECOM_KF_CORP_ID', corpId, /^[A-Za-z0-9]{1,64}$/.test(corpId), 'the corp id (企业ID, "ww…") from 我的企业 → 企业信息');
  const secret = env.WECOM_KF_SECRET!.trim();
  check('WECOM_KF_SECRET', secret, /^[\x21-\x7e]{1,256}$/.test(secret), "the self-built app's Secret (no spaces)");
  const token = env.WECOM_KF_TOKEN!.trim();
  // 回调配置: Token is up to 32 English letters or digits.
  check('WECOM_KF_TOKEN', token, /^[A-Za-z0-9]{1,32}$/.test(token), 'the callback Token: up to 32 letters or digits');
  const aes = env.WECOM_KF_ENCODING_AES_KEY!.trim();
  // 加解密方案说明: 43 characters of [a-zA-Z0-9], the base64 of a 32-byte AES key without its "=".
  check('WECOM_KF_ENCODING_AES_KEY', aes, /^[A-Za-z0-9]{43}$/.test(aes) && Buffer.from(`${aes}=`, 'base64').length === 32, 'the EncodingAESKey: exactly 43 letters or digits');
  const openKfIds = list(env.WECOM_KF_OPEN_KFIDS);
  for (const id of openKfIds) check('WECOM_KF_OPEN_KFIDS', id, /^[A-Za-z0-9_-]{1,128}$/.test(id), 'open_kfid values ("wk…") separated by commas');
  return {
    corpId,
    secret,
    token,
    encodingAESKey: aes,
    openKfIds,
    ...(set(env.WECOM_KF_BASE_URL) ? { baseUrl: url('WECOM_KF_BASE_URL', env.WECOM_KF_BASE_URL.trim().replace(/\/+$/, ''), ['http:', 'https:']) } : {}),
    pollMs: Math.round(env.WECOM_KF_POLL_MINUTES * 60_000),
  };
}
