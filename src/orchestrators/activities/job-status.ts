import * as df from 'durable-functions';
import { applyUpdate } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices, STATUS_READ_TIMEOUT_MS } from '../../services.js';

export const JOB_STATUS = 'jobStatus';
export interface JobStatusInput {
  runId: string;
  jobId: string;
}
export interface JobProgress {
  status: string;
  step?: number;
  totalSteps?: number;
  trainLoss?: number;
  /** Unix seconds. */
  estimatedFinish?: number;
  fineTunedModel?: string;
  trainedTokens?: number;
  resultFiles: string[];
  error?: { code: string; message: string };
}

export interface MetricsData {
  step?: number;
  total_steps?: number;
  train_loss?: number;
}

/**
 * The newest metrics event's data. The order Azure lists events in is not stated in the API
 * description (OpenAI documents newest first), so the events are sorted by `created_at` here, and
 * among events of the same second the highest step wins.
 */
export function latestMetrics(events: ReadonlyArray<{ type?: string; created_at: number; data?: unknown }>): MetricsData | undefined {
  return events
    .filter((e) => e.type === 'metrics' && typeof (e.data as MetricsData | undefined)?.step === 'number')
    .map((e) => ({ at: e.created_at, data: e.data as MetricsData }))
    .sort((a, b) => b.at - a.at || (b.data.step ?? 0) - (a.data.step ?? 0))[0]?.data;
}

/** Fields of a fine-tuning job the pipeline reads; every one may be absent or null (the description declares none nullable, the SDK all). */
export interface JobFields {
  status: string;
  estimated_finish?: number | null;
  fine_tuned_model?: string | null;
  trained_tokens?: number | null;
  result_files?: string[] | null;
  error?: { code?: string | null; message?: string | null } | null;
}

/** What the pipeline knows about a job from its GET and its newest events. Pure. */
export function jobProgress(job: JobFields, events: ReadonlyArray<{ type?: string; created_at: number; data?: unknown }>): JobProgress {
  const metrics = latestMetrics(events);
  return {
    status: job.status,
    ...(metrics?.step !== undefined ? { step: metrics.step } : {}),
    ...(metrics?.total_steps !== undefined ? { totalSteps: metrics.total_steps } : {}),
    ...(metrics?.train_loss !== undefined ? { trainLoss: metrics.train_loss } : {}),
    ...(job.estimated_finish ? { estimatedFinish: job.estimated_finish } : {}),
    ...(job.fine_tuned_model ? { fineTunedModel: job.fine_tuned_model } : {}),
    ...(job.trained_tokens ? { trainedTokens: job.trained_tokens } : {}),
    resultFiles: job.result_files ?? [],
    ...(job.error?.message ? { error: { code: job.error.code ?? 'job_failed', message: job.error.message } } : {}),
  };
}

/** The job's status and latest step metrics (from its newest `metrics` event); recorded on run.json. */
df.app.activity(JOB_STATUS, {
  handler: (input: JobStatusInput) =>
    runActivity(async (): Promise<JobProgress> => {
      const { openai, store } = getServices();
      const job = await openai.fineTuning.jobs.retrieve(input.jobId, { timeout: STATUS_READ_TIMEOUT_MS });
      const events = await openai.fineTuning.jobs.listEvents(input.jobId, { limit: 20 }, { timeout: STATUS_READ_TIMEOUT_MS });
      const progress = jobProgress(job, events.data);
      const { resultFiles: _files, error: _error, estimatedFinish, ...recorded } = progress;
      await store.update(input.runId, (run) =>
        applyUpdate(run, {
          at: new Date().toISOString(),
          job: { id: input.jobId, ...recorded, ...(estimatedFinish ? { estimatedFinish: new Date(estimatedFinish * 1000).toISOString() } : {}) },
        }),
      );
      return progress;
    }),
});
