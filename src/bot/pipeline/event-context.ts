/**
 * The context of one inbound event as the router's steps see it (grammY's
 * Context): the Ctx every handler shares, plus the event itself and what the
 * steps before found out about it (the report read from it).
 */
import type { Logger } from 'pino';
import type { InboundEvent, InboundMessage } from '../../core/channel.js';
import type { Role } from '../../domain/contract.js';
import type { ParsedReport } from '../../domain/report-parser.js';
import type { Tx } from '../../store/types.js';
import { Ctx, type BotDeps } from '../context.js';
import type { Report } from '../intake.js';

export class EventCtx extends Ctx {
  /** The customer's message read as a report (set by the intake step; chit-chat looks at it). */
  report?: Report;

  constructor(
    deps: BotDeps,
    tx: Tx,
    now: Date,
    log: Logger,
    inboundEventId: number,
    readonly event: InboundEvent,
    /** The message as read before the transaction (the LLM reader, preread.ts); unset: read locally by the steps. */
    readonly preread?: ParsedReport,
  ) {
    super(deps, tx, now, log, inboundEventId, { batchReplies: true });
  }

  /** The event as a message (the steps after the click step see messages only). */
  get message(): InboundMessage {
    if (this.event.type !== 'message') throw new Error(`a ${this.event.type} event reached a message step`);
    return this.event;
  }

  /** The sender's role (after the resolve step). */
  get role(): Role {
    if (!this.person) throw new Error('the sender is not resolved yet');
    return this.person.role;
  }
}

export type Next = () => Promise<void>;

/** One step of the router: acts and stops, or passes the event on with next(). */
export interface Step {
  /** What it is for, in a few words (the router's list reads as the path of a message). */
  readonly name: string;
  /** Only for senders of these roles; the others pass it. Unset: everyone. */
  readonly for?: readonly Role[];
  handle(ctx: EventCtx, next: Next): Promise<void>;
}

/** Runs the steps in order, each deciding whether the next one runs (grammY's Composer, as a list). */
export function compose(steps: readonly Step[]): (ctx: EventCtx) => Promise<void> {
  const run = async (i: number, ctx: EventCtx): Promise<void> => {
    const step = steps[i];
    if (!step) return;
    if (step.for && !(ctx.person && step.for.includes(ctx.person.role))) return run(i + 1, ctx);
    await step.handle(ctx, () => run(i + 1, ctx));
  };
  return (ctx) => run(0, ctx);
}
