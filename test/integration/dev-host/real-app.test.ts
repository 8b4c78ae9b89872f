import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { collectingLogger } from '../../support/collecting-logger.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('dev/host loads the real app', () => {
  let host: RunningHost;

  beforeAll(async () => {
    // The project directory: the host loads package.json `main` (dist/src/index.js, built by pretest).
    host = await startHost({ app: repoRoot, port: 0, logger: collectingLogger() });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('registers the app functions and answers GET /api/health', async () => {
    expect(host.functions).toContain('health');
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', name: 'finetune-pipeline' });
  });
});
