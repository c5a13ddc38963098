/** Nothing to act on ("收到", "谢谢 辛苦了"): ignored — or kept as a fragment ("小寨站") that the next message may complete. */
import { isFragment } from '../../intake.js';
import type { Step } from '../event-context.js';

export const chitChat: Step = {
  name: 'chit-chat',
  async handle(ctx) {
    ctx.outcome = ctx.report && isFragment(ctx.report) ? 'fragment' : 'ignored';
  },
};
