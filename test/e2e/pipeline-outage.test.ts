import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_TRAINING } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { waitFor } from '../support/wait.js';

const training = readFileSync(LAB_TRAINING);

/**
 * Azure OpenAI and ARM unreachable (every request answered 500) while the run watches its job, for
 * longer than the quick retries: the run is told `run.delayed`, keeps waiting, and when the service
 * answers again goes on with the same job to a deployed model. Before outage-tolerant waits the run
 * failed here while its job kept training.
 */
describe('an outage longer than the quick retries while the job trains', () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack({
      // A job long enough to be mid-training when the outage starts; it keeps training in the "service" meanwhile.
      emulator: { jobSeconds: 20 },
      settings: { OUTAGE_POLL_SECONDS: '1', OUTAGE_MAX_MINUTES: '5', SDK_QUICK_RETRIES: '1' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('run.training → run.delayed → run.succeeded, with exactly one fine-tuning job', async () => {
    await stack.drop('outage.jsonl', training);
    const trainingRun = await stack.untilRun('outage', ['training'], 60_000);
    await stack.configureEmulator({ serverErrorFraction: 1 });
    try {
      await waitFor(
        async () => ((await stack.queued(trainingRun.runId)).some((e) => e.type === 'run.delayed') ? true : undefined),
        'run.delayed to be notified',
        90_000,
        250,
      );
      const during = await stack.run(trainingRun.runId);
      expect(during.status).toBe('training');
      expect(during.outage).toMatchObject({ phase: 'training', checking: `fine-tuning job ${trainingRun.job?.id}` });
      expect(during.outage?.resolvedAt).toBeUndefined();
    } finally {
      await stack.configureEmulator({ serverErrorFraction: 0 });
    }
    const run = await stack.untilRun('outage', ['succeeded', 'failed', 'rejected', 'cancelled', 'not_promoted'], 120_000);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(run.job?.id).toBe(trainingRun.job?.id);
    expect(run.outage?.resolvedAt).toEqual(expect.any(String));
    const events = await stack.queued(run.runId);
    expect(events.map((e) => e.type)).toEqual(['run.training', 'run.delayed', 'run.succeeded']);
    const delayed = events.find((e) => e.type === 'run.delayed')!;
    expect(delayed.status).toBe('training');
    expect(String(delayed.data['message'])).toMatch(/cannot be reached .* keeps waiting/);
    const jobs = [];
    for await (const job of stack.openai.fineTuning.jobs.list()) jobs.push(job);
    expect(jobs).toHaveLength(1);
  }, 300_000);
});
