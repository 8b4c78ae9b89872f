import * as df from 'durable-functions';
import type { RunRecord } from '../../runs/run-record.js';
import { applyUpdate, type RunUpdate } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const RECORD_RUN = 'recordRun';
export interface RecordRunInput {
  runId: string;
  update: RunUpdate;
}

/** The one log line of a status change, as a person watching the app wants to read it: how it ended, not "completed". */
export function statusLine(run: RunRecord): string {
  const head = `run ${run.runId} (${run.dataset})${(run.attempt ?? 1) > 1 ? ` attempt ${run.attempt}` : ''}`;
  switch (run.status) {
    case 'training':
      return `${head}: training (job ${run.job?.id ?? '?'}, base model ${run.options?.baseModel ?? '?'}).`;
    case 'deploying':
      return `${head}: trained ${run.job?.fineTunedModel ?? ''}; deploying.`;
    case 'succeeded':
      return `${head}: SUCCEEDED. Deployment ${run.deployment?.name ?? '?'}; try it: ftpipe chat ${run.dataset}`;
    case 'failed':
      return `${head}: FAILED: ${run.error ? `${run.error.code}: ${run.error.message}` : 'see the run record'}`;
    case 'cancelled':
      return `${head}: CANCELLED on request.`;
    default:
      return `${head}: ${run.status}.`;
  }
}

/** Applies one update to run.json (ETag-conditional, retried on conflicts); logs status changes. */
df.app.activity(RECORD_RUN, {
  handler: (input: RecordRunInput, context) =>
    runActivity(async () => {
      let before: string | undefined;
      const after = await getServices().store.update(input.runId, (run) => {
        before = run.status;
        return applyUpdate(run, input.update);
      });
      if (after.status !== before) context.log(statusLine(after));
      return null;
    }),
});
