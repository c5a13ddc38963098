/**
 * Maintenance windows seen from a ticket: a report inside a declared window
 * is recorded and answered with the window's notice (or, naming no device,
 * told the window exists and asked which device); a ticket's clocks follow
 * the contract's rule for planned work (plannedMaintenance.sla) over the
 * windows that touch it.
 */
import { plannedWorkFor, windowsAffecting, windowsCovering, type PlannedWork } from '../../domain/maintenance.js';
import { activeWindows, recordMaintenanceReport, windowsBetween, windowWithNotice } from '../../store/duties/index.js';
import type { Ticket } from '../../store/tickets.js';
import type { Tx } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { dutyMessages } from '../messages/duties.js';
import { send } from './support.js';
import { windowText } from './notices.js';

/** After a fault is recorded: inside a window, the customer is answered with its notice. True when it was. */
export async function answerInsideWindow(ctx: Ctx, ticket: Ticket, text: string): Promise<boolean> {
  if (!ticket.contract.contract.plannedMaintenance) return false;
  const windows = await activeWindows(ctx.tx, ctx.now, ticket.customerId);
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

/** The planned work that moves a ticket's clocks under its contract's rule; undefined when none. */
export async function plannedWorkOf(tx: Tx, ticket: Ticket): Promise<PlannedWork | undefined> {
  const terms = ticket.contract.contract.plannedMaintenance;
  if (!terms || terms.sla === 'run' || ticket.kind !== 'fault') return undefined;
  const windows = await windowsBetween(tx, { from: ticket.reportedAt, to: ticket.closedAt ?? new Date(8.64e15), customerId: ticket.customerId });
  return plannedWorkFor(terms, windowsAffecting(ticket, windows));
}
