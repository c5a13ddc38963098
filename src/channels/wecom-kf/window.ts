/**
 * The send window of WeChat Customer Service (发送消息, …/94677): "仅当微信客户在主动发送消息给
 * 客服后的48小时内，企业可发送消息给客户，最多可发送5条消息；若用户继续发送消息，企业可再次下发消息".
 * PURE decision; the rows live in WecomKfWindow (reset by the sync, counted by the sender).
 */
export const KF_WINDOW_MS = 48 * 3600_000;
export const KF_WINDOW_MAX = 5;

export type WindowClosedReason = 'no_customer_message' | 'expired' | 'five_sent';

export interface WindowState {
  open: boolean;
  reason?: WindowClosedReason;
  /** Messages that may still be sent. */
  remaining: number;
  /** When the window closes by time (absent: no message yet). */
  closesAt?: Date;
}

export function windowState(row: { lastCustomerMessageAt: Date; sentSince: number } | null, now: Date): WindowState {
  if (!row) return { open: false, reason: 'no_customer_message', remaining: 0 };
  const closesAt = new Date(row.lastCustomerMessageAt.getTime() + KF_WINDOW_MS);
  if (now >= closesAt) return { open: false, reason: 'expired', remaining: 0, closesAt };
  const remaining = Math.max(0, KF_WINDOW_MAX - row.sentSince);
  if (remaining === 0) return { open: false, reason: 'five_sent', remaining: 0, closesAt };
  return { open: true, remaining, closesAt };
}

export function describeClosed(reason: WindowClosedReason): string {
  switch (reason) {
    case 'no_customer_message':
      return 'the customer has not written to this customer-service account';
    case 'expired':
      return "more than 48 h since the customer's last message";
    case 'five_sent':
      return "5 messages already sent since the customer's last message";
  }
}
