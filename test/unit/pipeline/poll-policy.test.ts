import { describe, expect, it } from 'vitest';
import { nextPollSeconds, remainingSeconds, type JobObservation } from '../../../src/runs/poll-policy.js';

const bounds = { minSeconds: 15, maxSeconds: 300 };

/** Simulates monitoring a job that runs `runSeconds` after `queueSeconds` in the queue; counts status checks. */
function simulate(queueSeconds: number, runSeconds: number, withEstimate: boolean): number {
  let t = 0;
  let polls = 0;
  let interval = bounds.minSeconds;
  let previous: JobObservation | undefined;
  const totalSteps = 1000;
  for (;;) {
    polls++;
    const running = t >= queueSeconds;
    const done = t >= queueSeconds + runSeconds;
    if (done) return polls;
    const step = running ? Math.floor(((t - queueSeconds) / runSeconds) * totalSteps) : undefined;
    const observation: JobObservation = {
      status: running ? 'running' : 'pending',
      at: t,
      ...(step !== undefined ? { step, totalSteps } : {}),
      ...(withEstimate && running ? { estimatedFinish: queueSeconds + runSeconds } : {}),
    };
    interval = nextPollSeconds(observation, previous, interval, bounds);
    previous = observation;
    t += interval;
  }
}

describe('nextPollSeconds', () => {
  it('polls at the minimum while the job is queued', () => {
    expect(nextPollSeconds({ status: 'pending', at: 0 }, undefined, 200, bounds)).toBe(15);
    expect(nextPollSeconds({ status: 'validating_files', at: 0 }, undefined, 200, bounds)).toBe(15);
  });

  it('waits half the estimated time left, within the bounds', () => {
    expect(nextPollSeconds({ status: 'running', at: 1000, estimatedFinish: 1400 }, undefined, 15, bounds)).toBe(200);
    expect(nextPollSeconds({ status: 'running', at: 1000, estimatedFinish: 5000 }, undefined, 15, bounds)).toBe(300);
    expect(nextPollSeconds({ status: 'running', at: 1000, estimatedFinish: 1010 }, undefined, 15, bounds)).toBe(15);
    expect(nextPollSeconds({ status: 'running', at: 1000, estimatedFinish: 900 }, undefined, 15, bounds)).toBe(15);
  });

  it('estimates the time left from the step rate when the service gives no estimate', () => {
    const previous: JobObservation = { status: 'running', at: 0, step: 100, totalSteps: 1000 };
    const current: JobObservation = { status: 'running', at: 60, step: 200, totalSteps: 1000 };
    expect(remainingSeconds(current, previous)).toBe(480);
    expect(nextPollSeconds(current, previous, 60, bounds)).toBe(240);
  });

  it('backs off by half again without any estimate', () => {
    expect(nextPollSeconds({ status: 'running', at: 0 }, undefined, 20, bounds)).toBe(30);
    expect(nextPollSeconds({ status: 'running', at: 0 }, undefined, 280, bounds)).toBe(300);
  });

  it('an hour-long job takes far fewer checks than a fixed 10-second loop (360)', () => {
    const withEstimate = simulate(300, 3600, true);
    const fromSteps = simulate(300, 3600, false);
    const fixedLoop = Math.ceil((300 + 3600) / 10);
    // At least 5x fewer (measured: 38 with the service's estimate, 39 from the step rate).
    expect(withEstimate * 5).toBeLessThan(fixedLoop);
    expect(fromSteps * 5).toBeLessThan(fixedLoop);
  });
});
