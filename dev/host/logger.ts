/** Where the host writes its `func start`-style lines. Tests pass a collecting logger. */
export interface HostLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** The host's own bookkeeping (every execution, the function list): shown at `debug` only. Absent: `info`. */
  debug?(message: string): void;
}

/** `LOCAL_LOG_LEVEL`: `info` shows the app's lines, warnings and errors; `debug` also every execution. */
export type HostLogLevel = 'info' | 'debug';

export function parseHostLogLevel(value: string | undefined): HostLogLevel {
  const level = (value ?? '').trim().toLowerCase();
  if (level === '' || level === 'info' || level === 'information') return 'info';
  if (level === 'debug' || level === 'verbose' || level === 'trace') return 'debug';
  throw new Error(`LOCAL_LOG_LEVEL must be info or debug, got '${value}'`);
}

const stamp = (): string => new Date().toISOString().replace('T', ' ').replace('Z', '');

export const consoleLogger: HostLogger = {
  info: (message) => console.log(`[${stamp()}] ${message}`),
  warn: (message) => console.warn(`[${stamp()}] ${message}`),
  error: (message) => console.error(`[${stamp()}] ${message}`),
};

/** The console logger at a level: quiet bookkeeping at `info`, everything at `debug`. */
export function consoleLoggerAt(level: HostLogLevel): HostLogger {
  return { ...consoleLogger, debug: level === 'debug' ? consoleLogger.info : () => undefined };
}

/** Logs host bookkeeping at debug level, or at info for a logger that has no debug level. */
export function debugOf(logger: HostLogger): (message: string) => void {
  return (message) => (logger.debug ? logger.debug(message) : logger.info(message));
}

export const silentLogger: HostLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
