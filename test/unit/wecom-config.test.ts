/**
 * The WeCom channels' settings: each channel on only when its variables are all set, half a
 * configuration or a malformed value stops the service with a line naming the variable, and the
 * channel list builds each channel (its module) when configured.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadEnv } from '../../src/config.js';
import { wecomBotConfig, wecomKfConfig } from '../../src/config-wecom.js';
import { CHANNEL_MODULES, channelModule } from '../../src/channels/index.js';

const AES = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const KF = { WECOM_KF_CORP_ID: 'wwcorp0000000001', WECOM_KF_SECRET: 'kf_secret', WECOM_KF_TOKEN: 'QDG6eK', WECOM_KF_ENCODING_AES_KEY: AES };
const bot = (e: Record<string, string>) => wecomBotConfig(loadEnv(e));
const kf = (e: Record<string, string>) => wecomKfConfig(loadEnv(e));
const failing = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('the WeCom bot settings', () => {
  it('is off without its variables, on with both', () => {
    expect(bot({})).toBeNull();
    expect(bot({ WECOM_BOT_ID: 'aibABC123', WECOM_BOT_SECRET: 's3cret' })).toEqual({ botId: 'aibABC123', secret: 's3cret', botNames: [], mentionStyle: 'name', minIntervalMs: 1000, maxPerChatPerMinute: 20 });
    expect(bot({ WECOM_BOT_ID: 'aibABC123', WECOM_BOT_SECRET: 's3cret', WECOM_BOT_WS_URL: 'ws://127.0.0.1:9000', WECOM_BOT_NAMES: '售后助手, 小助手', WECOM_MENTION_STYLE: 'tag' })).toMatchObject({
      wsUrl: 'ws://127.0.0.1:9000',
      botNames: ['售后助手', '小助手'],
      mentionStyle: 'tag',
    });
  });

  it.each([
    [{ WECOM_BOT_ID: 'aibABC123' }, /half configured: set WECOM_BOT_SECRET too \(or unset WECOM_BOT_ID\)/],
    [{ WECOM_BOT_SECRET: 'x' }, /set WECOM_BOT_ID too/],
    [{ WECOM_BOT_ID: 'aib ABC', WECOM_BOT_SECRET: 'x' }, /^WECOM_BOT_ID: .*no spaces/],
    [{ WECOM_BOT_ID: 'aibABC', WECOM_BOT_SECRET: 'x', WECOM_BOT_WS_URL: 'https://example.com' }, /^WECOM_BOT_WS_URL: a ws:\/\/ or wss:\/\/ address/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(failing(() => bot(env as Record<string, string>))).toMatch(message);
  });
});

describe('the WeChat Customer Service settings', () => {
  it('is off without its variables, on with the four', () => {
    expect(kf({})).toBeNull();
    expect(kf(KF)).toEqual({ corpId: KF.WECOM_KF_CORP_ID, secret: 'kf_secret', token: 'QDG6eK', encodingAESKey: AES, openKfIds: [], pollMs: 300_000 });
    expect(kf({ ...KF, WECOM_KF_OPEN_KFIDS: 'wkAAA, wkBBB', WECOM_KF_BASE_URL: 'http://127.0.0.1:8080/', WECOM_KF_POLL_MINUTES: '1' })).toMatchObject({
      openKfIds: ['wkAAA', 'wkBBB'],
      baseUrl: 'http://127.0.0.1:8080',
      pollMs: 60_000,
    });
  });

  it.each([
    [{ WECOM_KF_CORP_ID: 'ww1' }, /half configured: set WECOM_KF_SECRET, WECOM_KF_TOKEN, WECOM_KF_ENCODING_AES_KEY too/],
    [{ WECOM_KF_OPEN_KFIDS: 'wkAAA' }, /WECOM_KF_OPEN_KFIDS is set but WeChat Customer Service is off/],
    [{ ...KF, WECOM_KF_ENCODING_AES_KEY: AES.slice(1) }, /^WECOM_KF_ENCODING_AES_KEY: the EncodingAESKey: exactly 43 letters or digits/],
    [{ ...KF, WECOM_KF_TOKEN: 'has space' }, /^WECOM_KF_TOKEN: /],
    [{ ...KF, WECOM_KF_CORP_ID: 'ww-1' }, /^WECOM_KF_CORP_ID: /],
    [{ ...KF, WECOM_KF_OPEN_KFIDS: 'wkA:B' }, /^WECOM_KF_OPEN_KFIDS: /],
    [{ ...KF, WECOM_KF_BASE_URL: 'qyapi.weixin.qq.com' }, /^WECOM_KF_BASE_URL: a http:\/\/ or https:\/\/ address/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(failing(() => kf(env as Record<string, string>))).toMatch(message);
  });
});

describe('the channel list', () => {
  it('has a module for each WeCom channel, on exactly when configured', () => {
    expect(CHANNEL_MODULES.map((m) => m.name)).toEqual(expect.arrayContaining(['wecom', 'wecom-kf']));
    const off = loadConfig({ SANDBOX: '1' });
    expect(channelModule('wecom')!.off(off, {})).toMatch(/WECOM_BOT_ID and WECOM_BOT_SECRET/);
    expect(channelModule('wecom-kf')!.off(off, {})).toMatch(/WECOM_KF_CORP_ID/);
    const on = loadConfig({ WECOM_BOT_ID: 'aibABC', WECOM_BOT_SECRET: 'x', ...KF });
    expect(channelModule('wecom')!.off(on, {})).toBeNull();
    expect(channelModule('wecom-kf')!.off(on, {})).toBeNull();
    // A real channel turns the sandbox off by default, and refuses it beside.
    expect(on.sandbox).toBe(false);
    expect(failing(() => loadConfig({ WECOM_BOT_ID: 'aibABC', WECOM_BOT_SECRET: 'x', SANDBOX: '1' }))).toMatch(/SANDBOX is on beside WeCom/);
  });
});
