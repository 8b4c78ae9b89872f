/**
 * The run-artifact store: everything under the runs container — `<runId>/run.json`, the run's
 * reports and input snapshots, the run index and the intake's once-only markers. Writers are the
 * blob trigger and orchestration activities, which may run concurrently (two deliveries of the
 * same blob event; a progress update and a webhook failure), so a new run is created only if none
 * exists, and every update is a read-modify-write conditioned on the blob's ETag, retried on 412.
 *
 * Listing does not read every run: creating a run also writes two empty index blobs whose names
 * sort newest first (`index/all/<inverted time>-<runId>`, and the same under
 * `index/by-dataset/<dataset key>/`), so a page of the list costs one listing call plus one read per
 * run shown, however many runs there are. Runs created before the index existed are indexed once,
 * by the first list call (marker `index/complete-v1`).
 */
import type { ContainerClient } from '@azure/storage-blob';
import { isNotFound } from '../azure/service-errors.js';
import { InvalidRecordError, parseRunRecord } from './run-record-schema.js';
import { isFinal, type Cancellation, type Outage, type RunError, type RunRecord, type RunStatus } from './run-record.js';
import { datasetKey } from './run-id.js';

export const RUN_FILE = 'run.json';
const MAX_CONFLICT_RETRIES = 10;
export const INDEX_PREFIX = 'index/';
const INDEX_COMPLETE = `${INDEX_PREFIX}complete-v1`;
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
/** Upper bound of epoch milliseconds in 13 digits (year 2286): index names sort newest first. */
const TIME_CEILING = 9_999_999_999_999;

export function runBlobName(runId: string, file = RUN_FILE): string {
  return `${runId}/${file}`;
}

/** A change to a run, computed by the orchestration; `at` comes from its deterministic clock. */
export interface RunUpdate {
  at: string;
  status?: RunStatus;
  files?: RunRecord['files'];
  job?: Partial<NonNullable<RunRecord['job']>>;
  deployment?: RunRecord['deployment'];
  evaluation?: RunRecord['evaluation'];
  promotion?: RunRecord['promotion'];
  artifacts?: string[];
  error?: RunError;
  notificationFailure?: { event: string; error: string };
  /** A notification was sent (queued, and POSTed to the webhook when one is configured). */
  notification?: { id: string; type: string; webhook: 'delivered' | 'failed' | 'not configured' };
  cancellation?: Cancellation;
  outage?: Outage;
}

/** Applies an update: a new status closes the current phase and opens the next one. Pure. */
export function applyUpdate(run: RunRecord, update: RunUpdate): RunRecord {
  const next: RunRecord = structuredClone(run);
  next.updatedAt = update.at;
  if (update.status && update.status !== run.status) {
    const current = next.phases[run.status];
    if (current && !current.endedAt) current.endedAt = update.at;
    next.phases[update.status] = { startedAt: update.at, ...(isFinal(update.status) ? { endedAt: update.at } : {}) };
    next.status = update.status;
  }
  if (update.files) next.files = { ...next.files, ...update.files };
  if (update.job) next.job = { ...(next.job ?? { id: '', status: '' }), ...update.job } as NonNullable<RunRecord['job']>;
  if (update.deployment) next.deployment = update.deployment;
  if (update.evaluation) next.evaluation = update.evaluation;
  if (update.promotion) next.promotion = update.promotion;
  if (update.artifacts) next.artifacts = [...new Set([...next.artifacts, ...update.artifacts])];
  if (update.error) next.error = update.error;
  if (update.cancellation) next.cancellation = update.cancellation;
  if (update.outage) next.outage = update.outage;
  if (update.notificationFailure) {
    next.notificationFailures = [...(next.notificationFailures ?? []), { ...update.notificationFailure, at: update.at }];
  }
  if (update.notification) {
    // A retried notify activity sends again; the record keeps one entry per event id, the latest.
    const others = (next.notifications ?? []).filter((n) => n.id !== update.notification?.id);
    next.notifications = [...others, { ...update.notification, at: update.at }];
  }
  return next;
}

function isStatus(error: unknown, ...codes: number[]): boolean {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' && codes.includes(status);
}

/** A conditional write lost: the blob exists (create) or changed (update). */
function isConflict(error: unknown): boolean {
  return isStatus(error, 409, 412);
}

export interface RunPage {
  runs: RunRecord[];
  /** Opaque; pass it back to get the next page. Absent on the last page. */
  continuationToken?: string;
  /** Records on this page that could not be read (hand-edited, truncated): listed, never hidden. */
  unreadable?: Array<{ runId: string; problem: string }>;
}

export interface ListOptions {
  dataset?: string;
  limit?: number;
  continuationToken?: string;
}

function indexNames(run: Pick<RunRecord, 'runId' | 'dataset' | 'createdAt'>): string[] {
  const ms = Date.parse(run.createdAt);
  const inverted = String(TIME_CEILING - (Number.isFinite(ms) ? ms : 0)).padStart(13, '0');
  const entry = `${inverted}-${run.runId}`;
  return [`${INDEX_PREFIX}all/${entry}`, `${datasetIndexPrefix(run.dataset)}${entry}`];
}

/** A continuation token this API did not hand out for this listing. */
export class InvalidContinuationToken extends Error {
  constructor() {
    super('continuationToken is not one this listing returned');
    this.name = 'InvalidContinuationToken';
  }
}

/**
 * Our token wraps the storage marker with the index prefix it belongs to, so a token from another
 * listing (another dataset) or a made-up one is refused clearly instead of listing from anywhere.
 */
function encodeToken(prefix: string, marker: string): string {
  return Buffer.from(JSON.stringify({ p: prefix, m: marker }), 'utf8').toString('base64url');
}

function decodeToken(prefix: string, token: string): string {
  try {
    const { p, m } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p?: unknown; m?: unknown };
    if (p === prefix && typeof m === 'string' && m !== '') return m;
  } catch {
    // fall through: not ours
  }
  throw new InvalidContinuationToken();
}

function datasetIndexPrefix(dataset: string): string {
  return `${INDEX_PREFIX}by-dataset/${datasetKey(dataset)}/`;
}

export class RunStore {
  constructor(private readonly runs: ContainerClient) {}

  /** Creates the runs container on first use (snapshots are copied before run.json is written). */
  async ensureContainer(): Promise<void> {
    await this.runs.createIfNotExists();
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    return (await this.read(runId))?.run;
  }

  /** The record and its ETag, for a later conditional `replace`. */
  async read(runId: string): Promise<{ run: RunRecord; etag: string } | undefined> {
    try {
      const blob = this.runs.getBlobClient(runBlobName(runId));
      const response = await blob.download();
      const text = await streamToString(response.readableStreamBody);
      return { run: parseRunRecord(text, runBlobName(runId)), etag: response.etag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async write(run: RunRecord, condition: { ifMatch: string } | { ifNoneMatch: '*' } | undefined): Promise<void> {
    const body = `${JSON.stringify(run, null, 2)}\n`;
    await this.runs.getBlockBlobClient(runBlobName(run.runId)).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
      ...(condition ? { conditions: condition } : {}),
    });
  }

  /**
   * Creates run.json only if there is none (or replaces the version `etag` names): of two
   * concurrent intakes of the same drop exactly one wins; the other is told `false`.
   */
  async create(run: RunRecord, replacing?: { etag: string }): Promise<boolean> {
    await this.ensureContainer();
    try {
      await this.write(run, replacing ? { ifMatch: replacing.etag } : { ifNoneMatch: '*' });
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
    await this.index(run);
    return true;
  }

  /** Writes a whole run record unconditionally (tests, repairs); intake uses `create`. */
  async put(run: RunRecord): Promise<void> {
    await this.runs.createIfNotExists();
    await this.write(run, undefined);
    await this.index(run);
  }

  private async index(run: RunRecord): Promise<void> {
    await Promise.all(indexNames(run).map((name) => this.runs.getBlockBlobClient(name).upload('', 0)));
  }

  /** Applies `update` with optimistic concurrency; returns the record as written. */
  async update(runId: string, change: (run: RunRecord) => RunRecord): Promise<RunRecord> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.read(runId);
      if (!current) throw new Error(`run ${runId} has no ${RUN_FILE}`);
      const next = change(current.run);
      try {
        await this.write(next, { ifMatch: current.etag });
        return next;
      } catch (error) {
        // Someone else wrote in between: read again and re-apply.
        if (isStatus(error, 412) && attempt < MAX_CONFLICT_RETRIES) continue;
        throw error;
      }
    }
  }

  /** A text artifact of a run (`validation-report.md`...). */
  async putText(runId: string, name: string, body: string, contentType: string): Promise<void> {
    await this.runs.getBlockBlobClient(runBlobName(runId, name)).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: contentType } });
  }

  /** Copies a source blob, pinned to the ETag that was validated, to `<runId>/<name>`; returns the snapshot's blob name. */
  async snapshot(runId: string, name: string, source: { url: string; etag: string }): Promise<string> {
    const target = this.runs.getBlobClient(runBlobName(runId, name));
    const copy = await target.beginCopyFromURL(source.url, { sourceConditions: { ifMatch: source.etag } });
    await copy.pollUntilDone();
    return target.name;
  }

  /** Creates an empty marker blob once: true for the one caller that created it. */
  async markOnce(name: string): Promise<boolean> {
    await this.runs.createIfNotExists();
    try {
      await this.runs.getBlockBlobClient(name).upload('', 0, { conditions: { ifNoneMatch: '*' } });
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /**
   * One page of runs, newest first (optionally of one dataset), read through the index: the cost is
   * one listing call plus `limit` record reads, not one read per run ever made.
   */
  async list(options: ListOptions = {}): Promise<RunPage> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
    const prefix = options.dataset !== undefined ? datasetIndexPrefix(options.dataset) : `${INDEX_PREFIX}all/`;
    const marker = options.continuationToken !== undefined ? decodeToken(prefix, options.continuationToken) : undefined;
    try {
      await this.ensureIndexed();
      const pages = this.runs.listBlobsFlat({ prefix }).byPage({ maxPageSize: limit, ...(marker ? { continuationToken: marker } : {}) });
      const page = (await pages.next()).value as { segment: { blobItems: Array<{ name: string }> }; continuationToken?: string } | undefined;
      if (!page) return { runs: [] };
      const runIds = page.segment.blobItems.map((b) => b.name.slice(prefix.length).replace(/^\d{13}-/, ''));
      const unreadable: NonNullable<RunPage['unreadable']> = [];
      const records = await Promise.all(
        runIds.map((runId) =>
          this.get(runId).catch((error: unknown) => {
            if (!(error instanceof InvalidRecordError)) throw error;
            unreadable.push({ runId, problem: error.message });
            return undefined;
          }),
        ),
      );
      const runs = records.filter((r): r is RunRecord => r !== undefined && (options.dataset === undefined || r.dataset === options.dataset));
      return {
        runs,
        ...(page.continuationToken ? { continuationToken: encodeToken(prefix, page.continuationToken) } : {}),
        ...(unreadable.length > 0 ? { unreadable } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return { runs: [] }; // no runs container yet
      throw error;
    }
  }

  /** Every run of one dataset (all pages of its own index): for callers that need the whole history. */
  async allOf(dataset: string): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.list({ dataset, limit: MAX_PAGE_SIZE, ...(continuationToken ? { continuationToken } : {}) });
      runs.push(...page.runs);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return runs;
  }

  /** Indexes runs written before the index existed, once per container. */
  private async ensureIndexed(): Promise<void> {
    if (this.indexed) return;
    if (!(await this.runs.getBlobClient(INDEX_COMPLETE).exists())) {
      for await (const item of this.runs.listBlobsByHierarchy('/')) {
        if (item.kind !== 'prefix' || item.name === INDEX_PREFIX) continue;
        const run = await this.get(item.name.slice(0, -1)).catch(() => undefined);
        if (run) await this.index(run);
      }
      await this.runs.getBlockBlobClient(INDEX_COMPLETE).upload('', 0);
    }
    this.indexed = true;
  }

  private indexed = false;
}

export async function streamToString(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
