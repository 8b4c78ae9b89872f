import type { RunEvent, RunEventType, RunRecord } from '../runs/run-record.js';

/** A notification for a run; the id is stable per (run, type) so consumers can dedupe redeliveries. */
export function runEvent(run: Pick<RunRecord, 'runId' | 'dataset' | 'status'>, type: RunEventType, occurredAt: string, data: Record<string, unknown>): RunEvent {
  return { id: `${run.runId}:${type}`, type, runId: run.runId, dataset: run.dataset, status: run.status, occurredAt, data };
}
