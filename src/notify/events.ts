import type { RunEvent, RunEventType, RunRecord } from '../runs/run-record.js';

/** A notification for a run; the id is stable per (run, type) so consumers can dedupe redeliveries. */
export function runEvent(run: Pick<RunRecord, 'runId' | 'dataset' | 'status'>, type: RunEventType, occurredAt: string, data: Record<string, unknown>): RunEvent {
  return { id: `${run.runId}:${type}`, type, runId: run.runId, dataset: run.dataset, status: run.status, occurredAt, data };
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
