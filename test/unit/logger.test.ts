/**
 * Logs: readable lines in a terminal, one JSON object per line otherwise
 * (LOG_FORMAT chooses); the missing-holidays warning says what to add to the
 * contract file, as YAML that the contract loader accepts once filled in.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { missingYearAdvice } from '../../src/domain/calendar.js';
import { createLogger, wantsPretty } from '../../src/logger.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(w, { isTTY, text: () => chunks.join('') });
}

describe('the service log', () => {
  it('is readable in a terminal and JSON lines elsewhere, unless LOG_FORMAT says', () => {
    expect(wantsPretty('auto', { isTTY: true })).toBe(true);
    expect(wantsPretty('auto', { isTTY: false })).toBe(false);
    expect(wantsPretty('json', { isTTY: true })).toBe(false);
    expect(wantsPretty('pretty', { isTTY: false })).toBe(true);

    const tty = sink(true);
    createLogger({ level: 'info', destination: tty, replica: 'a' }).info({ ticket: 12 }, 'reminder sent');
    const shown = tty.text().replace(/\x1b\[[0-9;]*m/g, '');
    expect(shown).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: reminder sent\n/);
    expect(shown).toContain('ticket: 12');
    expect(() => JSON.parse(tty.text())).toThrow();

    const pipe = sink(false);
    createLogger({ level: 'info', destination: pipe, replica: 'a' }).info({ ticket: 12 }, 'reminder sent');
    expect(JSON.parse(pipe.text())).toMatchObject({ level: 30, msg: 'reminder sent', ticket: 12, replica: 'a' });
  });
});

describe('the missing-holidays warning', () => {
  it('names the file and gives the YAML to add', () => {
    const text = missingYearAdvice(2027, 'config/contract.yaml');
    expect(text).toContain('no public-holiday data for 2027');
    expect(text).toContain('add them to config/contract.yaml');
    const yaml = text.split('\n').filter((l) => l.startsWith('  ')).join('\n').replace(/…/g, '2027-10-01').replace(/MM-DD/, '09-26');
    expect(YAML.parse(yaml)).toEqual({ calendar: { overrides: [{ year: 2027, holidays: ['2027-01-01', '2027-10-01'], workdays: ['2027-09-26', '2027-10-01'] }] } });
  });
});
