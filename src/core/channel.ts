/**
 * The one channel interface (Channel) and the neutral messages it speaks:
 * every channel turns platform events into InboundEvents for the InboundSink
 * (the bot), and posts the bot's OutboundActions. Nothing here knows a platform
 * SDK. A new channel is a folder under src/channels implementing Channel, its
 * name added to CHANNELS below and its module to src/channels/index.ts.
 */
import type { Middleware } from 'koa';

/** Every channel's name: stored on chats, people, events and outbox rows. */
export const CHANNELS = ['wechat', 'feishu', 'sandbox', 'wecom', 'wecom-kf'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * Channels whose chats are one customer alone with the bot (微信客服), and which have no groups:
 * what the staff must see and act on goes to the customer's staff group or a managers' group on
 * another running channel (bot/directory.ts staffChatFor).
 */
export const CUSTOMER_ONLY_CHANNELS: readonly ChannelName[] = ['wecom-kf'];

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
  /** audio and video: voice messages and clips (Feishu audio / media), kept like files. */
  kind: 'image' | 'file' | 'audio' | 'video';
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
  /** The raw platform payload, kept for audit and replay (Channel.replay takes it back). Must be JSON-serialisable. */
  raw?: unknown;
  /**
   * The bot's own message, echoed back by the platform. Channels drop these at
   * their door when they can tell at once (all of today's do); one that can only
   * mark them passes them on marked, and the router's first step skips them.
   */
  fromSelf?: boolean;
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
  /**
   * Things shared in the message that are not text to read: a location, a
   * shared group or contact card ("位置：小寨站"). Noted on the sender's open ticket.
   */
  notes?: string[];
  /**
   * Set when the message is speech the channel could not turn into text (no
   * speech-to-text permission, or too slow): the bot asks the sender to type it.
   */
  untranscribedAudio?: boolean;
}

/** A click on a button of one of the bot's messages (Feishu card, sandbox button). */
export interface InboundClick extends InboundBase {
  type: 'click';
  /** Platform message id of the bot message whose button was clicked. */
  messageId: string;
  /** The button's value, as the bot put it on the button. */
  value: string;
}

/**
 * A message was withdrawn (Feishu recall). `messageId` is the recalled message;
 * the sender is unknown to the platform event (whoever recalled it).
 */
export interface InboundRecall extends InboundBase {
  type: 'recall';
  messageId: string;
}

/** The bot was added to or removed from a chat. */
export interface InboundMembership extends InboundBase {
  type: 'bot_added' | 'bot_removed';
}

export type InboundEvent = InboundMessage | InboundClick | InboundMembership | InboundRecall;

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
 * Who a message is for: the customer's chat, or the supplier's staff (dispatch
 * requests, reminders, escalations). Set where the message is composed; a
 * channel may deliver staff messages elsewhere (a staff group, privately).
 * Unset means as addressed (the chat of the outbox row).
 */
export type Audience = 'customer' | 'staff';

/**
 * What the bot wants said. Channels render it natively: Feishu as text/post or
 * an interactive card. What a channel cannot show (its ChannelCapabilities) is
 * turned into plain text before it reaches the channel (core/plain-text.ts):
 * a card becomes its text with numbered choices, the same on every channel.
 */
export type OutboundAction =
  | {
      kind: 'text';
      text: string;
      /** People to @mention; adapters put real mentions in front of the text. */
      mentions?: Mention[];
      /** Platform message id to reply to (keeps a ticket's conversation in one thread). */
      replyTo?: string;
      /** A question the bot waits on (channels that only see @-messages say how to answer). */
      expectsAnswer?: boolean;
      audience?: Audience;
    }
  | {
      kind: 'card';
      title: string;
      text: string;
      buttons: Button[];
      mentions?: Mention[];
      replyTo?: string;
      audience?: Audience;
      /**
       * For channels without buttons: the person whose bare number answers this
       * card ("回复 1–4"). Informational; the bot keeps the pending question.
       */
      numbered?: boolean;
      /** A question the bot waits on (channels that only see @-messages say how to answer). */
      expectsAnswer?: boolean;
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
      audience?: Audience;
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

/**
 * A message the platform will not take for this recipient now, though nothing is wrong with it
 * (WeChat Customer Service: 48 h since the customer last wrote, or 5 messages sent since). The
 * dispatcher does not drop it: the supplier's staff are told through the outbox, and the ticket
 * says so (bot/undelivered.ts).
 */
export class UndeliverableError extends PermanentSendError {
  override name = 'UndeliverableError';
  constructor(
    message: string,
    code: string | number,
    /** Why, as a key of the catalogue's reasons (bot/messages/delivery.ts): kf_expired, kf_five_sent, kf_no_message. */
    readonly reason: string,
  ) {
    super(message, code);
  }
}

/**
 * What a channel can show. The dispatcher turns what it cannot into the plain
 * text every channel can show (core/plain-text.ts fitToChannel), so a channel
 * only ever receives actions it can render.
 */
export interface ChannelCapabilities {
  /** Buttons on a message, clicked back as InboundClick. Without: the card as text with numbered choices. */
  cards: boolean;
  /** A sent card changed in place (card_update). Without: a short line, or nothing when the person's reply already shows the choice. */
  cardUpdates: boolean;
  /** A reply in the thread of (or quoting) a message (replyTo). Without: a plain message in the chat. */
  threads: boolean;
  /** Real @mentions. Without: "@name" written in front of the text. */
  mentions: boolean;
  /** Images (the digest chart). Without: the caption alone. */
  images: boolean;
  /** Inbound attachments it can download (downloadAttachment). */
  attachments: boolean;
}

/**
 * The one interface every channel implements (sandbox, Feishu, WeChat, and the
 * ones to come). A channel is a thin adapter: platform → neutral event into the
 * sink, neutral action → platform call. The contract suite
 * (test/channels/channel-contract.test.ts) runs over every channel.
 */
export interface Channel {
  readonly name: ChannelName;
  readonly capabilities: ChannelCapabilities;
  /** HTTP routes it serves on the service's port (a webhook, a login page, the sandbox API); mounted before any body parser. */
  readonly routes: readonly Middleware[];
  /** Connects (long connection, login) and learns its identity; a channel that loses its connection reconnects by itself. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts one outbound action, already fitted to its capabilities. Throws RetryableSendError or PermanentSendError. */
  send(action: OutboundAction, ctx: SendContext): Promise<SendResult>;
  /** The bytes of an attachment an inbound message named; PermanentSendError when it cannot be had. */
  downloadAttachment(ref: AttachmentRef, messageId: string): Promise<Buffer>;
  /** For /healthz and the dashboard. */
  status(): ChannelStatus;
  /**
   * false while another replica holds the platform's one connection (the WeCom bot): the
   * dispatcher leaves this channel's rows to the replica that can send them. Absent: always true.
   */
  sendsHere?(): boolean;
  /**
   * A saved platform payload (as kept in InboundEvent.raw) through the channel's
   * real inbound path — translation, lookups — into the sink, as if the platform
   * had delivered it again: the replay CLI and the channel contract tests.
   * null: not an event the channel handles (nothing reached the sink).
   */
  replay(payload: unknown): Promise<ReceiveResult | null>;
}

/** The logger a channel takes: pino's `(obj, msg)` calling convention, nothing more. */
export interface ChannelLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
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
  /** Throws InvalidEventError for a malformed event (nothing stored); any other error means "not recorded, deliver again". */
  receive(event: InboundEvent, opts?: ReceiveOptions): Promise<ReceiveResult>;
}

/** The event was malformed: answered 4xx by HTTP channels, nothing stored. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}
