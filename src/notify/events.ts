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

/**
 * `drop.ignored`: a file in the drop zone that started nothing although it looks like it was meant
 * to (a near-miss name, a validation or options file whose training file never came, a companion
 * that came after its run had started, the same data uploaded again). It has no run, so no runId.
 */
export interface DropEvent {
  /** Stable per (blob version, reason): consumers dedupe on it. */
  id: string;
  type: 'drop.ignored';
  /** The blob name in the drop zone. */
  blob: string;
  occurredAt: string;
  data: {
    code: string;
    reason: string;
    /** The name that would have worked, for a near-miss name. */
    suggestion?: string;
    /** The run concerned (the existing run of a duplicate, the run a late companion missed). */
    runId?: string;
  };
}

export type Notification = RunEvent | DropEvent;

export function dropEvent(blob: string, version: string, occurredAt: string, data: DropEvent['data']): DropEvent {
  return { id: `drop:${blob}:${version}:${data.code}`, type: 'drop.ignored', blob, occurredAt, data };
}
