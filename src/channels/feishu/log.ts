/** The logger the Feishu channel takes: pino's `(obj, msg)` calling convention, nothing more. */
export interface FeishuLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};
export const silentLogger: FeishuLogger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * The SDK's Logger (`(...msg: any[])`) on top of ours, for lark.Client,
 * EventDispatcher and WSClient, so their lines land in the service log.
 */
export function sdkLogger(log: FeishuLogger): {
  error: (...msg: unknown[]) => void;
  warn: (...msg: unknown[]) => void;
  info: (...msg: unknown[]) => void;
  debug: (...msg: unknown[]) => void;
  trace: (...msg: unknown[]) => void;
} {
  const line = (msg: unknown[]): string =>
    msg
      .map((m) => {
        if (typeof m === 'string') return m;
        try {
          return JSON.stringify(m);
        } catch {
          return String(m);
        }
      })
      .join(' ')
      .slice(0, 2000);
  return {
    error: (...m) => log.warn({ sdk: 'lark' }, line(m)),
    warn: (...m) => log.warn({ sdk: 'lark' }, line(m)),
    info: (...m) => log.debug({ sdk: 'lark' }, line(m)),
    debug: (...m) => log.debug({ sdk: 'lark' }, line(m)),
    trace: (...m) => log.debug({ sdk: 'lark' }, line(m)),
  };
}
