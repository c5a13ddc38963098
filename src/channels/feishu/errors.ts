/**
 * Feishu failures → RetryableSendError | PermanentSendError.
 *
 * The SDK's request layer is axios: a non-2xx answer rejects with an AxiosError
 * carrying `response.status`, `response.headers` and `response.data` ({code, msg});
 * an HTTP 200 answer with a non-zero `code` RESOLVES (the SDK does not throw), so
 * callers pass every response body through `assertFeishuOk()`. Network errors and
 * timeouts reject with an AxiosError without `response` (code ECONNREFUSED,
 * ECONNRESET, ECONNABORTED / ETIMEDOUT for our timeout, …). Failures to obtain a
 * tenant_access_token reject with a plain Error "failed to get tenant_access_token,
 * code: N, msg: …".
 *
 * No SDK import: this looks at the shapes only.
 */
import { PermanentSendError, RetryableSendError } from '../../core/channel.js';

/**
 * What an operator must do about a code no retry fixes. Shown on the outbox
 * row (dashboard), in the log and in /healthz, so they name the fix.
 */
export const FEISHU_HINTS: Record<number, string> = {
  230002:
    'the bot is not in this chat: add the bot to the group (群设置 → 群机器人 → 添加机器人), or remove the chat from the organisation file',
  230027:
    'the app may not reach this chat. For an external group (外部群, another company in the group): turn on external sharing for the app (开发者后台 → 应用 → 应用发布/可用范围 → 对外共享), publish a new version, and add the bot to the group again; otherwise check the app\u2019s availability (可用范围) and the im:message:send_as_bot scope',
  230028:
    'the tenant\u2019s data-loss-prevention check (DLP) refused the message; ask the tenant admin which rule matched (phone numbers are a common one)',
  99991672:
    'the app lacks an API scope this call needs: add it under 权限管理 and publish a new version (the error message names the scope)',
};

/** Business codes worth another try (rate limits, server trouble, stale token). */
const RETRYABLE_CODES: Record<number, string> = {
  230020: 'chat rate limit (5 messages/s per chat, shared by its bots)',
  // A send with the same uuid is still being processed: the next attempt gets its result.
  230049: 'a send with this idempotency key is still in progress',
  11232: 'tenant message rate limit',
  99991400: 'app request rate limit (50/s, 1000/min)',
  2200: 'Feishu internal error',
  // Stale or missing tenant_access_token: the adapter drops its cached token,
  // the next attempt fetches a fresh one.
  99991661: 'missing access token',
  99991663: 'invalid tenant access token',
  99991664: 'invalid app access token',
  99991668: 'invalid access token',
};

/** Token business codes: the cached token must be dropped. */
export const TOKEN_CODES = new Set([99991661, 99991663, 99991664, 99991668]);

/** Business codes that no retry will fix. The message is what the dashboard shows. */
const PERMANENT_CODES: Record<number, string> = {
  230001: 'invalid request parameter',
  230002: FEISHU_HINTS[230002]!,
  230006: 'the app has no bot ability enabled',
  230011: 'the message was recalled',
  230013: 'the user is outside the bot\u2019s availability',
  230015: 'p2p chat cannot be shared',
  230017: 'the bot is not the owner of the resource',
  230018: 'the group settings forbid this operation',
  230019: 'the thread does not exist',
  230025: 'message content too long',
  230027: FEISHU_HINTS[230027]!,
  230028: FEISHU_HINTS[230028]!,
  230035: 'no permission to send messages',
  230038: 'cross-tenant p2p chat forbidden',
  230054: 'this chat or message does not take this message type',
  230071: 'this chat does not support thread replies',
  230072: 'this message does not support thread replies',
  231003: 'the message was deleted',
  230099: 'invalid card content',
  230110: 'the message is about to self-destruct',
  234043: 'unsupported message for resource download',
  99991401: 'the server IP is not on the app\u2019s allow list',
  99991672: FEISHU_HINTS[99991672]!,
  99991679: 'the app lacks the required user scope',
  99992402: 'request field validation failed',
};

/** Reply targets that are gone: the adapter then posts to the chat instead. */
export const REPLY_TARGET_GONE_CODES = new Set([230011, 230019, 231003]);

/** Thread replies refused for the chat (230071) or the message (230072): reply again without a thread. */
export const THREAD_REFUSED_CODES = new Set([230071, 230072]);

/** The chat refuses this message type (a card in some groups): send it as text instead. */
export const TYPE_REFUSED_CODE = 230054;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

type Headers = Record<string, unknown> | undefined;

function header(headers: Headers, name: string): string | undefined {
  if (!headers) return undefined;
  const h = headers as { get?: (n: string) => unknown };
  const v = typeof h.get === 'function' ? h.get(name) : headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0] !== undefined ? String(v[0]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * How long Feishu asked us to wait: `x-ogw-ratelimit-reset` (seconds until the
 * quota window resets, what Feishu's gateway sends with a 429), else a standard
 * `Retry-After` (seconds or an HTTP date).
 */
export function retryAfterMsFrom(headers: Headers, now: number = Date.now()): number | undefined {
  const reset = header(headers, 'x-ogw-ratelimit-reset');
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) return Math.ceil(Number(reset) * 1000);
  const ra = header(headers, 'retry-after');
  if (ra === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.ceil(Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface FeishuBody {
  code?: unknown;
  msg?: unknown;
  data?: unknown;
}

function describe(code: number, msg: unknown, fallback: string): string {
  const m = typeof msg === 'string' && msg ? msg : fallback;
  return `Feishu ${code}: ${m}`;
}

/** Map a Feishu business code (from an HTTP answer of `status`) to an error. */
export function errorForCode(
  code: number,
  msg: unknown,
  status?: number,
  retryAfterMs?: number,
): RetryableSendError | PermanentSendError {
  const retryable = RETRYABLE_CODES[code];
  if (retryable !== undefined) return new RetryableSendError(describe(code, msg, retryable), retryAfterMs);
  const permanent = PERMANENT_CODES[code];
  if (permanent !== undefined) return new PermanentSendError(`${permanent} (${describe(code, msg, permanent)})`, code);
  // Unknown code: trust the HTTP status when there is one (Feishu answers most
  // business errors with 400); an unknown code on a 200 or 5xx may be transient.
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    return new PermanentSendError(describe(code, msg, `HTTP ${status}`), code);
  }
  return new RetryableSendError(describe(code, msg, 'unknown error'), retryAfterMs);
}

/** A Feishu answer with a non-zero code that the SDK resolved instead of rejecting. */
export class FeishuApiError extends Error {
  override name = 'FeishuApiError';
  constructor(
    readonly what: string,
    readonly feishuCode: number,
    readonly feishuMsg: unknown,
    readonly status = 200,
  ) {
    super(`${what}: Feishu ${feishuCode}: ${typeof feishuMsg === 'string' ? feishuMsg : ''}`);
  }
}

/** Throws FeishuApiError when a resolved SDK response body carries a non-zero code. */
export function assertFeishuOk<T>(body: T, what: string): NonNullable<T> {
  if (body === null || body === undefined || typeof body !== 'object') {
    throw new RetryableSendError(`${what}: empty answer from Feishu`);
  }
  const code = (body as FeishuBody).code;
  if (code !== undefined && code !== 0) {
    const n = Number(code);
    if (!Number.isFinite(n)) throw new RetryableSendError(`${what}: unexpected code ${String(code)}`);
    throw new FeishuApiError(what, n, (body as FeishuBody).msg);
  }
  return body as NonNullable<T>;
}

interface AxiosLike {
  isAxiosError?: boolean;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; headers?: Headers; data?: unknown };
}

/** Any failure of an SDK call → the neutral error the dispatcher acts on. */
export function classifyFeishuError(err: unknown, what = 'Feishu request'): RetryableSendError | PermanentSendError {
  if (err instanceof RetryableSendError || err instanceof PermanentSendError) return err;
  if (err instanceof FeishuApiError) return errorForCode(err.feishuCode, err.feishuMsg, err.status);
  const e = (typeof err === 'object' && err !== null ? err : {}) as AxiosLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const res = e.response;
  if (res && typeof res.status === 'number') {
    const status = res.status;
    const retryAfterMs = retryAfterMsFrom(res.headers);
    const data = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as FeishuBody;
    if (status === 429) {
      return new RetryableSendError(`${what}: rate limited (HTTP 429${data.code ? `, code ${String(data.code)}` : ''})`, retryAfterMs);
    }
    const code = Number(data.code);
    if (data.code !== undefined && Number.isFinite(code) && code !== 0) {
      return errorForCode(code, data.msg, status, retryAfterMs);
    }
    if (status >= 500) return new RetryableSendError(`${what}: HTTP ${status}`, retryAfterMs);
    if (status === 408) return new RetryableSendError(`${what}: HTTP 408`, retryAfterMs);
    return new PermanentSendError(`${what}: HTTP ${status}`, status);
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if ((code && NETWORK_CODES.has(code)) || e.isAxiosError || /timeout|socket hang up|network/i.test(message)) {
    return new RetryableSendError(`${what}: ${code ? `${code} ` : ''}${message}`);
  }
  const token = /failed to get (tenant|app)_access_token, code: (\d+)/.exec(message);
  if (token) {
    const tcode = Number(token[2]);
    // 10003 invalid app_id, 10014 invalid app_secret: configuration, not luck.
    if (tcode === 10003 || tcode === 10014) return new PermanentSendError(`${what}: ${message}`, tcode);
    return new RetryableSendError(`${what}: ${message}`);
  }
  // Unknown: give the dispatcher's bounded retries a chance rather than drop the row.
  return new RetryableSendError(`${what}: ${message}`);
}

/** The Feishu business code inside a raw failure, if any. */
export function feishuCodeOf(err: unknown): number | undefined {
  if (err instanceof FeishuApiError) return err.feishuCode;
  if (err instanceof PermanentSendError) return typeof err.code === 'number' ? err.code : undefined;
  const data = (err as AxiosLike | undefined)?.response?.data as FeishuBody | undefined;
  const n = Number(data?.code);
  return data?.code !== undefined && Number.isFinite(n) && n !== 0 ? n : undefined;
}
