/**
 * Tickets the duties open on the customer's behalf: a problem found on an
 * inspection (a fault, at the contract's inspections.problemLevel unless the
 * report reader reads a worse one) and what a follow-up visit's notes raise
 * (faults and consultations, as the reader reads them). The ticket lives in
 * the customer's chat, is reported by the staff member who found it, and is
 * accepted and assigned as any other.
 */
import type { FaultLevel } from '../../domain/contract.js';
import { parseReport } from '../../domain/report-parser.js';
import { clip, ticketTitle } from '../../domain/wording.js';
import type { Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import { accept } from '../acceptance.js';
import type { Ctx } from '../context.js';
import { plausibleLevel } from '../intake.js';
import { SYSTEM, applyAction, markCreated, recordEvent } from '../transitions.js';
import { dutyMessages } from '../messages/duties.js';
import { customerChats, tellStaff } from './support.js';

export interface StaffReport {
  customerId: number;
  reporter: Person;
  content: string;
  kind: 'fault' | 'consultation';
  /** A fault's level unless the reader reads a worse one (1 is the worst). */
  level?: FaultLevel;
  device?: string | null;
  /** What it came from, for the audit trail ({ inspectionJobId }, { followUpVisitId }). */
  origin: Record<string, unknown>;
}

/** Opens the ticket in the customer's first chat; null when the customer has no chat. */
export async function openStaffReport(ctx: Ctx, r: StaffReport): Promise<Ticket | null> {
  const chat = (await customerChats(ctx, r.customerId))[0];
  if (!chat) return null;
  const parsed = parseReport(r.content, ctx.deps.lexicon);
  const entry = await ctx.tickets.contractOf(r.customerId);
  const number = await ctx.tickets.allocateNumber(entry, ctx.now);
  const device = r.device ?? parsed.device;
  let ticket = await ctx.tickets.create({
    number,
    kind: r.kind,
    status: 'reported',
    customerId: r.customerId,
    chatId: chat.id,
    reporterId: r.reporter.id,
    grade: r.kind === 'consultation' ? 'B' : parsed.grade,
    site: parsed.site,
    device,
    symptom: clip(r.content, 500),
    contact: r.reporter.name,
    phone: r.reporter.phone ?? null,
    startedText: null,
    content: r.content.slice(0, 4000),
    hardware: r.kind === 'fault' && (parsed.hardware || (device !== null && ctx.deps.lexicon.hardware.has(device))),
    levelEvidence: JSON.stringify(parsed.levelEvidence ?? []),
    sourceMessageId: null,
    reportedAt: ctx.now,
    contractHash: entry.hash,
  });
  markCreated(ctx, ticket);
  await recordEvent(ctx, ticket, 'reported', { kind: r.kind, text: clip(r.content, 500), ...r.origin }, { to: 'reported' });
  if (r.kind === 'fault') {
    // The contract's level stands unless the reader settles a worse one; without one, the reader's best guess.
    const level = (r.level ? Math.min(r.level, parsed.kind === 'fault' ? (parsed.level ?? r.level) : r.level) : plausibleLevel(parsed)) as FaultLevel;
    const s = await applyAction(ctx, ticket, { type: 'set_level', level }, { actor: SYSTEM, detail: { evidence: parsed.levelEvidence, ...r.origin } });
    if (s.ok) ticket = s.ticket;
    return accept(ctx, ticket, null);
  }
  const a = await applyAction(ctx, ticket, { type: 'accept' }, { actor: SYSTEM });
  if (a.ok) ticket = a.ticket;
  await tellStaff(ctx, { ticket }, dutyMessages.visitConsultation, { title: ticketTitle(ticket), id: ticket.id, text: clip(r.content, 120) }, { audiences: ['manager'] });
  return ticket;
}
