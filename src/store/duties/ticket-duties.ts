/**
 * Everything the duties recorded about one ticket, for its service record
 * (the ticket API, the dashboard's ticket page, the export): its repair
 * flows, emergency reports, the inspection finding it was opened for, the
 * follow-up visit after it, and whether it came in inside a maintenance window.
 */
import { repairFlowLine } from '../../domain/repair-return.js';
import { emergencyReportsOfTicket, type EmergencyReportRow } from './emergency-reports.js';
import { visitAfterTicket, type FollowUpVisitRow } from './follow-ups.js';
import { findingOfTicket, type InspectionFindingRow, type InspectionJobRow } from './inspections.js';
import { repairFlowsOfTicket, type RepairFlowRow } from './repairs.js';
import type { Store } from './rows.js';

export interface TicketDuties {
  repairs: Array<RepairFlowRow & { line: string }>;
  emergencyReports: EmergencyReportRow[];
  finding: { finding: InspectionFindingRow; job: InspectionJobRow } | null;
  visit: FollowUpVisitRow | null;
  maintenance: Array<{ windowId: number; at: Date; start: Date; end: Date }>;
}

export async function ticketDuties(db: Store, ticketId: number, timezone: string): Promise<TicketDuties> {
  const flows = await repairFlowsOfTicket(db, ticketId);
  const reports = await db.maintenanceReport.findMany({ where: { ticketId }, include: { window: { select: { start: true, end: true } } }, orderBy: { at: 'asc' } });
  return {
    repairs: flows.map((f) => ({ ...f, line: repairFlowLine(f.steps, timezone) })),
    emergencyReports: await emergencyReportsOfTicket(db, ticketId),
    finding: await findingOfTicket(db, ticketId),
    visit: await visitAfterTicket(db, ticketId),
    maintenance: reports.map((r) => ({ windowId: r.windowId, at: r.at, start: r.window.start, end: r.window.end })),
  };
}
