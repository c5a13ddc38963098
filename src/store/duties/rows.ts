/**
 * Reading the duty tables' plain columns back as domain types: statuses are
 * checked against their lists (a row written by another version, or by hand,
 * is reported, not cast), JSON columns parsed defensively.
 */
import type { Tx } from '../types.js';

/** Any client: the service's (Db) or one inside a transaction (Tx). Both have the same model API. */
export type Store = Tx;

export class CorruptRowError extends Error {
  override name = 'CorruptRowError';
}

/** `value` as one of `list`, or an error naming the table and column. */
export function oneOf<T extends string>(list: readonly T[], value: string, where: string): T {
  if ((list as readonly string[]).includes(value)) return value as T;
  throw new CorruptRowError(`${where}: "${value}" is not one of ${list.join(', ')}`);
}

/** A JSON array of strings; anything else reads as empty. */
export function stringArray(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** A JSON array of integers (ticket ids); anything else reads as empty. */
export function intArray(json: string | null | undefined): number[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is number => Number.isSafeInteger(x)) : [];
  } catch {
    return [];
  }
}

/** Open planned work: still to be done. */
export const OPEN_JOB_STATUSES = ['planned', 'assigned'] as const;
