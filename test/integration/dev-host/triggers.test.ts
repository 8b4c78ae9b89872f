import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { sleep, waitFor } from '../../support/wait.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/triggers-app/index.mjs');

interface Seen {
  fn: string;
  name: string;
  blobTrigger?: string;
  uri?: string;
  length?: number;
  metadata?: Record<string, string>;
  content: string;
}

describe('dev/host blob, Event Grid, timer and queue triggers over Azurite', () => {
  let azurite: RunningAzurite;
  let host: RunningHost | undefined;
  let blobs: BlobServiceClient;
  let queues: QueueServiceClient;
  const logger = collectingLogger();
  const received: Seen[] = [];

  const start = async (): Promise<RunningHost> =>
    startHost({ app: appEntry, port: 0, logger, blobPollIntervalMs: 100, queuePollIntervalMs: 100, blobTriggerMaxAttempts: 3, eventGrid: false });

  /** Drains the `seen` queue the blob functions write to (base64 JSON, as the host encodes). */
  const drainSeen = async (): Promise<Seen[]> => {
    const queue = queues.getQueueClient('seen');
    if (!(await queue.exists())) return received;
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    for (const message of receivedMessageItems) {
      received.push(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')) as Seen);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    }
    return received;
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    for (const name of ['uploads', 'grid', 'bad']) await blobs.getContainerClient(name).createIfNotExists();
    host = await start();
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('fires a polling blob trigger once per blob version, with the real host trigger metadata', async () => {
    const blob = blobs.getContainerClient('uploads').getBlockBlobClient('folder/notes.txt');
    await blob.upload('hello blob', 10, { metadata: { origin: 'test' } });
    const first = await waitFor(async () => (await drainSeen()).find((s) => s.fn === 'onUpload' && s.content === 'hello blob'), 'the blob trigger');
    expect(first).toEqual({
      fn: 'onUpload',
      name: 'folder/notes',
      blobTrigger: 'uploads/folder/notes.txt',
      uri: blob.url,
      length: 10,
      metadata: { origin: 'test' },
      content: 'hello blob',
    });
    // A blob not matching the path pattern ({name}.txt) never fires.
    await blobs.getContainerClient('uploads').getBlockBlobClient('ignored.csv').upload('x', 1);
    await sleep(500);
    expect((await drainSeen()).filter((s) => s.fn === 'onUpload')).toHaveLength(1);

    // A new version (new ETag) fires again.
    await blob.upload('changed', 7);
    await waitFor(async () => (await drainSeen()).find((s) => s.content === 'changed'), 'the changed blob');
    expect((await drainSeen()).filter((s) => s.fn === 'onUpload')).toHaveLength(2);
  });

  it('does not fire again for the same blob versions after a restart (receipts live in storage)', async () => {
    await host!.stop();
    host = await start();
    await blobs.getContainerClient('uploads').getBlockBlobClient('after-restart.txt').upload('new one', 7);
    await waitFor(async () => (await drainSeen()).find((s) => s.content === 'new one'), 'the blob uploaded after restart');
    await sleep(300);
    expect((await drainSeen()).filter((s) => s.fn === 'onUpload').map((s) => s.content)).toEqual(['hello blob', 'changed', 'new one']);
  });

  it('accepts Event Grid validation and BlobCreated posts on /runtime/webhooks/blobs', async () => {
    const webhook = `${host!.url}/runtime/webhooks/blobs?functionName=Host.Functions.onGridEvent`;
    const validation = await fetch(webhook, {
      method: 'POST',
      headers: { 'aeg-event-type': 'SubscriptionValidation', 'content-type': 'application/json' },
      body: JSON.stringify([
        { id: '1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', subject: '', data: { validationCode: 'abc-123' }, dataVersion: '1', eventTime: new Date().toISOString() },
      ]),
    });
    expect(validation.status).toBe(200);
    expect(await validation.json()).toEqual({ validationResponse: 'abc-123' });

    const blob = blobs.getContainerClient('grid').getBlockBlobClient('data/set.jsonl');
    await blob.upload('{"grid":true}', 13);
    // The local Event Grid subscription is off here: nothing fires until an event is posted.
    await sleep(400);
    expect((await drainSeen()).filter((s) => s.fn === 'onGridEvent')).toHaveLength(0);

    const event = {
      id: 'evt-1',
      topic: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
      subject: '/blobServices/default/containers/grid/blobs/data/set.jsonl',
      eventType: 'Microsoft.Storage.BlobCreated',
      eventTime: new Date().toISOString(),
      dataVersion: '',
      data: { api: 'PutBlob', url: blob.url, blobType: 'BlockBlob', contentLength: 13 },
    };
    const post = (): Promise<Response> =>
      fetch(webhook, { method: 'POST', headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' }, body: JSON.stringify([event]) });
    expect((await post()).status).toBe(202);
    const fired = await waitFor(async () => (await drainSeen()).find((s) => s.fn === 'onGridEvent'), 'the Event Grid blob trigger');
    expect(fired).toEqual({ fn: 'onGridEvent', name: 'data/set.jsonl', content: '{"grid":true}' });
    // The same event delivered again (Event Grid is at-least-once) fires again: the blob
    // extension keeps no receipts for EventGrid-sourced triggers, so the app must be idempotent.
    expect((await post()).status).toBe(202);
    await waitFor(async () => ((await drainSeen()).filter((s) => s.fn === 'onGridEvent').length === 2 ? true : undefined), 'the duplicate delivery');
    // An event for a blob that is gone since is skipped, as the extension skips a missing blob.
    await blob.delete();
    expect((await post()).status).toBe(202);
    await sleep(300);
    expect((await drainSeen()).filter((s) => s.fn === 'onGridEvent')).toHaveLength(2);

    const unknown = await fetch(`${host!.url}/runtime/webhooks/blobs?functionName=Host.Functions.nope`, { method: 'POST', body: '[]' });
    expect(unknown.status).toBe(404);
  });

  it('retries a failing blob trigger, then writes a poison message and leaves the blob alone', async () => {
    const blob = blobs.getContainerClient('bad').getBlockBlobClient('broken.bin');
    await blob.upload('bad data', 8);
    const etag = (await blob.getProperties()).etag;
    const poison = queues.getQueueClient('webjobs-blobtrigger-poison');
    const message = await waitFor(async () => {
      if (!(await poison.exists())) return undefined;
      const { peekedMessageItems } = await poison.peekMessages();
      return peekedMessageItems[0];
    }, 'the poison message');
    expect(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8'))).toEqual({
      Type: 'BlobTrigger',
      FunctionId: 'Host.Functions.alwaysFails',
      BlobType: 'BlockBlob',
      ContainerName: 'bad',
      BlobName: 'broken.bin',
      ETag: etag,
    });
    expect(logger.lines.filter((l) => l.startsWith("Executed 'Functions.alwaysFails' (Failed"))).toHaveLength(3);
    expect((await blob.downloadToBuffer()).toString()).toBe('bad data');
    expect((await blob.getProperties()).etag).toBe(etag);
  });

  it('runs a six-field NCRONTAB timer whose return value goes to a queue output', async () => {
    const ticks = queues.getQueueClient('ticks');
    const tick = await waitFor(async () => {
      if (!(await ticks.exists())) return undefined;
      const { peekedMessageItems } = await ticks.peekMessages();
      return peekedMessageItems[0];
    }, 'a timer tick', 5000);
    expect(JSON.parse(Buffer.from(tick.messageText, 'base64').toString('utf8'))).toEqual({ tick: true, isPastDue: false, hasNext: 'string' });
  });

  it('runs a queue trigger whose return value goes to a blob output named from the message id', async () => {
    const work = queues.getQueueClient('work');
    await work.createIfNotExists();
    const sent = await work.sendMessage(Buffer.from(JSON.stringify({ job: 7 })).toString('base64'));
    const done = blobs.getContainerClient('done').getBlobClient(`${sent.messageId}.json`);
    const content = await waitFor(async () => ((await done.exists()) ? (await done.downloadToBuffer()).toString() : undefined), 'the blob output');
    expect(JSON.parse(content)).toEqual({ handled: { job: 7 }, dequeueCount: 1 });
    await waitFor(async () => ((await work.peekMessages()).peekedMessageItems.length === 0 ? true : undefined), 'the message to be deleted');
  });

  it('serves buffered (non-streaming) HTTP responses with an empty route prefix', async () => {
    const response = await fetch(`${host!.url}/plain/word`);
    expect(response.headers.get('x-mode')).toBe('buffered');
    expect(await response.text()).toBe('plain word');
  });
});
