import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const devAccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const developmentStorageConnectionString =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  `AccountKey=${devAccountKey};` +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;' +
  'QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

/**
 * Resolves a binding's `connection` the way the Functions host does: the setting named by the
 * binding (default `AzureWebJobsStorage`), else `AzureWebJobs<name>`; `UseDevelopmentStorage=true`
 * means Azurite on its default ports.
 */
export function resolveConnectionString(connection: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const name = connection || 'AzureWebJobsStorage';
  const value = env[name] ?? env[`AzureWebJobs${name}`];
  if (!value) {
    throw new Error(`The storage connection setting "${name}" is not set (add it to local.settings.json Values).`);
  }
  return /^UseDevelopmentStorage=true;?$/i.test(value.trim()) ? developmentStorageConnectionString : value;
}

/** Storage clients for one account, created once and shared by every trigger and binding. */
export class StorageAccount {
  readonly blobs: BlobServiceClient;
  readonly queues: QueueServiceClient;

  constructor(connectionString: string) {
    // Fail a call within seconds when storage is away (the SDK default waits ~30 s per call); the
    // host's own loops — trigger polling, the durable engine's back-off — retry for as long as it
    // takes, so nothing waits on one call that will not succeed.
    const retryOptions = { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 4000 };
    this.blobs = BlobServiceClient.fromConnectionString(connectionString, { retryOptions });
    this.queues = QueueServiceClient.fromConnectionString(connectionString, { retryOptions });
  }
}

const accounts = new Map<string, StorageAccount>();

export function storageFor(connection: string | undefined): StorageAccount {
  const connectionString = resolveConnectionString(connection);
  let account = accounts.get(connectionString);
  if (!account) {
    account = new StorageAccount(connectionString);
    accounts.set(connectionString, account);
  }
  return account;
}

let messageEncoding: 'base64' | 'none' = 'base64';

/** host.json `extensions.queues.messageEncoding`, applied to every queue message the host writes and reads. */
export function setQueueMessageEncoding(encoding: 'base64' | 'none'): void {
  messageEncoding = encoding;
}

/** The Functions host base64-encodes queue messages it writes (unless messageEncoding is "none"). */
export function encodeQueueMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : JSON.stringify(value);
  return messageEncoding === 'none' ? text : Buffer.from(text, 'utf8').toString('base64');
}

/** With base64 encoding the host also accepts plain text; with "none" it takes the text as it is. */
export function decodeQueueMessage(messageText: string): string {
  if (messageEncoding === 'base64' && /^[A-Za-z0-9+/]*={0,2}$/.test(messageText) && messageText.length % 4 === 0) {
    const decoded = Buffer.from(messageText, 'base64').toString('utf8');
    if (Buffer.from(decoded, 'utf8').toString('base64') === messageText) return decoded;
  }
  return messageText;
}
