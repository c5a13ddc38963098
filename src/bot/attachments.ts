/**
 * Keeps the pictures customers send with a report: Attachment rows are
 * recorded in the inbound transaction (fast), and downloaded here afterwards
 * through the channel's own API (Feishu message resources, WeChat file boxes),
 * into the data folder. A failed download is retried a few times, then the
 * row says why.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../store/types.js';
import type { Channel, ChannelName } from '../core/channel.js';
import { PermanentSendError } from '../core/channel.js';

const MAX_TRIES = 5;

export class AttachmentFetcher {
  private readonly tries = new Map<number, number>();
  constructor(
    private readonly opts: { db: Db; log: Logger; channels: Map<ChannelName, Pick<Channel, 'downloadAttachment' | 'capabilities'>>; dir: string },
  ) {}

  /** Downloads pending attachments; returns how many were stored. */
  async fetchPending(limit = 20): Promise<number> {
    const rows = await this.opts.db.attachment.findMany({ where: { state: 'pending' }, orderBy: { id: 'asc' }, take: limit });
    let stored = 0;
    for (const a of rows) {
      const channel = this.opts.channels.get(a.channel as ChannelName);
      if (!channel?.capabilities.attachments) {
        await this.opts.db.attachment.update({ where: { id: a.id }, data: { state: 'failed', error: `the ${a.channel} channel cannot download attachments` } });
        continue;
      }
      try {
        const bytes = await channel.downloadAttachment({ kind: a.kind as 'image' | 'file', key: a.key }, a.messageId);
        const file = path.join(this.opts.dir, 'attachments', String(a.ticketId), `${a.id}${a.kind === 'image' ? '.img' : '.bin'}`);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, bytes);
        await this.opts.db.attachment.update({ where: { id: a.id }, data: { state: 'stored', path: file, error: null } });
        stored++;
      } catch (e) {
        const n = (this.tries.get(a.id) ?? 0) + 1;
        this.tries.set(a.id, n);
        const permanent = e instanceof PermanentSendError || n >= MAX_TRIES;
        this.opts.log.warn({ attachment: a.id, err: (e as Error).message, try: n }, 'attachment download failed');
        if (permanent) {
          await this.opts.db.attachment.update({ where: { id: a.id }, data: { state: 'failed', error: String((e as Error).message).slice(0, 500) } });
          this.tries.delete(a.id);
        }
      }
    }
    return stored;
  }
}
