/**
 * `runs/<runId>/run.json` in blob storage. Writers are the blob trigger and orchestration
 * activities, which may run concurrently (a progress update and a webhook failure, say), so every
 * update is a read-modify-write conditioned on the blob's ETag and retried on 412.
 */
import { RestError, type ContainerClient } from '@azure/storage-blob';
import { isFinal, type RunError, type RunRecord, type RunStatus } from './run-record.js';

export const RUN_FILE = 'run.json';
const MAX_CONFLICT_RETRIES = 10;

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
  artifacts?: string[];
  error?: RunError;
  notificationFailure?: { event: string; error: string };
  /** A notification was sent (queued, and POSTed to the webhook when one is configured). */
  notification?: { id: string; type: string; webhook: 'delivered' | 'failed' | 'not configured' };
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
  if (update.artifacts) next.artifacts = [...new Set([...next.artifacts, ...update.artifacts])];
  if (update.error) next.error = update.error;
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
  return error instanceof RestError && codes.includes(error.statusCode ?? 0);
}

export class RunStore {
  constructor(private readonly runs: ContainerClient) {}

  async get(runId: string): Promise<RunRecord | undefined> {
    return (await this.read(runId))?.run;
  }

  private async read(runId: string): Promise<{ run: RunRecord; etag: string } | undefined> {
    try {
      const blob = this.runs.getBlobClient(runBlobName(runId));
      const response = await blob.download();
      const text = await streamToString(response.readableStreamBody);
      return { run: JSON.parse(text) as RunRecord, etag: response.etag ?? '' };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
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

  /** Writes a whole run record (the blob trigger: a new run, or a rejected one validated again). */
  async put(run: RunRecord): Promise<void> {
    await this.runs.createIfNotExists();
    await this.write(run, undefined);
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

  /** Every run record, newest first. Walks the top-level `<runId>/` prefixes only, not every artifact. */
  async list(filter: { dataset?: string } = {}): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    try {
      for await (const item of this.runs.listBlobsByHierarchy('/')) {
        if (item.kind !== 'prefix') continue;
        const run = await this.get(item.name.slice(0, -1));
        if (run && (filter.dataset === undefined || run.dataset === filter.dataset)) runs.push(run);
      }
    } catch (error) {
      if (isStatus(error, 404)) return []; // no runs container yet
      throw error;
    }
    return runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.runId.localeCompare(b.runId)));
  }
}

export async function streamToString(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
