/**
 * The digest's sections on the planned duties (inspections, follow-up visits,
 * repairs, notices, emergency reports), after the ticket sections. Left out
 * when there is nothing to say: a deployment that uses none of the duties
 * keeps its digest as it was.
 */
import type { ContractRegistry } from '../core/contracts.js';
import { dutyDigestLines, type DutyDigest, type DutyPeriod } from '../domain/duties-digest.js';
import { loadDutyDigest } from '../store/duties/index.js';
import type { Db } from '../store/types.js';

function quiet(d: DutyDigest): boolean {
  const i = d.inspections;
  const f = d.followUps;
  const e = d.emergencyReports;
  return (
    !i.due && !i.done && !i.overdue.length &&
    !f.due && !f.done && !f.overdue.length &&
    !d.repairs.inFlight && !d.repairs.returned &&
    !d.notices.sent && !d.notices.windowsActive && !d.notices.windowsUpcoming &&
    !e.requested && !e.submitted && !e.overdue.length
  );
}

/**
 * The duty figures of a period as of a moment: the one source of both the
 * chat digest's duty lines (dutyDigestSection) and the dashboard's digest
 * page. Null when there is nothing to say.
 */
export async function loadDutyFigures(db: Db, contracts: ContractRegistry, period: DutyPeriod, asOf: Date): Promise<DutyDigest | null> {
  const customers = new Map((await db.customer.findMany({ select: { id: true, contract: true } })).map((c) => [c.id, c.contract]));
  const d = await loadDutyDigest(db, {
    period,
    asOf,
    timezone: contracts.default.contract.timezone,
    repairTermsOf: (customerId) => {
      const entry = contracts.get(customerId === null ? null : customers.get(customerId));
      return { terms: entry.contract.repairReturn, calendar: entry.calendar };
    },
  });
  return quiet(d) ? null : d;
}

/** The digest's duty lines (after the ticket sections); none when there is nothing to say. */
export async function dutyDigestSection(db: Db, contracts: ContractRegistry, period: DutyPeriod, asOf: Date, maxItems = 30): Promise<string[]> {
  const d = await loadDutyFigures(db, contracts, period, asOf);
  return d ? dutyDigestLines(d, contracts.default.contract.timezone, maxItems) : [];
}
