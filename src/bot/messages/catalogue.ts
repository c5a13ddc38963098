/**
 * The message catalogue's shape: every text the bot sends is a template here,
 * one module per area (src/bot/messages/<area>.ts), each template naming its
 * audience — the customer's chat, or the supplier's staff (dispatch requests,
 * reminders, breaches, escalations, contract duties). The audience is decided
 * where the message is composed, never by a channel.
 *
 *   export const repairMessages = defineMessages({
 *     received: { audience: 'customer', text: (p: { title: string }) => `已收到故障件，${p.title}。`, sample: { title: '#12（GD-20261124-0001）' } },
 *     stepLate: { audience: 'staff', text: (p: { title: string; step: string }) => `${p.title}：${p.step}已超时。`, sample: { title: '#12（GD-20261124-0001）', step: '检测' } },
 *   });
 *
 * A test renders every template with its sample parameters and checks the
 * house rules (test/unit/messages.test.ts): full-width punctuation, no nested
 * brackets, no spaces inside Chinese, levels written 一级…四级, short, and no
 * staff-only words (升级、超时、违约、副总、派单…) in a customer's template.
 */
import type { Audience } from '../../core/channel.js';

export interface MessageTemplate<P> {
  /** Who reads it: the customer's chat, or the supplier's staff. */
  readonly audience: Audience;
  /** The text, from its parameters (short, polite Simplified Chinese). */
  readonly text: (params: P) => string;
  /** Parameters the house-rules test renders the template with. */
  readonly sample?: P;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each template keeps its own parameter type
export type MessageCatalogue = Record<string, MessageTemplate<any>>;

/** Declares an area's templates, keeping each one's parameter type. */
export function defineMessages<C extends MessageCatalogue>(catalogue: C): C {
  return catalogue;
}
