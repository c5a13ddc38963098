/** #12 改为一级: the fault level corrected; the deadlines are recomputed and announced (the level button too). */
import { LEVEL_WORDS } from '../../domain/commands.js';
import type { FaultLevel } from '../../domain/contract.js';
import { formatTime, levelName, ticketTitle } from '../../domain/wording.js';
import { deadlinesOf } from '../../store/tickets.js';
import { acceptOrAskFee } from '../acceptance.js';
import { closeQuestions } from '../questions.js';
import { applyAction } from '../transitions.js';
import { EVERYONE, ticketCommand } from './command.js';
import { cardMessages as C } from '../messages/cards.js';
import { cardAnswered } from '../cards.js';
import { replyMessages as RM } from '../messages/replies.js';

export const setLevel = ticketCommand<{ level: FaultLevel }>({
  name: 'set_level',
  word: '调整级别',
  // Anywhere in the message: the reference usually comes first ("#3 改为一级", "GD-… 改为2级").
  parse: { pattern: /改(?:为|成)\s*([一二三四1-4])\s*级/, args: (_rest, m) => ({ level: LEVEL_WORDS[m[1]!]! }) },
  button: {
    action: 'level',
    args: (arg) => {
      const level = Number(arg);
      return level >= 1 && level <= 4 ? { level: level as FaultLevel } : null;
    },
  },
  roles: EVERYONE,
  help: { staff: { line: '#12 改为一级', order: 109 } },
  async run({ ctx, person, ticket, reporter, args, tell, refuse }) {
    const entry = ticket.contract;
    const r = await applyAction(ctx, ticket, { type: 'set_level', level: args.level }, {
      detail: { by: person.name },
      data: { levelEvidence: JSON.stringify([`${person.name} 选定${levelName(entry.contract, args.level)}`]) },
    });
    if (!r.ok) return refuse(r.reason);
    await closeQuestions(ctx, ticket.id, ['level']);
    const level = levelName(entry.contract, args.level);
    ctx.clickAnswer = { toast: C.levelToast.text({ level }), chosen: C.levelChosen.text({ level }) };
    cardAnswered(ctx, { ticketId: ticket.id, button: 'level' }, C.levelChosen.text({ level }));
    if (r.ticket.status === 'level_known') {
      await acceptOrAskFee(ctx, r.ticket, reporter);
      return;
    }
    const tz = entry.contract.timezone;
    const dl = deadlinesOf(r.ticket, ctx.now).filter((d) => !d.stoppedAt);
    await tell(RM.levelChanged.text({ title: ticketTitle(ticket), level, limits: dl.map((d) => `${d.label} ${formatTime(d.dueAt, tz, ctx.now)}前`).join('，') }));
  },
});
