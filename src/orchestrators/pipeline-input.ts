/**
 * The orchestration's input for a validated run: built from run.json when a drop starts a run and
 * again when a retry starts its next attempt, so both start the pipeline the same way.
 */
import type { AppConfig } from '../config.js';
import { trainedJob } from '../runs/retry.js';
import type { RunRecord } from '../runs/run-record.js';
import type { PipelineInput } from './fine-tune-pipeline.js';

export function pipelineInput(run: RunRecord, config: Pick<AppConfig, 'polling' | 'deleteUploadedFiles' | 'publicBaseUrl'> & Partial<Pick<AppConfig, 'outage'>>): PipelineInput {
  if (!run.options) throw new Error(`run ${run.runId} has no resolved options`);
  const trained = trainedJob(run);
  return {
    runId: run.runId,
    dataset: run.dataset,
    options: run.options,
    snapshots: {
      training: run.inputs.training.snapshot,
      ...(run.inputs.validation ? { validation: run.inputs.validation.snapshot } : {}),
      ...(run.inputs.eval ? { eval: run.inputs.eval.snapshot } : {}),
    },
    polling: config.polling,
    ...(config.outage ? { outage: config.outage } : {}),
    deleteUploadedFiles: config.deleteUploadedFiles,
    chatUrl: `${config.publicBaseUrl}/api/v1/chat/completions`,
    ...(run.attempt !== undefined && run.attempt > 1 ? { attempt: run.attempt } : {}),
    ...(trained ? { trainedJob: { jobId: trained.jobId, fineTunedModel: trained.fineTunedModel, fromAttempt: trained.attempt } } : {}),
  };
}
