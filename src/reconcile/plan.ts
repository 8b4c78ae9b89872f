/**
 * Which drop-zone files the reconciliation timer must hand to intake. Pure: the timer lists the
 * blobs and the run records, this decides, intake does the work. Intake is idempotent (the run id
 * is a hash of the bytes, and it refuses to start a second orchestration for the same id), so a
 * file handed over twice — once by its Event Grid event and once here — still makes one run.
 *
 * Why it exists: a BlobCreated event can be lost for good — a file uploaded before the postdeploy
 * hook subscribed the trigger, an event Event Grid dead-lettered after its retries ran out, or a
 * host that crashed after writing run.json as `validating` but before starting the orchestration.
 */
import { classifyDropName } from '../intake/drop-name.js';
import type { RunRecord } from '../runs/run-record.js';

export interface DropBlob {
  name: string;
  /** When the blob's current version was written (ms since the epoch). */
  lastModified: number;
  etag: string;
}

/** The fields of a run record the plan reads. */
export type KnownRun = Pick<RunRecord, 'runId' | 'status' | 'createdAt' | 'updatedAt'> & { inputs: { training: { blob: string } } };

export interface ReconcilePolicy {
  /** Now (ms since the epoch); passed in so the plan is a function of its inputs. */
  now: number;
  /**
   * A file younger than this is left to its Event Grid event (delivery normally takes seconds;
   * Event Grid retries for up to 24 hours, so this is about not racing the happy path, not about
   * waiting for retries — intake is idempotent either way).
   */
  settleMs: number;
  /** A run still `validating` this long after its last update has lost its orchestration start. */
  stuckMs: number;
}

export type ReconcileReason = 'no_run' | 'changed_since_last_run' | 'stuck_validating';

export interface ReconcileAction {
  blob: string;
  reason: ReconcileReason;
  /** The run found for the file, when there is one (stuck_validating). */
  runId?: string;
}

/**
 * Training files old enough to be the timer's business that it has not settled yet. `handled`:
 * blob name → the ETag of the version already settled — handed to intake without error, or found
 * with a run that got past `validating`. Without it a re-upload of the same bytes (intake says
 * "duplicate" and writes nothing) would look unprocessed forever, and every tick would have to read
 * every run record; with it a quiet drop zone costs one listing per tick.
 */
export function candidates(blobs: readonly DropBlob[], handled: ReadonlyMap<string, string>, policy: ReconcilePolicy): DropBlob[] {
  return blobs
    .filter((blob) => classifyDropName(blob.name).kind === 'training' && policy.now - blob.lastModified >= policy.settleMs && handled.get(blob.name) !== blob.etag)
    .sort((a, b) => a.lastModified - b.lastModified || a.name.localeCompare(b.name));
}

export interface ReconcilePlan {
  /** Files to hand to intake, oldest first. */
  actions: ReconcileAction[];
  /** Files whose current version has a run that got past `validating`: name → ETag. */
  settled: Map<string, string>;
}

export function planReconciliation(
  blobs: readonly DropBlob[],
  runs: readonly KnownRun[],
  handled: ReadonlyMap<string, string>,
  policy: ReconcilePolicy,
): ReconcilePlan {
  const byBlob = new Map<string, KnownRun[]>();
  for (const run of runs) {
    const list = byBlob.get(run.inputs.training.blob) ?? [];
    list.push(run);
    byBlob.set(run.inputs.training.blob, list);
  }
  const actions: ReconcileAction[] = [];
  const settled = new Map<string, string>();
  for (const blob of candidates(blobs, handled, policy)) {
    const all = byBlob.get(blob.name) ?? [];
    // A run covers this version of the file when intake started after the upload finished. Intake
    // stamps createdAt before reading, so a run made from this version is never older than it.
    const covering = all.filter((run) => Date.parse(run.createdAt) >= blob.lastModified);
    if (covering.length === 0) {
      actions.push({ blob: blob.name, reason: all.length === 0 ? 'no_run' : 'changed_since_last_run' });
      continue;
    }
    if (covering.some((run) => run.status !== 'validating')) {
      settled.set(blob.name, blob.etag);
      continue;
    }
    const latest = covering.reduce((a, b) => (Date.parse(a.updatedAt) >= Date.parse(b.updatedAt) ? a : b));
    if (policy.now - Date.parse(latest.updatedAt) >= policy.stuckMs) actions.push({ blob: blob.name, reason: 'stuck_validating', runId: latest.runId });
  }
  return { actions, settled };
}

/** The handled map after a tick: this tick's settled files added, entries of vanished blobs dropped. */
export function nextHandled(handled: ReadonlyMap<string, string>, blobs: readonly DropBlob[], succeeded: ReadonlyMap<string, string>): Map<string, string> {
  const present = new Set(blobs.map((b) => b.name));
  const next = new Map([...handled].filter(([name]) => present.has(name)));
  for (const [name, etag] of succeeded) next.set(name, etag);
  return next;
}
