import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateDeploymentName } from '../../src/aliases/deployment-name.js';
import { verifySignature } from '../../src/notify/signature.js';
import { defaultDeploymentName } from '../../src/runs/run-id.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { ACCOUNT, RESOURCE_GROUP, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'e2e-webhook-secret';
const training = readFileSync(LAB_TRAINING);
const validation = readFileSync(LAB_VALIDATION);

interface Delivery {
  body: string;
  signature: string | undefined;
}

/** A webhook receiver on 127.0.0.1 that records deliveries, or fails them while `failing`. */
async function startWebhook(): Promise<{ url: string; deliveries: Delivery[]; failing: { on: boolean }; server: Server }> {
  const deliveries: Delivery[] = [];
  const failing = { on: false };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (failing.on) {
        res.writeHead(503).end();
        return;
      }
      deliveries.push({ body, signature: req.headers['x-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries, failing, server };
}

describe('the pipeline end to end (dev/host + Azurite + emulator)', () => {
  let stack: PipelineStack;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;

  beforeAll(async () => {
    webhook = await startWebhook();
    stack = await startPipelineStack({ settings: { NOTIFY_WEBHOOK_URL: webhook.url, NOTIFY_WEBHOOK_SECRET: SECRET } });
  });
  afterAll(async () => {
    await stack?.stop();
    webhook?.server.close();
  });

  it('drop → succeeded: deployed, chat works, artifacts written, events queued in order and signed webhooks', async () => {
    await stack.drop('lab/sarcasm.validation.jsonl', validation);
    await stack.drop('lab/sarcasm.jsonl', training);
    const run = await stack.untilRun('lab/sarcasm', ['succeeded', 'failed', 'rejected', 'cancelled']);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(run.runId).toMatch(/^lab-sarcasm-[0-9a-f]{8}-[0-9a-f]{10}$/);
    // The run's own deployment: the dataset key (lab-sarcasm-<8 hex>) plus a hash of the run id.
    const deploymentName = candidateDeploymentName('lab/sarcasm', run.runId, defaultDeploymentName('lab/sarcasm'));
    expect(deploymentName).toMatch(/^lab-sarcasm-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(Object.keys(run.phases)).toEqual(expect.arrayContaining(['validating', 'uploading', 'training', 'deploying', 'succeeded']));
    expect(run.job?.fineTunedModel).toMatch(/^gpt-4o-mini-2024-07-18\.ft-/);
    expect(run.job?.trainedTokens).toBeGreaterThan(0);
    // The run's own deployment (dataset key + run hash); the alias (the dataset name) points at it.
    expect(run.deployment).toMatchObject({ model: run.job?.fineTunedModel, sku: 'Standard', capacity: 1, chatUrl: 'http://localhost:7071/api/v1/chat/completions', alias: 'lab/sarcasm' });
    expect(run.deployment?.name).toBe(deploymentName);
    expect(run.promotion).toMatchObject({ alias: 'lab/sarcasm', promoted: true });
    expect(run.evaluation?.set).toMatchObject({ kind: 'validation', examples: 10 });
    expect(run.files?.deleted).toBe(true);
    // run.json says succeeded a moment before the orchestration returns (the notification is sent in between).
    const completed = await waitFor(async () => {
      const current = await stack.run(run.runId);
      return current.orchestration?.runtimeStatus === 'Completed' ? current : undefined;
    }, 'the orchestration to complete');
    expect(completed.status).toBe('succeeded');

    // Far fewer job polls than a fixed 10-second loop would need over the same time.
    const polls = Number(run.orchestration?.customStatus?.['polls']);
    const trainingSeconds = (Date.parse(run.phases.training!.endedAt!) - Date.parse(run.phases.training!.startedAt)) / 1000;
    expect(polls).toBeGreaterThan(0);
    expect(polls).toBeLessThanOrEqual(Math.ceil(trainingSeconds / 1) + 1);

    // The deployment exists in the emulator (ARM) with the fine-tuned model, and answers chat.
    const deployment = await stack.arm.deployments.get(RESOURCE_GROUP, ACCOUNT, deploymentName);
    expect(deployment.properties?.provisioningState).toBe('Succeeded');
    expect(deployment.properties?.model?.name).toBe(run.job?.fineTunedModel);
    const chat = await stack.openai.chat.completions.create({ model: deploymentName, messages: [{ role: 'user', content: "What's the capital of Australia?" }] });
    expect(chat.choices[0]?.message.content?.length).toBeGreaterThan(0);

    // And through the app's own OpenAI-compatible endpoint, with the official client, by alias
    // (the dataset name): the fine-tuned model answers with what it "learned" from the lab data.
    const app = new OpenAI({ baseURL: `${stack.host.url}/api/v1`, apiKey: 'unused-locally', maxRetries: 0 });
    const question = { model: 'lab/sarcasm', messages: [{ role: 'user' as const, content: 'Who discovered Antarctica?' }] };
    const plain = await app.chat.completions.create(question);
    expect(plain.model).toBe(run.job?.fineTunedModel);
    expect(plain.choices[0]?.message.content).toContain('Bellingshausen');
    expect(plain.usage?.completion_tokens).toBeGreaterThan(0);
    let streamed = '';
    let chunks = 0;
    for await (const chunk of await app.chat.completions.create({ ...question, stream: true })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      chunks++;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(streamed).toBe(plain.choices[0]?.message.content);

    // Uploaded files were deleted from the resource; the job stays.
    const files = [];
    for await (const f of stack.openai.files.list()) files.push(f);
    expect(files.filter((f) => f.filename?.startsWith(run.runId))).toEqual([]);

    // Artifacts: snapshots, reports, results and the loss chart.
    for (const name of ['inputs/training.jsonl', 'inputs/validation.jsonl', 'validation-report.json', 'validation-report.md', 'results.csv', 'loss.svg', 'evaluation.json', 'evaluation.md', 'evaluation.svg']) {
      expect(run.artifacts).toContain(name);
      expect(await stack.runs.getBlobClient(`${run.runId}/${name}`).exists()).toBe(true);
    }
    expect((await stack.runs.getBlobClient(`${run.runId}/inputs/training.jsonl`).downloadToBuffer()).equals(training)).toBe(true);
    const svg = (await stack.runs.getBlobClient(`${run.runId}/loss.svg`).downloadToBuffer()).toString('utf8');
    expect(svg).toContain('class="train-loss"');
    expect(svg).toContain('class="valid-loss"');

    // The recorded deployment, for the chat endpoint.
    const record = JSON.parse((await stack.runs.getBlobClient(`deployments/${deploymentName}.json`).downloadToBuffer()).toString('utf8'));
    expect(record).toMatchObject({ deploymentName, dataset: 'lab/sarcasm', alias: 'lab/sarcasm', model: run.job?.fineTunedModel, runId: run.runId });
    const alias = JSON.parse((await stack.runs.getBlobClient('aliases/lab/sarcasm.json').downloadToBuffer()).toString('utf8'));
    expect(alias).toMatchObject({ alias: 'lab/sarcasm', current: { deploymentName, model: run.job?.fineTunedModel, runId: run.runId } });

    const events = await stack.queued(run.runId);
    expect(events.map((e) => e.type)).toEqual(['run.training', 'run.succeeded']);
    expect(events.map((e) => e.id)).toEqual([`${run.runId}:run.training`, `${run.runId}:run.succeeded`]);
    expect(events[1]?.data).toMatchObject({ deployment: deploymentName, alias: 'lab/sarcasm', promoted: true, model: run.job?.fineTunedModel, chatUrl: run.deployment?.chatUrl });

    const delivered = webhook.deliveries.filter((d) => d.body.includes(run.runId));
    expect(delivered.map((d) => (JSON.parse(d.body) as { type: string }).type)).toEqual(['run.training', 'run.succeeded']);
    for (const d of delivered) expect(verifySignature(d.body, SECRET, d.signature)).toBe(true);
    expect(verifySignature(delivered[0]!.body, 'wrong-secret', delivered[0]!.signature)).toBe(false);
    expect(JSON.stringify(run)).not.toContain(SECRET);
    expect(stack.logLines.join('\n')).not.toContain(SECRET);
  });

  it('a failing webhook does not fail the run (recorded on it); the same bytes dropped again start no second job', async () => {
    webhook.failing.on = true;
    try {
      await stack.drop('echo.jsonl', training);
      const done = await stack.untilRun('echo', ['succeeded', 'failed', 'rejected', 'cancelled']);
      expect(done.status).toBe('succeeded');
      // The run.succeeded delivery is attempted (3 times) after the status is recorded.
      const run = await waitFor(async () => {
        const r = await stack.run(done.runId);
        return (r.notificationFailures?.length ?? 0) >= 2 ? r : undefined;
      }, 'the second webhook failure to be recorded');
      expect(run.status).toBe('succeeded');
      expect(run.notificationFailures?.map((f) => f.event)).toEqual([`${run.runId}:run.training`, `${run.runId}:run.succeeded`]);
      expect(run.notificationFailures?.[0]?.error).toMatch(/failed after 3 attempts: HTTP 503/);
      expect(run.notificationFailures?.[0]?.error).not.toContain('/hook');
      expect((await stack.queued(run.runId)).map((e) => e.type)).toEqual(['run.training', 'run.succeeded']);

      const jobsBefore = [];
      for await (const job of stack.openai.fineTuning.jobs.list()) jobsBefore.push(job);
      await stack.drop('echo.jsonl', training); // new ETag, same bytes
      await waitFor(() => (stack.logLines.some((l) => l.includes(`same contents as run ${run.runId}`)) ? true : undefined), 'the second drop to be seen');
      const jobsAfter = [];
      for await (const job of stack.openai.fineTuning.jobs.list()) jobsAfter.push(job);
      expect(jobsAfter.length).toBe(jobsBefore.length);
      const { runs } = (await (await fetch(`${stack.host.url}/api/runs?dataset=echo`)).json()) as { runs: unknown[] };
      expect(runs).toHaveLength(1);
    } finally {
      webhook.failing.on = false;
    }
  });

  it('an invalid dataset is rejected with code and line in the report; the dropped blob is untouched', async () => {
    const lines = training.toString('utf8').trimEnd().split('\n');
    lines[3] = '{"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "hello"}]}';
    const bad = Buffer.from(`${lines.join('\n')}\n`);
    const { etag } = await stack.drop('broken.jsonl', bad);
    const run = await stack.untilRun('broken', ['rejected', 'validating', 'uploading', 'training', 'succeeded', 'failed']);
    expect(run.status).toBe('rejected');
    expect(run.validation?.errors).toEqual(expect.arrayContaining([expect.objectContaining({ line: 4, code: 'unrecognized_role' })]));
    const markdown = (await stack.runs.getBlobClient(`${run.runId}/validation-report.md`).downloadToBuffer()).toString('utf8');
    expect(markdown).toMatch(/\| 4 \| `unrecognized_role` \|/);
    const report = JSON.parse((await stack.runs.getBlobClient(`${run.runId}/validation-report.json`).downloadToBuffer()).toString('utf8'));
    expect(report.valid).toBe(false);

    const blob = stack.datasets.getBlobClient('broken.jsonl');
    expect((await blob.getProperties()).etag).toBe(etag);
    expect((await blob.downloadToBuffer()).equals(bad)).toBe(true);
    const events = await stack.queued(run.runId);
    expect(events.map((e) => e.type)).toEqual(['run.rejected']);
    expect(JSON.stringify(events[0]?.data)).toContain('unrecognized_role');
    expect(run.orchestration).toBeNull();
  });

  it('an options file with an unknown key rejects the run, naming the key', async () => {
    await stack.drop('opts.json', JSON.stringify({ suffix: 'ok', hyperparameters: { n_epoch: 3 } }));
    await stack.drop('opts.jsonl', training);
    const run = await stack.untilRun('opts', ['rejected', 'validating', 'uploading', 'training', 'succeeded', 'failed']);
    expect(run.status).toBe('rejected');
    expect(run.validation?.errors).toEqual([expect.objectContaining({ code: 'invalid_option', field: 'hyperparameters.n_epoch' })]);
    const markdown = (await stack.runs.getBlobClient(`${run.runId}/validation-report.md`).downloadToBuffer()).toString('utf8');
    expect(markdown).toContain('`hyperparameters.n_epoch`');
    expect(markdown).toContain('# Dataset validation: INVALID');
    // The options file alone started nothing: it was ignored with a log line, and read with opts.jsonl.
    expect(stack.logLines.some((l) => l.includes('Ignoring opts.json: an options file; it is read when opts.jsonl arrives.'))).toBe(true);
  });

  it('a run whose estimated training cost is above budget.maxTrainingCost is rejected before anything is spent', async () => {
    await stack.drop('costly.json', JSON.stringify({ baseModel: 'gpt-4o', budget: { maxTrainingCost: 0.0001 } }));
    await stack.drop('costly.jsonl', training);
    const run = await stack.untilRun('costly', ['rejected', 'validating', 'uploading', 'training', 'succeeded', 'failed']);
    expect(run.status).toBe('rejected');
    const estimate = run.validation?.estimatedTrainingCost;
    expect(estimate).toMatchObject({ currency: 'USD', pricePerMillionTokens: 27.5, trainingType: 'Standard' });
    expect(estimate?.billedTokens).toBe(run.validation?.estimatedBilledTokens);
    expect(run.validation?.errors).toEqual([expect.objectContaining({ code: 'invalid_option', field: 'budget.maxTrainingCost', message: expect.stringMatching(/is above budget.maxTrainingCost 0.0001/) })]);
    const markdown = (await stack.runs.getBlobClient(`${run.runId}/validation-report.md`).downloadToBuffer()).toString('utf8');
    expect(markdown).toContain('## Estimated training cost');
    expect(run.orchestration).toBeNull();
  });

  it('an injected job failure ends the run failed with the service message and a run.failed event', async () => {
    await stack.configureEmulator({ failNextJob: { code: 'internalFailure', message: 'Training diverged (injected).' } });
    await stack.drop('doomed.jsonl', training);
    const run = await stack.untilRun('doomed', ['succeeded', 'failed', 'rejected', 'cancelled']);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'internalFailure', message: 'Training diverged (injected).' });
    const events = await stack.queued(run.runId);
    expect(events.map((e) => e.type)).toEqual(['run.training', 'run.failed']);
    expect(events[1]?.data).toMatchObject({ error: { code: 'internalFailure', message: 'Training diverged (injected).' } });
  });

  it('cancel mid-training cancels the Azure job and ends the run cancelled; 409 after, 404 for unknown runs', async () => {
    await stack.drop('stopme.jsonl', training);
    const training_ = await stack.untilRun('stopme', ['training', 'succeeded', 'failed', 'rejected']);
    expect(training_.status).toBe('training');
    const cancel = await fetch(`${stack.host.url}/api/runs/${training_.runId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const run = await stack.untilRun('stopme', ['cancelled', 'succeeded', 'failed']);
    expect(run.status).toBe('cancelled');
    const job = await stack.openai.fineTuning.jobs.retrieve(run.job!.id);
    expect(job.status).toBe('cancelled');
    expect((await stack.queued(run.runId)).map((e) => e.type)).toEqual(['run.training', 'run.cancelled']);

    const again = await fetch(`${stack.host.url}/api/runs/${run.runId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    const unknown = await fetch(`${stack.host.url}/api/runs/no-such-run/cancel`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const missing = await fetch(`${stack.host.url}/api/runs/no-such-run`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'run_not_found' } });
  });

  it('GET /api/runs lists runs newest first and filters by dataset', async () => {
    const { runs } = (await (await fetch(`${stack.host.url}/api/runs`)).json()) as { runs: Array<{ createdAt: string; dataset: string }> };
    expect(runs.length).toBeGreaterThanOrEqual(5);
    const times = runs.map((r) => r.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const filtered = (await (await fetch(`${stack.host.url}/api/runs?dataset=opts`)).json()) as { runs: Array<{ dataset: string }> };
    expect(filtered.runs.map((r) => r.dataset)).toEqual(['opts']);
  });
});
