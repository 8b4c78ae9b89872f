/**
 * Intake's decisions, as pure functions of what storage said: whether a training drop starts a
 * run, repeats one, or recovers one; how long to let companions settle; whether a companion came
 * too late for its run; which companions were left without a training file. No I/O, no clock.
 */
import { classifyDropName, TRAINING_SUFFIX } from './drop-name.js';
import type { DeploymentRecord } from '../runs/deployment-registry.js';
import type { RunRecord } from '../runs/run-record.js';

/** A run.json that already exists under the computed run id. */
export interface ExistingRun {
  run: RunRecord;
  etag: string;
  orchestrationExists: boolean;
}

export type RunPlan =
  | { action: 'create' }
  | {
      action: 'replace';
      etag: string;
      why: string;
      /** Kept: a run is created once (its place in the run list and index is by this time). */
      createdAt: string;
    }
  | {
      action: 'duplicate';
      runId: string;
      /** Same data uploaded again (a new blob version): worth telling the uploader. False for a redelivered event. */
      reupload: boolean;
      why: string;
    };

/**
 * A start that has not reached the orchestration after this long has crashed (creating run.json
 * and starting the orchestration are one step apart); until then, another intake leaves it alone.
 */
export const START_GRACE_MS = 2 * 60_000;

export function planRun(existing: ExistingRun | undefined, trainingEtag: string, now: Date): RunPlan {
  if (!existing) return { action: 'create' };
  const { run } = existing;
  const sameBlob = run.inputs.training.etag === undefined || run.inputs.training.etag === trainingEtag;
  if (run.status === 'rejected') {
    // The same blob version again is a redelivered event; a new upload of the same bytes is
    // validated again (the rules or the app's settings may have changed since).
    if (sameBlob) return { action: 'duplicate', runId: run.runId, reupload: false, why: 'it was rejected already (same blob version)' };
    return { action: 'replace', etag: existing.etag, why: 'validated again after an earlier rejection', createdAt: run.createdAt };
  }
  if (run.status === 'validating' && !existing.orchestrationExists) {
    const age = now.getTime() - Date.parse(run.updatedAt);
    if (!(age < START_GRACE_MS)) return { action: 'replace', etag: existing.etag, why: 'its earlier start never reached the orchestration', createdAt: run.createdAt };
    return { action: 'duplicate', runId: run.runId, reupload: false, why: 'it is being started right now' };
  }
  return { action: 'duplicate', runId: run.runId, reupload: !sameBlob, why: `same contents as run ${run.runId} (${run.status})` };
}

/** How long to wait so that companions uploaded together with the training file are read with it. */
export function settleDelayMs(trainingLastModified: Date | undefined, now: Date, settleSeconds: number): number {
  if (settleSeconds <= 0) return 0;
  const settleMs = settleSeconds * 1000;
  if (!trainingLastModified) return settleMs;
  return Math.max(0, Math.min(settleMs, trainingLastModified.getTime() + settleMs - now.getTime()));
}

/**
 * A companion arriving after a run of its dataset started within this window was most likely
 * meant for that run (uploaded just after the training file) and is reported; an older run is
 * just the previous one, and the file simply waits for the next drop of the training file.
 */
export const LATE_COMPANION_WINDOW_MS = 15 * 60_000;

export function isLateCompanion(
  role: 'validation' | 'options',
  companion: { etag: string; lastModified: Date },
  latestRun: Pick<RunRecord, 'createdAt' | 'inputs'> | undefined,
): boolean {
  if (!latestRun) return false;
  if (latestRun.inputs[role]?.etag === companion.etag) return false; // the run used this very version
  // Last-Modified has whole seconds (an HTTP date); the run's time has milliseconds.
  const started = Math.floor(Date.parse(latestRun.createdAt) / 1000) * 1000;
  const arrived = companion.lastModified.getTime();
  return arrived >= started && arrived - started <= LATE_COMPANION_WINDOW_MS;
}

export interface ListedBlob {
  name: string;
  etag: string;
  lastModified: Date;
}

/** Validation and options files older than `minutes` whose `<name>.jsonl` is not in the drop zone. */
export function orphanCompanions(blobs: readonly ListedBlob[], now: Date, minutes: number): Array<ListedBlob & { dataset: string }> {
  const names = new Set(blobs.map((b) => b.name));
  const cutoff = now.getTime() - minutes * 60_000;
  const orphans: Array<ListedBlob & { dataset: string }> = [];
  for (const blob of blobs) {
    const kind = classifyDropName(blob.name);
    if (kind.kind !== 'companion' || (kind.role !== 'validation' && kind.role !== 'options')) continue;
    if (blob.lastModified.getTime() > cutoff || names.has(`${kind.dataset}${TRAINING_SUFFIX}`)) continue;
    orphans.push({ ...blob, dataset: kind.dataset });
  }
  return orphans;
}

/**
 * The recorded deployment of ANOTHER dataset that a run's deployment name would take over. ARM
 * compares names without case (see azure/arm-names.ts), so `Sales` would replace `sales`. Default
 * names cannot collide (they carry a hash of the dataset name); an explicit `deployment.name` can.
 */
export function deploymentTakenBy(records: readonly DeploymentRecord[], name: string, dataset: string): DeploymentRecord | undefined {
  return records.find((r) => r.deploymentName.toLowerCase() === name.toLowerCase() && r.dataset !== dataset);
}
