import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../../dev/azurite.js';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { sleep, waitFor } from '../../support/wait.js';
import { tempDir } from '../../support/temp-dir.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/durable-app/index.mjs');
const portOf = (endpoint: string): number => Number(new URL(endpoint).port);

/** Storage going away mid-orchestration is waited out and retried, not a stuck instance. */
describe('dev/host rides out a storage outage', () => {
  const location = tempDir('dev-host-outage-');
  const activityLog = path.join(location, 'activities.log');
  let azurite: RunningAzurite;
  let host: RunningHost;
  const logger = collectingLogger();

  beforeAll(async () => {
    azurite = await startAzurite({ location: path.join(location, 'data') });
    Object.assign(process.env, { AzureWebJobsStorage: azurite.connectionString, TASK_HUB_NAME: 'outagehub', ACTIVITY_LOG: activityLog });
    host = await startHost({ app: appEntry, port: 0, logger, eventGrid: false });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('a durable timer that fires while storage is down is recorded once storage is back', async () => {
    const started = await fetch(`${host.url}/api/orchestrators/pipeline`, { method: 'POST', body: JSON.stringify({ timerMs: 1000, retryMs: 20 }) });
    const { id } = (await started.json()) as { id: string };
    const stage = async (): Promise<string | undefined> => {
      const response = await fetch(`${host.url}/api/status/${id}`).catch(() => undefined);
      if (!response?.ok) return undefined;
      return ((await response.json()) as { customStatus: { stage?: string } | null }).customStatus?.stage;
    };
    await waitFor(async () => ((await stage()) === 'waiting-timer' ? true : undefined), 'the durable timer');

    const ports = { blobPort: portOf(azurite.blobEndpoint), queuePort: portOf(azurite.queueEndpoint), tablePort: portOf(azurite.tableEndpoint) };
    await azurite.stop();
    // The timer fires during the outage; recording it fails and is retried.
    await sleep(3000);
    expect(logger.lines.some((l) => l.startsWith('Durable: storage unavailable while recording task'))).toBe(true);
    azurite = await startAzurite({ location: path.join(location, 'data'), ...ports });

    await waitFor(async () => ((await stage()) === 'waiting-approval' ? true : undefined), 'the timer to be recorded after the outage', 30_000);
    await fetch(`${host.url}/api/raise/${id}/approve`, { method: 'POST', body: JSON.stringify('after outage') });
    const done = await waitFor(async () => {
      const response = await fetch(`${host.url}/api/status/${id}`);
      const status = (await response.json()) as { runtimeStatus: string; output: Record<string, unknown> };
      return status.runtimeStatus === 'Completed' ? status : undefined;
    }, 'completion');
    expect(done.output).toMatchObject({ approval: 'after outage', attempts: 3 });
    expect(readFileSync(activityLog, 'utf8').split('\n').filter((l) => l.startsWith('record:first:'))).toHaveLength(1);
  }, 60_000);
});
