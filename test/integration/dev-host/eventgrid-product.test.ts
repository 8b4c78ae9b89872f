import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_TRAINING } from '../../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../../support/pipeline-stack.js';
import { sleep } from '../../support/wait.js';

/**
 * The product under Event Grid's at-least-once delivery: every drop's event arrives three times at
 * once and twice more after it was acknowledged (DEV_HOST_EVENTGRID_FAULTS-style faults), and the
 * app must still start exactly one run — one orchestration, one fine-tuning job — per content.
 */
describe('exactly one run per content under duplicate and concurrent Event Grid deliveries', () => {
  let stack: PipelineStack;
  const training = readFileSync(LAB_TRAINING);

  beforeAll(async () => {
    stack = await startPipelineStack({ host: { eventGrid: { timeScale: 0.01, faults: { concurrent: 3, duplicates: 2 } } } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('starts one orchestration and one job for a valid drop, and notifies each state once', async () => {
    await stack.drop('dup/data.jsonl', training);
    const run = await stack.untilRun('dup/data', ['succeeded', 'failed', 'rejected', 'cancelled'], 60_000);
    expect(run.status).toBe('succeeded');
    // Let any straggling duplicate finish before counting.
    await sleep(500);
    const executed = stack.logLines.filter((l) => l.startsWith("Executed 'Functions.datasetDropped'"));
    expect(executed.length).toBeGreaterThanOrEqual(5);
    const instances = (await (await fetch(`${stack.host.url}/runtime/webhooks/durabletask/instances?instanceIdPrefix=${run.runId}`)).json()) as unknown[];
    expect(instances).toHaveLength(1);
    const jobs = [];
    for await (const job of stack.openai.fineTuning.jobs.list()) jobs.push(job);
    expect(jobs).toHaveLength(1);
    const events = (await stack.queued(run.runId)).map((e) => e.type);
    expect(events.filter((t) => t === 'run.training')).toHaveLength(1);
    expect(events.filter((t) => t === 'run.succeeded')).toHaveLength(1);
  });

  it('rejects an invalid drop once: one report, one run.rejected notification', async () => {
    await stack.drop('dup/bad.jsonl', '{"messages": []}\n');
    const run = await stack.untilRun('dup/bad', ['rejected'], 30_000);
    await sleep(1000);
    const events = (await stack.queued(run.runId)).map((e) => e.type);
    expect(events).toEqual(['run.rejected']);
  });
});
