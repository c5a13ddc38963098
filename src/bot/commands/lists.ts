/** How a ticket shows in a list: "#12 GD-20261124-0001 待派单 小寨站闸机 三级" (the level as its contract names it). */
import { levelName, statusLabel } from '../../domain/wording.js';
import type { Ticket } from '../../store/tickets.js';

export function ticketLine(t: Ticket): string {
  const where = [t.site, t.device].filter(Boolean).join('');
  return [`#${t.id}`, t.number, statusLabel(t.status), where, t.level ? levelName(t.contract.contract, t.level) : ''].filter(Boolean).join(' ');
}
