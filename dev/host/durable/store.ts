import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { StorageAccount } from '../storage.js';
import type { HistoryEvent } from './history.js';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated';

export interface RetryState {
  options: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
    retryTimeoutInMilliseconds?: number;
  };
  failures: number;
  firstAttemptAt: string;
  /** Set once the retry timeout has passed: further attempts fail without running. */
  timedOut?: boolean;
}

/** Outstanding work of the current execution, keyed by the task's history EventId. */
export type ScheduledTask =
  | { kind: 'activity'; id: number; name: string; input: unknown; retry?: RetryState }
  | { kind: 'subOrchestration'; id: number; name: string; instanceId: string; input: unknown; retry?: RetryState }
  | { kind: 'timer'; id: number; fireAt: string; retryOf?: RetryableTask };

/** An activity or sub-orchestration call made with retry options. */
export type RetryableTask = Extract<ScheduledTask, { kind: 'activity' | 'subOrchestration' }> & { retry: RetryState };

/** One orchestration instance: status, full history, pending inbox and outstanding tasks. */
export interface InstanceDoc {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  parent?: { instanceId: string; taskId: number; executionId: string };
  history: HistoryEvent[];
  /** Events not yet shown to the orchestrator; each is replayed in its own episode, in order. */
  inbox: HistoryEvent[];
  nextEventId: number;
  /** How many of the executor's (flattened) actions earlier episodes already turned into tasks. */
  actionsProcessed: number;
  tasks: Record<string, ScheduledTask>;
  /** Failed attempts (and their fired back-off timers) waiting for the retry logic, by EventId. */
  pendingRetries: Record<string, RetryableTask>;
}

export interface StoredInstance {
  doc: InstanceDoc;
  etag: string;
}

/**
 * Instance state in Azurite blobs: one JSON document per instance, written with ETag
 * preconditions so a save never silently overwrites a newer version.
 */
export class InstanceStore {
  readonly #container: ContainerClient;
  #ready: Promise<unknown> | undefined;

  constructor(account: StorageAccount, hubName: string) {
    const container = `durable-${hubName.toLowerCase().replace(/[^a-z0-9-]/g, '')}`.slice(0, 63).replace(/-+$/, '');
    this.#container = account.blobs.getContainerClient(container);
  }

  #blob(instanceId: string) {
    return this.#container.getBlockBlobClient(`instances/${encodeURIComponent(instanceId)}.json`);
  }

  async #ensure(): Promise<void> {
    this.#ready ??= this.#container.createIfNotExists();
    await this.#ready;
  }

  async get(instanceId: string): Promise<StoredInstance | undefined> {
    await this.#ensure();
    try {
      const response = await this.#blob(instanceId).download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? []) chunks.push(chunk as Buffer);
      return { doc: JSON.parse(Buffer.concat(chunks).toString('utf8')) as InstanceDoc, etag: response.etag ?? '' };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Writes a document; `etag` undefined means "must not exist yet". Returns the new ETag. */
  async save(doc: InstanceDoc, etag: string | undefined): Promise<string> {
    await this.#ensure();
    doc.lastUpdatedTime = new Date().toISOString();
    const body = JSON.stringify(doc);
    const conditions = etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag };
    const response = await this.#blob(doc.instanceId).upload(body, Buffer.byteLength(body), {
      conditions,
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    return response.etag ?? '';
  }

  async delete(instanceId: string): Promise<boolean> {
    await this.#ensure();
    const response = await this.#blob(instanceId).deleteIfExists();
    return response.succeeded;
  }

  async list(): Promise<InstanceDoc[]> {
    await this.#ensure();
    const docs: InstanceDoc[] = [];
    for await (const item of this.#container.listBlobsFlat({ prefix: 'instances/' })) {
      const stored = await this.get(decodeURIComponent(item.name.slice('instances/'.length, -'.json'.length)));
      if (stored) docs.push(stored.doc);
    }
    return docs;
  }
}
