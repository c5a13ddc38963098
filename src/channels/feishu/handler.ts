/**
 * The one path a Feishu event takes into the bot, shared by the webhook
 * (webhook.ts) and the long connection (ws.ts):
 * SDK EventDispatcher → handleFeishuEvent → translate → enrich (sender name,
 * voice to text, forwarded messages; each within a budget) → sink.receive.
 *
 * Feishu wants an answer within 3 s (events are redelivered, a card click shows
 * an error to the user): every look-up here is cached or bounded, and a click
 * whose processing runs late is answered at once and its card updated after.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { InboundEvent, InboundMessage, InboundSink, OutboundAction, ReceiveResult } from '../../core/channel.js';
import type { ForwardedItem } from './adapter.js';
import { sdkLogger, silentLogger, type FeishuLogger } from './log.js';
import { within } from './people.js';
import { renderCardCallbackAnswer, type FeishuCardCallbackAnswer } from './render.js';
import {
  FEISHU_EVENT_TYPES,
  envelopeOf,
  isMergeForward,
  mentionNamesOf,
  plainTextOf,
  tenantsOf,
  translateFeishuEvent,
  whyNotTranslated,
} from './translate.js';

/** What the handler needs of the people directory (FeishuPeople). */
export interface PeopleLookup {
  rememberName(openId: string, name: string): void;
  lookup(openId: string, o: { chatId?: string; external: boolean; budgetMs: number }): Promise<{ name?: string; departmentIds?: string[] }>;
  cached(openId: string, chatId?: string): { name?: string; departmentIds?: string[] };
}

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
   * Names from the contact API (own tenant), chat members and mentions (any
   * tenant), cached (FeishuChannel.people). When set, it is used instead of resolveUser.
   */
  people?: PeopleLookup;
  /**
   * Bound on each lookup (bot identity, sender name) in the request path:
   * Feishu wants an answer within 3 s. Default 500 ms; the caches are warmed at
   * start, and a late lookup is treated as unknown (and cached for the next event).
   */
  lookupTimeoutMs?: number;
  /** Voice message → text (FeishuChannel.transcribe); unset: voice is never transcribed. */
  transcribe?: (fileKey: string, messageId: string) => Promise<string | null>;
  /** Whether transcribe can succeed now (the app has the permission as far as is known). */
  canTranscribe?: () => boolean;
  /** Budget for a transcription in the request path. Default 1800 ms. */
  transcribeBudgetMs?: number;
  /** The messages inside a merge_forward (FeishuChannel.forwardedMessages). */
  forwardedMessages?: (messageId: string) => Promise<ForwardedItem[]>;
  /** Budget for reading a merge_forward. Default 1200 ms. */
  forwardBudgetMs?: number;
  /**
   * A card click is answered within this budget (default 2000 ms); a click the
   * bot is still working on is answered with a toast, and its card updated
   * with updateCard when the bot is done.
   */
  clickBudgetMs?: number;
  /** Sends a card update outside the click's answer (FeishuChannel.send). */
  updateCard?: (update: Extract<OutboundAction, { kind: 'card_update' }>, chatId: string) => Promise<void>;
  log?: FeishuLogger;
  now?: () => Date;
}

/** Toast for a click answered before the bot was done with it. */
export const CLICK_PENDING_TOAST = '已收到，正在处理…';

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
  const lookupMs = deps.lookupTimeoutMs ?? 500;
  const botOpenId = deps.botOpenId ? await within(deps.botOpenId(), lookupMs, undefined) : undefined;
  const event = translateFeishuEvent(payload, { botOpenId, receivedAt: (deps.now ?? (() => new Date()))() });
  if (!event) {
    // Answered with success all the same: Feishu must not redeliver what we will never read.
    log.info({ eventId: env?.eventId, eventType: env?.eventType, why: whyNotTranslated(payload) }, 'feishu event not for the bot; answered and dropped');
    return { status: 'not_translated', answer: {} };
  }
  event.raw = redactFeishuPayload(payload);
  // Names the chat shows for the people mentioned (the only name source for another tenant's people besides members).
  for (const m of mentionNamesOf(payload)) deps.people?.rememberName(m.openId, m.name);
  if (event.type !== 'recall' && event.sender.id) await nameSender(event, payload, deps, lookupMs);
  if (event.type === 'message') await enrichMessage(event, payload, deps, log);

  if (event.type === 'click') return answerClick(event, deps, log);
  // Messages are recorded and answered at once (Feishu redelivers what is not answered
  // within 3 s); the bot acts on them right after.
  const result = await deps.sink.receive(event, event.type === 'message' ? { defer: true } : undefined);
  log.debug({ eventId: event.eventId, type: event.type, status: result.status }, 'feishu event received');
  return { status: result.status, event, answer: {} };
}

/**
 * Sender's display name and departments. Someone of another tenant (external
 * group) is named from the chat's members and mentions only: the contact API
 * cannot read them.
 */
async function nameSender(event: InboundEvent, payload: unknown, deps: FeishuEventDeps, budgetMs: number): Promise<void> {
  const tenants = tenantsOf(payload);
  const external = Boolean(tenants.app && tenants.sender && tenants.app !== tenants.sender);
  let profile: { name?: string; departmentIds?: string[] } | null;
  if (deps.people) {
    profile = await deps.people.lookup(event.sender.id, { chatId: event.chat.id, external, budgetMs });
  } else {
    profile = deps.resolveUser && !external ? await within(deps.resolveUser(event.sender.id), budgetMs, null) : null;
  }
  // No name to be had (no contact scope, lookup late or failed): show the open_id.
  event.sender.name = event.sender.name || profile?.name || event.sender.id;
  // Departments map to roles only for the app's own tenant.
  if (!external && profile?.departmentIds && profile.departmentIds.length > 0) event.sender.departmentIds = [...profile.departmentIds];
}

/** Voice to text, forwarded messages to one report; each within its budget, never failing the event. */
async function enrichMessage(msg: InboundMessage, payload: unknown, deps: FeishuEventDeps, log: FeishuLogger): Promise<void> {
  const audio = msg.attachments?.find((a) => a.kind === 'audio');
  if (audio && !msg.text) {
    const can = deps.transcribe && (deps.canTranscribe?.() ?? true);
    const text = can ? await within(deps.transcribe!(audio.key, msg.messageId), deps.transcribeBudgetMs ?? 1800, null) : null;
    if (text) msg.text = text.slice(0, 4000);
    else msg.untranscribedAudio = true;
    log.debug({ messageId: msg.messageId, transcribed: Boolean(text) }, 'feishu voice message');
  }
  if (isMergeForward(payload) && deps.forwardedMessages) {
    const items = await within(deps.forwardedMessages(msg.messageId), deps.forwardBudgetMs ?? 1200, null);
    if (items) msg.text = forwardedText(msg.messageId, items, deps, msg.chat.id);
    else log.info({ messageId: msg.messageId }, 'feishu merge_forward not read in time; taken as empty');
  }
}

/**
 * The messages of a merge_forward as one report, each line with its original
 * sender: "王站长：3号闸机不读卡". Nested forwards are read in place. Bounded.
 */
export function forwardedText(containerId: string, items: ForwardedItem[], deps: Pick<FeishuEventDeps, 'people'>, chatId?: string): string {
  const children = new Map<string, ForwardedItem[]>();
  for (const it of items) {
    if (it.messageId === containerId && !it.upperMessageId) continue;
    const parent = it.upperMessageId ?? containerId;
    const list = children.get(parent) ?? [];
    list.push(it);
    children.set(parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number): void => {
    const list = (children.get(parent) ?? []).sort((a, b) => Number(a.createTime ?? 0) - Number(b.createTime ?? 0));
    for (const it of list) {
      if (lines.length >= 100 || depth > 3) return;
      if (it.msgType === 'merge_forward') {
        walk(it.messageId, depth + 1);
        continue;
      }
      const text = plainTextOf(it.msgType, it.content).trim();
      if (!text) continue;
      const who = it.senderId ? (deps.people?.cached(it.senderId, chatId).name ?? (it.senderType === 'app' ? '机器人' : it.senderId)) : '';
      lines.push(`${who ? `${who}：` : ''}${text}`.slice(0, 1000));
    }
  };
  walk(containerId, 0);
  return lines.join('\n');
}

/**
 * A click's answer is the bot's result (toast and the card as it is now), if
 * the bot is done within the budget; otherwise a toast at once, and the card
 * updated when the bot is done. Throws what the sink throws within the budget
 * (the caller answers 5xx, Feishu retries).
 */
async function answerClick(event: Extract<InboundEvent, { type: 'click' }>, deps: FeishuEventDeps, log: FeishuLogger): Promise<FeishuEventOutcome> {
  const work = deps.sink.receive(event);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.clickBudgetMs ?? 2000);
    timer.unref?.();
  });
  try {
    const first = await Promise.race([work, late]);
    if (first !== 'late') return { status: first.status, event, answer: renderCardCallbackAnswer(first) };
  } finally {
    clearTimeout(timer);
  }
  log.warn({ eventId: event.eventId }, 'feishu card click still being processed after the answer budget; answered with a toast, the card follows');
  void work.then(
    async (result) => {
      if (result.card && deps.updateCard) await deps.updateCard(result.card, event.chat.id);
    },
    (err: unknown) => log.error({ eventId: event.eventId, err: err instanceof Error ? err.message : String(err) }, 'feishu card click failed after its answer'),
  ).catch((err: unknown) => log.warn({ eventId: event.eventId, err: err instanceof Error ? err.message : String(err) }, 'feishu card update after a late click failed'));
  return { status: 'queued', event, answer: { toast: { type: 'info', content: CLICK_PENDING_TOAST } } };
}

/** The event types the bot handles; everything else is answered with success and dropped. */
export const HANDLED_EVENT_TYPES = [
  FEISHU_EVENT_TYPES.message,
  FEISHU_EVENT_TYPES.cardAction,
  FEISHU_EVENT_TYPES.botAdded,
  FEISHU_EVENT_TYPES.botRemoved,
  FEISHU_EVENT_TYPES.recalled,
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
