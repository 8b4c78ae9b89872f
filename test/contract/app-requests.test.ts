/**
 * The app's real traffic against the descriptions: the whole pipeline (dev/host + Azurite + the
 * emulator) runs with a recording proxy between the app and the emulator, and every request the
 * app sent must match its operation's parameters and body schema, every answer its response
 * schema. The same stack then drives the states the pipeline used to get stuck in: a paused job,
 * a job cancelled in the service, a cancel request while deploying.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { waitFor } from '../support/wait.js';
import { ARM_TYPES, Descriptions, explain } from './descriptions.js';

const training = readFileSync(LAB_TRAINING);
const validation = readFileSync(LAB_VALIDATION);
const d = new Descriptions();

describe('the app’s requests and the answers it gets match the descriptions', () => {
  let stack: PipelineStack;
  let proxy: RecordingProxy;

  const emulator = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.emulator.url}${path}${path.includes('?') ? '&' : '?'}api-version=2025-04-01-preview`, {
      method,
      headers: { 'api-key': stack.emulator.apiKey, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const jobOf = async (dataset: string, status: string) =>
    waitFor(async () => {
      const run = await stack.untilRun(dataset, ['training', 'paused', 'succeeded', 'failed', 'cancelled', 'rejected']);
      if (!run.job?.id) return undefined;
      const job = (await (await emulator('GET', `/openai/fine_tuning/jobs/${run.job.id}`)).json()) as { id: string; status: string };
      return job.status === status ? { run, job } : undefined;
    }, `the job of ${dataset} to be ${status}`, 30_000, 100);

  const configure = (patch: Record<string, unknown>) => stack.configureEmulator(patch);

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    stack = await startPipelineStack({ settings: { AZURE_OPENAI_ENDPOINT: proxy.url, ARM_ENDPOINT: proxy.url } });
    proxy.setTarget(stack.emulator.url);
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('a run with a validation file and method options succeeds through the proxy', async () => {
    await stack.drop('contract.json', JSON.stringify({ trainingType: 'developerTier', seed: 7, method: { type: 'supervised', hyperparameters: { n_epochs: 2, batch_size: 'auto' } } }));
    await stack.drop('contract.validation.jsonl', validation);
    await stack.drop('contract.jsonl', training);
    const run = await stack.untilRun('contract', ['succeeded', 'failed', 'rejected', 'cancelled'], 60_000);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    const create = proxy.exchanges.find((e) => e.method === 'POST' && e.url.pathname === '/openai/fine_tuning/jobs');
    const sent = JSON.parse(create!.requestBody.toString('utf8'));
    expect(sent).toMatchObject({ method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2 } } }, trainingType: 'developerTier', seed: 7 });
    expect(sent).not.toHaveProperty('hyperparameters');
  });

  it('a job paused in the service shows the run as paused (notified run.paused), and it succeeds once resumed', async () => {
    // Long enough to act on the running job on a busy machine.
    await configure({ jobSeconds: 15 });
    await stack.drop('pauseme.jsonl', training);
    const { run, job } = await jobOf('pauseme', 'running');
    expect((await emulator('POST', `/openai/fine_tuning/jobs/${job.id}/pause`)).status).toBe(200);
    const paused = await stack.untilRun('pauseme', ['paused', 'succeeded', 'failed', 'cancelled']);
    expect(paused.status).toBe('paused');
    await waitFor(async () => ((await stack.queued(run.runId)).some((e) => e.type === 'run.paused') ? true : undefined), 'run.paused to be queued');
    expect((await emulator('POST', `/openai/fine_tuning/jobs/${job.id}/resume`)).status).toBe(200);
    const done = await stack.untilRun('pauseme', ['succeeded', 'failed', 'cancelled']);
    expect(done.status).toBe('succeeded');
    expect((await stack.queued(run.runId)).map((e) => e.type)).toEqual(['run.training', 'run.paused', 'run.succeeded']);
  });

  it('a job cancelled in the service ends the run cancelled (by the service), notified, never stuck', async () => {
    await configure({ jobSeconds: 15 });
    await stack.drop('svc-cancel.jsonl', training);
    const { run, job } = await jobOf('svc-cancel', 'running');
    expect((await emulator('POST', `/openai/fine_tuning/jobs/${job.id}/cancel`)).status).toBe(200);
    const done = await stack.untilRun('svc-cancel', ['cancelled', 'succeeded', 'failed']);
    expect(done.status).toBe('cancelled');
    expect(done.cancellation).toMatchObject({ by: 'service', outcome: 'cancelled', phase: 'training' });
    expect(done.orchestration?.runtimeStatus).toBe('Completed');
    expect((await stack.queued(run.runId)).map((e) => e.type)).toEqual(['run.training', 'run.cancelled']);
    await configure({ jobSeconds: 4 });
  });

  it('a cancel request while deploying is too late: the run completes, and says so', async () => {
    await configure({ deploySeconds: 6 });
    try {
      await stack.drop('late-cancel.jsonl', training);
      const deploying = await stack.untilRun('late-cancel', ['deploying', 'succeeded', 'failed', 'cancelled'], 60_000);
      expect(deploying.status).toBe('deploying');
      expect((await fetch(`${stack.host.url}/api/runs/${deploying.runId}/cancel`, { method: 'POST' })).status).toBe(202);
      const done = await stack.untilRun('late-cancel', ['succeeded', 'failed', 'cancelled']);
      expect(done.status).toBe('succeeded');
      expect(done.cancellation).toMatchObject({ by: 'api', outcome: 'completed', phase: 'deploying' });
      expect((await stack.queued(done.runId)).map((e) => e.type)).toEqual(['run.training', 'run.succeeded']);
    } finally {
      await configure({ deploySeconds: 1 });
    }
  });

  it('every request the app sent, and every answer, matches the descriptions', () => {
    const problems: string[] = [];
    const operations = new Set<string>();
    const undescribed = new Set<string>();
    const operationStatus = d.definition(ARM_TYPES, 'OperationStatusResult');
    for (const e of proxy.exchanges) {
      const where = `${e.method} ${e.url.pathname}`;
      const body = e.responseBody.length > 0 ? (() => { try { return JSON.parse(e.responseBody.toString('utf8')); } catch { return e.responseBody.toString('utf8'); } })() : undefined;
      if (/\/operationStatuses\//.test(e.url.pathname)) {
        if (!operationStatus(body)) problems.push(`${where}: ${explain(operationStatus)}`);
        operations.add('ARM operation status');
        continue;
      }
      const op = d.find(e.method, e.url.pathname);
      if (!op) {
        undescribed.add(e.url.pathname.replace(/deployments\/[^/]+/, 'deployments/{deployment}'));
        continue;
      }
      operations.add(op.operationId);
      for (const p of d.checkRequest(op, e.url, e.requestBody, e.requestHeaders['content-type'])) problems.push(`${where} request: ${p}`);
      for (const p of d.checkResponse(op, e.status, body)) problems.push(`${where} response: ${p}`);
    }
    expect(problems).toEqual([]);
    // Chat completions are the inference API, described elsewhere (not among test/fixtures/specs).
    expect([...undescribed]).toEqual(['/openai/deployments/{deployment}/chat/completions']);
    expect([...operations].sort()).toEqual(
      expect.arrayContaining(['ARM operation status', 'Deployments_CreateOrUpdate', 'Deployments_Get', 'Files_Delete', 'Files_Get', 'Files_GetContent', 'Files_List', 'Files_Upload', 'FineTuning_Create', 'FineTuning_Get', 'FineTuning_GetEvents', 'FineTuning_List']),
    );
  });
});
