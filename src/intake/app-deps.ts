/**
 * The intake's dependencies as the app wires them: settings, storage clients, the run store, and
 * the Durable client that starts `fineTunePipeline` with the run id as its instance id. Every
 * caller of `processDrop` in the app (the blob trigger, a reconciliation sweep) builds them here,
 * so all of them start runs the same way.
 */
import type { DurableClient } from 'durable-functions';
import { FINE_TUNE_PIPELINE } from '../orchestrators/fine-tune-pipeline.js';
import { pipelineInput } from '../orchestrators/pipeline-input.js';
import { findOrchestration } from '../runs/durable-status.js';
import { getServices } from '../services.js';
import type { IntakeDeps } from './process-drop.js';

export function appIntakeDeps(client: DurableClient, log: (line: string) => void): IntakeDeps {
  const { config, storage, store } = getServices();
  return {
    config,
    storage,
    store,
    log,
    orchestrationExists: async (runId) => (await findOrchestration(client, runId)) !== undefined,
    startOrchestration: async (runId, run) => {
      if (!run.options) throw new Error(`run ${runId} has no resolved options`);
      await client.startNew(FINE_TUNE_PIPELINE, { instanceId: runId, input: pipelineInput(run, config) });
    },
  };
}
