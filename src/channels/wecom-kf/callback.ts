/**
 * The callback URL of WeChat Customer Service (回调配置, developer.work.weixin.qq.com/document/path/90930):
 * - GET ?msg_signature&timestamp&nonce&echostr: URL verification. Signature checked, echostr
 *   decrypted, its plaintext answered as it is ("在1秒内响应", no quotes, no newline).
 * - POST ?msg_signature&timestamp&nonce with `<xml><ToUserName/><Encrypt/><AgentID/></xml>`:
 *   checked and decrypted (crypto.ts); a `kf_msg_or_event` event names the account with new
 *   messages and a token for sync_msg (valid 10 minutes). WeCom waits 5 s and then retries (three
 *   times), so the answer ("success") goes at once and the reading happens after.
 * Refused: a body over `maxBodyBytes` (413), a bad signature (401), anything that does not
 * decrypt to our corp id (400), a timestamp further than `maxSkewMs` from now (401). A request
 * seen before (same signature, timestamp, nonce) is answered 200 and not acted on again.
 */
import type { Middleware } from 'koa';
import { XMLParser } from 'fast-xml-parser';
import getRawBody from 'raw-body';
import { silentLogger, type ChannelLogger } from '../neutral.js';
import { requestFingerprint, verifyAndDecrypt, type CallbackSecrets } from './crypto.js';

export interface KfEventNotice {
  openKfId: string;
  /** sync_msg's token for this notice. */
  token?: string;
  createTime?: number;
}

export interface KfCallbackOptions extends CallbackSecrets {
  path?: string;
  log?: ChannelLogger;
  maxBodyBytes?: number;
  maxSkewMs?: number;
  now?: () => number;
  onEvent: (notice: KfEventNotice) => void;
}

const parser = new XMLParser({ processEntities: false, parseTagValue: false, ignoreAttributes: true, ignoreDeclaration: true, allowBooleanAttributes: false });

function parseXml(text: string): Record<string, unknown> | null {
  try {
    const v = parser.parse(text) as { xml?: unknown };
    return v && typeof v.xml === 'object' && v.xml !== null ? (v.xml as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const field = (x: Record<string, unknown>, k: string): string | undefined => (typeof x[k] === 'string' ? (x[k] as string) : typeof x[k] === 'number' ? String(x[k]) : undefined);

export function kfCallback(opts: KfCallbackOptions): Middleware {
  const path = opts.path ?? '/wecom/kf/callback';
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? Date.now;
  const maxSkew = opts.maxSkewMs ?? 30 * 60_000;
  const seen = new Map<string, number>();
  const remember = (fp: string, at: number): boolean => {
    for (const [k, t] of seen) {
      if (at - t > maxSkew * 2) seen.delete(k);
      else break;
    }
    if (seen.has(fp)) return false;
    seen.set(fp, at);
    return true;
  };

  return async (ctx, next) => {
    if (ctx.path !== path) return next();
    const q = ctx.query;
    const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
    const signature = s('msg_signature');
    const timestamp = s('timestamp');
    const nonce = s('nonce');
    const refuse = (status: number, reason: string) => {
      log.warn({ status, reason, ip: ctx.ip }, 'wecom-kf: callback refused');
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = reason;
    };
    const ts = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() - ts * 1000) > maxSkew) return refuse(401, 'timestamp missing or too far from now');

    if (ctx.method === 'GET') {
      const r = verifyAndDecrypt(opts, { signature, timestamp, nonce }, s('echostr'));
      if (!r.ok) return refuse(r.status, r.reason);
      ctx.status = 200;
      ctx.type = 'text/plain';
      ctx.body = r.message;
      return;
    }
    if (ctx.method !== 'POST') return refuse(405, 'GET or POST');
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { limit: opts.maxBodyBytes ?? 64 * 1024, encoding: 'utf8' });
    } catch (e) {
      return refuse((e as { type?: string }).type === 'entity.too.large' ? 413 : 400, 'cannot read the body');
    }
    const outer = parseXml(raw);
    const encrypted = outer ? field(outer, 'Encrypt') : undefined;
    if (!outer || !encrypted) return refuse(400, 'body is not the callback XML');
    const r = verifyAndDecrypt(opts, { signature, timestamp, nonce }, encrypted.trim());
    if (!r.ok) return refuse(r.status, r.reason);
    if (!remember(requestFingerprint(signature, timestamp, nonce), now())) {
      log.info({ timestamp, nonce }, 'wecom-kf: callback seen before, not acted on again');
      ctx.status = 200;
      ctx.body = 'success';
      return;
    }
    const inner = parseXml(r.message);
    const event = inner ? field(inner, 'Event') : undefined;
    if (inner && event === 'kf_msg_or_event') {
      const openKfId = field(inner, 'OpenKfId');
      const token = field(inner, 'Token');
      if (openKfId && openKfId.length <= 128) {
        const ct = Number(field(inner, 'CreateTime'));
        opts.onEvent({ openKfId, ...(token && token.length <= 128 ? { token } : {}), ...(Number.isFinite(ct) ? { createTime: ct } : {}) });
      } else {
        log.warn({}, 'wecom-kf: kf_msg_or_event without OpenKfId');
      }
    } else {
      log.info({ event: event?.slice(0, 40) }, 'wecom-kf: callback event not handled');
    }
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = 'success';
  };
}
