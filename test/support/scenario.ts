/**
 * Helpers for scenario tests: a chat seen through the sandbox API with a
 * cursor (what the bot said since the last look), the manual clock in
 * absolute terms, and small matchers for reminders and escalations.
 */
import type { SandboxMsg, TestService } from './service.js';

export type Who = { id: string; name: string; role: string };

/** A sandbox chat with a read cursor: news() returns the bot's messages since the last call. */
export class ChatView {
  private seen = 0;
  constructor(
    readonly svc: TestService,
    readonly name: string,
  ) {}

  say(who: Who, text: string, extra: Record<string, unknown> = {}): Promise<{ id: string; status: string }> {
    return this.svc.post(this.name, who, text, extra);
  }

  /** Everything the bot said in this chat since the last news() (or since the view was made with skipOld). */
  async news(): Promise<SandboxMsg[]> {
    const all = await this.svc.messages(this.name);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh.filter((m) => m.from.role === 'bot');
  }

  /** Moves the cursor to the end: earlier messages are not news. */
  async skipOld(): Promise<this> {
    this.seen = (await this.svc.messages(this.name)).length;
    return this;
  }

  async all(): Promise<SandboxMsg[]> {
    return (await this.svc.messages(this.name)).filter((m) => m.from.role === 'bot');
  }

  /** Says something and returns the bot's answer(s) in this chat. */
  async ask(who: Who, text: string, extra: Record<string, unknown> = {}): Promise<SandboxMsg[]> {
    await this.news();
    await this.say(who, text, extra);
    return this.news();
  }
}

export function names(m: SandboxMsg | undefined): string[] {
  return (m?.mentions ?? []).map((x) => x.name);
}

/** The daily/weekly/monthly digest in the managers' group (its text and its chart's caption). */
export function isDigest(m: SandboxMsg): boolean {
  return /^(📊|【📊)|^售后服务(日|周|月)报/.test(m.text);
}

/** Messages about one ticket ("#12（GD-…）" or "#12 "), for the shared managers' group; digests left out. */
export function about(msgs: SandboxMsg[], ticketId: number): SandboxMsg[] {
  return msgs.filter((m) => !isDigest(m) && new RegExp(`#${ticketId}(?!\\d)`).test(m.text));
}

/** Generous per-test limit for scenarios that move the clock over days (the service's daily digest renders a chart per day). */
export const LONG = 180_000;

export function reminders(msgs: SandboxMsg[], ticketId: number, label: string): SandboxMsg[] {
  return about(msgs, ticketId).filter((m) => m.text.startsWith('⏰') && m.text.includes(`${label}时限`));
}

export function escalations(msgs: SandboxMsg[], ticketId: number, label: string): SandboxMsg[] {
  return about(msgs, ticketId).filter((m) => m.text.startsWith('⚠️') && m.text.includes(label));
}

export const MIN = 60_000;

export function now(svc: TestService): Date {
  return svc.clock.now();
}

/** Moves the manual clock to an absolute moment (must be later than now). */
export async function advanceTo(svc: TestService, at: Date | number): Promise<void> {
  const target = typeof at === 'number' ? at : at.getTime();
  const minutes = (target - now(svc).getTime()) / MIN;
  if (minutes < 0) throw new Error(`advanceTo: ${new Date(target).toISOString()} is before now (${now(svc).toISOString()})`);
  if (minutes > 0) await svc.advance(minutes);
}

/**
 * Waits, without sleeping, until nothing is due: the service's own catch-up
 * after a start runs in the background, so this settles alongside it until no
 * timer is due and no reply is waiting (claims in the database keep the two
 * from firing or sending anything twice).
 */
export async function settled(svc: TestService): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await svc.settle();
    const due = await svc.db.timer.count({ where: { state: 'pending', dueAt: { lte: svc.clock.now() } } });
    const unsent = await svc.db.outbox.count({ where: { status: { in: ['pending', 'sending'] } } });
    if (!due && !unsent) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('the service did not settle');
}

/** ISO time `minutes` after `from`. */
export function plus(from: Date | string, minutes: number): string {
  return new Date(new Date(from).getTime() + minutes * MIN).toISOString();
}

/** The ticket id in "工单 #12（GD-…）". */
export function ticketIdIn(m: SandboxMsg | undefined): number {
  const hit = /#(\d+)（/.exec(m?.text ?? '');
  if (!hit) throw new Error(`no ticket reference in: ${m?.text}`);
  return Number(hit[1]);
}

/** A deadline of the ticket API by clock name. */
export function deadline(t: { deadlines: Array<{ clock: string; met: boolean | null; dueAt: string }> }, clock: string) {
  const d = t.deadlines.find((x) => x.clock === clock);
  if (!d) throw new Error(`no ${clock} deadline; have ${t.deadlines.map((x) => x.clock).join(', ')}`);
  return d;
}

/** Fired timers by "clock:stage", with how often each fired (must be once). */
export function firedCounts(t: { timers: Array<{ clock: string; stage: string; state: string }> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of t.timers) if (x.state === 'fired') out[`${x.clock}:${x.stage}`] = (out[`${x.clock}:${x.stage}`] ?? 0) + 1;
  return out;
}

/** A printable transcript for failure messages. */
export function transcript(msgs: SandboxMsg[]): string {
  return msgs.map((m) => `${m.at.slice(5, 16)} ${m.from.name}: ${m.text.replace(/\n/g, ' ⏎ ')}${m.mentions.length ? ` @${names(m).join(',')}` : ''}`).join('\n');
}
