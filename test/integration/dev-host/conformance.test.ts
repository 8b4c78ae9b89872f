import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { waitFor } from '../../support/wait.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/apps');

interface Status {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
}

/**
 * The host against an app of the patterns the Durable and Functions samples use, loaded through a
 * glob `main` (one file per pattern, no import list) and configured through host.json.
 */
describe('dev/host conformance: the sample patterns, glob main and host.json', () => {
  let azurite: RunningAzurite;
  let host: RunningHost;
  const logger = collectingLogger();

  const start = async (name: string, input: unknown, id?: string): Promise<{ id: string; statusQueryGetUri: string }> => {
    const response = await fetch(`${host.url}/api/start/${name}${id ? `/${id}` : ''}`, { method: 'POST', body: JSON.stringify(input) });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toContain('/runtime/webhooks/durabletask/instances/');
    return (await response.json()) as { id: string; statusQueryGetUri: string };
  };
  const finished = (uri: string, timeoutMs = 10_000): Promise<Status> =>
    waitFor(
      async () => {
        const response = await fetch(uri);
        const status = (await response.json()) as Status;
        return response.status === 202 ? undefined : status;
      },
      `the instance behind ${uri}`,
      timeoutMs,
    );

  beforeAll(async () => {
    azurite = await startAzurite();
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    host = await startHost({ app: path.join(fixtures, 'conformance'), port: 0, logger, queuePollIntervalMs: 100, keys: { master: 'conformance-master' } });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('loads every file the glob main matches, and names the host.json settings it does not emulate', () => {
    expect(host.functions).toEqual(expect.arrayContaining(['start', 'chaining', 'greet', 'fanOut', 'measureItem', 'approval', 'monitor', 'eternal', 'parentFleet', 'retrying', 'slow', 'alive']));
    expect(logger.lines.filter((l) => l.startsWith('host.json settings dev/host does not emulate'))).toEqual([
      'host.json settings dev/host does not emulate (no effect locally, in effect in Azure): extensions.queues.batchSize.',
    ]);
  });

  it('chaining', async () => {
    const { statusQueryGetUri } = await start('chaining', ['Tokyo', 'Seattle']);
    expect(await finished(statusQueryGetUri)).toMatchObject({ runtimeStatus: 'Completed', output: ['HELLO TOKYO!', 'HELLO SEATTLE!'] });
  });

  it('fan-out/fan-in with activity-input bindings, within maxConcurrentActivityFunctions', async () => {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const items = blobs.getContainerClient('fanout-items');
    await items.createIfNotExists();
    const names = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    for (const name of names) await items.getBlockBlobClient(`${name}.txt`).upload(name.repeat(2), name.length * 2);
    const { statusQueryGetUri } = await start('fanOut', names);
    const status = await finished(statusQueryGetUri);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { total: 30, lengths: [2, 4, 6, 8, 10] } });
    // host.json caps concurrent activities at 2.
    expect((status.output as { concurrency: number }).concurrency).toBe(2);
    const written = (await blobs.getContainerClient('fanout-results').getBlobClient('ccc.txt').downloadToBuffer()).toString();
    expect(written).toBe('6');
  });

  it('human interaction: approved by an event, or timed out by a durable timer', async () => {
    const approved = await start('approval', { timeoutMs: 10_000 });
    await waitFor(async () => ((await (await fetch(approved.statusQueryGetUri)).json()) as Status).customStatus === 'awaiting approval' || undefined, 'the wait');
    expect((await fetch(`${host.url}/api/raise/${approved.id}/Approval`, { method: 'POST', body: JSON.stringify({ by: 'ops' }) })).status).toBe(202);
    expect(await finished(approved.statusQueryGetUri)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'approved', by: 'ops' } });
    const ignored = await start('approval', { timeoutMs: 200 });
    expect(await finished(ignored.statusQueryGetUri)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'timed out' } });
  });

  it('monitor', async () => {
    const { statusQueryGetUri } = await start('monitor', { job: 'job-1', intervalMs: 50, expiresMs: 10_000 });
    expect(await finished(statusQueryGetUri)).toMatchObject({ runtimeStatus: 'Completed', output: { state: 'done', polls: 3 } });
  });

  it('eternal orchestration (continueAsNew)', async () => {
    const { statusQueryGetUri } = await start('eternal', { round: 1, stopAt: 4 });
    expect(await finished(statusQueryGetUri)).toMatchObject({ runtimeStatus: 'Completed', output: 'stopped after 4 rounds' });
  });

  it('sub-orchestrations: sequential with a caught failure, and parallel', async () => {
    const { statusQueryGetUri } = await start('parentFleet', ['d1', 'broken', 'd2']);
    const status = await finished(statusQueryGetUri);
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as { results: Record<string, string>[]; parallel: Record<string, string>[] };
    expect(output.results[0]).toEqual({ device: 'd1', greeting: 'Hello d1!' });
    expect(output.results[1]!['failed']).toContain('device broken cannot be provisioned');
    expect(output.results[2]).toEqual({ device: 'd2', greeting: 'Hello d2!' });
    expect(output.parallel).toEqual([
      { device: 'p1', greeting: 'Hello p1!' },
      { device: 'p2', greeting: 'Hello p2!' },
    ]);
  });

  it("retries, and a final failure in Azure's shape", async () => {
    const { statusQueryGetUri } = await start('retrying', null);
    const status = await finished(statusQueryGetUri);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { succeededAfter: 3 } });
    expect((status.output as { caught: string }).caught).toMatch(/^Activity function 'brokenStep' failed: Result: Failure\nException: the service said no\nStack: /);
  });

  it('the management API needs the master key or the durabletask_extension key, and hands out only the latter', async () => {
    const { id, statusQueryGetUri } = await start('chaining', ['Oslo']);
    expect(statusQueryGetUri).not.toContain('conformance-master');
    expect((await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}`)).status).toBe(401);
    expect((await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}?code=conformance-master`)).status).not.toBe(401);
    expect((await fetch(statusQueryGetUri)).status).not.toBe(401);
  });

  it('functionTimeout fails an invocation that runs too long', async () => {
    const response = await fetch(`${host.url}/api/slow`);
    expect(response.status).toBe(500);
    expect(logger.lines.some((l) => l.includes('Timeout value of 00:00:02 was exceeded by function: Functions.slow'))).toBe(true);
  });

  it('messageEncoding "none" writes queue messages as plain text; maxDequeueCount 2 sends failures to poison', async () => {
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    expect((await fetch(`${host.url}/api/enqueue`, { method: 'POST', body: 'plain text message' })).status).toBe(202);
    const { peekedMessageItems } = await queues.getQueueClient('plain-out').peekMessages();
    expect(peekedMessageItems[0]?.messageText).toBe('plain text message');

    const doomed = queues.getQueueClient('doomed');
    await doomed.createIfNotExists();
    await doomed.sendMessage('not base64 at all');
    const poison = queues.getQueueClient('doomed-poison');
    const moved = await waitFor(async () => ((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems[0] : undefined), 'the poison message');
    expect(moved.messageText).toBe('not base64 at all');
    expect(logger.lines.filter((l) => l.startsWith("Executed 'Functions.alwaysFailsQueue' (Failed"))).toHaveLength(2);
  });

  it('an exception thrown outside any invocation fails what was running, not the host', async () => {
    const response = await fetch(`${host.url}/api/crash`);
    expect(response.status).toBe(500);
    expect(logger.lines.some((l) => l.startsWith('Worker process crashed') && l.includes('thrown outside any invocation'))).toBe(true);
    expect(await (await fetch(`${host.url}/api/alive`)).text()).toBe('alive');
  });
});
