/**
 * The one path a Feishu event takes into the bot, shared by the webhook
 * (webhook.ts) and the long connection (ws.ts):
 * SDK EventDispatcher → handleFeishuEvent → translate → sender name → sink.receive.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { InboundEvent, InboundSink, ReceiveResult } from '../../core/channel.js';
import { sdkLogger, silentLogger, type FeishuLogger } from './log.js';
import { renderCardCallbackAnswer, type FeishuCardCallbackAnswer } from './render.js';
import { FEISHU_EVENT_TYPES, envelopeOf, translateFeishuEvent } from './translate.js';

export interface FeishuEventDeps {
  sink: InboundSink;
  /** The bot's open_id (FeishuChannel.botOpenId), to drop its own @mention. */
  botOpenId?: () => Promise<string | undefined>;
  /** Display name by open_id (FeishuChannel.resolveUser); Feishu events carry ids only. */
  resolveUser?: (openId: string) => Promise<{ name: string; departmentIds?: string[] } | null>;
  /**
   * When set, an event whose header token differs is refused (TokenMismatchError).
   * The webhook sets it; the long connection is authenticated by its handshake.
   */
  verificationToken?: string;
  /**
   * Bound on each lookup (bot identity, sender name) in the request path:
   * Feishu wants an answer within 3 s. Default 1500 ms; a late lookup is
   * treated as unknown.
   */
  lookupTimeoutMs?: number;
  log?: FeishuLogger;
  now?: () => Date;
}

/** `p`, or `fallback` if it rejects or takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([p.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The payload as kept in InboundEvent.raw, without secrets: the header token
 * is the app's verification token, and a card callback's token can update the
 * card for 30 minutes.
 */
export function redactFeishuPayload(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const p = { ...(payload as Record<string, unknown>) };
  if ('token' in p) p['token'] = '[redacted]';
  for (const part of ['header', 'event']) {
    const v = p[part];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'token' in v) p[part] = { ...v, token: '[redacted]' };
  }
  return p;
}

export type FeishuEventOutcome =
  | { status: 'not_translated'; answer: Record<string, never> }
  | { status: ReceiveResult['status']; event: InboundEvent; answer: FeishuCardCallbackAnswer };

export class TokenMismatchError extends Error {
  override name = 'TokenMismatchError';
}

/** Header token of an event, if the envelope still has one (see translate.ts on flattening). */
function headerToken(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const header = p['header'];
  if (typeof header === 'object' && header !== null) {
    const t = (header as Record<string, unknown>)['token'];
    return typeof t === 'string' ? t : undefined;
  }
  return typeof p['token'] === 'string' ? p['token'] : undefined;
}

/**
 * Translate one decrypted Feishu event and hand it to the sink. Resolves with
 * what to answer Feishu (for a card click: toast and updated card). Throws what
 * the sink throws (the caller answers 5xx / a failed ack, so Feishu redelivers).
 */
export async function handleFeishuEvent(payload: unknown, deps: FeishuEventDeps): Promise<FeishuEventOutcome> {
  const log = deps.log ?? silentLogger;
  const env = envelopeOf(payload);
  if (deps.verificationToken !== undefined && env && env.eventType !== FEISHU_EVENT_TYPES.cardAction) {
    // card.action.trigger: the SDK's flattening lets the card token overwrite
    // the header token, so it cannot be compared; the signature covers it.
    const token = headerToken(payload);
    if (token !== deps.verificationToken) throw new TokenMismatchError('verification token mismatch');
  }
  const lookupMs = deps.lookupTimeoutMs ?? 1500;
  const botOpenId = deps.botOpenId ? await within(deps.botOpenId(), lookupMs, undefined) : undefined;
  const event = translateFeishuEvent(payload, { botOpenId, receivedAt: (deps.now ?? (() => new Date()))() });
  if (!event) {
    log.debug({ eventId: env?.eventId, eventType: env?.eventType }, 'feishu event not translated');
    return { status: 'not_translated', answer: {} };
  }
  event.raw = redactFeishuPayload(payload);
  if (event.sender.id) {
    const profile = deps.resolveUser ? await within(deps.resolveUser(event.sender.id), lookupMs, null) : null;
    // No name to be had (no contact scope, lookup failed): show the open_id.
    event.sender.name = event.sender.name || profile?.name || event.sender.id;
    if (profile?.departmentIds && profile.departmentIds.length > 0) event.sender.departmentIds = [...profile.departmentIds];
  }
  // Messages are recorded and answered at once (Feishu redelivers what is not answered
  // within 3 s); the bot acts on them right after. A click's answer is its result.
  const result = await deps.sink.receive(event, event.type === 'message' ? { defer: true } : undefined);
  log.debug({ eventId: event.eventId, type: event.type, status: result.status }, 'feishu event received');
  const answer = event.type === 'click' ? renderCardCallbackAnswer(result) : {};
  return { status: result.status, event, answer };
}

/** The event types the bot handles; everything else is answered with success and dropped. */
export const HANDLED_EVENT_TYPES = [
  FEISHU_EVENT_TYPES.message,
  FEISHU_EVENT_TYPES.cardAction,
  FEISHU_EVENT_TYPES.botAdded,
  FEISHU_EVENT_TYPES.botRemoved,
] as const;

/**
 * An SDK EventDispatcher whose handlers all run handleFeishuEvent and return
 * the answer body (what the SDK writes back: the HTTP body, or the long
 * connection's response frame).
 */
export function createFeishuDispatcher(
  deps: FeishuEventDeps,
  keys: { encryptKey?: string; verificationToken?: string } = {},
): lark.EventDispatcher {
  const dispatcher = new lark.EventDispatcher({
    encryptKey: keys.encryptKey,
    verificationToken: keys.verificationToken,
    logger: sdkLogger(deps.log ?? silentLogger),
    loggerLevel: lark.LoggerLevel.warn,
  });
  const handle = async (data: unknown): Promise<FeishuCardCallbackAnswer> => (await handleFeishuEvent(data, deps)).answer;
  const handles: Record<string, (data: unknown) => Promise<FeishuCardCallbackAnswer>> = {};
  for (const type of HANDLED_EVENT_TYPES) handles[type] = handle;
  // The typed handle map does not know card.action.trigger; the dispatcher
  // dispatches on any key.
  dispatcher.register(handles as Parameters<lark.EventDispatcher['register']>[0]);
  return dispatcher;
}
