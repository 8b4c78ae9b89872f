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

/**
 * host.json `logging.logLevel`, as the Functions host applies it (learn.microsoft.com/azure/
 * azure-functions/configure-monitoring, "Configure categories" and "Configure log levels"): every
 * line has a category and a level; a line is written when its level is at least the minimum of
 * the most specific configured category it starts with ("the more defined logs ones are matched
 * first"), else `default`, else Information. `None` turns a category off. The categories dev/host
 * writes, with the real host's names:
 *
 * - `Function.<name>` — the host's "Executing"/"Executed" lines of each invocation (Information;
 *   a failure at Error);
 * - `Function.<name>.User` — what the function itself logs, at the level it chose;
 * - `Worker` — the `@azure/functions` library's own warnings and errors.
 *
 * Matching is a case-insensitive prefix, like Microsoft.Extensions.Logging's filter rules.
 */
export const LOG_LEVELS = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

export class LogLevels {
  /** Configured categories, lower-cased, longest first, so the first match is the most specific. */
  readonly #rules: [string, number][];
  readonly #fallback: number;
  /** Minimum per category asked about: a handful of categories, asked once per log line. */
  readonly #cache = new Map<string, number>();

  constructor(levels: Record<string, LogLevelName> = {}) {
    const rules = Object.entries(levels).map(([category, level]): [string, number] => [category.toLowerCase(), LOG_LEVELS[level]]);
    this.#fallback = rules.find(([category]) => category === 'default')?.[1] ?? LOG_LEVELS.information;
    this.#rules = rules.filter(([category]) => category !== 'default').sort((a, b) => b[0].length - a[0].length);
  }

  minimum(category: string): number {
    let minimum = this.#cache.get(category);
    if (minimum === undefined) {
      const lower = category.toLowerCase();
      minimum = this.#rules.find(([prefix]) => lower.startsWith(prefix))?.[1] ?? this.#fallback;
      this.#cache.set(category, minimum);
    }
    return minimum;
  }

  enabled(category: string, level: LogLevelName): boolean {
    return LOG_LEVELS[level] < LOG_LEVELS.none && LOG_LEVELS[level] >= this.minimum(category);
  }
}
