/**
 * What a failed WeCom bot send means, from what @wecom/aibot-node-sdk 1.0.7 rejects with
 * (read from its WsConnectionManager):
 * - `Error('WebSocket not connected, unable to send data')`, or a full reply queue: the frame was
 *   never written, so a retry cannot double it → not_sent;
 * - `Error('Reply ack timeout (5000ms) …')`, or `Error('… connection closed …, reply for reqId: … cancelled')`:
 *   the frame may have reached WeCom and only its ack was lost → ambiguous;
 * - the ack frame itself `{ headers, errcode, errmsg }` with errcode ≠ 0: WeCom refused it → refused.
 * Error codes from 全局错误码 (…/90313). No SDK import: shapes only.
 */
import { PermanentSendError, RetryableSendError } from '../neutral.js';

export type SendOutcome = 'not_sent' | 'ambiguous' | 'refused';

export interface ClassifiedError {
  outcome: SendOutcome;
  errcode?: number;
  error: RetryableSendError | PermanentSendError;
}

/** Codes worth another try, with how long to wait when WeCom's page says. */
const RETRYABLE: Record<number, { why: string; waitMs?: number }> = {
  [-1]: { why: '系统繁忙' },
  6000: { why: '数据版本冲突' },
  45009: { why: '接口调用超过限制', waitMs: 60_000 },
  45033: { why: '接口并发调用超过限制', waitMs: 5_000 },
  45035: { why: '并发操作冲突', waitMs: 2_000 },
};

/** Codes that no retry fixes. */
const PERMANENT: Record<number, string> = {
  40008: '不合法的消息类型',
  40058: '不合法的参数',
  44004: '消息内容为空',
  45002: '消息内容大小超过限制',
  42014: '卡片消息的task_id不合法',
  42015: '更新的消息与发送消息的应用不匹配',
  42016: '更新的task_id不存在',
  42017: '按钮key值不存在',
  42018: '按钮key值不合法',
  42019: '缺少按钮key值',
};

/** The code WeCom answers a reused task_id with (not documented: 42014 is the closest). */
export const TASK_ID_REFUSED = 42014;

export interface AckFrameLike {
  headers?: { req_id?: unknown };
  errcode?: unknown;
  errmsg?: unknown;
}

export function isAckFrame(v: unknown): v is AckFrameLike {
  return typeof v === 'object' && v !== null && !(v instanceof Error) && 'errcode' in v;
}

export function errcodeOf(v: unknown): number | undefined {
  if (!isAckFrame(v)) return undefined;
  const n = Number(v.errcode);
  return Number.isFinite(n) ? n : undefined;
}

export function classifyWecomError(err: unknown, what = 'WeCom send'): ClassifiedError {
  if (err instanceof RetryableSendError || err instanceof PermanentSendError) {
    return { outcome: err instanceof PermanentSendError ? 'refused' : 'not_sent', error: err };
  }
  if (isAckFrame(err)) {
    const code = errcodeOf(err) ?? -1;
    const msg = typeof err.errmsg === 'string' ? err.errmsg.slice(0, 200) : '';
    const r = RETRYABLE[code];
    if (r) return { outcome: 'refused', errcode: code, error: new RetryableSendError(`${what}: WeCom ${code} ${r.why}${msg ? ` (${msg})` : ''}`, r.waitMs) };
    const p = PERMANENT[code];
    if (p) return { outcome: 'refused', errcode: code, error: new PermanentSendError(`${what}: WeCom ${code} ${p}${msg ? ` (${msg})` : ''}`, code) };
    // Unknown code: the dispatcher's bounded retries, rather than dropping the row.
    return { outcome: 'refused', errcode: code, error: new RetryableSendError(`${what}: WeCom ${code}${msg ? ` ${msg}` : ''}`) };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/not connected|exceeds max size/i.test(message)) {
    return { outcome: 'not_sent', error: new RetryableSendError(`${what}: not connected to WeCom (${message.slice(0, 200)})`) };
  }
  if (/ack timeout|cancelled|closed/i.test(message)) {
    return { outcome: 'ambiguous', error: new RetryableSendError(`${what}: no answer from WeCom, delivery unknown (${message.slice(0, 200)})`) };
  }
  return { outcome: 'ambiguous', error: new RetryableSendError(`${what}: ${message.slice(0, 300)}`) };
}
