/** What 派单 and 转派 share: the @mentioned engineer gets the job. */
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { mentionedPeople } from '../directory.js';
import { serviceMessages as S } from '../messages/service.js';
import { applyAction } from '../transitions.js';
import type { ChannelName } from '../../core/channel.js';
import type { OnTicket } from './command.js';
import { replyMessages as RM } from '../messages/replies.js';

export async function handOver(c: OnTicket<{ note?: string }>, how: 'assign' | 'transfer', word: string): Promise<void> {
  const { ctx, src, person, ticket, tell, staff, refuse } = c;
  const mentioned = await mentionedPeople(ctx.tx, ctx.deps.org, ctx.chat.channel as ChannelName, src.mentions);
  const [target] = mentioned.filter((p) => p.id !== person.id || how === 'assign');
  if (!target) return refuse(RM.handOverWhom.text({ to: how === 'assign' ? '派给' : '转给', word, id: ticket.id }));
  if (target.role !== 'engineer') return refuse(RM.notEngineer.text({ name: target.name }));
  const r = await applyAction(ctx, ticket, { type: how, assigneeId: target.id }, { detail: { to: target.name, note: c.args.note } });
  if (!r.ok) return refuse(r.reason);
  // The customer learns who is coming; the engineer is asked to take it among the staff.
  await tell(S.engineerAssigned.text({ title: ticketTitle(ticket), engineer: target.name, ...(target.phone ? { phone: target.phone } : {}) }));
  await staff(S.pleaseTake.text({ title: ticketTitle(ticket), engineer: target.name, handover: how === 'transfer' }), [mentionOf(target)]);
}
