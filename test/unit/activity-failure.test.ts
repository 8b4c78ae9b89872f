import { describe, expect, it } from 'vitest';
import { activityFailure } from '../../dev/host/durable/activities.js';
import { failureOf, PermanentFailure, runActivity } from '../../src/orchestrators/activity-result.js';

/** What an orchestrator catches in Azure: durable-functions builds `${Reason} \n ${Details}`. */
const asOrchestratorSeesIt = (activity: string, error: unknown): Error => {
  const { Reason, Details } = activityFailure(activity, error);
  return new Error(`${Reason} \n ${Details}`);
};

describe('activity failures in Azure shape, and the user-facing text the product derives', () => {
  it('wraps the JS error as the Durable extension and the Functions host do', () => {
    const { Reason, Details } = activityFailure('createJob', new Error('quota exceeded'));
    expect(Reason.startsWith("Activity function 'createJob' failed: Result: Failure\nException: quota exceeded\nStack: Error: quota exceeded\n")).toBe(true);
    expect(JSON.parse(Details)).toMatchObject({ RemoteMessage: 'quota exceeded' });
  });

  it("reads the service's code and message back from a retried transient failure, not the host's wrapping", async () => {
    const serviceError = Object.assign(new Error('The server had an error'), { status: 503, error: { code: 'ServiceUnavailable', message: 'Try again later.' } });
    const thrown = await runActivity(() => Promise.reject(serviceError)).catch((e: unknown) => e);
    expect(failureOf(asOrchestratorSeesIt('jobStatus', thrown))).toEqual({ code: 'ServiceUnavailable', message: 'Try again later.' });
    // The same error without the host's wrapping (another host, or a unit test) reads the same.
    expect(failureOf(thrown)).toEqual({ code: 'ServiceUnavailable', message: 'Try again later.' });
  });

  it('falls back to the innermost exception message, first line only', () => {
    expect(failureOf(asOrchestratorSeesIt('x', new TypeError('cannot read properties of undefined')))).toEqual({
      code: 'pipeline_error',
      message: 'cannot read properties of undefined',
    });
    expect(failureOf(new PermanentFailure('DeploymentFailed', 'no quota'))).toEqual({ code: 'DeploymentFailed', message: 'no quota' });
    expect(failureOf('plain text\nmore')).toEqual({ code: 'pipeline_error', message: 'plain text' });
  });
});
