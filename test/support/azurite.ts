import { startAzurite as startAzuriteProcess, type RunningAzurite } from '../../dev/azurite.js';

/**
 * A throw-away Azurite for one test file: in memory, free ports on 127.0.0.1, started from
 * node_modules; resolves once blob, queue and table all listen. Call `stop()` in `afterAll`.
 */
export function startAzurite(): Promise<RunningAzurite> {
  return startAzuriteProcess();
}

export type { RunningAzurite };
