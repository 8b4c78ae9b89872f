import type { HostLogger } from '../../dev/host/index.js';

/** A host logger that keeps every line, for assertions on `func start`-style output. */
export function collectingLogger(): HostLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (line: string): void => {
    lines.push(line);
  };
  return { lines, info: push, warn: push, error: push };
}
