/**
 * Neutral messages: what every channel adapter turns platform events into, and
 * what the bot hands back to adapters to send. Nothing here knows a platform SDK.
 */

export const CHANNELS = ['wechat', 'feishu', 'sandbox'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** A person as the platform identifies them (id is the platform's own user id). */
export interface PlatformUser {
  id: string;
  name: string;
  /** The platform's department ids where it has them (Feishu open_department_id), for role mapping by configuration. */
  departmentIds?: string[];
}

/** Where a message came from: the platform's chat id plus what we know of the chat. */
export interface ChatRef {
  /** Platform chat id (Feishu chat_id "oc_…", WeChat room id "…@chatroom", sandbox chat name). */
  id: string;
  /** Group chat or a one-to-one chat with the bot. */
  type: 'group' | 'p2p';
  title?: string;
  /** Only the sandbox sets this ("managers…" chats); real channels take purpose from configuration. */
  purposeHint?: 'customer' | 'managers';
}

export interface AttachmentRef {
  kind: 'image' | 'file';
  /** Platform key needed to download it later (Feishu image_key, WeChat message id, …). */
  key: string;
  name?: string;
}

interface InboundBase {
  channel: ChannelName;
  /**
   * The platform's delivery id. A redelivered event carries the same id and is
   * ignored (unique on channel + eventId).
   */
  eventId: string;
  chat: ChatRef;
  sender: PlatformUser;
  /** When the platform says the event happened (not when we received it). */
  at: Date;
  /** The raw platform payload, kept for audit and replay. Must be JSON-serialisable. */
  raw?: unknown;
  /**
   * Only the sandbox sets this (the page lets you pick who you are). Real channels
   * take roles from configuration or a manager's command, never from the event.
   */
  senderRoleHint?: 'customer' | 'engineer' | 'desk' | 'manager' | 'vp';
}

export interface InboundMessage extends InboundBase {
  type: 'message';
  /** Platform message id: a second dedup key (Feishu can redeliver under a new event id). */
  messageId: string;
  /** Plain text with the bot's own @mention removed and other mentions left as "@name". */
  text: string;
  /** People mentioned in the message (the bot itself excluded). */
  mentions: PlatformUser[];
  /** Whether the bot itself was @mentioned. */
  mentionsBot: boolean;
  /** The platform message id this message quotes or replies to, if any. */
  replyToMessageId?: string;
  attachments?: AttachmentRef[];
}

/** A click on a button of one of the bot's messages (Feishu card, sandbox button). */
export interface InboundClick extends InboundBase {
  type: 'click';
  /** Platform message id of the bot message whose button was clicked. */
  messageId: string;
  /** The button's value, as the bot put it on the button. */
  value: string;
}

/** The bot was added to or removed from a chat. */
export interface InboundMembership extends InboundBase {
  type: 'bot_added' | 'bot_removed';
}

export type InboundEvent = InboundMessage | InboundClick | InboundMembership;

/** A person to @mention in an outbound message. */
export interface Mention {
  /** Platform user id in the target channel. */
  id: string;
  name: string;
}

export interface Button {
  label: string;
  /** Opaque to adapters: comes back unchanged in InboundClick.value. */
  value: string;
  /** Visual hint for channels that have styles. */
  style?: 'primary' | 'default' | 'danger';
}

/**
 * What the bot wants said. Adapters render it natively: Feishu as text/post or
 * an interactive card, WeChat as text with numbered lines instead of buttons.
 */
export type OutboundAction =
  | {
      kind: 'text';
      text: string;
      /** People to @mention; adapters put real mentions in front of the text. */
      mentions?: Mention[];
      /** Platform message id to reply to (keeps a ticket's conversation in one thread). */
      replyTo?: string;
    }
  | {
      kind: 'card';
      title: string;
      text: string;
      buttons: Button[];
      mentions?: Mention[];
      replyTo?: string;
      /**
       * For channels without buttons: the person whose bare number answers this
       * card ("回复 1–4"). Informational; the bot keeps the pending question.
       */
      numbered?: boolean;
    }
  | {
      kind: 'card_update';
      /** Platform message id of the card to update. */
      messageId: string;
      title: string;
      text: string;
      /** The choice that was made, shown in place of the buttons. */
      chosen?: string;
    }
  | {
      kind: 'image';
      /** PNG bytes, base64. */
      pngBase64: string;
      caption?: string;
      replyTo?: string;
    };

export interface SendContext {
  /** Platform chat id to send to. */
  chatId: string;
  /** Stable per outbox row: the platform's idempotency key where it has one. */
  idempotencyKey: string;
  /** 1 for the first try. */
  attempt: number;
}

export interface SendResult {
  /** The platform's id of the message that was posted (used for replies and card updates). */
  messageId?: string;
}

/** A send that may succeed later: network error, 5xx, timeout, rate limit. */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
  constructor(
    message: string,
    /** Milliseconds the platform asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A send that will never succeed as it is: bot removed from chat, message too long, bad request. */
export class PermanentSendError extends Error {
  override name = 'PermanentSendError';
  constructor(
    message: string,
    readonly code?: string | number,
  ) {
    super(message);
  }
}

/** What a channel adapter gives the rest of the service. */
export interface ChannelAdapter {
  readonly channel: ChannelName;
  /** Post one outbound action. Throws RetryableSendError or PermanentSendError. */
  send(action: OutboundAction, ctx: SendContext): Promise<SendResult>;
  /** Download an attachment named by an inbound AttachmentRef (for keeping it on the ticket). */
  downloadAttachment?(ref: AttachmentRef, messageId: string): Promise<Buffer>;
  /** Connect (long connections, logins). Webhook-only adapters need not implement it. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** For /healthz and the dashboard. */
  status?(): ChannelStatus;
}

export interface ChannelStatus {
  channel: ChannelName;
  connected: boolean;
  detail?: string;
}

/** What the bot answers an adapter for one inbound event. */
export interface ReceiveResult {
  /**
   * processed: stored and acted on; duplicate: seen before, nothing done; ignored: stored,
   * nothing to do; queued: stored, to be acted on right after (ReceiveOptions.defer).
   */
  status: 'processed' | 'duplicate' | 'ignored' | 'queued';
  /** For clicks: a short message to show the clicker (Feishu toast). */
  toast?: string;
  /** For clicks: the clicked card as it should look now. */
  card?: Extract<OutboundAction, { kind: 'card_update' }>;
}

export interface ReceiveOptions {
  /**
   * Record the event and answer at once; act on it right after. For platforms
   * that redeliver an event not answered within seconds (Feishu). Clicks are
   * never deferred: their answer is the result.
   */
  defer?: boolean;
}

/** The single entry point every channel, the replay CLI and the tests call. */
export interface InboundSink {
  receive(event: InboundEvent, opts?: ReceiveOptions): Promise<ReceiveResult>;
}
