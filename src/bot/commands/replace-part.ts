/** 已更换 #12 部件 [（客户同意使用非新件）]: the replacement, new and unused unless the customer agreed (contract rule 5). */
import { noteOf } from '../../domain/commands.js';
import { statusLabel } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { recordEvent } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';
import { commandMessages as CM } from '../messages/replies.js';

const IN_HAND = ['acknowledged', 'on_site', 'replacing', 'reopened'] as const;

export const replacePart = ticketCommand<{ part?: string; used: boolean }>({
  name: 'replace_part',
  word: '更换备件',
  parse: {
    pattern: /^(已更换|更换备件|已换)/,
    args: (rest) => {
      const used = /(非新件|旧件|二手|翻新|同意使用)/.test(rest);
      return { part: noteOf(rest.replace(/[（(]?(客户同意使用)?(非新件|旧件|二手|翻新)[）)]?/g, '')), used };
    },
  },
  roles: STAFF,
  appliesTo: IN_HAND,
  help: { staff: { line: '已更换 #12 电源模块', order: 105 } },
  async run({ ctx, person, ticket, args, tell, refuse }) {
    if (!(IN_HAND as readonly string[]).includes(ticket.status)) return refuse(CM.cannotReplace.text({ status: statusLabel(ticket.status) }));
    const part = args.part ?? ticket.sparePart ?? '';
    const t = await ctx.tickets.update(ticket, { sparePart: part || null, spareNew: !args.used });
    await recordEvent(ctx, t, 'part_replaced', { part, new: !args.used });
    const magnetic = ticket.contract.contract.magneticMedia.some((w) => part.includes(w) || (ticket.device ?? '').includes(w));
    await tell(
      CM.partReplaced.text({ ...(part ? { part } : {}), used: args.used, magnetic, id: ticket.id }),
      magnetic ? [mentionOf(person)] : [],
    );
  },
});
