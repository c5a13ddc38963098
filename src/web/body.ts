/**
 * Request bodies read with a size limit. A body over the limit is answered 413
 * and a malformed one 400, with a message naming what was wrong; nothing is stored.
 */
import type { Context } from 'koa';
import getRawBody from 'raw-body';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readRaw(ctx: Context, limit: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.get('content-length') || undefined });
  } catch (e) {
    const err = e as { type?: string; status?: number; message?: string };
    if (err.type === 'entity.too.large') throw new HttpError(413, `request body over ${limit} bytes`);
    throw new HttpError(err.status && err.status < 500 ? err.status : 400, `cannot read request body: ${err.message ?? 'error'}`);
  }
}

export async function readJson(ctx: Context, limit = 256 * 1024): Promise<unknown> {
  const raw = await readRaw(ctx, limit);
  if (!raw.trim()) throw new HttpError(400, 'request body is empty; expected JSON');
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
}
