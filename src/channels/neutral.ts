/**
 * The one place the WeCom channels take the service's neutral types and shared
 * channel helpers from. The channel interface is in src/core/channel.ts;
 * the WeCom channels import it from here only.
 */
export {
  PermanentSendError,
  RetryableSendError,
  UndeliverableError,
  type AttachmentRef,
  type Button,
  type ChannelName,
  type ChannelStatus,
  type ChatRef,
  type InboundClick,
  type InboundEvent,
  type InboundMembership,
  type InboundMessage,
  type InboundSink,
  type Mention,
  type OutboundAction,
  type PlatformUser,
  type ReceiveResult,
  type SendContext,
  type SendResult,
} from '../core/channel.js';
/** The plain-text card (title, text, numbered choices) that WeChat shows; WeCom falls back to it. */
export { renderCardText } from './wechat/render.js';
/** Per-chat pacing with a sliding window; a send that would wait too long is handed back as retryable. */
export { Pacer, type PacerClock, systemClock } from './wechat/pacer.js';

/** The logger the WeCom channels take: pino's `(obj, msg)` calling convention, nothing more. */
export interface ChannelLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};
export const silentLogger: ChannelLogger = { debug: noop, info: noop, warn: noop, error: noop };
