import * as df from 'durable-functions';
import { applyUpdate, type RunUpdate } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

export const RECORD_RUN = 'recordRun';
export interface RecordRunInput {
  runId: string;
  update: RunUpdate;
}

/** Applies one update to run.json (ETag-conditional, retried on conflicts). */
df.app.activity(RECORD_RUN, {
  handler: (input: RecordRunInput) =>
    runActivity(async () => {
      await getServices().store.update(input.runId, (run) => applyUpdate(run, input.update));
      return null;
    }),
});
