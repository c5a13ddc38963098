/**
 * GET /wechat/login: the current login QR code as a PNG, or a short text when
 * there is none ("已登录 / logged in", "未配置 / not configured", …). Mount it
 * on the service's koa app; it ignores every other path.
 */
import type { Middleware } from 'koa';
import QRCode from 'qrcode';

import type { WechatLoginState } from './adapter.js';

export const WECHAT_LOGIN_PATH = '/wechat/login';

/** `source` is absent when WeChat is off: the page then says so. */
export function wechatLoginPage(source?: () => WechatLoginState): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== WECHAT_LOGIN_PATH || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    const state = source?.();
    if (!state) {
      text(ctx, 404, '微信未配置 / WeChat not configured (set WECHATY_PUPPET)');
      return;
    }
    switch (state.state) {
      case 'scan': {
        ctx.type = 'image/png';
        ctx.body = await QRCode.toBuffer(state.qrcode, { type: 'png', width: 320, margin: 2 });
        // The QR code changes every few minutes: browsers that honour Refresh reload it.
        ctx.set('Refresh', '20');
        return;
      }
      case 'logged_in':
        text(ctx, 200, `已登录 / logged in: ${state.userName}`);
        return;
      case 'starting':
        ctx.set('Refresh', '5');
        text(ctx, 503, '正在连接，请稍候 / connecting, no QR code yet');
        return;
      case 'stopped':
        text(ctx, 503, '微信通道已停止 / WeChat channel stopped');
        return;
    }
  };
}

function text(ctx: Parameters<Middleware>[0], status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = body;
}
