import { describe, expect, it } from 'vitest';
import { classifyFeishuError, FeishuApiError, retryAfterMsFrom } from '../../src/channels/feishu/errors.js';
import { PermanentSendError, RetryableSendError } from '../../src/core/channel.js';

function axiosError(status: number, data: unknown, headers: Record<string, string> = {}): unknown {
  return { isAxiosError: true, message: `Request failed with status code ${status}`, response: { status, headers, data } };
}

describe('classifyFeishuError', () => {
  it.each([
    ['HTTP 429', axiosError(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '2' }), 'retry', 2000],
    ['HTTP 500', axiosError(500, 'Internal Server Error'), 'retry', undefined],
    ['HTTP 503 with Retry-After', axiosError(503, '', { 'retry-after': '4' }), 'retry', 4000],
    ['230020 chat rate limit', axiosError(400, { code: 230020, msg: 'frequency limit' }), 'retry', undefined],
    ['11232 tenant rate limit', axiosError(400, { code: 11232 }), 'retry', undefined],
    ['99991663 stale token', axiosError(400, { code: 99991663 }), 'retry', undefined],
    ['timeout', { isAxiosError: true, code: 'ECONNABORTED', message: 'timeout of 400ms exceeded' }, 'retry', undefined],
    ['connection refused', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'retry', undefined],
    ['token endpoint down', new Error('failed to get tenant_access_token, code: 2200, msg: internal'), 'retry', undefined],
    ['230002 bot not in chat', axiosError(400, { code: 230002, msg: 'Bot/User can NOT be out of the chat.' }), 230002, undefined],
    ['230001 bad param', axiosError(400, { code: 230001 }), 230001, undefined],
    ['230025 too long', axiosError(400, { code: 230025 }), 230025, undefined],
    ['99991672 scope', axiosError(400, { code: 99991672 }), 99991672, undefined],
    ['unknown code on 400', axiosError(400, { code: 1234567 }), 1234567, undefined],
    ['HTTP 404 without code', axiosError(404, 'not found'), 404, undefined],
    ['wrong app secret', new Error('failed to get tenant_access_token, code: 10014, msg: app secret invalid'), 10014, undefined],
    ['HTTP 200 with code (FeishuApiError)', new FeishuApiError('im.message.create', 230002, 'out of chat'), 230002, undefined],
  ] as const)('%s', (_name, err, expected, retryAfterMs) => {
    const e = classifyFeishuError(err);
    if (expected === 'retry') {
      expect(e).toBeInstanceOf(RetryableSendError);
      expect((e as RetryableSendError).retryAfterMs).toBe(retryAfterMs);
    } else {
      expect(e).toBeInstanceOf(PermanentSendError);
      expect((e as PermanentSendError).code).toBe(expected);
    }
  });
});

describe('retryAfterMsFrom', () => {
  it('reads x-ogw-ratelimit-reset first, then Retry-After in seconds or as a date', () => {
    expect(retryAfterMsFrom({ 'x-ogw-ratelimit-reset': '1', 'retry-after': '9' })).toBe(1000);
    expect(retryAfterMsFrom({ 'retry-after': '2.5' })).toBe(2500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMsFrom({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMsFrom({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMsFrom(undefined)).toBeUndefined();
  });
});
