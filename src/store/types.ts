/**
 * The store's types. Both generated clients (SQLite, PostgreSQL) have the same
 * model API; the SQLite client's types stand for both (see client.ts).
 */
import type { Prisma } from './generated/sqlite/client.js';

export type { Db } from './client.js';
/** The client inside an interactive transaction: one inbound event is one of these. */
export type Tx = Prisma.TransactionClient;
export type { Prisma };
export type {
  Ticket,
  Person,
  Chat,
  Customer,
  Timer,
  Outbox,
  PendingQuestion,
  InboundEvent as InboundEventRow,
} from './generated/sqlite/client.js';
