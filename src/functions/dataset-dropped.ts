/**
 * The drop zone's blob trigger. `source: 'EventGrid'` is what Flex Consumption supports; the
 * infra's postdeploy hook subscribes Event Grid to exactly this function name. The handler is
 * thin: everything happens in intake/process-drop.ts (wired by intake/app-deps.ts), which re-reads
 * the blobs as streams (the binding's buffer is not used, so validation memory does not grow with
 * the file).
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { setting } from '../config.js';
import { appIntakeDeps } from '../intake/app-deps.js';
import { processDrop, type IntakeOutcome } from '../intake/process-drop.js';

export const DATASET_DROPPED = 'datasetDropped';

export async function datasetDropped(_blob: unknown, context: InvocationContext): Promise<void> {
  await intakeBlob(String(context.triggerMetadata?.['name'] ?? ''), context);
}

/**
 * Intake of one drop-zone blob, for every function that finds one: this trigger, and the
 * reconciliation timer (functions/reconcile-drops.ts) for files whose events were lost. The
 * calling function must have the durable client input binding.
 */
export function intakeBlob(name: string, context: InvocationContext): Promise<IntakeOutcome> {
  return processDrop(name, appIntakeDeps(df.getClient(context), (line) => context.log(line)));
}

app.storageBlob(DATASET_DROPPED, {
  // Resolved when the worker loads the app (settings are in the environment by then), so the
  // declared default applies like everywhere else; `%DATASETS_CONTAINER%` would make it mandatory.
  path: `${setting('DATASETS_CONTAINER')}/{name}`,
  source: 'EventGrid',
  connection: 'AzureWebJobsStorage',
  extraInputs: [df.input.durableClient()],
  handler: datasetDropped,
});
