import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { AppConfig } from '../config.js';
import { azureCredential } from './credentials.js';

/**
 * Storage clients for the app's own data (drop zone, runs, notifications queue), built from the
 * same connection the Functions host uses: a connection string locally (Azurite), the managed
 * identity in Azure (`AzureWebJobsStorage__blobServiceUri` etc.).
 */
export interface StorageClients {
  blobs: BlobServiceClient;
  queues: QueueServiceClient;
  datasets: ContainerClient;
  runs: ContainerClient;
  events: QueueClient;
}

export function createStorageClients(config: Pick<AppConfig, 'storage' | 'datasetsContainer' | 'runsContainer' | 'eventsQueue' | 'managedIdentityClientId'>): StorageClients {
  let blobs: BlobServiceClient;
  let queues: QueueServiceClient;
  if (config.storage.kind === 'connectionString') {
    blobs = BlobServiceClient.fromConnectionString(config.storage.connectionString);
    queues = QueueServiceClient.fromConnectionString(config.storage.connectionString);
  } else {
    const credential = azureCredential(config.managedIdentityClientId);
    blobs = new BlobServiceClient(config.storage.blobServiceUri, credential);
    queues = new QueueServiceClient(config.storage.queueServiceUri, credential);
  }
  return {
    blobs,
    queues,
    datasets: blobs.getContainerClient(config.datasetsContainer),
    runs: blobs.getContainerClient(config.runsContainer),
    events: queues.getQueueClient(config.eventsQueue),
  };
}
