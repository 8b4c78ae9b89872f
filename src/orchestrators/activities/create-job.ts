import * as df from 'durable-functions';
import type { FineTuningJob, JobCreateParams } from 'openai/resources/fine-tuning/jobs';
import type { RunOptions } from '../../runs/run-record.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const CREATE_JOB = 'createJob';
export interface CreateJobInput {
  trainingFileId: string;
  validationFileId?: string;
  options: RunOptions;
}
export interface CreatedJob {
  jobId: string;
  status: string;
  reused: boolean;
}

/**
 * The create request: `method: {type, <type>: {hyperparameters}}` — never the top-level
 * `hyperparameters`, which Azure's description deprecates — and Azure's `trainingType`, which is
 * not in the OpenAI SDK's types. "auto" hyperparameters are left out (the service then chooses).
 */
export function jobCreateParams(input: CreateJobInput): Record<string, unknown> {
  const { options } = input;
  const method = options.method ?? { type: 'supervised' as const };
  const hyperparameters = method.hyperparameters ?? {};
  const section: Record<string, unknown> = {
    ...(Object.keys(hyperparameters).length > 0 ? { hyperparameters } : {}),
    ...(method.grader ? { grader: method.grader } : {}),
  };
  return {
    model: options.baseModel,
    training_file: input.trainingFileId,
    ...(input.validationFileId ? { validation_file: input.validationFileId } : {}),
    ...(options.suffix ? { suffix: options.suffix } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    method: { type: method.type, ...(Object.keys(section).length > 0 ? { [method.type]: section } : {}) },
    ...(options.trainingType ? { trainingType: options.trainingType } : {}),
  };
}

/** How many of the newest jobs are searched for one this run already created. */
const REUSE_SCAN_LIMIT = 100;

/**
 * Creates the fine-tuning job — exactly once per run: when the activity is retried after the
 * service created the job but the answer was lost (timeout, crash), the job already created for
 * this run's training file (named after the run, so unique to it) is found and reused.
 */
df.app.activity(CREATE_JOB, {
  handler: (input: CreateJobInput) =>
    runActivity(async (): Promise<CreatedJob> => {
      const { openai } = getServices();
      let scanned = 0;
      for await (const job of openai.fineTuning.jobs.list({ limit: 50 })) {
        if (job.training_file === input.trainingFileId) return { jobId: job.id, status: job.status, reused: true };
        if (++scanned >= REUSE_SCAN_LIMIT) break;
      }
      // No SDK retry of this POST: a retry inside the call would skip the look-up above, and a job
      // created whose answer was lost would be created (and paid for) twice. The activity's durable
      // retry runs the look-up again first.
      const job: FineTuningJob = await openai.fineTuning.jobs.create(jobCreateParams(input) as unknown as JobCreateParams, { maxRetries: 0 });
      return { jobId: job.id, status: job.status, reused: false };
    }),
});
