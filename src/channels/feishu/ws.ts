/**
 * Long-connection mode: lark.WSClient receives events and card callbacks over
 * a WebSocket the service opens itself (no public URL needed), and hands them
 * to the same EventDispatcher → handleFeishuEvent path as the webhook.
 *
 * What the SDK does with a handler's outcome (WSClient.handleEventData): it
 * invokes the dispatcher with needCheck: false (frames are plaintext and the
 * connection is authenticated), answers the frame with code 200 and the
 * handler's return value (base64 JSON: the card callback answer), or with
 * code 500 when the handler throws, e.g. when the sink could not record the
 * event, so Feishu delivers it again.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { ChannelStatus } from '../../core/channel.js';
import { resolveFeishuDomain } from './adapter.js';
import { createFeishuDispatcher, type FeishuEventDeps } from './handler.js';
import { sdkLogger, silentLogger, type FeishuLogger } from './log.js';

export interface FeishuLongConnectionOptions {
  appId: string;
  appSecret: string;
  domain?: string;
  deps: FeishuEventDeps;
  log?: FeishuLogger;
  /** Tests inject a client; otherwise a lark.WSClient is built. */
  wsClient?: Pick<lark.WSClient, 'start' | 'close' | 'getConnectionStatus'>;
}

export class FeishuLongConnection {
  readonly dispatcher: lark.EventDispatcher;
  private readonly ws: Pick<lark.WSClient, 'start' | 'close' | 'getConnectionStatus'>;
  private readonly log: FeishuLogger;
  private readonly appId: string;
  private started = false;
  private lastError: string | undefined;

  constructor(opts: FeishuLongConnectionOptions) {
    this.log = opts.log ?? silentLogger;
    this.appId = opts.appId;
    this.dispatcher = createFeishuDispatcher({ ...opts.deps, log: opts.deps.log ?? this.log });
    this.ws =
      opts.wsClient ??
      new lark.WSClient({
        appId: opts.appId,
        appSecret: opts.appSecret,
        domain: resolveFeishuDomain(opts.domain),
        logger: sdkLogger(this.log),
        loggerLevel: lark.LoggerLevel.info,
        autoReconnect: true,
        source: 'servicebot',
        onReady: () => {
          this.lastError = undefined;
          this.log.info({}, 'feishu long connection ready');
        },
        onReconnected: () => this.log.info({}, 'feishu long connection re-established'),
        onError: (err: Error) => {
          this.lastError = err.message;
          this.log.error({ err: err.message }, 'feishu long connection failed');
        },
      });
  }

  async start(): Promise<void> {
    // WSClient.start() silently returns (it only logs) for an app id that is
    // not "cli_" + 16 hex digits; fail loudly instead.
    if (!/^cli_[0-9a-fA-F]{16}$/.test(this.appId)) {
      throw new Error(`Feishu long connection: app id "${this.appId}" is not of the form cli_ + 16 hex digits`);
    }
    await this.ws.start({ eventDispatcher: this.dispatcher });
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.ws.close({ force: true });
  }

  status(): ChannelStatus {
    const s = this.ws.getConnectionStatus();
    return {
      channel: 'feishu',
      connected: s.state === 'connected',
      detail: `long connection ${s.state}${s.reconnectAttempts ? `, ${s.reconnectAttempts} reconnect attempts` : ''}${this.lastError ? `: ${this.lastError}` : ''}`,
    };
  }
}
