/** Where the host writes its `func start`-style lines. Tests pass a collecting logger. */
export interface HostLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const stamp = (): string => new Date().toISOString().replace('T', ' ').replace('Z', '');

export const consoleLogger: HostLogger = {
  info: (message) => console.log(`[${stamp()}] ${message}`),
  warn: (message) => console.warn(`[${stamp()}] ${message}`),
  error: (message) => console.error(`[${stamp()}] ${message}`),
};

export const silentLogger: HostLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
