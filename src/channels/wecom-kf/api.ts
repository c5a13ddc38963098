/**
 * The WeChat Customer Service HTTP API (微信客服): kf/sync_msg (…/94670), kf/send_msg (…/94677),
 * media/upload and media/get, with the access token from tokens.ts. WeCom answers HTTP 200 with
 * `errcode`; a non-zero one is thrown as KfApiError. A token WeCom calls invalid or expired
 * (40014, 42001, 41001) is dropped and the call made once more with a fresh one.
 */
import type { AccessTokens } from './tokens.js';

export class KfApiError extends Error {
  override name = 'KfApiError';
  constructor(
    readonly what: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`${what}: WeCom ${errcode} ${errmsg}`.slice(0, 500));
  }
}

/** A request that may or may not have reached WeCom (timeout, connection reset). */
export class KfNetworkError extends Error {
  override name = 'KfNetworkError';
}

const TOKEN_CODES = new Set([40014, 42001, 41001]);

export interface KfMessage {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  send_time: number;
  origin: number;
  servicer_userid?: string;
  msgtype: string;
  [key: string]: unknown;
}

export interface SyncPage {
  next_cursor: string;
  has_more: number;
  msg_list: KfMessage[];
}

export interface KfApiOptions {
  tokens: AccessTokens;
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class KfApi {
  constructor(private readonly opts: KfApiOptions) {}

  private get base(): string {
    return this.opts.baseUrl ?? 'https://qyapi.weixin.qq.com';
  }

  private async request(what: string, make: (token: string) => { url: string; init: RequestInit }): Promise<Response> {
    for (let round = 0; ; round++) {
      const token = await this.opts.tokens.get();
      const { url, init } = make(token);
      let res: Response;
      try {
        res = await (this.opts.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
      } catch (e) {
        throw new KfNetworkError(`${what}: ${(e as Error).message}`);
      }
      if (!res.ok) throw new KfNetworkError(`${what}: HTTP ${res.status}`);
      // media/get answers with the file itself; errors and every other call with JSON.
      if (!/json|text\/plain/.test(res.headers.get('content-type') ?? '')) return res;
      const body = (await res.clone().json().catch(() => null)) as { errcode?: number; errmsg?: string } | null;
      if (!body) throw new KfNetworkError(`${what}: unreadable answer`);
      const code = Number(body.errcode ?? 0);
      if (code !== 0 && TOKEN_CODES.has(code) && round === 0) {
        await this.opts.tokens.invalidate(token);
        continue;
      }
      if (code !== 0) throw new KfApiError(what, code, String(body.errmsg ?? ''));
      return res;
    }
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const res = await this.request(path, (token) => ({
      url: `${this.base}/cgi-bin/${path}?access_token=${encodeURIComponent(token)}`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    }));
    return (await res.json()) as T;
  }

  syncMsg(req: { open_kfid: string; cursor?: string; token?: string; limit?: number }): Promise<SyncPage> {
    return this.post<SyncPage>('kf/sync_msg', { ...req, voice_format: 0 });
  }

  async sendMsg(body: Record<string, unknown>): Promise<{ msgid: string }> {
    return this.post<{ msgid: string }>('kf/send_msg', body);
  }

  /** Sends a greeting with the event's welcome_code (发送欢迎语等事件响应消息, …/95122). */
  async sendOnEvent(code: string, text: string): Promise<void> {
    await this.post('kf/send_msg_on_event', { code, msgtype: 'text', text: { content: text } });
  }

  async uploadImage(png: Buffer, filename: string): Promise<string> {
    const res = await this.request('media/upload', (token) => {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(png)], { type: 'image/png' }), filename);
      return { url: `${this.base}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`, init: { method: 'POST', body: form } };
    });
    const body = (await res.json()) as { media_id?: string };
    if (!body.media_id) throw new KfApiError('media/upload', -1, 'no media_id');
    return body.media_id;
  }

  async getMedia(mediaId: string, maxBytes: number): Promise<Buffer> {
    const res = await this.request('media/get', (token) => ({
      url: `${this.base}/cgi-bin/media/get?access_token=${encodeURIComponent(token)}&media_id=${encodeURIComponent(mediaId)}`,
      init: { method: 'GET' },
    }));
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > maxBytes) throw new KfApiError('media/get', -2, `file of ${len} bytes is over ${maxBytes}`);
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > maxBytes) throw new KfApiError('media/get', -2, `file of ${buf.length} bytes is over ${maxBytes}`);
    return buf;
  }
}
