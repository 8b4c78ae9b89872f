/**
 * Retrying a run: a failed or cancelled run starts again from its input snapshots as a new
 * *attempt of the same run id*. The run id names the data (a hash of the bytes), and the data did
 * not change, so a new id would break "same bytes, same run" and scatter one dataset's history over
 * ids; the earlier attempts stay in `previousAttempts`. Pure.
 *
 * Training is what costs money: when the last attempt's job had already succeeded (the run failed
 * later — the deployment could not be made, the evaluation or smoke test failed, the service was
 * unreachable for longer than OUTAGE_MAX_MINUTES), the next attempt deploys that job's model
 * instead of uploading and training again (`trainedJob`).
 */
import type { RunRecord, RunStatus } from './run-record.js';

export const RETRYABLE: readonly RunStatus[] = ['failed', 'cancelled'];

export type RetryCheck = { ok: true } | { ok: false; message: string };

export function canRetry(run: RunRecord): RetryCheck {
  if (run.status === 'rejected') return { ok: false, message: `run '${run.runId}' was rejected by validation; fix the data and drop it again (see validation-report.md)` };
  if (!RETRYABLE.includes(run.status)) return { ok: false, message: `run '${run.runId}' is ${run.status}; only a failed or cancelled run can be retried` };
  if (!run.options) return { ok: false, message: `run '${run.runId}' has no resolved options to start again from` };
  return { ok: true };
}

/** The fine-tuned model of the run's job, if that job succeeded. */
function trainedModel(run: RunRecord): string | undefined {
  return run.job?.status === 'succeeded' ? run.job.fineTunedModel : undefined;
}

/** The succeeded job an attempt starts from instead of training (the latest attempt that had one). */
export function trainedJob(run: RunRecord): { jobId: string; fineTunedModel: string; attempt: number } | undefined {
  // The latest that had one: an attempt that reused it and failed before deploying still points at it.
  const trained = run.previousAttempts?.findLast((a) => a.jobId && a.fineTunedModel);
  return trained?.jobId && trained.fineTunedModel ? { jobId: trained.jobId, fineTunedModel: trained.fineTunedModel, attempt: trained.attempt } : undefined;
}

/** The record of the next attempt: the last one summarized, then back to "validated, about to start". */
export function nextAttempt(run: RunRecord, at: string): RunRecord {
  const attempt = run.attempt ?? 1;
  const summary = {
    attempt,
    status: run.status,
    startedAt: run.phases.uploading?.startedAt ?? run.createdAt,
    endedAt: run.updatedAt,
    ...(run.job ? { jobId: run.job.id } : {}),
    ...(trainedModel(run) ? { fineTunedModel: trainedModel(run) } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
  const { job: _job, files: _files, deployment: _deployment, error: _error, outage: _outage, ...rest } = structuredClone(run);
  return {
    ...rest,
    status: 'validating',
    updatedAt: at,
    attempt: attempt + 1,
    previousAttempts: [...(run.previousAttempts ?? []), summary],
    phases: run.phases.validating ? { validating: run.phases.validating } : {},
    // The last attempt's results would pass for this one's until it overwrites them.
    artifacts: run.artifacts.filter((a) => a.startsWith('inputs/') || a.startsWith('validation-report.')),
  };
}
