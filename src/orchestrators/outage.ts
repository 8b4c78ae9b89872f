/**
 * What the orchestration does when a status check cannot reach the service (pure, so it replays
 * the same and is unit-tested). A fine-tuning job keeps training in Azure while Azure OpenAI or
 * ARM is unreachable from here; failing the run after the activity's retries (~2 minutes) would
 * abandon a job that still succeeds — paid training thrown away, and nothing deploys the model.
 *
 * So a transient failure (network error, 408, 429, 5xx: azure/service-errors.ts) of a poll, once
 * the quick retries (the SDK's, then the durable retry of the call) are spent, starts an outage:
 * the run is told `run.delayed` once, keeps its status, and polls again after a durable timer that
 * doubles from OUTAGE_POLL_SECONDS up to OUTAGE_MAX_WAIT_SECONDS. When the service answers again
 * the run goes on with the SAME job or deployment (the poll only reads; nothing is created again).
 * It fails (`service_unreachable`) only once the outage has lasted OUTAGE_MAX_MINUTES. Permanent
 * failures (other 4xx) never get here: they end the run at once, as before.
 */
import type { ServiceFailure } from '../azure/service-errors.js';

export interface OutageLimits {
  /** How long an outage may last before the run fails. */
  maxSeconds: number;
  /** First wait between two checks during an outage. */
  pollSeconds: number;
}

export const DEFAULT_OUTAGE_LIMITS: OutageLimits = { maxSeconds: 60 * 60, pollSeconds: 30 };
/** Longest single wait during an outage, so a service that comes back is seen within minutes. */
export const OUTAGE_MAX_WAIT_SECONDS = 600;

export interface OutageState {
  /** Orchestration time (seconds) of the first failed check. */
  since: number;
  /** Failed checks in a row. */
  failures: number;
  last: ServiceFailure;
}

export type OutageDecision =
  | {
      kind: 'wait';
      seconds: number;
      state: OutageState;
      /** The first failure of this outage: record it and notify `run.delayed`. */
      started: boolean;
    }
  | { kind: 'fail'; code: 'service_unreachable'; message: string };

/** The next step after a status check of `what` failed transiently at orchestration time `at` (seconds). */
export function afterPollFailure(current: OutageState | undefined, at: number, failure: ServiceFailure, what: string, limits: OutageLimits): OutageDecision {
  const state: OutageState = { since: current?.since ?? at, failures: (current?.failures ?? 0) + 1, last: failure };
  const elapsed = at - state.since;
  if (elapsed >= limits.maxSeconds) {
    return {
      kind: 'fail',
      code: 'service_unreachable',
      message: `${what} could not be checked for ${minutes(elapsed)} (last error: ${failure.code}: ${failure.message}); giving up after OUTAGE_MAX_MINUTES (${minutes(limits.maxSeconds)})`,
    };
  }
  const backoff = Math.min(OUTAGE_MAX_WAIT_SECONDS, limits.pollSeconds * 2 ** (state.failures - 1));
  // The last check falls on the deadline, not after it.
  const seconds = Math.max(1, Math.min(Math.max(backoff, limits.pollSeconds), limits.maxSeconds - elapsed));
  return { kind: 'wait', seconds, state, started: current === undefined };
}

/** The user-facing line of a `run.delayed` notification. */
export function delayedMessage(what: string, failure: ServiceFailure, limits: OutageLimits): string {
  return (
    `The service cannot be reached while checking ${what} (${failure.code}: ${failure.message}). ` +
    `The run keeps waiting and picks the same work up again when the service answers; it fails only after ${minutes(limits.maxSeconds)} without an answer (OUTAGE_MAX_MINUTES).`
  );
}

function minutes(seconds: number): string {
  const m = Math.round(seconds / 60);
  return seconds < 120 ? `${Math.round(seconds)} seconds` : `${m} minutes`;
}
