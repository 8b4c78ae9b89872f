import type { RpcBindingInfo, RpcTypedData } from './core-types.js';
import { resolveBindingExpression, type BindingData } from './binding-expressions.js';
import { encodeQueueMessage, storageFor } from './storage.js';

const connectionOf = (binding: RpcBindingInfo): string | undefined =>
  typeof binding['connection'] === 'string' ? binding['connection'] : undefined;

function splitBlobPath(pathValue: string): { container: string; blobName: string } {
  const slash = pathValue.indexOf('/');
  if (slash <= 0) throw new Error(`A blob path must be "container/blob", got "${pathValue}".`);
  return { container: pathValue.slice(0, slash), blobName: pathValue.slice(slash + 1) };
}

/** Storage-backed input bindings (`input.storageBlob`): the blob's bytes, or null if absent. */
export async function readStorageInput(binding: RpcBindingInfo, data: BindingData): Promise<RpcTypedData | null | undefined> {
  if (binding.type?.toLowerCase() !== 'blob') return undefined;
  const { container, blobName } = splitBlobPath(resolveBindingExpression(String(binding['path']), data));
  const blob = storageFor(connectionOf(binding)).blobs.getContainerClient(container).getBlobClient(blobName);
  if (!(await blob.exists())) return null;
  return { bytes: await blob.downloadToBuffer() };
}

/** Writes an output binding's value; returns false for binding types it does not handle. */
export async function writeStorageOutput(binding: RpcBindingInfo, value: unknown, data: BindingData): Promise<boolean> {
  const type = binding.type?.toLowerCase();
  if (type === 'queue') {
    const queueName = resolveBindingExpression(String(binding['queueName']), data).toLowerCase();
    const queue = storageFor(connectionOf(binding)).queues.getQueueClient(queueName);
    await queue.createIfNotExists();
    for (const message of Array.isArray(value) ? value : [value]) {
      await queue.sendMessage(encodeQueueMessage(message));
    }
    return true;
  }
  if (type === 'blob') {
    const { container, blobName } = splitBlobPath(resolveBindingExpression(String(binding['path']), data));
    const containerClient = storageFor(connectionOf(binding)).blobs.getContainerClient(container);
    await containerClient.createIfNotExists();
    const body = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    await containerClient.getBlockBlobClient(blobName).uploadData(body);
    return true;
  }
  return false;
}
