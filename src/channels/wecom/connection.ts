/**
 * The long connection to WeCom (智能机器人长连接, …/document/path/101463), around the official
 * SDK's WSClient, with the states /healthz shows.
 *
 * What the SDK (1.0.7) does itself, and what this adds:
 * - it subscribes (aibot_subscribe with bot_id and secret) on open, pings every 30 s and treats
 *   two missed heartbeat acks as a dead connection;
 * - it reconnects with exponential back-off (1 s … 30 s); here without a limit on attempts, so a
 *   long outage ends in a reconnect, not in a channel that gave up;
 * - after `maxAuthFailureAttempts` refused subscriptions (wrong bot id or secret) it stops: here
 *   the state says so, and one more try follows after `authRetryMs` (default 30 min);
 * - WeCom allows one connection per bot: a new one makes WeCom send `disconnected_event` to the
 *   old one and close it, and the SDK then stays down. Here the replaced side waits
 *   `replacedRetryMs` (default 10 min) before it connects again, so two replicas configured with
 *   the same bot swap at most that often instead of taking the connection from each other in a loop.
 * - `epoch` counts authenticated connections: a frame's req_id is answered only on the
 *   connection it came in on.
 */
import { WSClient, type WsFrame } from '@wecom/aibot-node-sdk';
import { silentLogger, type ChannelLogger } from '../neutral.js';

export type ConnectionState = 'stopped' | 'connecting' | 'connected' | 'reconnecting' | 'replaced' | 'auth_failed';

export interface WecomConnectionOptions {
  botId: string;
  secret: string;
  /** Tests and private deployments: the WebSocket address (default: the SDK's wss://openws.work.weixin.qq.com). */
  wsUrl?: string;
  heartbeatMs?: number;
  reconnectBaseMs?: number;
  maxAuthFailureAttempts?: number;
  authRetryMs?: number;
  replacedRetryMs?: number;
  log?: ChannelLogger;
  /** Tests inject a client built their way; otherwise a WSClient is made from the options. */
  client?: WSClient;
}

export interface ConnectionStatus {
  state: ConnectionState;
  since: Date;
  /** Connections established (authenticated) since start. */
  connects: number;
  /** Reconnect attempts since the last successful subscription. */
  reconnectAttempts: number;
  lastError?: string;
}

export class WecomConnection {
  readonly client: WSClient;
  private readonly log: ChannelLogger;
  private state: ConnectionState = 'stopped';
  private since = new Date();
  private connects = 0;
  private attempts = 0;
  private lastError: string | undefined;
  private retryTimer: NodeJS.Timeout | null = null;
  private waiters: Array<() => void> = [];
  private frameHandler: ((frame: WsFrame) => void) | null = null;
  /** Increments at each authenticated connection. */
  epoch = 0;

  constructor(private readonly opts: WecomConnectionOptions) {
    this.log = opts.log ?? silentLogger;
    this.client =
      opts.client ??
      new WSClient({
        botId: opts.botId,
        secret: opts.secret,
        ...(opts.wsUrl ? { wsUrl: opts.wsUrl } : {}),
        heartbeatInterval: opts.heartbeatMs ?? 30_000,
        reconnectInterval: opts.reconnectBaseMs ?? 1000,
        maxReconnectAttempts: -1,
        maxAuthFailureAttempts: opts.maxAuthFailureAttempts ?? 5,
        logger: sdkLogger(this.log),
      });
    this.client.on('authenticated', () => {
      this.epoch += 1;
      this.connects += 1;
      this.attempts = 0;
      this.lastError = undefined;
      this.setState('connected');
      this.log.info({ epoch: this.epoch }, 'wecom: long connection subscribed');
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    });
    this.client.on('disconnected', (reason: string) => {
      if (this.state === 'stopped' || this.state === 'replaced') return;
      this.setState('reconnecting');
      this.log.warn({ reason: String(reason).slice(0, 200) }, 'wecom: long connection lost');
    });
    this.client.on('reconnecting', (attempt: number) => {
      this.attempts = attempt;
      if (this.state !== 'stopped') this.setState('reconnecting');
    });
    this.client.on('error', (err: Error) => {
      this.lastError = err.message.slice(0, 300);
      const code = (err as { code?: unknown }).code;
      if (code === 'WS_AUTH_FAILURE_EXHAUSTED') {
        this.setState('auth_failed');
        this.log.error({ err: err.message }, 'wecom: the bot id or secret was refused; check WECOM_BOT_ID and WECOM_BOT_SECRET');
        this.retryLater(this.opts.authRetryMs ?? 30 * 60_000);
      } else {
        this.log.warn({ err: err.message }, 'wecom: connection error');
      }
    });
    const onFrame = (frame: WsFrame): void => {
      if ((frame.body as { event?: { eventtype?: unknown } } | undefined)?.event?.eventtype === 'disconnected_event') {
        this.onReplaced();
        return;
      }
      this.frameHandler?.(frame);
    };
    this.client.on('message', onFrame);
    this.client.on('event', onFrame);
  }

  /** Every message and event frame (except the connection's own disconnected_event). */
  onFrame(handler: (frame: WsFrame) => void): void {
    this.frameHandler = handler;
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.setState('connecting');
    this.client.connect();
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const wasRunning = this.state !== 'stopped';
    this.setState('stopped');
    if (wasRunning) {
      try {
        this.client.disconnect();
      } catch {
        /* already down */
      }
    }
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  get connected(): boolean {
    return this.state === 'connected' && this.client.isConnected;
  }

  /** Resolves true once subscribed (at once if already), false after `timeoutMs` or on stop. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    if (this.state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.connected);
      };
      this.waiters.push(done);
    });
  }

  status(): ConnectionStatus {
    return {
      state: this.state,
      since: this.since,
      connects: this.connects,
      reconnectAttempts: this.attempts,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private onReplaced(): void {
    if (this.state === 'stopped') return;
    this.setState('replaced');
    this.lastError = 'another connection with this bot id took over (disconnected_event)';
    const wait = this.opts.replacedRetryMs ?? 10 * 60_000;
    this.log.error(
      { retryInMs: wait },
      'wecom: another connection with this bot id took over; run the WeCom bot on one replica only. Trying again later.',
    );
    this.retryLater(wait);
  }

  private retryLater(ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === 'stopped') return;
      this.setState('connecting');
      try {
        this.client.disconnect();
      } catch {
        /* the SDK says "not connected" when it already stopped */
      }
      this.client.connect();
    }, ms);
    this.retryTimer.unref?.();
  }

  private setState(s: ConnectionState): void {
    if (s === this.state) return;
    this.state = s;
    this.since = new Date();
  }
}

/** The SDK's Logger (`(message, ...args)`) on top of ours. */
export function sdkLogger(log: ChannelLogger): { debug(m: string, ...a: unknown[]): void; info(m: string, ...a: unknown[]): void; warn(m: string, ...a: unknown[]): void; error(m: string, ...a: unknown[]): void } {
  const line = (m: string, a: unknown[]): string =>
    [m, ...a.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : safeJson(x)))].join(' ').slice(0, 1000);
  return {
    // The SDK logs every frame body at debug: keep it out of info.
    debug: (m, ...a) => log.debug({ sdk: 'wecom' }, line(m, a)),
    info: (m, ...a) => log.debug({ sdk: 'wecom' }, line(m, a)),
    warn: (m, ...a) => log.warn({ sdk: 'wecom' }, line(m, a)),
    error: (m, ...a) => log.warn({ sdk: 'wecom' }, line(m, a)),
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
