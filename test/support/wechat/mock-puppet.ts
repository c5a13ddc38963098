/**
 * wechaty-puppet-mock, made to behave like a real puppet for what servicebot
 * checks: for tests and `npm run demo:wechat` only (never chosen by configuration).
 *
 * The stock PuppetMock.messageSendText(conversationId, text) drops the
 * mentionIdList wechaty passes for room.say(text, ...contacts): the mock room
 * then shows the "@name" text but mentionIdList []. MentionPuppetMock passes the
 * ids on, so the room's 'message' event shows whom the bot really mentioned,
 * and it records every text send.
 */
import type { EventEmitter } from 'node:events';

import { PuppetMock, type mock } from 'wechaty-puppet-mock';

export interface MockRoomMessage {
  id: string;
  talkerId: string;
  text?: string;
  mentionIdList?: string[];
  timestamp: number;
  type: number;
  roomId?: string;
}

export class MentionPuppetMock extends PuppetMock {
  readonly sentText: Array<{ conversationId: string; text: string; mentionIdList: string[] }> = [];
  /** Room aliases (群昵称) by room id, then contact id: the stock mock has none. */
  private readonly roomAliases = new Map<string, Map<string, string>>();

  /** Give a contact a room alias (群昵称) in one room, as they would set it on their phone. */
  setRoomAlias(roomId: string, contactId: string, alias: string): void {
    let m = this.roomAliases.get(roomId);
    if (!m) this.roomAliases.set(roomId, (m = new Map()));
    m.set(contactId, alias);
  }

  override async roomMemberRawPayload(roomId: string, contactId: string): Promise<Awaited<ReturnType<PuppetMock['roomMemberRawPayload']>>> {
    const payload = await super.roomMemberRawPayload(roomId, contactId);
    const roomAlias = this.roomAliases.get(roomId)?.get(contactId);
    return roomAlias ? { ...payload, roomAlias } : payload;
  }

  override async messageSendText(conversationId: string, text: string, mentionIdList: string[] = []): Promise<void> {
    this.sentText.push({ conversationId, text, mentionIdList });
    if (!this.isLoggedIn) throw new Error('not logged in');
    const user = this.mocker.ContactMock.load(this.currentUserId);
    const mentions = mentionIdList.map((id) => this.mocker.ContactMock.load(id));
    const to = /@/.test(conversationId)
      ? this.mocker.RoomMock.load(conversationId)
      : this.mocker.ContactMock.load(conversationId);
    user.say(text, mentions).to(to);
  }
}

/** The mock room's 'message' event: everything said in the room, the bot's own messages included. */
export function onRoomMessage(room: mock.RoomMock, fn: (payload: MockRoomMessage) => void): void {
  // RoomMock is a typed EventEmitter whose typings do not resolve under NodeNext, hence the cast.
  (room as unknown as EventEmitter).on('message', (m: { payload: MockRoomMessage }) => fn(m.payload));
}
