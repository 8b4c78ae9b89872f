import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeploymentName } from '../../src/runs/run-id.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const training = readFileSync(LAB_TRAINING);
const validation = readFileSync(LAB_VALIDATION);

describe('the pipeline under service faults', () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack({ emulator: { retryAfterSeconds: 0.5 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('30% of Azure OpenAI and ARM requests answered 429/500: still succeeded, with exactly one job and one deployment', async () => {
    await stack.configureEmulator({ rateLimitFraction: 0.15, serverErrorFraction: 0.15 });
    try {
      await stack.drop('flaky.validation.jsonl', validation);
      await stack.drop('flaky.jsonl', training);
      const run = await stack.untilRun('flaky', ['succeeded', 'failed', 'rejected', 'cancelled'], 90_000);
      expect(run.error).toBeUndefined();
      expect(run.status).toBe('succeeded');
    } finally {
      await stack.configureEmulator({ rateLimitFraction: 0, serverErrorFraction: 0 });
    }
    const jobs = [];
    for await (const job of stack.openai.fineTuning.jobs.list()) jobs.push(job);
    expect(jobs).toHaveLength(1);
    const deployments = [];
    for await (const d of stack.arm.deployments.list('rg-e2e', 'aoai-e2e')) deployments.push(d);
    expect(deployments.map((d) => d.name)).toEqual([expect.stringMatching(new RegExp(`^${defaultDeploymentName('flaky')}-[0-9a-f]{8}$`))]);
    // No file left behind: a duplicate from a retried upload would not be among those the run deletes.
    const files = [];
    for await (const f of stack.openai.files.list()) files.push(f);
    expect(files.filter((f) => f.purpose === 'fine-tune')).toEqual([]);
  }, 120_000);

  it('a failed deployment ends the run failed with ARM’s own message', async () => {
    await stack.configureEmulator({ failNextDeployment: { code: 'DeploymentFailed', message: 'Quota exceeded for model deployments (injected).' } });
    await stack.drop('nodeploy.jsonl', training);
    const run = await stack.untilRun('nodeploy', ['succeeded', 'failed', 'rejected', 'cancelled']);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('DeploymentFailed');
    expect(run.error?.message).toContain('Quota exceeded for model deployments (injected).');
    expect((await stack.queued(run.runId)).map((e) => e.type)).toEqual(['run.training', 'run.failed']);

    // The training was paid for: a retry deploys the same job's model instead of training again.
    const jobsOf = async (): Promise<string[]> => {
      const ids: string[] = [];
      for await (const job of stack.openai.fineTuning.jobs.list()) ids.push(job.id);
      return ids;
    };
    const jobsBefore = await jobsOf();
    const retry = await fetch(`${stack.host.url}/api/runs/${run.runId}/retry`, { method: 'POST' });
    expect(retry.status).toBe(202);
    const again = await stack.untilRun('nodeploy', ['succeeded', 'failed', 'cancelled', 'not_promoted'], 60_000);
    expect(again.error).toBeUndefined();
    expect(again).toMatchObject({ status: 'succeeded', attempt: 2, job: { id: run.job?.id, status: 'succeeded' } });
    expect(again.previousAttempts?.[0]).toMatchObject({ jobId: run.job?.id, fineTunedModel: run.job?.fineTunedModel, error: { code: 'DeploymentFailed' } });
    expect(again.deployment?.model).toBe(run.job?.fineTunedModel);
    expect(await jobsOf()).toEqual(jobsBefore);
    const retried = (await stack.queued(run.runId)).filter((e) => e.attempt === 2);
    expect(retried.map((e) => e.type)).toEqual(['run.training', 'run.succeeded']);
    expect(retried[0]?.data).toMatchObject({ jobId: run.job?.id, reusedFromAttempt: 1 });
  }, 120_000);

  it('a file Azure OpenAI fails to process ends the run failed with its status_details, and no job', async () => {
    await stack.configureEmulator({ failNextFile: { message: 'Invalid file format (injected).' } });
    await stack.drop('badfile.jsonl', training);
    const run = await stack.untilRun('badfile', ['succeeded', 'failed', 'rejected', 'cancelled']);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('file_processing_failed');
    expect(run.error?.message).toContain('Invalid file format (injected).');
    expect(run.job).toBeUndefined();
    expect((await stack.queued(run.runId)).map((e) => e.type)).toEqual(['run.failed']);
  }, 60_000);
});
