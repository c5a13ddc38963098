/** 已修复 [#12] [what was done]: the fix is reported; the reporter is asked to confirm (a consultation: answered). */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { askConfirm, askRating, closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';
import { replyMessages as RM } from '../messages/replies.js';

export const resolve = ticketCommand<{ note?: string }>({
  name: 'resolve',
  word: '已修复',
  parse: { pattern: /^(已修复|修复完成|已解决|已处理完|处理完毕)/, args: (rest) => ({ note: noteOf(rest) }) },
  button: { action: 'resolve', args: () => ({}) },
  roles: STAFF,
  appliesTo: ['acknowledged', 'on_site', 'replacing', 'reopened'],
  help: { staff: { line: '已修复 #12 更换电源模块', order: 102 } },
  async run({ ctx, person, ticket, reporter, args, tell, staff, refuse }) {
    const { note } = args;
    const r = await applyAction(ctx, ticket, { type: 'resolve', ...(note ? { note } : {}) }, { data: note ? { resolutionNote: note, handling: note } : {} });
    if (!r.ok) return refuse(r.reason);
    ctx.clickAnswer = { toast: C.resolvedToast.text(), chosen: C.resolved.text({ engineer: person.name }) };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'ack' }, C.resolved.text({ engineer: person.name }));
    await closeQuestions(ctx, ticket.id);
    if (ticket.kind === 'fault') {
      await askConfirm(ctx, r.ticket, reporter);
      if (ticket.sparePart && !ticket.mediumRetained && ticket.contract.contract.magneticMedia.some((w) => ticket.sparePart!.includes(w))) {
        // Contract rule 5: a failed disk stays with the customer; the record needs it confirmed.
        await staff(RM.mediumToKeep.text({ part: ticket.sparePart, id: ticket.id }), [mentionOf(person)]);
      }
    } else if (ticket.kind === 'complaint') await askRating(ctx, r.ticket, reporter);
    else await tell(RM.consultationAnswered.text({ title: ticketTitle(ticket), ...(note ? { note } : {}) }), [mentionOf(reporter)]);
  },
});
