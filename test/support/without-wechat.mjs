// `node --import ./test/support/without-wechat.mjs …`: wechaty, its puppets and file-box cannot be
// found, as in an install made with `npm ci --omit=peer` (Feishu only).
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  if (/^(wechaty|file-box)(-|\\/|$)/.test(specifier)) {
    const e = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
