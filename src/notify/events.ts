import type { RunEvent, RunEventType, RunRecord } from '../runs/run-record.js';

/**
 * A notification for a run; the id is stable per (run, attempt, type) so consumers can dedupe
 * redeliveries without dropping a retried run's events (`<runId>:<type>`, `<runId>:2:<type>` …).
 */
export function runEvent(
  run: Pick<RunRecord, 'runId' | 'dataset' | 'status'> & { attempt?: number | undefined },
  type: RunEventType,
  occurredAt: string,
  data: Record<string, unknown>,
): RunEvent {
  const attempt = run.attempt ?? 1;
  const id = attempt > 1 ? `${run.runId}:${attempt}:${type}` : `${run.runId}:${type}`;
  return { id, type, runId: run.runId, dataset: run.dataset, status: run.status, occurredAt, data, ...(attempt > 1 ? { attempt } : {}) };
}
