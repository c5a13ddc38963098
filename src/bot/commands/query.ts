/** 查询 #12: the ticket's service record (客户服务记录表) with every deadline met or missed. */
import { STATUS_LABELS } from '../../domain/ticket.js';
import { KIND_LABELS, clip, formatTime, levelName } from '../../domain/wording.js';
import { deadlinesOf, type Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { personById } from '../directory.js';
import { EVERYONE, ticketCommand } from './command.js';
import { commandMessages as CM, recordMessages } from '../messages/replies.js';

export function serviceRecord(ctx: Ctx, t: Ticket, reporter: Person, engineer: Person | null): string {
  const entry = t.contract;
  const tz = entry.contract.timezone;
  const at = (d: Date | null) => (d ? formatTime(d, tz, ctx.now) : '—');
  const dl = deadlinesOf(t, ctx.now);
  const contract = entry.contract;
  return recordMessages.record.text({
    number: t.number,
    id: t.id,
    kind: KIND_LABELS[t.kind],
    status: STATUS_LABELS[t.status] ?? t.status,
    contact: t.contact ?? reporter.name,
    phone: t.phone ?? '—',
    reportedAt: at(t.reportedAt),
    content: clip(t.content, 200),
    ...(t.kind === 'fault' ? { fault: { level: levelName(contract, t.level), provisional: t.levelProvisional, site: t.site ?? '—', device: t.device ?? '—' } } : {}),
    ...(engineer ? { engineer: engineer.name, ...(engineer.department ? { department: engineer.department } : {}) } : {}),
    ...(t.arrivalState ? { arrival: t.arrivalState } : {}),
    ...(t.handling ? { handling: t.handling } : {}),
    ...(t.analysis ? { analysis: t.analysis } : {}),
    ...(t.sparePart ? { spare: { part: t.sparePart, used: t.spareNew === false, mediumKept: Boolean(t.mediumRetained) } } : {}),
    resolvedAt: at(t.resolvedAt),
    confirmation: t.confirmation === 'confirmed' ? 'confirmed' : t.confirmation === 'unconfirmed' ? 'unconfirmed' : 'pending',
    confirmedAt: at(t.confirmedAt),
    ...(t.satisfaction ? { satisfaction: t.satisfaction } : {}),
    ...(t.feedback ? { feedback: t.feedback } : {}),
    deadlines: dl.map((d) => {
      const label = contract.clocks[d.clock]?.label ?? d.label;
      return { label: d.reopened ? recordMessages.reopenedDeadline.text({ label }) : label, due: formatTime(d.dueAt, tz, ctx.now), met: d.met };
    }),
  });
}

export const query = ticketCommand({
  name: 'query',
  parse: { pattern: /^(查询|查看|查单)/, args: () => ({}) },
  roles: EVERYONE,
  customerCommand: true,
  anyonesJob: true,
  help: { customer: { line: '查询 #12', order: 60, join: 'lists' }, staff: { line: '查询 #12', order: 130, join: 'lists' } },
  async run({ ctx, ticket, reporter }) {
    await ctx.text(serviceRecord(ctx, ticket, reporter, await personById(ctx.tx, ticket.assigneeId)), [], { ticketId: ticket.id });
    ctx.clickAnswer.toast = CM.detailsSent.text();
  },
});
