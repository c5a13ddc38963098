/**
 * Access tokens (获取access_token, developer.work.weixin.qq.com/document/path/91039): valid
 * `expires_in` seconds (7200), "不能频繁调用gettoken接口", and WeCom may end one early. Kept in the
 * database so every replica uses the same token: one replica refreshes it `refreshBeforeMs`
 * before expiry (it holds `refreshingUntil` while it does; the others go on with the current
 * token), and a token WeCom calls invalid (40014, 42001) is dropped only if it is still the
 * stored one, so two replicas do not refresh twice for one failure.
 */
import { createHash } from 'node:crypto';
import { PermanentSendError, RetryableSendError } from '../neutral.js';
import type { Db } from '../../store/types.js';

export interface AccessTokenOptions {
  db: Db;
  corpId: string;
  secret: string;
  /** Default https://qyapi.weixin.qq.com (tests: the fake server). */
  baseUrl?: string;
  refreshBeforeMs?: number;
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

/** gettoken answers that no retry fixes: wrong corp id or secret. */
const BAD_CREDENTIALS = new Set([40001, 40013, 40056, 40091]);

export class AccessTokens {
  readonly key: string;
  private cached: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  /** Fetches from gettoken by this process (for status and tests). */
  fetches = 0;

  constructor(private readonly opts: AccessTokenOptions) {
    this.key = `${opts.corpId}:${createHash('sha256').update(opts.secret).digest('hex').slice(0, 16)}`;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private get refreshBefore(): number {
    return this.opts.refreshBeforeMs ?? 5 * 60_000;
  }

  /** A token valid for a while yet. */
  async get(): Promise<string> {
    const now = this.now();
    if (this.cached && this.cached.expiresAt - now > this.refreshBefore) return this.cached.token;
    this.inflight ??= this.fromStore().finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** WeCom said `token` is invalid or expired: forget it (if nobody replaced it yet). */
  async invalidate(token: string): Promise<void> {
    if (this.cached?.token === token) this.cached = null;
    await this.opts.db.wecomAccessToken.updateMany({ where: { key: this.key, token }, data: { expiresAt: new Date(0) } });
  }

  private async fromStore(): Promise<string> {
    const db = this.opts.db;
    for (let round = 0; round < 50; round++) {
      const now = this.now();
      const row = await db.wecomAccessToken.findUnique({ where: { key: this.key } });
      if (row && row.expiresAt.getTime() - now > this.refreshBefore) {
        this.cached = { token: row.token, expiresAt: row.expiresAt.getTime() };
        return row.token;
      }
      let claimed: boolean;
      if (row) {
        const r = await db.wecomAccessToken.updateMany({
          where: { key: this.key, OR: [{ refreshingUntil: null }, { refreshingUntil: { lt: new Date(now) } }] },
          data: { refreshingUntil: new Date(now + 30_000) },
        });
        claimed = r.count === 1;
      } else {
        claimed = true;
      }
      if (!claimed) {
        // Another replica is refreshing: the current token is still good until it expires.
        if (row && row.expiresAt.getTime() > now) return row.token;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const { token, expiresInS } = await this.fetchToken();
        const expiresAt = new Date(this.now() + expiresInS * 1000);
        await db.wecomAccessToken.upsert({
          where: { key: this.key },
          create: { key: this.key, token, expiresAt },
          update: { token, expiresAt, refreshingUntil: null },
        });
        this.cached = { token, expiresAt: expiresAt.getTime() };
        return token;
      } catch (e) {
        if (row) await db.wecomAccessToken.updateMany({ where: { key: this.key }, data: { refreshingUntil: null } }).catch(() => {});
        // A refresh that fails while the old token still works is not an outage.
        if (row && row.expiresAt.getTime() > this.now()) return row.token;
        if (!row && isUniqueViolation(e)) continue;
        throw e;
      }
    }
    throw new RetryableSendError('wecom-kf: no access token (another replica kept refreshing)');
  }

  private async fetchToken(): Promise<{ token: string; expiresInS: number }> {
    this.fetches += 1;
    const base = this.opts.baseUrl ?? 'https://qyapi.weixin.qq.com';
    const url = `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(this.opts.corpId)}&corpsecret=${encodeURIComponent(this.opts.secret)}`;
    let body: { errcode?: number; errmsg?: string; access_token?: string; expires_in?: number };
    try {
      const res = await (this.opts.fetch ?? fetch)(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
      if (!res.ok) throw new RetryableSendError(`wecom-kf gettoken: HTTP ${res.status}`);
      body = (await res.json()) as typeof body;
    } catch (e) {
      if (e instanceof RetryableSendError) throw e;
      throw new RetryableSendError(`wecom-kf gettoken: ${(e as Error).message}`);
    }
    const code = Number(body.errcode ?? 0);
    if (code !== 0 || typeof body.access_token !== 'string' || !body.access_token) {
      const msg = `wecom-kf gettoken: WeCom ${code} ${String(body.errmsg ?? '').slice(0, 200)}`;
      if (BAD_CREDENTIALS.has(code)) throw new PermanentSendError(`${msg} (check WECOM_KF_CORP_ID and WECOM_KF_SECRET)`, code);
      throw new RetryableSendError(msg);
    }
    const expiresInS = Number(body.expires_in);
    return { token: body.access_token, expiresInS: Number.isFinite(expiresInS) && expiresInS > 0 ? expiresInS : 7200 };
  }
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown })?.code === 'P2002' || /unique/i.test(String((e as Error)?.message));
}
