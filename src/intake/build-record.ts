/** The run record intake writes, built from the validation report and the snapshots. Pure. */
import type { InputFile, RunOptions, RunRecord } from '../runs/run-record.js';
import type { RunValidationReport } from './report.js';

/** Errors copied into run.json and notifications; the full list is in the report. */
export const ERRORS_IN_RECORD = 20;

export interface RecordParts {
  runId: string;
  dataset: string;
  report: RunValidationReport;
  inputs: RunRecord['inputs'];
  options: RunOptions | undefined;
  /** When the run was first created (kept when a run is validated again). */
  createdAt: string;
  /** When this validation started and ended. */
  startedAt: string;
  endedAt: string;
}

export function buildRunRecord({ runId, dataset, report, inputs, options, createdAt, startedAt, endedAt }: RecordParts): RunRecord {
  const [training] = report.files;
  const errors = [
    ...(report.options?.errors ?? []),
    ...report.files.flatMap((f) => f.errors.map((e) => ({ line: e.line, code: e.code, message: `${f.role}: ${e.message}`, ...(e.field ? { field: e.field } : {}) }))),
  ].slice(0, ERRORS_IN_RECORD);
  const validating = { startedAt, endedAt };
  return {
    runId,
    dataset,
    status: report.valid ? 'validating' : 'rejected',
    createdAt,
    updatedAt: endedAt,
    phases: report.valid ? { validating } : { validating, rejected: { startedAt: endedAt, endedAt } },
    inputs,
    ...(options ? { options } : {}),
    validation: {
      valid: report.valid,
      errorCount: report.files.reduce((n, f) => n + f.errorCount, 0) + (report.options?.errors.length ?? 0),
      warningCount: report.files.reduce((n, f) => n + f.warningCount, 0),
      errors: errors.map((e) => ({ line: e.line, code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) })),
      trainingTokens: training?.tokens.total.sum ?? 0,
      estimatedBilledTokens: report.estimate.billedTokens,
    },
    artifacts: [...Object.values(inputs).map((i: InputFile) => i.snapshot.slice(runId.length + 1)), 'validation-report.json', 'validation-report.md'],
  };
}
