/**
 * How long the orchestration waits before it checks a fine-tuning job again. A fixed 10-second
 * loop makes ~360 status calls for an hour-long job; this policy polls often only while the answer
 * is likely to change soon (queued jobs, the expected end) and otherwise waits in proportion to the
 * time left, always within [min, max].
 */
export interface JobObservation {
  status: string;
  /** Seconds since the epoch of this observation (the orchestration's deterministic clock). */
  at: number;
  step?: number;
  totalSteps?: number;
  /** Unix seconds the service expects the job to finish, when it says. */
  estimatedFinish?: number;
}

export interface PollBounds {
  minSeconds: number;
  maxSeconds: number;
}

/** Seconds left, from the service's estimate or else from the step rate between two observations. */
export function remainingSeconds(current: JobObservation, previous?: JobObservation): number | undefined {
  if (current.estimatedFinish !== undefined) return Math.max(0, current.estimatedFinish - current.at);
  if (previous?.step === undefined || current.step === undefined || current.totalSteps === undefined) return undefined;
  const steps = current.step - previous.step;
  const seconds = current.at - previous.at;
  if (steps <= 0 || seconds <= 0) return undefined;
  return ((current.totalSteps - current.step) * seconds) / steps;
}

export function nextPollSeconds(current: JobObservation, previous: JobObservation | undefined, lastInterval: number, bounds: PollBounds): number {
  const clamp = (s: number): number => Math.min(bounds.maxSeconds, Math.max(bounds.minSeconds, Math.round(s)));
  // Queued or just starting: the next state change can come any moment.
  if (current.status !== 'running') return bounds.minSeconds;
  const left = remainingSeconds(current, previous);
  // Half the time left: few checks while far from the end, converging on the expected finish.
  if (left !== undefined) return clamp(left / 2);
  // No estimate: back off gradually.
  return clamp(Math.max(bounds.minSeconds, lastInterval) * 1.5);
}
