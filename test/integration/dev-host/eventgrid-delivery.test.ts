import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventGridDelivery, blobCreatedEvent, defaultEventGridOptions, startHost, type EventGridOptions, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { sleep, waitFor } from '../../support/wait.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/triggers-app/index.mjs');
/** Azure's schedule at 1/200 speed: the 10 s and 30 s retry steps take 50 ms and 150 ms. */
const SCALE = 0.005;

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A stand-in subscriber that answers with the given statuses in turn (the last one repeats). */
async function subscriber(statuses: number[]): Promise<{ url: string; received: Received[]; close(): void }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: performance.now(), headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => server.close() };
}

describe('the local Event Grid subscription delivers BlobCreated events as Azure does', () => {
  let azurite: RunningAzurite;
  let blobs: BlobServiceClient;
  const logger = collectingLogger();

  beforeAll(async () => {
    azurite = await startAzurite();
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  const source = { name: 'drop', container: 'drops', connection: undefined, pattern: /^/ };
  const delivery = (url: string, options: Partial<EventGridOptions> = {}): EventGridDelivery =>
    new EventGridDelivery([], logger, { ...defaultEventGridOptions, timeScale: SCALE, ...options }, () => url);

  const anEvent = async (name: string): Promise<ReturnType<typeof blobCreatedEvent>> => {
    const container = blobs.getContainerClient('drops');
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient(name);
    await blob.upload('{"a":1}', 7, { blobHTTPHeaders: { blobContentType: 'application/jsonl' } });
    return blobCreatedEvent('drops', name, blob.url, await blob.getProperties(), 1);
  };

  it('posts one event in an array, in the Event Grid schema, and retries on the documented schedule', async () => {
    const hook = await subscriber([500, 503, 200]);
    const event = await anEvent('data/set.jsonl');
    expect(await delivery(hook.url).deliver(source, event)).toBe('delivered');
    hook.close();
    expect(hook.received).toHaveLength(3);
    const [first, second, third] = hook.received;
    expect(first!.headers['aeg-event-type']).toBe('Notification');
    expect(hook.received.map((r) => r.headers['aeg-delivery-count'])).toEqual(['0', '1', '2']);
    expect(first!.body).toEqual([
      expect.objectContaining({
        eventType: 'Microsoft.Storage.BlobCreated',
        subject: '/blobServices/default/containers/drops/blobs/data/set.jsonl',
        dataVersion: '',
        metadataVersion: '1',
        data: expect.objectContaining({ api: 'PutBlob', blobType: 'BlockBlob', contentLength: 7, contentType: 'application/jsonl', eTag: event.data.eTag, url: event.data.url }),
      }),
    ]);
    // 10 s then 30 s, ±10% randomization, scaled.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(10_000 * SCALE * 0.9 - 5);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(30_000 * SCALE * 0.9 - 5);
  });

  it('dead-letters at once on 400, and after the last attempt (plus the 5-minute delay) on 5xx', async () => {
    const badRequest = await subscriber([400]);
    const rejected = await anEvent('rejected.jsonl');
    expect(await delivery(badRequest.url).deliver(source, rejected)).toBe('deadLettered');
    expect(badRequest.received).toHaveLength(1);
    badRequest.close();

    const down = await subscriber([500]);
    const undelivered = await anEvent('undelivered.jsonl');
    const started = performance.now();
    expect(await delivery(down.url, { maxDeliveryAttempts: 3 }).deliver(source, undelivered)).toBe('deadLettered');
    expect(down.received).toHaveLength(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual((10_000 + 30_000 + 300_000) * SCALE * 0.9);
    down.close();

    const letters: Record<string, unknown>[] = [];
    for await (const item of blobs.getContainerClient('eventgrid-deadletter').listBlobsFlat()) {
      const text = (await blobs.getContainerClient('eventgrid-deadletter').getBlobClient(item.name).downloadToBuffer()).toString();
      letters.push(...(JSON.parse(text) as Record<string, unknown>[]));
    }
    expect(letters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: rejected.id, deadLetterReason: 'DeliveryFailed', deliveryAttempts: 1, lastHttpStatusCode: 400 }),
        expect.objectContaining({ id: undelivered.id, deadLetterReason: 'MaxDeliveryAttemptsExceeded', deliveryAttempts: 3, lastHttpStatusCode: 500 }),
      ]),
    );
    // Without a dead-letter container the event is dropped, as without dead-lettering in Azure.
    const gone = await subscriber([413]);
    expect(await delivery(gone.url, { deadLetterContainer: undefined }).deliver(source, await anEvent('dropped.jsonl'))).toBe('dropped');
    gone.close();
  });

  it('injects duplicate, concurrent, late and lost-acknowledgement deliveries when asked', async () => {
    const hook = await subscriber([200]);
    const event = await anEvent('faulty.jsonl');
    const started = performance.now();
    await delivery(hook.url, { faults: { concurrent: 3, duplicates: 2, lateMs: 200, lostAcks: 1 } }).deliver(source, event);
    hook.close();
    // 3 at once, the lost ack makes a 4th (retry), then 2 duplicates after it.
    expect(hook.received).toHaveLength(6);
    expect(hook.received[0]!.at - started).toBeGreaterThanOrEqual(190);
    // Three first attempts at once, the retry after the lost acknowledgement, then the two duplicates.
    expect(hook.received.map((r) => r.headers['aeg-delivery-count'])).toEqual(['0', '0', '0', '1', '2', '3']);
    expect(new Set(hook.received.map((r) => (r.body as { id: string }[])[0]!.id))).toEqual(new Set([event.id]));
  });

  describe('through the host: blob changes become deliveries to /runtime/webhooks/blobs', () => {
    let host: RunningHost;
    let queues: QueueServiceClient;
    const hostLogger = collectingLogger();

    beforeAll(async () => {
      queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
      for (const name of ['grid', 'uploads', 'bad']) await blobs.getContainerClient(name).createIfNotExists();
      host = await startHost({
        app: appEntry,
        port: 0,
        logger: hostLogger,
        blobPollIntervalMs: 100,
        queuePollIntervalMs: 100,
        keys: { master: 'master-key' },
        eventGrid: { timeScale: SCALE, faults: { concurrent: 2, duplicates: 1 } },
      });
    });
    afterAll(async () => {
      await host?.stop();
    });

    it('delivers every version once per attempt, with the blobs_extension key, and the function runs per delivery', async () => {
      await blobs.getContainerClient('grid').getBlockBlobClient('one.jsonl').upload('{"v":1}', 7);
      const seen = queues.getQueueClient('seen');
      const grid: string[] = [];
      await waitFor(async () => {
        if (!(await seen.exists())) return undefined;
        const { receivedMessageItems } = await seen.receiveMessages({ numberOfMessages: 32 });
        for (const m of receivedMessageItems) {
          const body = JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as { fn: string; content: string };
          if (body.fn === 'onGridEvent') grid.push(body.content);
          await seen.deleteMessage(m.messageId, m.popReceipt);
        }
        return grid.length >= 3 ? true : undefined;
      }, 'two concurrent deliveries and one duplicate');
      await sleep(300);
      expect(grid).toEqual(['{"v":1}', '{"v":1}', '{"v":1}']);
      // The webhook refused nothing: the subscription carried the derived system key, not the master key.
      expect(hostLogger.lines.some((l) => l.includes('Event Grid (local)'))).toBe(false);
    });
  });
});
