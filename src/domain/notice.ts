/**
 * Information notices (信息通告) a manager posts to one customer's chat or to
 * every customer's: a planned maintenance window (计划检修 / 停机割接, which
 * also declares the window: maintenance.ts), a security advisory, a product
 * update, or a general notice. What a notice is and whom it reaches. Pure.
 */
export const NOTICE_KINDS = ['maintenance', 'security', 'product', 'general'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export const NOTICE_KIND_LABELS: Record<NoticeKind, string> = {
  maintenance: '计划检修通告',
  security: '安全通告',
  product: '产品更新通告',
  general: '通知',
};

/** all: every customer; customer: one, by name; here: the customer of the chat the command came from. */
export type NoticeTarget = { all: true } | { customer: string } | { here: true };

/**
 * The customers a notice reaches: every customer, the one named (its exact
 * name, or a part of one name only), or the chat's own. A reason in the chat's
 * words when it reaches nobody or the name is ambiguous.
 */
export function noticeRecipients(
  target: NoticeTarget,
  customers: ReadonlyArray<{ id: number; name: string }>,
  hereCustomerId: number | null,
): { ok: true; customerIds: number[] } | { ok: false; reason: string } {
  if ('all' in target) {
    return customers.length ? { ok: true, customerIds: customers.map((c) => c.id) } : { ok: false, reason: '还没有登记任何客户。' };
  }
  if ('here' in target) {
    return hereCustomerId !== null
      ? { ok: true, customerIds: [hereCustomerId] }
      : { ok: false, reason: '请写明通告对象：「通告 全部 …」或「通告 <客户名称> …」。' };
  }
  const exact = customers.find((c) => c.name === target.customer);
  if (exact) return { ok: true, customerIds: [exact.id] };
  const partial = customers.filter((c) => c.name.includes(target.customer));
  if (partial.length === 1) return { ok: true, customerIds: [partial[0]!.id] };
  if (partial.length > 1) return { ok: false, reason: `「${target.customer}」对应多个客户：${partial.map((c) => c.name).join('、')}，请写全称。` };
  return { ok: false, reason: `没有名为「${target.customer}」的客户。` };
}

/** The idempotency key of one notice's delivery to one chat: a retried command never posts twice. */
export const noticeDeliveryKey = (noticeId: number, chatId: number) => `notice:${noticeId}:chat:${chatId}`;
