import * as df from 'durable-functions';
import type { FineTuningJob, JobCreateParams } from 'openai/resources/fine-tuning/jobs';
import type { RunOptions } from '../../runs/run-record.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

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
      const { options } = input;
      const params: JobCreateParams & { trainingType?: string } = {
        model: options.baseModel,
        training_file: input.trainingFileId,
        ...(input.validationFileId ? { validation_file: input.validationFileId } : {}),
        ...(options.suffix ? { suffix: options.suffix } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.hyperparameters ? { hyperparameters: options.hyperparameters } : {}),
        // Azure's training tier (Standard, GlobalStandard, Developer): not in the OpenAI SDK's types.
        ...(options.trainingType ? { trainingType: options.trainingType } : {}),
      };
      const job: FineTuningJob = await openai.fineTuning.jobs.create(params);
      return { jobId: job.id, status: job.status, reused: false };
    }),
});
