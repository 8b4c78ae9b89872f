/**
 * The drop zone's blob trigger. `source: 'EventGrid'` is what Flex Consumption supports; the
 * infra's postdeploy hook subscribes Event Grid to exactly this function name. The handler is
 * thin: everything happens in runs/intake.ts, which re-reads the blobs as streams (the binding's
 * buffer is not used, so validation memory does not grow with the file).
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appConfig, setting } from '../config.js';
import { createStorageClients } from '../azure/storage.js';
import { FINE_TUNE_PIPELINE } from '../orchestrators/fine-tune-pipeline.js';
import { pipelineInput } from '../orchestrators/pipeline-input.js';
import { findOrchestration } from '../runs/durable-status.js';
import { handleDrop, type IntakeOutcome } from '../runs/intake.js';
import { RunStore } from '../runs/run-store.js';

export const DATASET_DROPPED = 'datasetDropped';

export async function datasetDropped(_blob: unknown, context: InvocationContext): Promise<void> {
  await intakeBlob(String(context.triggerMetadata?.['name'] ?? ''), context);
}

/**
 * Intake of one drop-zone blob, for every function that finds one: this trigger, and the
 * reconciliation timer (functions/reconcile-drops.ts) for files whose events were lost. The
 * calling function must have the durable client input binding.
 */
export async function intakeBlob(name: string, context: InvocationContext): Promise<IntakeOutcome> {
  const config = appConfig();
  const storage = createStorageClients(config);
  const client = df.getClient(context);
  return handleDrop(name, {
    config,
    storage,
    store: new RunStore(storage.runs),
    log: (line) => context.log(line),
    orchestrationExists: async (runId) => (await findOrchestration(client, runId)) !== undefined,
    startOrchestration: async (runId, run) => {
      await client.startNew(FINE_TUNE_PIPELINE, { instanceId: runId, input: pipelineInput(run, config) });
    },
  });
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
