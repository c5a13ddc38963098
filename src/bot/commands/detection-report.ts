/** 检测报告 #12 内容 维修费用 X元: the detection report after a spare request; text and cost kept apart in the record. */
import { noteOf } from '../../domain/commands.js';
import { ticketTitle } from '../../domain/wording.js';
import { mentionOf } from '../context.js';
import { serviceMessages as S } from '../messages/service.js';
import { applyAction } from '../transitions.js';
import { STAFF, ticketCommand } from './command.js';

export const detectionReport = ticketCommand<{ text: string; cost?: string }>({
  name: 'detection_report',
  word: '检测报告',
  parse: {
    pattern: /^检测报告/,
    args: (rest) => {
      const cost = /[，,；;]?\s*(?:维修)?费用[:：]?\s*([\d,.]+\s*元?)/.exec(rest);
      // The report's text without the cost, which is kept apart ("主板故障" + "1200元").
      const text = noteOf(cost ? rest.slice(0, cost.index) + rest.slice(cost.index + cost[0].length) : rest) ?? (cost ? `维修费用 ${cost[1]!.replace(/\s/g, '')}` : undefined);
      if (!text) return null;
      return { text, ...(cost ? { cost: cost[1]!.replace(/\s/g, '') } : {}) };
    },
  },
  roles: STAFF,
  appliesTo: ['replacing'],
  help: { staff: { line: '检测报告 #12 主板故障 维修费用 1200元', order: 106 } },
  async run({ ctx, ticket, reporter, args, tell, refuse }) {
    const { text, cost } = args;
    const r = await applyAction(ctx, ticket, { type: 'detection_report', text, ...(cost ? { cost } : {}) }, {
      data: { detectionReport: text, ...(cost ? { repairCost: cost, analysis: text } : { analysis: text }) },
    });
    if (!r.ok) return refuse(r.reason);
    await tell(S.detectionReport.text({ title: ticketTitle(ticket), text, ...(cost && !text.includes(cost) ? { cost } : {}) }), [mentionOf(reporter)]);
  },
});
