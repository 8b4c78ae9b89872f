import { RestError, type BlobClient, type BlobGetPropertiesResponse, type BlobItem, type BlockBlobClient } from '@azure/storage-blob';
import type { RpcTypedData } from './core-types.js';
import { resolveAppSettings } from './binding-expressions.js';
import { Invoker, describeError, triggerBindingOf } from './invoker.js';
import type { HostLogger } from './logger.js';
import { encodeQueueMessage, storageFor, type StorageAccount } from './storage.js';

export interface BlobTriggerOptions {
  pollIntervalMs: number;
  maxAttempts: number;
  hostId: string;
}

interface BlobTriggerFunction {
  name: string;
  container: string;
  connection: string | undefined;
  source: string;
  pattern: RegExp;
  parameters: string[];
}

export type FireOutcome = 'fired' | 'duplicate' | 'poisoned' | 'noMatch' | 'missing';

const receiptsContainer = 'azure-webjobs-hosts';
const maxConcurrentBlobs = 8;
export const blobPoisonQueue = 'webjobs-blobtrigger-poison';

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compileBlobPath(blobPath: string): { container: string; pattern: RegExp; parameters: string[] } {
  const resolved = resolveAppSettings(blobPath);
  const slash = resolved.indexOf('/');
  const container = slash < 0 ? resolved : resolved.slice(0, slash);
  const rest = slash < 0 ? '{name}' : resolved.slice(slash + 1);
  const parameters: string[] = [];
  const tokens = rest.split(/(\{[^}]+\})/).filter((t) => t !== '');
  const source = tokens
    .map((token, i) => {
      if (!token.startsWith('{')) return escapeRegex(token);
      parameters.push(token.slice(1, -1));
      return i === tokens.length - 1 ? '(.+)' : '(.+?)';
    })
    .join('');
  return { container, pattern: new RegExp(`^${source}$`), parameters };
}

const unquote = (etag: string): string => etag.replace(/"/g, '');

/**
 * Blob triggers over Azurite. Polling triggers are fed by a container scan here; a receipt blob
 * per (function, blob, ETag) in `azure-webjobs-hosts` (like the Functions host's
 * `blobreceipts/...`) makes each version fire once, across restarts. `source: 'EventGrid'`
 * triggers are fed only by Event Grid deliveries to the webhook (fireEvent), without receipts.
 */
export class BlobTriggers {
  readonly #invoker: Invoker;
  readonly #logger: HostLogger;
  readonly #options: BlobTriggerOptions;
  readonly functions: BlobTriggerFunction[] = [];
  readonly #done = new Set<string>();
  readonly #inProcess = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(invoker: Invoker, logger: HostLogger, options: BlobTriggerOptions) {
    this.#invoker = invoker;
    this.#logger = logger;
    this.#options = options;
    for (const fn of invoker.functions.values()) {
      const [, trigger] = triggerBindingOf(fn);
      if (trigger.type?.toLowerCase() !== 'blobtrigger') continue;
      this.functions.push({
        name: fn.metadata.name,
        connection: typeof trigger['connection'] === 'string' ? trigger['connection'] : undefined,
        source: typeof trigger['source'] === 'string' ? trigger['source'] : 'LogsAndContainerScan',
        ...compileBlobPath(String(trigger['path'])),
      });
    }
  }

  start(): void {
    if (!this.functions.length) return;
    const tick = async (): Promise<void> => {
      for (const fn of this.functions) {
        // Event Grid-sourced triggers are fed by events (eventgrid-delivery.ts), never by scans.
        if (fn.source === 'EventGrid') continue;
        try {
          await this.#scan(fn);
        } catch (error) {
          this.#logger.warn(`Blob scan for '${fn.name}' failed: ${(error as Error).message}`);
        }
      }
      if (!this.#stopped) this.#timer = setTimeout(() => void tick(), this.#options.pollIntervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  find(functionName: string): BlobTriggerFunction | undefined {
    return this.functions.find((fn) => fn.name.toLowerCase() === functionName.toLowerCase());
  }

  /** Starts processing in the background (as the real host queues work); resolves when it is done. */
  enqueue(fn: BlobTriggerFunction, blobName: string): Promise<FireOutcome> {
    return this.#track(this.fire(fn, blobName));
  }

  #track(work: Promise<FireOutcome>): Promise<FireOutcome> {
    const tracked = work.catch(() => 'missing' as const);
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
    return work;
  }

  async #scan(fn: BlobTriggerFunction): Promise<void> {
    const container = storageFor(fn.connection).blobs.getContainerClient(fn.container);
    if (!(await container.exists())) return;
    for await (const item of container.listBlobsFlat()) {
      if (this.#stopped) return;
      if (!fn.pattern.test(item.name) || this.#isKnown(fn, item)) continue;
      // Like the host's blob batch size: the rest waits for the next scan.
      if (this.#inFlight.size >= maxConcurrentBlobs) return;
      void this.enqueue(fn, item.name);
    }
  }

  #isKnown(fn: BlobTriggerFunction, item: BlobItem): boolean {
    const key = `${fn.name}|${fn.container}|${item.name}|${unquote(item.properties.etag ?? '')}`;
    return this.#done.has(key) || this.#inProcess.has(key);
  }

  /** Fires `fn` for the blob's current version unless a receipt says it already ran. */
  async fire(fn: BlobTriggerFunction, blobName: string): Promise<FireOutcome> {
    const match = fn.pattern.exec(blobName);
    if (!match) return 'noMatch';
    const blob = storageFor(fn.connection).blobs.getContainerClient(fn.container).getBlobClient(blobName);
    let properties: BlobGetPropertiesResponse;
    try {
      properties = await blob.getProperties();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return 'missing';
      throw error;
    }
    const etag = unquote(properties.etag ?? '');
    const key = `${fn.name}|${fn.container}|${blobName}|${etag}`;
    if (this.#done.has(key) || this.#inProcess.has(key)) return 'duplicate';
    this.#inProcess.add(key);
    try {
      const receipts = storageFor(undefined);
      const receipt = receipts.blobs
        .getContainerClient(receiptsContainer)
        .getBlockBlobClient(`blobreceipts/${this.#options.hostId}/Host.Functions.${fn.name}/${etag}/${fn.container}/${blobName}`);
      if (!(await this.#claim(receipts, receipt))) {
        this.#done.add(key);
        return 'duplicate';
      }
      const outcome = await this.#invokeWithRetries(fn, blobName, match, blob, properties);
      const status = outcome === 'fired' ? 'completed' : 'poisoned';
      await receipt.upload(`{"status":"${status}"}`, status.length + 13, { metadata: { status } });
      this.#done.add(key);
      return outcome;
    } finally {
      this.#inProcess.delete(key);
    }
  }

  /**
   * An Event Grid BlobCreated delivery (`source: 'EventGrid'`). As the storage extension does it
   * (BlobQueueTriggerExecutor with BlobTriggerSource.EventGrid): no receipt and no ETag check, so
   * every delivery — duplicates included — runs the function for the blob as it is now; a blob
   * gone since the event is skipped. Failures retry up to maxDequeueCount, then go to poison.
   */
  async fireEvent(fn: BlobTriggerFunction, blobName: string): Promise<FireOutcome> {
    const match = fn.pattern.exec(blobName);
    if (!match) return 'noMatch';
    const blob = storageFor(fn.connection).blobs.getContainerClient(fn.container).getBlobClient(blobName);
    let properties: BlobGetPropertiesResponse;
    try {
      properties = await blob.getProperties();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return 'missing';
      throw error;
    }
    return this.#invokeWithRetries(fn, blobName, match, blob, properties);
  }

  /** Starts an Event Grid delivery's work in the background, tracked so stop() waits for it. */
  enqueueEvent(fn: BlobTriggerFunction, blobName: string): Promise<FireOutcome> {
    return this.#track(this.fireEvent(fn, blobName));
  }

  async #invokeWithRetries(
    fn: BlobTriggerFunction,
    blobName: string,
    match: RegExpExecArray,
    blob: BlobClient,
    properties: BlobGetPropertiesResponse,
  ): Promise<'fired' | 'poisoned'> {
    const bindingData: Record<string, string> = { blobTrigger: `${fn.container}/${blobName}`, uri: blob.url };
    const triggerMetadata: Record<string, RpcTypedData> = {
      BlobTrigger: { string: `${fn.container}/${blobName}` },
      Uri: { string: blob.url },
      Properties: { json: JSON.stringify(realHostProperties(properties)) },
      Metadata: { json: JSON.stringify(properties.metadata ?? {}) },
    };
    fn.parameters.forEach((name, i) => {
      triggerMetadata[name] = { string: match[i + 1] ?? '' };
      bindingData[name] = match[i + 1] ?? '';
    });
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#options.maxAttempts; attempt++) {
      try {
        // The content is read per attempt (as the real host binds per invocation) and dropped after.
        const trigger = await blobTriggerData(blob);
        await this.#invoker.invoke({
          functionName: fn.name,
          reason: `New blob detected(${fn.source}): ${fn.container}/${blobName}`,
          trigger,
          triggerMetadata,
          bindingData,
          retryContext: { retryCount: attempt - 1, maxRetryCount: this.#options.maxAttempts - 1 },
        });
        return 'fired';
      } catch (error) {
        lastError = error;
      }
    }
    this.#logger.error(
      `Blob '${fn.container}/${blobName}' will be skipped for function '${fn.name}' after ${this.#options.maxAttempts} attempts: ${describeError(lastError).split('\n')[0]}. ` +
        `A message was written to the '${blobPoisonQueue}' queue.`,
    );
    const poison = storageFor(undefined).queues.getQueueClient(blobPoisonQueue);
    await poison.createIfNotExists();
    await poison.sendMessage(
      encodeQueueMessage({
        Type: 'BlobTrigger',
        FunctionId: `Host.Functions.${fn.name}`,
        BlobType: 'BlockBlob',
        ContainerName: fn.container,
        BlobName: blobName,
        ETag: properties.etag,
      }),
    );
    return 'poisoned';
  }

  /**
   * Takes the receipt: creates it, or takes over one left "pending" by a host that stopped while
   * the function ran (the invocation never finished, so it must run again).
   */
  async #claim(account: StorageAccount, receipt: BlockBlobClient): Promise<boolean> {
    await account.blobs.getContainerClient(receiptsContainer).createIfNotExists();
    try {
      await receipt.upload('{"status":"pending"}', 20, { metadata: { status: 'pending' }, conditions: { ifNoneMatch: '*' } });
      return true;
    } catch (error) {
      if (!(error instanceof RestError) || (error.statusCode !== 409 && error.statusCode !== 412)) throw error;
    }
    const existing = await receipt.getProperties();
    if (existing.metadata?.['status'] !== 'pending') return false;
    try {
      await receipt.upload('{"status":"pending"}', 20, { metadata: { status: 'pending' }, conditions: { ifMatch: existing.etag } });
      return true;
    } catch {
      return false;
    }
  }
}

/** BlobProperties as the Functions host's storage extension exposes them (PascalCase .NET names). */
function realHostProperties(p: BlobGetPropertiesResponse): Record<string, unknown> {
  return {
    BlobType: p.blobType === 'BlockBlob' || !p.blobType ? 'Block' : p.blobType,
    ContentLength: p.contentLength,
    ContentType: p.contentType,
    ContentEncoding: p.contentEncoding,
    ContentHash: p.contentMD5 ? Buffer.from(p.contentMD5).toString('base64') : undefined,
    ETag: p.etag,
    LastModified: p.lastModified?.toISOString(),
    CreatedOn: p.createdOn?.toISOString(),
    Metadata: p.metadata ?? {},
  };
}

/** The trigger value the worker receives: the blob's bytes, as the host sends a non-SDK blob binding. */
async function blobTriggerData(blob: BlobClient): Promise<RpcTypedData> {
  return { bytes: await blob.downloadToBuffer() };
}
