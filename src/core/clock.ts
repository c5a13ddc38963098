/**
 * The service's sense of time. Everything that needs "now" takes a Clock, so
 * tests and the sandbox can move time by hand (SANDBOX_CLOCK=manual).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to. Its offset is persisted by the caller. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(at: Date): void {
    this.current = new Date(at.getTime());
  }
  advance(minutes: number): Date {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
    return this.now();
  }
}

/** The service's clock as the sandbox page and API see it: the system clock, or a manual one they may move. */
export interface ClockControl {
  mode: 'system' | 'manual';
  now(): Date;
  /** Moves a manual clock and fires what came due; undefined for the system clock. */
  advance?(minutes: number): Promise<Date>;
}
