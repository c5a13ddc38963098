/**
 * The service's logger (pino). Started in a terminal it prints readable lines
 * (pino-pretty: time, level, message, then the fields); otherwise — a process
 * manager, a container, a pipe — one JSON object per line for log collectors.
 * LOG_FORMAT=json or pretty decides instead of the terminal check.
 */
import { pino, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  format?: LogFormat;
  replica?: string | undefined;
  /** Where the lines go (default stdout); its isTTY decides the format when LOG_FORMAT is auto. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function wantsPretty(format: LogFormat | undefined, destination: { isTTY?: boolean }): boolean {
  return format === 'pretty' || ((format ?? 'auto') === 'auto' && destination.isTTY === true);
}

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? process.stdout;
  const options = { level: opts.level, base: opts.replica ? { replica: opts.replica } : {} };
  if (!wantsPretty(opts.format, destination)) return opts.destination ? pino(options, opts.destination) : pino(options);
  const pretty = PinoPretty({
    destination,
    colorize: destination.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname',
    // Written as they come: a message logged just before an exit is not lost.
    sync: true,
  });
  return pino(options, pretty);
}
