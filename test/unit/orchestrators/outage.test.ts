import { describe, expect, it } from 'vitest';
import { afterPollFailure, delayedMessage, OUTAGE_MAX_WAIT_SECONDS, type OutageState } from '../../../src/orchestrators/outage.js';

const down = { code: 'http_503', message: 'Service Unavailable' };
const limits = { maxSeconds: 3600, pollSeconds: 30 };

describe('afterPollFailure: how a status check rides out an outage', () => {
  it('starts an outage on the first failure (notify once), then backs off by doubling, capped', () => {
    const first = afterPollFailure(undefined, 1000, down, 'fine-tuning job ftjob-1', limits);
    expect(first).toEqual({ kind: 'wait', seconds: 30, started: true, state: { since: 1000, failures: 1, last: down } });
    let state = (first as { state: OutageState }).state;
    const waits: number[] = [];
    let at = 1000;
    for (let i = 0; i < 8; i++) {
      const next = afterPollFailure(state, at, down, 'fine-tuning job ftjob-1', limits);
      if (next.kind !== 'wait') throw new Error('expected a wait');
      expect(next.started).toBe(false);
      waits.push(next.seconds);
      state = next.state;
      at += 1;
    }
    expect(waits).toEqual([60, 120, 240, 480, OUTAGE_MAX_WAIT_SECONDS, OUTAGE_MAX_WAIT_SECONDS, OUTAGE_MAX_WAIT_SECONDS, OUTAGE_MAX_WAIT_SECONDS]);
    expect(state.since).toBe(1000);
    expect(state.failures).toBe(9);
  });

  it('never waits past the deadline, and fails once the outage has lasted OUTAGE_MAX_MINUTES', () => {
    const state: OutageState = { since: 0, failures: 5, last: down };
    expect(afterPollFailure(state, 3590, down, 'deployment d', limits)).toMatchObject({ kind: 'wait', seconds: 10 });
    const failed = afterPollFailure(state, 3600, { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'deployment d', limits);
    expect(failed.kind).toBe('fail');
    if (failed.kind === 'fail') {
      expect(failed.code).toBe('service_unreachable');
      expect(failed.message).toContain('deployment d could not be checked for 60 minutes');
      expect(failed.message).toContain('ECONNREFUSED');
    }
  });

  it('a fresh outage (after the service answered) starts over and is notified again', () => {
    expect(afterPollFailure(undefined, 9000, down, 'x', limits)).toMatchObject({ kind: 'wait', started: true, state: { since: 9000, failures: 1 } });
  });

  it('says the run keeps waiting, and for how long', () => {
    expect(delayedMessage('fine-tuning job ftjob-1', down, limits)).toBe(
      'The service cannot be reached while checking fine-tuning job ftjob-1 (http_503: Service Unavailable). The run keeps waiting and picks the same work up again when the service answers; it fails only after 60 minutes without an answer (OUTAGE_MAX_MINUTES).',
    );
  });
});
