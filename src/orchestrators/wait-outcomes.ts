/**
 * What each status the services can report means for the pipeline's wait loops. Pure, so every
 * value of every enum in the API descriptions is covered by a unit test (test/contract reads the
 * enums from the descriptions themselves): no status leaves a loop polling forever, and every loop
 * has an overall time bound with a clear error.
 *
 * Enums: file `FileState` and job `FineTuningState` (Azure OpenAI authoring 2025-04-01-preview),
 * deployment `DeploymentProvisioningState` (Microsoft.CognitiveServices 2025-06-01). Values not in
 * the descriptions (a newer service, OpenAI's `validating_files`/`queued`) are waited on, within
 * the same bound.
 */

/** Longest waits. Azure's own limits inform them: a training job may run 720 hours. */
export interface WaitLimits {
  fileProcessingSeconds: number;
  /** From job creation to a final status, paused time included. */
  jobSeconds: number;
  /** How long a job may stay paused before the run gives up on it. */
  pausedSeconds: number;
  deploymentSeconds: number;
}

export const DEFAULT_WAIT_LIMITS: WaitLimits = {
  fileProcessingSeconds: 24 * 3600,
  jobSeconds: (720 + 48) * 3600,
  pausedSeconds: 7 * 24 * 3600,
  deploymentSeconds: 24 * 3600,
};

export type WaitOutcome =
  | { kind: 'done' }
  | { kind: 'wait' }
  /** The job is paused (by someone in Azure, or by the service): shown as `paused`, notified. */
  | { kind: 'paused' }
  /** Ended outside the pipeline (the job cancelled in the service). */
  | { kind: 'cancelled'; message: string }
  | { kind: 'fail'; code: string; message: string };

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${seconds} seconds`;
}

export function fileOutcome(role: string, fileId: string, status: string, details: string | undefined, waitedSeconds: number, limits: WaitLimits): WaitOutcome {
  switch (status) {
    case 'processed':
      return { kind: 'done' };
    case 'error':
      return { kind: 'fail', code: 'file_processing_failed', message: `${role} file ${fileId}: ${details ?? 'processing failed'}` };
    case 'deleted':
    case 'deleting':
      return { kind: 'fail', code: 'file_deleted', message: `${role} file ${fileId} was deleted from the Azure OpenAI resource before training started` };
    default:
      if (waitedSeconds > limits.fileProcessingSeconds) {
        return { kind: 'fail', code: 'file_processing_timeout', message: `${role} file ${fileId} was still '${status}' after ${hours(limits.fileProcessingSeconds)}; giving up` };
      }
      return { kind: 'wait' };
  }
}

export interface JobView {
  jobId: string;
  status: string;
  error?: { code: string; message: string };
  /** Seconds since the pipeline created (or found) the job. */
  waitedSeconds: number;
  /** Seconds the job has been paused without a break, if it is paused now. */
  pausedSeconds?: number;
}

export function jobOutcome(job: JobView, limits: WaitLimits): WaitOutcome {
  switch (job.status) {
    case 'succeeded':
      return { kind: 'done' };
    case 'failed':
      return { kind: 'fail', code: job.error?.code ?? 'job_failed', message: job.error?.message ?? `fine-tuning job ${job.jobId} failed` };
    case 'cancelled':
      return { kind: 'cancelled', message: `fine-tuning job ${job.jobId} was cancelled in the Azure OpenAI resource` };
    case 'paused':
      if ((job.pausedSeconds ?? 0) > limits.pausedSeconds) {
        return { kind: 'fail', code: 'job_paused_too_long', message: `fine-tuning job ${job.jobId} stayed paused for more than ${hours(limits.pausedSeconds)}; resume it and start a new run, or cancel it` };
      }
      return { kind: 'paused' };
    default:
      // pending, running, pausing, resuming, created, and any status newer than this code.
      if (job.waitedSeconds > limits.jobSeconds) {
        return { kind: 'fail', code: 'job_timeout', message: `fine-tuning job ${job.jobId} was still '${job.status}' after ${hours(limits.jobSeconds)}; giving up` };
      }
      return { kind: 'wait' };
  }
}

export interface DeploymentView {
  name: string;
  provisioningState: string;
  model?: string;
  expectedModel: string;
  error?: string;
  waitedSeconds: number;
}

export function deploymentOutcome(d: DeploymentView, limits: WaitLimits): WaitOutcome {
  switch (d.provisioningState) {
    case 'Succeeded':
      if (d.model !== undefined && d.model !== d.expectedModel) {
        return { kind: 'fail', code: 'deployment_model_mismatch', message: `deployment ${d.name} serves '${d.model}', not the new model '${d.expectedModel}'` };
      }
      return { kind: 'done' };
    case 'Failed':
      return { kind: 'fail', code: 'DeploymentFailed', message: d.error ?? `deployment ${d.name} failed (provisioningState Failed)` };
    case 'Canceled':
      return { kind: 'fail', code: 'DeploymentCanceled', message: d.error ?? `deployment ${d.name} was canceled (provisioningState Canceled)` };
    case 'Disabled':
      return { kind: 'fail', code: 'DeploymentDisabled', message: `deployment ${d.name} is disabled (provisioningState Disabled)${d.error ? `: ${d.error}` : ''}` };
    case 'Deleting':
      return { kind: 'fail', code: 'DeploymentDeleted', message: `deployment ${d.name} is being deleted (provisioningState Deleting)` };
    default:
      // Accepted, Creating, Moving, and any state newer than this code.
      if (d.waitedSeconds > limits.deploymentSeconds) {
        return { kind: 'fail', code: 'deployment_timeout', message: `deployment ${d.name} was still '${d.provisioningState}' after ${hours(limits.deploymentSeconds)}; giving up` };
      }
      return { kind: 'wait' };
  }
}
