import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { waitFor } from '../../support/wait.js';

const appEntry = path.resolve(import.meta.dirname, '../../fixtures/apps/drop-memory-app/index.mjs');

/** `app.eventGrid` functions: the event alone reaches the function, from the local subscription. */
describe('dev/host Event Grid triggers', () => {
  let azurite: RunningAzurite;
  let host: RunningHost;

  beforeAll(async () => {
    azurite = await startAzurite();
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    host = await startHost({
      app: appEntry,
      port: 0,
      logger: collectingLogger(),
      blobPollIntervalMs: 100,
      keys: { master: 'm' },
      eventGrid: { subscriptions: { droppedEvent: 'events' } },
    });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('delivers BlobCreated events for the subscribed container to /runtime/webhooks/eventgrid', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('events');
    await container.createIfNotExists();
    await container.getBlockBlobClient('a/b.jsonl').upload('12345', 5);
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('seen-events');
    const message = await waitFor(async () => ((await queue.exists()) ? (await queue.peekMessages()).peekedMessageItems[0] : undefined), 'the event');
    expect(JSON.parse(Buffer.from(message.messageText, 'base64').toString())).toEqual({ type: 'Microsoft.Storage.BlobCreated', name: 'a/b.jsonl', bytes: 5 });
  });

  it('answers the validation handshake and needs the eventgrid_extension key or the master key', async () => {
    const hook = `${host.url}/runtime/webhooks/eventgrid?functionName=droppedEvent`;
    expect((await fetch(hook, { method: 'POST', body: '[]' })).status).toBe(401);
    const validation = await fetch(`${hook}&code=m`, {
      method: 'POST',
      headers: { 'aeg-event-type': 'SubscriptionValidation' },
      body: JSON.stringify([{ eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'v-1' } }]),
    });
    expect(await validation.json()).toEqual({ validationResponse: 'v-1' });
  });
});
