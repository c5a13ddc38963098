/**
 * Maintenance windows seen from a ticket: a report inside a declared window
 * is recorded and answered with the window's notice (or, naming no device,
 * told the window exists and asked which device). The ticket's clocks follow
 * the contract's rule for planned work through the ticket store (plannedWork).
 */
import { windowsCovering } from '../../domain/maintenance.js';
import { recordMaintenanceReport, windowWithNotice } from '../../store/duties/index.js';
import type { Ticket } from '../../store/tickets.js';
import type { Ctx } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { send } from './support.js';
import { windowText } from './notices.js';

/** After a fault is recorded: inside a window, the customer is answered with its notice. True when it was. */
export async function answerInsideWindow(ctx: Ctx, ticket: Ticket, text: string): Promise<boolean> {
  if (!ticket.contract.contract.plannedMaintenance) return false;
  const windows = await ctx.tickets.activeWindows(ticket, ctx.now);
  if (!windows.length) return false;
  const [hit] = windowsCovering({ at: ctx.now, customerId: ticket.customerId, device: ticket.device, site: ticket.site }, windows);
  if (!hit) return false;
  const tz = ticket.contract.contract.timezone;
  const chat = await ctx.chatOf(ticket);
  const when = windowText(hit.window, tz, ctx.now);
  if (!hit.certain) {
    await send(ctx, chat, dutyMessages.reportMaybeInWindow, { window: when }, { ticketId: ticket.id });
    return false;
  }
  await recordMaintenanceReport(ctx.tx, { windowId: hit.window.id, ticketId: ticket.id, chatId: chat.id, text, at: ctx.now, inboundEventId: ctx.inboundEventId });
  const found = await windowWithNotice(ctx.tx, hit.window.id);
  await send(ctx, chat, dutyMessages.reportInWindow, { window: when, notice: found?.notice?.text ?? '' }, { ticketId: ticket.id });
  return true;
}
