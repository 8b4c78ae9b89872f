/**
 * The reconciliation timer: no drop is lost. On a schedule (RECONCILE_SCHEDULE) it lists the drop
 * zone and the run records, asks reconcile/plan.ts which training files have no run (uploaded
 * before the Event Grid subscription existed, or their event was lost or dead-lettered) or have a
 * run stuck in `validating` (the host stopped between run.json and the orchestration start), and
 * hands each to the same intake the blob trigger uses. Intake is idempotent, so a file that the
 * event path also handles still makes one run.
 *
 * What it settled — handed over without error, or found with a run past `validating` — is
 * remembered in `<runs>/reconcile-state.json` (blob name → ETag), so a re-upload of identical
 * bytes (intake: "duplicate", no new record) is not validated again on every tick, and a quiet
 * drop zone costs one listing per tick, not a read of every run record. The drop zone is only read.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { BlockBlobClient } from '@azure/storage-blob';
import * as df from 'durable-functions';
import { setting } from '../config.js';
import { getServices } from '../services.js';
import { classifyDropName } from '../intake/drop-name.js';
import { candidates, nextHandled, planReconciliation, type DropBlob } from '../reconcile/plan.js';
import { streamToString } from '../runs/run-store.js';
import { intakeBlob } from './dataset-dropped.js';

export const RECONCILE_DROPS = 'reconcileDrops';
export const RECONCILE_STATE_BLOB = 'reconcile-state.json';

interface ReconcileState {
  handled: Record<string, string>;
}

function seconds(name: string): number {
  const value = Number(setting(name));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds (0 or more), not '${setting(name)}'`);
  return value;
}

export async function reconcileDrops(_timer: Timer, context: InvocationContext): Promise<void> {
  const { storage, store } = getServices();
  const afterMs = seconds('RECONCILE_AFTER_SECONDS') * 1000;

  if (!(await storage.datasets.exists())) return;
  const blobs: DropBlob[] = [];
  for await (const item of storage.datasets.listBlobsFlat()) {
    blobs.push({ name: item.name, lastModified: item.properties.lastModified.getTime(), etag: item.properties.etag });
  }
  const stateBlob = storage.runs.getBlockBlobClient(RECONCILE_STATE_BLOB);
  const handled = new Map(Object.entries(await readState(stateBlob)));
  const policy = { now: Date.now(), settleMs: afterMs, stuckMs: afterMs };
  // Run records are read only for datasets with a file not settled yet, through each dataset's index.
  const datasets = new Set(candidates(blobs, handled, policy).map((blob) => classifyDropName(blob.name)).flatMap((n) => (n.kind === 'training' ? [n.dataset] : [])));
  const runs = (await Promise.all([...datasets].map((dataset) => store.allOf(dataset)))).flat();

  const { actions, settled } = planReconciliation(blobs, runs, handled, policy);
  const succeeded = new Map(settled);
  for (const action of actions) {
    const etag = blobs.find((b) => b.name === action.blob)?.etag ?? '';
    try {
      const result = await intakeBlob(action.blob, context);
      succeeded.set(action.blob, etag);
      const detail = result.outcome === 'ignored' ? result.reason : result.runId;
      context.log(`Reconciled ${action.blob} (${action.reason.replace(/_/g, ' ')}${action.runId ? `: ${action.runId}` : ''}): ${result.outcome} ${detail}.`);
    } catch (error) {
      // Left out of the state: the next tick tries again. One bad file does not stop the others.
      context.error(`Reconciling ${action.blob} failed, will retry next time: ${(error as Error).message}`);
    }
  }
  const next = nextHandled(handled, blobs, succeeded);
  if ([...next].some(([name, etag]) => handled.get(name) !== etag) || next.size !== handled.size) {
    await storage.runs.createIfNotExists();
    const body = `${JSON.stringify({ handled: Object.fromEntries(next) } satisfies ReconcileState, null, 2)}\n`;
    await stateBlob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/json' } });
  }
}

async function readState(blob: BlockBlobClient): Promise<Record<string, string>> {
  if (!(await blob.exists())) return {};
  const text = await streamToString((await blob.download()).readableStreamBody);
  const parsed = JSON.parse(text) as Partial<ReconcileState>;
  return parsed.handled ?? {};
}

app.timer(RECONCILE_DROPS, {
  // Resolved when the worker loads the app, like the blob trigger's path, so the declared default
  // applies; a six-field NCRONTAB expression in UTC.
  schedule: setting('RECONCILE_SCHEDULE') ?? '0 */10 * * * *',
  extraInputs: [df.input.durableClient()],
  handler: reconcileDrops,
});
