import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RestError, type BlobGetPropertiesResponse } from '@azure/storage-blob';
import type { HostLogger } from './logger.js';
import { storageFor } from './storage.js';

/**
 * Azurite emits no events, so dev/host plays the storage account's Event Grid system topic and the
 * subscription the infra creates: it turns new blob versions in the containers of `source:
 * 'EventGrid'` blob triggers into `Microsoft.Storage.BlobCreated` events and delivers them to
 * `/runtime/webhooks/blobs?functionName=Host.Functions.<name>` as Event Grid does.
 *
 * Event shape: "Azure Blob Storage as an Event Grid source" (learn.microsoft.com/azure/event-grid/
 * event-schema-blob-storage), Event Grid schema, one event per POST in an array.
 * Delivery: "Event Grid message delivery and retry" (learn.microsoft.com/azure/event-grid/
 * delivery-and-retry): at least once; 200-204 acknowledge; no answer within 30 s or any other
 * status is retried after 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h,
 * with small randomization, for up to 30 attempts or 24 h (the subscription defaults); 400, 401,
 * 403 and 413 are not retried; undelivered events are dead-lettered (after a 5-minute delay) to a
 * storage container when dead-lettering is configured, else dropped.
 */

export const RETRY_SCHEDULE_SECONDS = [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600];
const EVERY_12_HOURS = 43_200;
const NOT_RETRIED = new Set([400, 401, 403, 413]);
const RESPONSE_TIMEOUT_MS = 30_000;
const DEAD_LETTER_DELAY_MS = 300_000;

/** Fault injection, to see the app survive what Event Grid is allowed to do. */
export interface EventGridFaults {
  /** Deliver each event this many extra times after it was acknowledged (at-least-once duplicates). */
  duplicates?: number;
  /** Deliver each event's first attempt this many times at once (concurrent duplicates). */
  concurrent?: number;
  /** Hold each event this long before the first attempt (late delivery). */
  lateMs?: number;
  /** Treat the first N acknowledged attempts of each event as lost (so Event Grid retries a delivery the app already took). */
  lostAcks?: number;
}

export interface EventGridOptions {
  /** Multiplies every wait of the real schedule (retry steps, dead-letter delay, time to live); 1 = Azure's timings. */
  timeScale: number;
  maxDeliveryAttempts: number;
  eventTimeToLiveMs: number;
  /** Container undeliverable events go to (in AzureWebJobsStorage); none = dropped, as without dead-lettering. */
  deadLetterContainer: string | undefined;
  faults: EventGridFaults;
  /** How often the containers are checked for new blob versions. */
  pollIntervalMs: number;
  /**
   * Subscriptions for `app.eventGrid` functions, which name no container themselves (in Azure the
   * event subscription's subject filter does): function name → container. Default: the
   * DEV_HOST_EVENTGRID_SUBSCRIPTIONS setting, `<function>=<container>[,...]`.
   */
  subscriptions: Record<string, string>;
}

export const defaultEventGridOptions: EventGridOptions = {
  timeScale: 1,
  maxDeliveryAttempts: 30,
  eventTimeToLiveMs: 1440 * 60_000,
  deadLetterContainer: 'eventgrid-deadletter',
  faults: {},
  pollIntervalMs: 1000,
  subscriptions: {},
};

/** Parses `datasetDropped=datasets,other=container` (the DEV_HOST_EVENTGRID_SUBSCRIPTIONS setting). */
export function parseEventGridSubscriptions(spec: string | undefined): Record<string, string> {
  const subscriptions: Record<string, string> = {};
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [fn = '', container = ''] = part.split('=').map((t) => t.trim());
    if (!fn || !/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?$/.test(container)) {
      throw new Error(`DEV_HOST_EVENTGRID_SUBSCRIPTIONS: "${part}" is not <function>=<container>.`);
    }
    subscriptions[fn] = container;
  }
  return subscriptions;
}

/** Parses `duplicates=1,concurrent=3,lateMs=2000,lostAcks=1` (the DEV_HOST_EVENTGRID_FAULTS setting). */
export function parseEventGridFaults(spec: string | undefined): EventGridFaults {
  const faults: EventGridFaults = {};
  if (!spec?.trim()) return faults;
  const known = ['duplicates', 'concurrent', 'lateMs', 'lostAcks'] as const;
  for (const part of spec.split(',')) {
    const [key = '', value = ''] = part.split('=').map((t) => t.trim());
    const name = known.find((k) => k.toLowerCase() === key.toLowerCase());
    const number = Number(value);
    if (!name || !Number.isInteger(number) || number < 0) {
      throw new Error(`DEV_HOST_EVENTGRID_FAULTS: "${part.trim()}" is not one of ${known.map((k) => `${k}=<n>`).join(', ')}.`);
    }
    faults[name] = number;
  }
  return faults;
}

export interface BlobCreatedEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: 'Microsoft.Storage.BlobCreated';
  eventTime: string;
  data: {
    api: string;
    clientRequestId: string;
    requestId: string;
    eTag: string;
    contentType: string;
    contentLength: number;
    blobType: 'BlockBlob';
    url: string;
    sequencer: string;
    storageDiagnostics: { batchId: string };
  };
  dataVersion: string;
  metadataVersion: '1';
}

export function blobCreatedEvent(container: string, blobName: string, url: string, properties: BlobGetPropertiesResponse, sequence: number): BlobCreatedEvent {
  return {
    id: randomUUID(),
    // The system topic of a storage account; Azurite's account stands in for the real one.
    topic: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
    subject: `/blobServices/default/containers/${container}/blobs/${blobName}`,
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: (properties.lastModified ?? new Date()).toISOString(),
    data: {
      api: 'PutBlob',
      clientRequestId: properties.clientRequestId ?? randomUUID(),
      requestId: properties.requestId ?? randomUUID(),
      eTag: properties.etag ?? '',
      contentType: properties.contentType ?? 'application/octet-stream',
      contentLength: properties.contentLength ?? 0,
      blobType: 'BlockBlob',
      url,
      sequencer: sequence.toString(16).padStart(32, '0'),
      storageDiagnostics: { batchId: randomUUID() },
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}

export type DeliveryOutcome = 'delivered' | 'deadLettered' | 'dropped';

/** The delay before retry number `attempt` (1-based: the wait after the first failed attempt), in seconds. */
export function retryDelaySeconds(attempt: number): number {
  return RETRY_SCHEDULE_SECONDS[attempt - 1] ?? EVERY_12_HOURS;
}

/**
 * The publisher side: watches the containers, remembers what it published (in storage, so a host
 * restart neither loses nor re-sends events), and runs each event's delivery schedule.
 */
/** A blob trigger the local subscription feeds. */
export interface EventGridSource {
  name: string;
  container: string;
  connection: string | undefined;
  pattern: RegExp;
  /** Which extension's webhook receives it: a blob trigger's, or an Event Grid trigger's. */
  webhook?: 'blobs' | 'eventgrid';
}

export class EventGridDelivery {
  readonly #sources: EventGridSource[];
  readonly #logger: HostLogger;
  readonly #options: EventGridOptions;
  readonly #endpoint: (source: EventGridSource) => string;
  readonly #published = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #sequence = 0;

  constructor(sources: EventGridSource[], logger: HostLogger, options: EventGridOptions, endpoint: (source: EventGridSource) => string) {
    this.#sources = sources;
    this.#logger = logger;
    this.#options = options;
    this.#endpoint = endpoint;
  }

  start(): void {
    if (!this.#sources.length) return;
    const tick = async (): Promise<void> => {
      for (const fn of this.#sources) {
        try {
          await this.#scan(fn);
        } catch (error) {
          // Storage down: keep polling; events for blobs written meanwhile go out once it is back.
          this.#logger.warn(`Event Grid (local): scanning '${fn.container}' failed: ${(error as Error).message}`);
        }
      }
      if (!this.#stop.signal.aborted) this.#timer = setTimeout(() => void tick(), this.#options.pollIntervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  async #scan(source: EventGridSource): Promise<void> {
    const { name: functionName, container: containerName, connection, pattern } = source;
    const account = storageFor(connection);
    const container = account.blobs.getContainerClient(containerName);
    if (!(await container.exists())) return;
    const marks = storageFor(undefined).blobs.getContainerClient('azure-webjobs-eventgrid');
    await marks.createIfNotExists();
    for await (const item of container.listBlobsFlat()) {
      if (this.#stop.signal.aborted) return;
      // Subscription filter: the infra subscribes to the container; the trigger's pattern narrows it.
      if (!pattern.test(item.name)) continue;
      const key = `${functionName}/${containerName}/${item.properties.etag?.replace(/"/g, '')}/${item.name}`;
      if (this.#published.has(key)) continue;
      const mark = marks.getBlockBlobClient(key);
      try {
        await mark.upload('', 0, { conditions: { ifNoneMatch: '*' } });
      } catch (error) {
        if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
          this.#published.add(key);
          continue;
        }
        throw error;
      }
      this.#published.add(key);
      const blob = container.getBlobClient(item.name);
      let properties: BlobGetPropertiesResponse;
      try {
        properties = await blob.getProperties();
      } catch {
        continue;
      }
      const event = blobCreatedEvent(containerName, item.name, blob.url, properties, ++this.#sequence);
      this.#track(this.deliver(source, event));
    }
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.#logger.error(`Event Grid (local): ${(error as Error).message}`));
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  #wait(ms: number): Promise<boolean> {
    return sleep(ms * this.#options.timeScale, true, { signal: this.#stop.signal }).catch(() => false);
  }

  /** Runs one event's delivery schedule to the end: delivered, dead-lettered or dropped. */
  async deliver(source: EventGridSource, event: BlobCreatedEvent): Promise<DeliveryOutcome> {
    const { faults } = this.#options;
    const published = Date.now();
    if (faults.lateMs && !(await sleep(faults.lateMs, true, { signal: this.#stop.signal }).catch(() => false))) return 'dropped';
    let lostAcks = faults.lostAcks ?? 0;
    let last = { status: 0, outcome: '', attempts: 0 };
    for (let attempt = 1; attempt <= this.#options.maxDeliveryAttempts; attempt++) {
      const copies = attempt === 1 ? Math.max(1, faults.concurrent ?? 1) : 1;
      const results = await Promise.all(Array.from({ length: copies }, () => this.#post(source, event, attempt)));
      last = { ...(results.find((r) => !isSuccess(r.status)) ?? results[0]!), attempts: attempt };
      if (isSuccess(last.status) && lostAcks > 0) {
        lostAcks--;
        last = { status: 0, outcome: 'the acknowledgement was lost (fault injection)', attempts: attempt };
      }
      if (isSuccess(last.status)) {
        for (let i = 0; i < (faults.duplicates ?? 0); i++) await this.#post(source, event, attempt + i + 1);
        return 'delivered';
      }
      if (NOT_RETRIED.has(last.status)) break;
      const delay = retryDelaySeconds(attempt) * 1000 * (0.9 + Math.random() * 0.2);
      if (Date.now() + delay * this.#options.timeScale - published > this.#options.eventTimeToLiveMs * this.#options.timeScale) break;
      this.#logger.warn(`Event Grid (local): delivery ${attempt} of ${event.subject} failed (${last.outcome}); retrying in ${Math.round((delay * this.#options.timeScale) / 1000)} s.`);
      if (!(await this.#wait(delay))) return 'dropped';
    }
    return this.#deadLetter(event, last, published);
  }

  async #post(source: EventGridSource, event: BlobCreatedEvent, attempt: number): Promise<{ status: number; outcome: string }> {
    try {
      const response = await fetch(this.#endpoint(source), {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': `${source.name.toUpperCase()}-LOCAL`,
          'aeg-delivery-count': String(attempt - 1),
          'aeg-data-version': event.dataVersion,
          'aeg-metadata-version': event.metadataVersion,
        },
        body: JSON.stringify([event]),
        // Not scaled: timeScale shortens the waits between attempts, not the endpoint's time to answer.
        signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(RESPONSE_TIMEOUT_MS)]),
      });
      await response.arrayBuffer();
      return { status: response.status, outcome: `HTTP ${response.status}` };
    } catch (error) {
      return { status: 0, outcome: (error as Error).name === 'TimeoutError' ? 'no answer in 30 s' : (error as Error).message };
    }
  }

  async #deadLetter(event: BlobCreatedEvent, last: { status: number; outcome: string; attempts: number }, published: number): Promise<DeliveryOutcome> {
    const container = this.#options.deadLetterContainer;
    if (!container) {
      this.#logger.error(`Event Grid (local): ${event.subject} could not be delivered (${last.outcome}) and was dropped (no dead-letter container).`);
      return 'dropped';
    }
    if (!NOT_RETRIED.has(last.status) && !(await this.#wait(DEAD_LETTER_DELAY_MS))) return 'dropped';
    const now = new Date();
    const stamp = now.toISOString();
    const name = `${stamp.slice(0, 4)}/${stamp.slice(5, 7)}/${stamp.slice(8, 10)}/${stamp.slice(11, 13)}/${event.id}.json`;
    const body = JSON.stringify([
      {
        ...event,
        deadLetterReason: NOT_RETRIED.has(last.status) ? 'DeliveryFailed' : 'MaxDeliveryAttemptsExceeded',
        deliveryAttempts: last.attempts,
        lastDeliveryOutcome: last.outcome,
        lastHttpStatusCode: last.status,
        publishTime: new Date(published).toISOString(),
        lastDeliveryAttemptTime: stamp,
      },
    ]);
    const client = storageFor(undefined).blobs.getContainerClient(container);
    await client.createIfNotExists();
    await client.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
    this.#logger.error(`Event Grid (local): ${event.subject} could not be delivered (${last.outcome}); dead-lettered to ${container}/${name}.`);
    return 'deadLettered';
  }
}

const isSuccess = (status: number): boolean => status >= 200 && status <= 204;
