/**
 * The contract registry: every configured contract by name ("default" always
 * there), each with what is derived from it once (its business calendar and
 * its hash). A ticket is served under its customer's contract; the ticket
 * store (src/store/tickets.ts) resolves it, so handlers never pick one.
 */
import { BusinessCalendar } from '../domain/calendar.js';
import { contractHash, type Contract } from '../domain/contract.js';

/** A contract with what is derived from it once. */
export interface ContractEntry {
  name: string;
  contract: Contract;
  calendar: BusinessCalendar;
  hash: string;
}

export class ContractRegistry {
  private readonly entries = new Map<string, ContractEntry>();
  constructor(contracts: Map<string, Contract>) {
    for (const [name, contract] of contracts) {
      const calendar = new BusinessCalendar({
        timezone: contract.timezone,
        workdayStart: contract.calendar.workdayStart,
        workdayEnd: contract.calendar.workdayEnd,
        overrides: contract.calendar.overrides,
      });
      this.entries.set(name, { name, contract, calendar, hash: contractHash(contract) });
    }
    if (!this.entries.has('default')) throw new Error('no default contract');
  }

  /** The contract of that name; the default one for no name or a name not configured. */
  get(name: string | null | undefined): ContractEntry {
    return this.entries.get(name ?? 'default') ?? this.entries.get('default')!;
  }

  get default(): ContractEntry {
    return this.entries.get('default')!;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}
