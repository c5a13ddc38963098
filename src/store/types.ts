/**
 * The store's types. Both generated clients (SQLite, PostgreSQL) have the same
 * model API; the SQLite client's types stand for both (see client.ts).
 */
import type { Role } from '../domain/contract.js';
import type { Person as PersonRow, Prisma } from './generated/sqlite/client.js';

export type { Db } from './client.js';
/** The client inside an interactive transaction: one inbound event is one of these. */
export type Tx = Prisma.TransactionClient;
export type { Prisma };
/** A person with their role as its type (the directory, src/bot/directory.ts, reads and writes people). */
export type Person = Omit<PersonRow, 'role'> & { role: Role };
export type { PersonRow };
export type {
  Ticket,
  Chat,
  Customer,
  Timer,
  Outbox,
  PendingQuestion,
  InboundEvent as InboundEventRow,
} from './generated/sqlite/client.js';
