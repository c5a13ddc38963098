/** Which errors mean "the database refuses to store anything" (answered 503, try later) and which are bugs (500). */
import { describe, expect, it } from 'vitest';
import { storageRefusal } from '../../src/store/write-probe.js';

/** An error as Prisma's driver adapters carry the database's own words. */
function adapterError(message: string, code: string): Error {
  return Object.assign(new Error('Invalid `prisma.inboundEvent.create()` invocation:\n\n\nError in driver adapter'), {
    meta: { driverAdapterError: { cause: { originalMessage: message, originalCode: code } } },
  });
}

describe('storageRefusal', () => {
  it.each([
    [adapterError('database or disk is full', 'SQLITE_FULL'), 'database or disk is full (SQLITE_FULL)'],
    [adapterError('attempt to write a readonly database', 'SQLITE_READONLY'), 'attempt to write a readonly database (SQLITE_READONLY)'],
    [adapterError('could not extend file "base/16384/2619": No space left on device', '53100'), 'could not extend file "base/16384/2619": No space left on device (53100)'],
    [adapterError('cannot execute INSERT in a read-only transaction', '25006'), 'cannot execute INSERT in a read-only transaction (25006)'],
    [Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'ENOSPC: no space left on device, write'],
  ])('%s is a refusal to store', (e, words) => {
    expect(storageRefusal(e)).toBe(words);
  });

  it.each([
    new Error('Cannot read properties of undefined (reading "id")'),
    adapterError('UNIQUE constraint failed: InboundEvent.channel, InboundEvent.eventId', 'SQLITE_CONSTRAINT_UNIQUE'),
    adapterError('database is locked', 'SQLITE_BUSY'),
    'a string',
    undefined,
  ])('%s is not', (e) => {
    expect(storageRefusal(e)).toBeNull();
  });
});
