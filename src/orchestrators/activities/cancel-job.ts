import * as df from 'durable-functions';
import { classifyError } from '../../azure/service-errors.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const CANCEL_JOB = 'cancelJob';

/**
 * Cancels the Azure job and returns its status afterwards. What Azure answers for a job that can no
 * longer be cancelled is not documented (the emulator says 409 `unexpectedEntityState`; OpenAI
 * answers 400), so ANY refusal (4xx) is followed by reading the job again and returning its status
 * — the caller decides from that, never from the refusal. A job that no longer exists is `not_found`.
 */
df.app.activity(CANCEL_JOB, {
  handler: (jobId: string) =>
    runActivity(async (): Promise<string> => {
      const { openai } = getServices();
      try {
        return (await openai.fineTuning.jobs.cancel(jobId)).status;
      } catch (error) {
        const { permanent } = classifyError(error);
        if (!permanent) throw error;
      }
      try {
        return (await openai.fineTuning.jobs.retrieve(jobId)).status;
      } catch (error) {
        if (classifyError(error).failure.status === 404) return 'not_found';
        throw error;
      }
    }),
});
