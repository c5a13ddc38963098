/**
 * What goes up to the supplier's managers: a message to every managers' group
 * mentioning people of some roles, and a dissatisfied customer's escalation
 * (the work reopened, a non-conformance recorded, the manager told, and the
 * vice-president when it happens again).
 */
import type { Role } from '../domain/contract.js';
import { ticketTitle } from '../domain/wording.js';
import type { Ticket } from '../store/tickets.js';
import type { Person } from '../store/types.js';
import type { Mention } from '../core/channel.js';
import { staffLimitsLine } from './acceptance.js';
import { mentionOf, type Ctx } from './context.js';
import { managersGroups, personById, staffWithRole } from './directory.js';
import { recordEvent } from './transitions.js';
import { replyMessages } from './messages/replies.js';

/** Posts to every managers' group, mentioning people of the given roles there. */
export async function tellManagers(ctx: Ctx, ticket: Pick<Ticket, 'id'> | null, text: string, roles: Role[], extra: Person[] = []): Promise<void> {
  for (const group of await managersGroups(ctx.tx, ctx.deps.activeChannels?.())) {
    const mentions: Mention[] = [];
    for (const role of roles) {
      for (const p of await staffWithRole(ctx.tx, group.channel, role)) mentions.push(mentionOf(p));
    }
    for (const p of extra) if (p.channel === group.channel) mentions.push(mentionOf(p));
    const unique = [...new Map(mentions.map((m) => [m.id, m])).values()];
    await ctx.text(text, unique, { chat: group, ticketId: ticket?.id ?? null });
  }
}

/** Dissatisfaction: the work is corrected at once and escalated; a non-conformance is recorded. */
export async function onDissatisfied(ctx: Ctx, ticket: Ticket, reason: string): Promise<void> {
  const engineer = await personById(ctx.tx, ticket.assigneeId);
  await ctx.tx.nonConformance.create({
    data: { ticketId: ticket.id, engineerId: engineer?.id ?? null, reason, at: ctx.now },
  });
  await recordEvent(ctx, ticket, 'non_conformance', { reason, engineer: engineer?.name ?? null });
  // "It happens again" counts dissatisfactions, not reopenings: a "还没好" before
  // the first rating is a rework, not a second dissatisfaction.
  const times = await ctx.tx.nonConformance.count({ where: { ticketId: ticket.id } });
  const again = times > 1;
  const roles: Role[] = again ? ['manager', 'vp'] : ['manager'];
  // The reopened clocks, counted from the reopening (the contract's reopening section).
  const limits = staffLimitsLine(ctx, ticket);
  await tellManagers(
    ctx,
    ticket,
    replyMessages.dissatisfied.text({ title: ticketTitle(ticket), reason, ...(engineer ? { engineer: engineer.name } : {}), times, limits }),
    roles,
    engineer ? [engineer] : [],
  );
  await recordEvent(ctx, ticket, 'escalation', { to: roles, reason: 'dissatisfied' });
}
