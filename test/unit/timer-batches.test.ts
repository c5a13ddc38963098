import { describe, expect, it } from 'vitest';
import { batchesOfDistinctTickets } from '../../src/bot/pipeline/timers.js';

const t = (id: number, ticketId: number) => ({ id, ticketId });

describe('batchesOfDistinctTickets', () => {
  it('keeps the order and cuts at the batch size', () => {
    const timers = [t(1, 1), t(2, 2), t(3, 3), t(4, 4), t(5, 5)];
    expect(batchesOfDistinctTickets(timers, 2).map((b) => b.map((x) => x.id))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('never puts two timers of one ticket in the same batch', () => {
    const timers = [t(1, 7), t(2, 8), t(3, 7), t(4, 9), t(5, 9)];
    const batches = batchesOfDistinctTickets(timers, 10);
    expect(batches.map((b) => b.map((x) => x.id))).toEqual([[1, 2], [3, 4], [5]]);
    for (const b of batches) expect(new Set(b.map((x) => x.ticketId)).size).toBe(b.length);
    expect(batches.flat().map((x) => x.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives nothing for nothing', () => {
    expect(batchesOfDistinctTickets([], 10)).toEqual([]);
  });
});
