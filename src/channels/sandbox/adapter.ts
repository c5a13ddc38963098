/**
 * The sandbox channel: simulated group chats in the browser (and the harness
 * of end-to-end tests). It goes through exactly the same path as WeChat and
 * Feishu: a neutral InboundEvent into the bot, the outbox out through send().
 * Its messages, both directions, are kept in the SandboxMessage table; its
 * HTTP routes (the page and its API) are in routes.ts.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Middleware } from 'koa';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/types.js';
import { HttpError } from '../../web/body.js';
import {
  PermanentSendError,
  type AttachmentRef,
  type Button,
  type Channel,
  type ChannelCapabilities,
  type ChannelStatus,
  type InboundSink,
  type Mention,
  type OutboundAction,
  type PlatformUser,
  type ReceiveResult,
  type SendContext,
  type SendResult,
} from '../../core/channel.js';

const ROLE = z.enum(['customer', 'engineer', 'desk', 'manager', 'vp']);
const person = z
  .object({
    id: z.string().trim().min(1).max(64),
    name: z.string().trim().min(1).max(64),
    role: ROLE.default('customer'),
  })
  .strict();
const chatName = z.string().trim().min(1).max(64).regex(/^[\w\u4e00-\u9fff-]+$/, 'letters, digits, - or _');

/** A photo or sound clip sent with a message: at most 2 MiB once decoded. */
export const SANDBOX_FILE_MAX_BYTES = 2 * 1024 * 1024;
const SandboxFileSchema = z
  .object({
    kind: z.enum(['image', 'audio']),
    name: z.string().trim().max(120).optional(),
    dataBase64: z.string().min(1).max(Math.ceil(SANDBOX_FILE_MAX_BYTES / 3) * 4 + 4),
  })
  .strict();

/** What a photo or a clip may be (checked on its bytes): what phones and browsers record. */
const SANDBOX_TYPES: Record<'image' | 'audio', ReadonlySet<string>> = {
  image: new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
  audio: new Set(['audio/mpeg', 'audio/mp4', 'audio/x-m4a', 'audio/aac', 'audio/ogg', 'audio/opus', 'audio/wav', 'audio/x-wav', 'audio/webm', 'audio/amr', 'video/webm', 'video/ogg']),
};

export const SandboxPostSchema = z
  .object({
    chat: chatName,
    from: person,
    text: z.string().max(20_000),
    /** The sandbox message this one replies to (quotes). */
    replyTo: z.string().max(80).optional(),
    attachment: SandboxFileSchema.optional(),
  })
  .strict()
  .refine((m) => m.text.trim() !== '' || m.attachment, { message: 'give text, an attachment, or both', path: ['text'] });
export const SandboxClickSchema = z
  .object({ chat: chatName, from: person, messageId: z.string().min(1).max(80), value: z.string().min(1).max(200) })
  .strict();

export type SandboxPost = z.infer<typeof SandboxPostSchema>;
export type SandboxClick = z.infer<typeof SandboxClickSchema>;

export interface SandboxMessageView {
  id: string;
  from: { id: string; name: string; role: string };
  text: string;
  mentions: Mention[];
  buttons: Button[];
  replyTo: string | null;
  image: string | null;
  /** A photo or sound clip the person sent (served at url). */
  attachment: { kind: 'image' | 'audio'; mime: string; name: string | null; url: string } | null;
  at: string;
}

interface StoredFile {
  kind: 'image' | 'audio';
  mime: string;
  name: string | null;
  base64: string;
}

/** A request the sandbox cannot take: answered 400 with the message. */
export class SandboxInputError extends HttpError {
  override name = 'SandboxInputError';
  constructor(message: string) {
    super(400, message);
  }
}

export const BOT_ID = 'servicebot';
const BOT_NAME = '售后服务助手';

/** The sandbox page shows buttons, edits a card in place, threads replies and shows images; photos and clips sent from it download like a platform's. */
export const SANDBOX_CAPABILITIES: ChannelCapabilities = { cards: true, cardUpdates: true, threads: true, mentions: true, images: true, attachments: true };

/** A saved sandbox post to deliver again: the post as sent, and the message id it had (its redelivery is then a duplicate). */
const SandboxReplaySchema = SandboxPostSchema.extend({ messageId: z.string().min(1).max(80).optional() });

export class SandboxChannel implements Channel {
  readonly name = 'sandbox' as const;
  readonly channel = 'sandbox' as const;
  readonly capabilities = SANDBOX_CAPABILITIES;
  routes: readonly Middleware[] = [];
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Where replayed posts go (the bot). */
    private readonly sink?: InboundSink,
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  status(): ChannelStatus {
    return { channel: 'sandbox', connected: true };
  }

  /** A saved post (the body of POST /api/sandbox/messages, with its messageId to deliver the same message again). */
  async replay(payload: unknown): Promise<ReceiveResult | null> {
    if (!this.sink) throw new Error('sandbox replay: no sink');
    const r = SandboxReplaySchema.safeParse(payload);
    if (!r.success) return null;
    const { messageId, ...post } = r.data;
    return (await this.deliver(post, this.sink, messageId)).result;
  }

  async send(action: OutboundAction, ctx: SendContext): Promise<SendResult> {
    const at = this.clock.now();
    if (action.kind === 'card_update') {
      const row = await this.db.sandboxMessage.findUnique({ where: { messageId: action.messageId } });
      if (!row) throw new PermanentSendError(`no sandbox message ${action.messageId} to update`);
      await this.db.sandboxMessage.update({ where: { id: row.id }, data: cardUpdated(row.text, action.chosen) });
      return { messageId: row.messageId };
    }
    // Idempotent by key: a retried send returns the first message.
    const messageId = `bot-${ctx.idempotencyKey}`;
    const existing = await this.db.sandboxMessage.findUnique({ where: { messageId } });
    if (existing) return { messageId };
    const base = { chat: ctx.chatId, messageId, senderId: BOT_ID, senderName: BOT_NAME, senderRole: 'bot', at };
    if (action.kind === 'image') {
      await this.db.sandboxMessage.create({ data: { ...base, text: action.caption ?? '', imageBase64: action.pngBase64, replyTo: action.replyTo ?? null } });
    } else {
      const text = action.kind === 'card' ? `【${action.title}】\n${action.text}` : action.text;
      await this.db.sandboxMessage.create({
        data: {
          ...base,
          text,
          mentions: JSON.stringify(action.mentions ?? []),
          buttons: JSON.stringify(action.kind === 'card' ? action.buttons : []),
          replyTo: action.replyTo ?? null,
        },
      });
    }
    return { messageId };
  }

  /** "@张工" in typed text → the sandbox people of that name. */
  private async mentionsIn(text: string): Promise<PlatformUser[]> {
    const names = [...text.matchAll(/@([^\s@，,。:：]{1,32})/g)].map((m) => m[1]!);
    if (!names.length) return [];
    const people = await this.db.person.findMany({ where: { channel: 'sandbox', name: { in: names } } });
    return people.map((p) => ({ id: p.platformId, name: p.name }));
  }

  async post(input: unknown, sink: InboundSink): Promise<{ id: string; result: ReceiveResult }> {
    const r = SandboxPostSchema.safeParse(input);
    if (!r.success) throw new SandboxInputError(describe(r.error));
    return this.deliver(r.data, sink);
  }

  private async deliver(post: SandboxPost, sink: InboundSink, replayOf?: string): Promise<{ id: string; result: ReceiveResult }> {
    const { chat, from, text } = post;
    if (from.id === BOT_ID) throw new SandboxInputError(`from.id: "${BOT_ID}" is the bot's own id`);
    const file = post.attachment ? await checkFile(post.attachment) : null;
    const at = this.clock.now();
    const messageId = replayOf ?? `m-${randomUUID()}`;
    const mentions = await this.mentionsIn(text);
    const seen = replayOf ? await this.db.sandboxMessage.findUnique({ where: { messageId } }) : null;
    if (!seen) {
      await this.db.sandboxMessage.create({
        data: {
          chat,
          messageId,
          senderId: from.id,
          senderName: from.name,
          senderRole: from.role,
          text,
          mentions: JSON.stringify(mentions),
          replyTo: post.replyTo ?? null,
          attachment: file ? JSON.stringify(file) : null,
          at,
        },
      });
    }
    const mentionsBot = /@售后服务助手/.test(text);
    const result = await sink.receive({
      type: 'message',
      channel: 'sandbox',
      eventId: messageId,
      messageId,
      chat: { id: chat, type: 'group', title: chat, purposeHint: chat.startsWith('managers') ? 'managers' : 'customer' },
      sender: { id: from.id, name: from.name },
      senderRoleHint: from.role,
      text: text.replace(/@售后服务助手\s*/g, ''),
      mentions,
      mentionsBot,
      ...(post.replyTo ? { replyToMessageId: post.replyTo } : {}),
      // Like a photo or a voice message on Feishu or WeChat: named here, fetched later through downloadAttachment.
      ...(file ? { attachments: [{ kind: file.kind === 'image' ? ('image' as const) : ('file' as const), key: messageId, ...(file.name ? { name: file.name } : {}) }] } : {}),
      at,
      // What replay() takes back: the post and its message id (the file stays on the sandbox message).
      raw: { ...withoutAttachment(post), messageId },
    });
    return { id: messageId, result };
  }

  /** The bytes of a photo or clip sent from the page (the key is its message id). */
  async downloadAttachment(ref: AttachmentRef, messageId: string): Promise<Buffer> {
    const file = await this.file(ref.key || messageId);
    if (!file) throw new PermanentSendError(`no sandbox attachment on message ${ref.key || messageId}`);
    return Buffer.from(file.base64, 'base64');
  }

  /** A photo or clip sent from the page, for the page to show. */
  async file(messageId: string): Promise<StoredFile | null> {
    const row = await this.db.sandboxMessage.findUnique({ where: { messageId }, select: { attachment: true } });
    return row?.attachment ? (JSON.parse(row.attachment) as StoredFile) : null;
  }

  async click(input: unknown, sink: InboundSink): Promise<ReceiveResult> {
    const r = SandboxClickSchema.safeParse(input);
    if (!r.success) throw new SandboxInputError(describe(r.error));
    const { chat, from, messageId, value } = r.data;
    const msg = await this.db.sandboxMessage.findUnique({ where: { messageId } });
    if (!msg || msg.chat !== chat) throw new SandboxInputError(`messageId: no message ${messageId} in chat ${chat}`);
    const buttons = JSON.parse(msg.buttons) as Button[];
    if (!buttons.some((b) => b.value === value)) throw new SandboxInputError('value: that message has no such button (already answered?)');
    const result = await sink.receive({
      type: 'click',
      channel: 'sandbox',
      eventId: `click-${randomUUID()}`,
      messageId,
      value,
      chat: { id: chat, type: 'group', title: chat, purposeHint: chat.startsWith('managers') ? 'managers' : 'customer' },
      sender: { id: from.id, name: from.name },
      senderRoleHint: from.role,
      at: this.clock.now(),
    });
    // Like a Feishu card: once acted on, the choice is shown and the buttons go.
    if (result.card?.chosen) {
      await this.db.sandboxMessage.update({ where: { id: msg.id }, data: cardUpdated(msg.text, result.card.chosen) });
    }
    return result;
  }

  async list(chat: string, afterId = 0): Promise<SandboxMessageView[]> {
    const rows = await this.db.sandboxMessage.findMany({ where: { chat, id: { gt: afterId } }, orderBy: { id: 'asc' }, take: 500 });
    return rows.map((m) => ({
      id: m.messageId,
      from: { id: m.senderId, name: m.senderName, role: m.senderRole },
      text: m.text,
      mentions: JSON.parse(m.mentions) as Mention[],
      buttons: JSON.parse(m.buttons) as Button[],
      replyTo: m.replyTo,
      image: m.imageBase64 ? `data:image/png;base64,${m.imageBase64}` : null,
      attachment: fileView(m.messageId, m.attachment),
      at: m.at.toISOString(),
    }));
  }

  /** Names of the chats that have messages. */
  async chats(): Promise<string[]> {
    const rows = await this.db.sandboxMessage.findMany({ distinct: ['chat'], select: { chat: true }, orderBy: { chat: 'asc' } });
    return rows.map((r) => r.chat);
  }

  /**
   * The sandbox's groups for the page's tabs: those configured (customers' chats,
   * staff and managers' groups, by their purpose) and any other one used, each with
   * the id of its newest message (the page marks tabs with news).
   */
  async groups(): Promise<Array<{ chat: string; purpose: string; title: string | null; customer: string | null; lastId: number }>> {
    const [configured, used] = await Promise.all([
      this.db.chat.findMany({ where: { channel: 'sandbox', active: true }, select: { platformId: true, purpose: true, title: true, customer: { select: { name: true } } }, orderBy: { id: 'asc' } }),
      this.db.sandboxMessage.groupBy({ by: ['chat'], _max: { id: true } }),
    ]);
    const last = new Map(used.map((u) => [u.chat, u._max.id ?? 0]));
    const out = configured.map((c) => ({ chat: c.platformId, purpose: c.purpose, title: c.title, customer: c.customer?.name ?? null, lastId: last.get(c.platformId) ?? 0 }));
    for (const [chat, lastId] of last) if (!out.some((o) => o.chat === chat)) out.push({ chat, purpose: chat.startsWith('managers') ? 'managers' : 'customer', title: null, customer: null, lastId });
    return out;
  }
}

function fileView(messageId: string, stored: string | null): SandboxMessageView['attachment'] {
  if (!stored) return null;
  const f = JSON.parse(stored) as StoredFile;
  return { kind: f.kind, mime: f.mime, name: f.name, url: `/api/sandbox/files/${encodeURIComponent(messageId)}` };
}

/** Decodes a photo or clip and checks, on its bytes, that it is one. */
async function checkFile(f: z.infer<typeof SandboxFileSchema>): Promise<StoredFile> {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(f.dataBase64)) throw new SandboxInputError('attachment.dataBase64: not base64');
  const bytes = Buffer.from(f.dataBase64, 'base64');
  if (bytes.length === 0) throw new SandboxInputError('attachment: the file is empty');
  if (bytes.length > SANDBOX_FILE_MAX_BYTES) throw new SandboxInputError(`attachment: at most ${SANDBOX_FILE_MAX_BYTES / 1024 / 1024} MiB`);
  const { fileTypeFromBuffer } = await import('file-type');
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !SANDBOX_TYPES[f.kind].has(type.mime)) {
    throw new SandboxInputError(
      f.kind === 'image' ? 'attachment: a photo must be PNG, JPEG, GIF or WebP' : 'attachment: a sound clip must be MP3, M4A, AAC, OGG, WAV, WebM or AMR',
    );
  }
  // A clip recorded in the browser (WebM/Ogg with sound only) is sound, whatever the container says.
  const mime = f.kind === 'audio' ? type.mime.replace(/^video\//, 'audio/') : type.mime;
  return { kind: f.kind, mime, name: f.name ?? null, base64: bytes.toString('base64') };
}

function cardUpdated(text: string, chosen: string | undefined): { text: string; buttons: string } {
  return { text: chosen ? `${text}\n✅ ${chosen}` : text, buttons: '[]' };
}

function describe(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
}

function withoutAttachment(post: SandboxPost): Omit<SandboxPost, 'attachment'> {
  const { attachment: _attachment, ...rest } = post;
  return rest;
}
