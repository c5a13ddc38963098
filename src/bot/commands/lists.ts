/** How a ticket shows in a list: "#12 GD-20261124-0001 待派单 小寨站 闸机 3级". */
import { statusLabel } from '../../domain/wording.js';
import type { Ticket } from '../../store/tickets.js';

export function ticketLine(t: Ticket): string {
  return `#${t.id} ${t.number} ${statusLabel(t.status)} ${[t.site, t.device].filter(Boolean).join(' ')}${t.level ? ` ${t.level}级` : ''}`;
}
