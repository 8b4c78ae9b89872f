import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHost } from '../../../dev/host/index.js';
import { collectingLogger } from '../../support/collecting-logger.js';

// Its own file: dev/host loads one app per process (vitest gives each file its own).
const fixtures = path.resolve(import.meta.dirname, '../../fixtures/apps');

describe('dev/host loads a glob main as the Node.js worker does', () => {
  it('loads matches in order, warns with the worker text at the first file that throws, and loads nothing after it', async () => {
    const logger = collectingLogger();
    const host = await startHost({ app: path.join(fixtures, 'glob-app'), port: 0, logger, eventGrid: false });
    try {
      expect(host.functions.sort()).toEqual(['first', 'second']);
      expect(logger.lines).toContain('Worker was unable to load entry point "src/*.mjs": b-broken.mjs failed to load');
      expect(await (await fetch(`${host.url}/api/first`)).text()).toBe('first');
      expect((await fetch(`${host.url}/api/third`)).status).toBe(404);
    } finally {
      await host.stop();
    }
  });
});
