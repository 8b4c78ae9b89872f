import * as df from 'durable-functions';
import { classifyError } from '../../azure/service-errors.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

export const CANCEL_JOB = 'cancelJob';

/** Cancels the Azure job; a job that already ended cannot be cancelled, and its status is returned. */
df.app.activity(CANCEL_JOB, {
  handler: (jobId: string) =>
    runActivity(async (): Promise<string> => {
      const { openai } = getServices();
      try {
        return (await openai.fineTuning.jobs.cancel(jobId)).status;
      } catch (error) {
        if (classifyError(error).failure.status !== 400) throw error;
        return (await openai.fineTuning.jobs.retrieve(jobId)).status;
      }
    }),
});
