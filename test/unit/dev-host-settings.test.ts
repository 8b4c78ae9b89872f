import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventGridFaults, retryDelaySeconds } from '../../dev/host/eventgrid-delivery.js';
import { parseTimeSpan, readHostConfig } from '../../dev/host/host-config.js';
import { PollingLatency, Semaphore } from '../../dev/host/durable/work-limits.js';
import { tempDir } from '../support/temp-dir.js';

const hostJson = (json: unknown): string => {
  const dir = tempDir('host-json-');
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify(json));
  return dir;
};

describe('dev/host settings', () => {
  it('reads host.json with the Functions host defaults and names what it ignores', () => {
    const defaults = readHostConfig(hostJson({ version: '2.0' }));
    expect(defaults).toMatchObject({
      routePrefix: 'api',
      functionTimeoutMs: 30 * 60_000,
      queueMessageEncoding: 'base64',
      maxDequeueCount: 5,
      maxConcurrentActivityFunctions: 10,
      maxConcurrentOrchestratorFunctions: 10,
      durableMaxQueuePollingIntervalMs: 30_000,
      ignored: [],
    });
    const custom = readHostConfig(
      hostJson({
        functionTimeout: '-1',
        extensions: { queues: { messageEncoding: 'none', maxDequeueCount: 2, visibilityTimeout: '00:00:10' }, durableTask: { maxConcurrentActivityFunctions: 3 } },
        logging: { logLevel: { default: 'Warning', 'Host.Results': 'Error' } },
        aggregator: { batchSize: 1000 },
      }),
    );
    expect(custom).toMatchObject({ functionTimeoutMs: undefined, queueMessageEncoding: 'none', maxDequeueCount: 2, maxConcurrentActivityFunctions: 3 });
    // logging.logLevel is honoured now; the rest of logging (applicationInsights) is still named.
    expect(custom.ignored).toEqual(['extensions.queues.visibilityTimeout', 'aggregator.batchSize']);
    expect(custom.logLevels.enabled('Function.chat.User', 'information')).toBe(false);
  });

  it('applies logging.logLevel as the Functions host does: most specific category prefix, then default, then Information', () => {
    const levels = readHostConfig(
      hostJson({
        logging: {
          logLevel: { default: 'Warning', Function: 'Information', 'Function.chat': 'Warning', 'function.chat.user': 'Debug', 'Function.quiet.User': 'None', Host: 'Error', 'Host.Aggregator': 'Trace' },
        },
      }),
    ).logLevels;
    // Function.<name> (the host's Executing/Executed lines) and Function.<name>.User (the app's own).
    expect(levels.enabled('Function.other', 'information')).toBe(true);
    expect(levels.enabled('Function.other.User', 'debug')).toBe(false);
    expect(levels.enabled('Function.chat', 'information')).toBe(false);
    expect(levels.enabled('Function.chat', 'error')).toBe(true);
    expect(levels.enabled('Function.chat.User', 'debug')).toBe(true); // case-insensitive, more specific wins
    expect(levels.enabled('Function.chat.User', 'trace')).toBe(false);
    expect(levels.enabled('Function.quiet.User', 'critical')).toBe(false); // None turns a category off
    expect(levels.enabled('Host.Results', 'warning')).toBe(false);
    expect(levels.enabled('Host.Aggregator', 'trace')).toBe(true);
    expect(levels.enabled('Worker', 'information')).toBe(false); // default
    expect(levels.enabled('Worker', 'warning')).toBe(true);
    // Nothing configured: Information everywhere.
    const defaults = readHostConfig(hostJson({ version: '2.0' })).logLevels;
    expect(defaults.enabled('Function.chat.User', 'information')).toBe(true);
    expect(defaults.enabled('Function.chat.User', 'debug')).toBe(false);
    expect(() => readHostConfig(hostJson({ logging: { logLevel: { Function: 'Verbose' } } }))).toThrow(/logging\.logLevel\.Function must be one of Trace, .*"Verbose"/);
    expect(() => readHostConfig(hostJson({ logging: { logLevel: 'Information' } }))).toThrow(/logging\.logLevel must be an object/);
  });

  it('refuses malformed values with the setting named', () => {
    expect(() => readHostConfig(hostJson({ functionTimeout: '10 minutes' }))).toThrow(/host\.json: functionTimeout must be a time span/);
    expect(() => readHostConfig(hostJson({ extensions: { queues: { messageEncoding: 'utf8' } } }))).toThrow(/messageEncoding must be "base64" or "none"/);
    expect(() => readHostConfig(hostJson({ extensions: { queues: { maxDequeueCount: 0 } } }))).toThrow(/maxDequeueCount must be a positive integer/);
    expect(parseTimeSpan('1.02:03:04', 'x')).toBe(((24 + 2) * 60 + 3) * 60_000 + 4000);
  });

  it("follows Event Grid's retry schedule and parses the fault setting", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30].map(retryDelaySeconds)).toEqual([10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200, 43_200]);
    expect(parseEventGridFaults('duplicates=1, concurrent=3,lateMs=2000,lostAcks=1')).toEqual({ duplicates: 1, concurrent: 3, lateMs: 2000, lostAcks: 1 });
    expect(parseEventGridFaults(undefined)).toEqual({});
    expect(() => parseEventGridFaults('dupes=2')).toThrow(/DEV_HOST_EVENTGRID_FAULTS: "dupes=2" is not one of duplicates=<n>/);
  });

  it('caps concurrent work with a semaphore, in arrival order', async () => {
    const slots = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        slots.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push(n);
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(slots.held).toBe(0);
  });

  it('picks work up at once after activity and up to the backed-off interval after idling', async () => {
    const latency = new PollingLatency(30_000);
    const busy = performance.now();
    await latency.wait();
    expect(performance.now() - busy).toBeLessThan(150);
  });
});
