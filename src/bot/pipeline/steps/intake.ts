/** A new report — a fault, a consultation or a complaint — becomes a ticket (fragments merged): intake.ts. */
import { isProgressQuestion, isQuestion } from '../../follow-ups.js';
import { openTicket, readReport } from '../../intake.js';
import type { Step } from '../event-context.js';

export const intake: Step = {
  name: 'a new report',
  for: ['customer', 'desk'],
  async handle(ctx, next) {
    ctx.report = await readReport(ctx, ctx.message, ctx.preread);
    // "什么时候能来？" / "怎么还没人来" from someone with an open ticket asks how it stands (the follow-up step), not a new
    // consultation or complaint, nor a message to ask 需要为此报修吗 about.
    const notPlainFault = ctx.report.parsed.kind === 'consultation' || ctx.report.parsed.kind === 'complaint' || ctx.report.parsed.asks.includes('is_fault');
    if (notPlainFault && isProgressQuestion(ctx.message.text) && (await ctx.tickets.latestOfReporter(ctx.chat.id, ctx.person!.id))) {
      return next();
    }
    // A customer's question to the supplier that the reader did not place ("TVM的参数怎么下发", "你们周末有人值班吗？", in English too) is a consultation.
    if (asksTheSupplier(ctx)) {
      await openTicket(ctx, ctx.message, ctx.person!, { ...ctx.report, parsed: { ...ctx.report.parsed, kind: 'consultation', asks: [] } });
      return;
    }
    if (await openTicket(ctx, ctx.message, ctx.person!, ctx.report)) return;
    await next();
  },
};

/** To the supplier: it names a device or addresses the service, asks something, and is not said to another person. */
const TO_SUPPLIER = /你们|贵司|售后|客服|厂家/;
const HOW = /怎么|如何|怎样|能不能|可不可以|可以吗|是否|\?|？|\b(how|what|can|could|is|are|do|does)\b/i;

function asksTheSupplier(ctx: Parameters<Step['handle']>[0]): boolean {
  const msg = ctx.message;
  const r = ctx.report!;
  // An English question the reader is unsure of is asked about in Chinese as a consultation, not 需要为此报修吗.
  const unsureEnglish = r.parsed.asks.includes('is_fault') && /^[\x20-\x7e]+$/.test(msg.text) && /\?\s*$/.test(msg.text);
  if (ctx.person?.role !== 'customer' || !(r.parsed.kind === 'other' || unsureEnglish) || r.detailsOnly) return false;
  if (msg.mentions.length || isProgressQuestion(msg.text)) return false;
  if (!(isQuestion(msg.text) || HOW.test(msg.text))) return false;
  return Boolean(r.parsed.device) || TO_SUPPLIER.test(msg.text);
}
