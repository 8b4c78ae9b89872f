import * as df from 'durable-functions';
import type { JobCheckpoint } from '../../evaluation/checkpoints.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const LIST_CHECKPOINTS = 'listCheckpoints';
export interface ListCheckpointsInput {
  jobId: string;
}

/**
 * The job's checkpoints (`GET /openai/fine_tuning/jobs/{id}/checkpoints`, every page). The order
 * the service lists them in is not stated in the API description, so the caller sorts by step.
 */
df.app.activity(LIST_CHECKPOINTS, {
  handler: (input: ListCheckpointsInput) =>
    runActivity(async (): Promise<JobCheckpoint[]> => {
      const { openai } = getServices();
      const out: JobCheckpoint[] = [];
      for await (const c of openai.fineTuning.jobs.checkpoints.list(input.jobId)) {
        out.push({ id: c.id, name: c.fine_tuned_model_checkpoint, step: c.step_number });
      }
      return out;
    }),
});
