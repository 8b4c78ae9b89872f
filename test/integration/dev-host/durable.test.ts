import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { waitFor } from '../../support/wait.js';
import { tempDir } from '../../support/temp-dir.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/durable-app/index.mjs');

interface Status {
  runtimeStatus: string;
  customStatus: { stage?: string } | null;
  output: unknown;
  input: unknown;
}

describe('dev/host Durable orchestrations driven through df.getClient', () => {
  let azurite: RunningAzurite;
  let host: RunningHost;
  const activityLog = path.join(tempDir('dev-host-durable-'), 'activities.log');
  const logger = collectingLogger();

  const start = async (name: string, input: unknown): Promise<string> => {
    const response = await fetch(`${host.url}/api/orchestrators/${name}`, { method: 'POST', body: JSON.stringify(input) });
    expect(response.status).toBe(202);
    const payload = (await response.json()) as { id: string; statusQueryGetUri: string };
    expect(payload.statusQueryGetUri).toContain(`/runtime/webhooks/durabletask/instances/${payload.id}`);
    return payload.id;
  };
  const status = async (id: string): Promise<Status> => (await (await fetch(`${host.url}/api/status/${id}`)).json()) as Status;
  const until = (id: string, check: (s: Status) => boolean, what: string): Promise<Status> =>
    waitFor(async () => {
      const s = await status(id);
      return check(s) ? s : undefined;
    }, what);
  const activityLines = (): string[] => readFileSync(activityLog, 'utf8').trim().split('\n');

  beforeAll(async () => {
    azurite = await startAzurite();
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    process.env['TASK_HUB_NAME'] = 'durabletest';
    process.env['ACTIVITY_LOG'] = activityLog;
    host = await startHost({ app: appEntry, port: 0, logger });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('runs activity, retry, timer, external event, Task.all/any, sub-orchestration and custom status', async () => {
    const id = await start('pipeline', { timerMs: 300, retryMs: 50 });
    const waiting = await until(id, (s) => s.customStatus?.stage === 'waiting-approval', 'the approval wait');
    expect(waiting.runtimeStatus).toBe('Running');
    expect(waiting.input).toEqual({ timerMs: 300, retryMs: 50 });

    expect((await fetch(`${host.url}/api/raise/${id}/approve`, { method: 'POST', body: JSON.stringify({ by: 'tester' }) })).status).toBe(202);
    const done = await until(id, (s) => s.runtimeStatus !== 'Running', 'completion');
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.customStatus).toEqual({ stage: 'done' });
    expect(done.output).toEqual({
      first: 'recorded first',
      attempts: 3,
      approval: { by: 'tester' },
      parallel: ['recorded p1', 'recorded p2'],
      timerWon: true,
      sub: { child: 'recorded child-7' },
    });
    const lines = activityLines();
    expect(lines.filter((l) => l.startsWith(`flaky:${id}:`))).toEqual([`flaky:${id}:1`, `flaky:${id}:2`, `flaky:${id}:3`]);
    for (const step of ['first', 'p1', 'p2', 'child-7']) expect(lines.filter((l) => l.startsWith(`record:${step}:`))).toHaveLength(1);
    // The orchestrator ran through the registered handler, logged like func start.
    expect(logger.lines.some((l) => l.startsWith("Executed 'Functions.pipeline' (Succeeded"))).toBe(true);
  });

  it('waits out the retry back-off between attempts', async () => {
    const id = await start('pipeline', { timerMs: 10_000, retryMs: 400 });
    const started = Date.now();
    await until(id, (s) => s.customStatus?.stage === 'waiting-timer', 'the retries to finish');
    // Two failures, each followed by a 400 ms back-off timer, before the third attempt succeeds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect((await fetch(`${host.url}/api/terminate/${id}`, { method: 'POST' })).status).toBe(202);
    const terminated = await until(id, (s) => s.runtimeStatus !== 'Running', 'termination');
    expect(terminated).toMatchObject({ runtimeStatus: 'Terminated', output: 'stopped by test' });
  });

  it('fails the orchestration when retries are exhausted', async () => {
    const id = await start('failing', null);
    const failed = await until(id, (s) => s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending', 'failure');
    expect(failed.runtimeStatus).toBe('Failed');
    // Azure's shape: the extension's wrapping around the worker's message.
    expect(String(failed.output)).toContain("Activity function 'flaky' failed: Result: Failure\nException: flaky failure 2");
    expect(activityLines().filter((l) => l.startsWith(`flaky:${id}:`))).toHaveLength(2);
  });

  it('stops running attempts once the retry timeout has passed', async () => {
    const id = await start('retryTimeout', null);
    const failed = await until(id, (s) => s.runtimeStatus === 'Failed', 'failure');
    expect(String(failed.output)).toContain('Retry timeout exceeded');
    // 5 attempts allowed, 100 ms apart, but attempts stop running once 150 ms have passed.
    const ran = activityLines().filter((l) => l.startsWith(`flaky:${id}:`)).length;
    expect(ran).toBeGreaterThanOrEqual(2);
    expect(ran).toBeLessThan(5);
  });

  it('supports continueAsNew', async () => {
    const id = await start('loop', 0);
    const done = await until(id, (s) => s.runtimeStatus === 'Completed', 'the loop to finish');
    expect(done.output).toBe('looped 3');
    expect(done.input).toBe(3);
  });

  it("serves the management API with the extension's codes, headers and history shape", async () => {
    const api = `${host.url}/runtime/webhooks/durabletask`;
    expect((await fetch(`${api}/instances/nope`)).status).toBe(404);

    // Running: 202, Location = the request's own URL, Retry-After 5 (HttpApiHandler).
    const waiting = await start('waitsForever', null);
    await until(waiting, (s) => s.runtimeStatus === 'Running', 'the instance to run');
    const running = await fetch(`${api}/instances/${waiting}`);
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toBe(`${api}/instances/${waiting}`);
    expect(running.headers.get('retry-after')).toBe('5');
    // Terminated: 200, no Location.
    expect((await fetch(`${api}/instances/${waiting}/terminate?reason=test`, { method: 'POST' })).status).toBe(202);
    await until(waiting, (s) => s.runtimeStatus === 'Terminated', 'termination');
    const terminated = await fetch(`${api}/instances/${waiting}`);
    expect(terminated.status).toBe(200);
    expect(terminated.headers.get('location')).toBeNull();
    expect((await fetch(`${api}/instances/${waiting}/terminate`, { method: 'POST' })).status).toBe(410);

    // Failed: 200, or 500 when the caller asks for it.
    const failing = await start('failing', null);
    await until(failing, (s) => s.runtimeStatus === 'Failed', 'failure');
    expect((await fetch(`${api}/instances/${failing}`)).status).toBe(200);
    expect((await fetch(`${api}/instances/${failing}?returnInternalServerErrorOnFailure=true`)).status).toBe(500);

    const id = await start('loop', 3);
    await until(id, (s) => s.runtimeStatus === 'Completed', 'completion');
    expect((await fetch(`${api}/instances/${id}/raiseEvent/late`, { method: 'POST', body: '1' })).status).toBe(410);
    // A known route with the wrong method is 404, not 405.
    expect((await fetch(`${api}/instances/${id}/raiseEvent/late`, { method: 'PUT', body: '1' })).status).toBe(404);
    expect((await fetch(`${api}/orchestrators/loop`)).status).toBe(404);
    const listed = (await (await fetch(`${api}/instances?runtimeStatus=Completed`)).json()) as { instanceId: string }[];
    expect(listed.map((s) => s.instanceId)).toContain(id);
    const status = (await (await fetch(`${api}/instances/${id}?showHistory=true&showHistoryOutput=true`)).json()) as {
      createdTime: string;
      historyEvents: Record<string, unknown>[];
    };
    expect(status.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(status.historyEvents.map((e) => e['EventType'])).toEqual(['ExecutionStarted', 'ExecutionCompleted']);
    expect(status.historyEvents[0]).toMatchObject({ FunctionName: 'loop' });
    expect(status.historyEvents[1]).toMatchObject({ OrchestrationStatus: 'Completed', Result: 'looped 3' });
    expect(status.historyEvents.every((e) => !('EventId' in e) && !('IsPlayed' in e))).toBe(true);

    // Activities fold into one TaskCompleted/TaskFailed with FunctionName and ScheduledTime.
    const failedHistory = (await (await fetch(`${api}/instances/${failing}?showHistory=true`)).json()) as { historyEvents: Record<string, unknown>[] };
    const taskFailed = failedHistory.historyEvents.find((e) => e['EventType'] === 'TaskFailed')!;
    expect(taskFailed).toMatchObject({ FunctionName: 'flaky' });
    expect(String(taskFailed['Reason'])).toMatch(/^Activity function 'flaky' failed: Result: Failure\nException: flaky failure 1\nStack: /);
    expect(failedHistory.historyEvents.some((e) => e['EventType'] === 'TaskScheduled' || e['EventType'] === 'OrchestratorStarted')).toBe(false);

    expect(await (await fetch(`${api}/instances/${id}`, { method: 'DELETE' })).json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(`${api}/instances/${id}`)).status).toBe(404);
  });
});
