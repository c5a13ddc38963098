/** 查询 #12: the ticket's service record (客户服务记录表) with every deadline met or missed. */
import { STATUS_LABELS } from '../../domain/ticket.js';
import { KIND_LABELS, clip, formatTime, levelName } from '../../domain/wording.js';
import { deadlinesOf, type Ticket } from '../../store/tickets.js';
import type { Person } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { personById } from '../directory.js';
import { EVERYONE, ticketCommand } from './command.js';
import { commandMessages as CM } from '../messages/replies.js';

export function serviceRecord(ctx: Ctx, t: Ticket, reporter: Person, engineer: Person | null): string {
  const entry = t.contract;
  const tz = entry.contract.timezone;
  const at = (d: Date | null) => (d ? formatTime(d, tz, ctx.now) : '—');
  const dl = deadlinesOf(t, ctx.now);
  const lines = [
    `【客户服务记录】${t.number}（#${t.id}）${KIND_LABELS[t.kind]} · ${STATUS_LABELS[t.status] ?? t.status}`,
    `报修人：${t.contact ?? reporter.name}　电话：${t.phone ?? '—'}`,
    `报修时间：${at(t.reportedAt)}`,
    `内容：${clip(t.content, 200)}`,
    t.kind === 'fault' ? `级别：${levelName(entry.contract, t.level)}${t.levelProvisional ? '（暂定）' : ''}　站点：${t.site ?? '—'}　设备：${t.device ?? '—'}` : '',
    `工程师：${engineer ? `${engineer.name}${engineer.department ? `（${engineer.department}）` : ''}` : '未派单'}`,
    t.arrivalState ? `到场情况：${t.arrivalState}` : '',
    t.handling ? `处理：${t.handling}` : '',
    t.analysis ? `分析：${t.analysis}` : '',
    t.sparePart ? `备件：${t.sparePart}${t.spareNew === false ? '（非全新，客户同意）' : ''}${t.mediumRetained ? '；介质已留存客户处' : ''}` : '',
    `完成时间：${at(t.resolvedAt)}　客户确认：${t.confirmation === 'confirmed' ? `已确认 ${at(t.confirmedAt)}` : t.confirmation === 'unconfirmed' ? '未确认（无效记录）' : '待确认'}`,
    t.satisfaction ? `满意度：${t.satisfaction} 分${t.feedback ? `　意见：${t.feedback}` : ''}` : '',
    dl.length ? `时限：${dl.map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}${d.met === true ? ' ✅' : d.met === false ? ' ❌超时' : ''}`).join('；')}` : '',
  ];
  return lines.filter(Boolean).join('\n');
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
