import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { waitFor } from '../../support/wait.js';
import { tempDir } from '../../support/temp-dir.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/durable-app/index.mjs');

interface Status {
  runtimeStatus: string;
  customStatus: { stage?: string } | null;
  output: unknown;
}

describe('dev/host Durable state survives a host restart', () => {
  let azurite: RunningAzurite;
  let host: HostProcess | undefined;
  const activityLog = path.join(tempDir('dev-host-restart-'), 'activities.log');
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    azurite = await startAzurite();
    env = { AzureWebJobsStorage: azurite.connectionString, TASK_HUB_NAME: 'restarthub', ACTIVITY_LOG: activityLog };
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('resumes an orchestration stopped mid-timer, and no activity runs twice', async () => {
    host = await startHostProcess(appEntry, env);
    const started = await fetch(`${host.url}/api/orchestrators/pipeline`, { method: 'POST', body: JSON.stringify({ timerMs: 1500, retryMs: 50 }) });
    const { id } = (await started.json()) as { id: string };
    const status = async (url: string): Promise<Status> => (await (await fetch(`${url}/api/status/${id}`)).json()) as Status;

    await waitFor(async () => ((await status(host!.url)).customStatus?.stage === 'waiting-timer' ? true : undefined), 'the durable timer');
    expect(await host.stop()).toBe(0);
    const beforeRestart = readFileSync(activityLog, 'utf8');

    host = await startHostProcess(appEntry, env);
    const url = host.url;
    await waitFor(async () => ((await status(url)).customStatus?.stage === 'waiting-approval' ? true : undefined), 'the timer to fire after restart');
    expect(readFileSync(activityLog, 'utf8')).toBe(beforeRestart);
    await fetch(`${url}/api/raise/${id}/approve`, { method: 'POST', body: JSON.stringify('yes') });
    const done = await waitFor(async () => {
      const s = await status(url);
      return s.runtimeStatus === 'Completed' ? s : undefined;
    }, 'completion after restart');
    expect(done.output).toMatchObject({ first: 'recorded first', attempts: 3, approval: 'yes' });

    const lines = readFileSync(activityLog, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith(`flaky:${id}:`))).toHaveLength(3);
    for (const step of ['first', 'p1', 'p2', 'child-7']) expect(lines.filter((l) => l.startsWith(`record:${step}:`))).toHaveLength(1);
  });
});
