/**
 * The HTTP endpoints the console and `ftpipe` stand on: artifacts (content types, safe names),
 * retry, the OpenAI model list, example lines, and the dataset upload's refusals.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_TRAINING } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { validLines } from '../support/validate-text.js';

const labLines = readFileSync(LAB_TRAINING, 'utf8').trim().split('\n');

describe('the HTTP API behind the console and the CLI', () => {
  let stack: PipelineStack;
  let runId: string;
  let rejectedId: string;

  beforeAll(async () => {
    stack = await startPipelineStack();
    await stack.drop('api-lab.jsonl', readFileSync(LAB_TRAINING));
    runId = (await stack.untilRun('api-lab', ['succeeded'])).runId;
    const lines = validLines(10);
    lines[4] = '{"messages": "nope"}';
    await stack.drop('api-bad.jsonl', lines.join('\n'));
    rejectedId = (await stack.untilRun('api-bad', ['rejected'])).runId;
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves reports, results and the loss chart with their content types, and never the input snapshots', async () => {
    const get = (name: string, id = runId) => fetch(`${stack.host.url}/api/runs/${id}/artifacts/${name}`);
    const cases: Array<[string, string, RegExp]> = [
      ['validation-report.md', 'text/markdown; charset=utf-8', /^# Dataset validation: VALID/],
      ['validation-report.json', 'application/json; charset=utf-8', /"valid": true/],
      ['results.csv', 'text/csv; charset=utf-8', /^step,train_loss,/],
      ['loss.svg', 'image/svg+xml', /^<svg /],
    ];
    for (const [name, type, body] of cases) {
      const response = await get(name);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toMatch(body);
    }
    const snapshot = await get('training.jsonl');
    expect(snapshot.status).toBe(404);
    expect(((await snapshot.json()) as { error: { message: string } }).error.message).toContain('it has: validation-report.json, validation-report.md, results.csv, loss.svg');
    expect((await get('inputs%2Ftraining.jsonl')).status).toBe(400);
    expect((await get('..%2Frun.json')).status).toBe(400);
    expect((await get('results.csv', rejectedId)).status).toBe(404);
    expect((await get('results.csv', 'no-such-run')).status).toBe(404);
  });

  it('lists the aliases and deployments in OpenAI model-list format (the openai client reads it)', async () => {
    const openai = new OpenAI({ baseURL: `${stack.host.url}/api/v1`, apiKey: 'unused', maxRetries: 0 });
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model);
    const deployment = (ids[0] as unknown as { deployment?: string } | undefined)?.deployment;
    expect(deployment).toMatch(/^api-lab-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(ids).toEqual([
      expect.objectContaining({ id: 'api-lab', object: 'model', owned_by: 'finetune-pipeline', kind: 'alias', deployment, run_id: runId }),
      expect.objectContaining({ id: deployment, object: 'model', kind: 'deployment', deployment, run_id: runId }),
    ]);
  });

  it('retries only failed or cancelled runs, and explains why not otherwise', async () => {
    const post = (id: string) => fetch(`${stack.host.url}/api/runs/${id}/retry`, { method: 'POST' });
    const succeeded = await post(runId);
    expect(succeeded.status).toBe(409);
    expect(await succeeded.json()).toMatchObject({ error: { code: 'run_not_retryable' } });
    const rejected = await post(rejectedId);
    expect(rejected.status).toBe(409);
    expect(((await rejected.json()) as { error: { message: string } }).error.message).toContain('fix the data and drop it again');
    expect((await post('no-such-run')).status).toBe(404);
  });

  it('shows the offending example of a finding, by line, from the run snapshot', async () => {
    const response = await fetch(`${stack.host.url}/api/runs/${rejectedId}/examples/5?file=training`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ line: 5, file: 'training', blob: 'api-bad.jsonl', text: '{"messages": "nope"}' });
    expect((await fetch(`${stack.host.url}/api/runs/${rejectedId}/examples/99?file=training`)).status).toBe(404);
    expect((await fetch(`${stack.host.url}/api/runs/${rejectedId}/examples/1?file=validation`)).status).toBe(404);
  });

  it('refuses uploads that are not a proper dataset form, naming the problem', async () => {
    const upload = async (form: FormData | string) => {
      const response = await fetch(`${stack.host.url}/api/datasets`, { method: 'POST', body: form, ...(typeof form === 'string' ? { headers: { 'content-type': 'application/json' } } : {}) });
      return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
    };
    expect(await upload('{}')).toMatchObject({ status: 415 });
    const noTraining = new FormData();
    noTraining.set('name', 'x');
    expect(await upload(noTraining)).toMatchObject({ status: 400, body: { error: { code: 'missing_training' } } });
    const badName = new FormData();
    badName.set('name', 'a/../b');
    badName.set('training', new Blob([labLines.join('\n')]), 'train.jsonl');
    expect(await upload(badName)).toMatchObject({ status: 400, body: { error: { code: 'bad_name' } } });
    const extra = new FormData();
    extra.set('name', 'extra');
    extra.set('training', new Blob(['{}']), 'train.jsonl');
    extra.set('grader', new Blob(['{}']), 'grader.json');
    expect(await upload(extra)).toMatchObject({ status: 400, body: { error: { code: 'unknown_field' } } });
    expect(await stack.datasets.getBlobClient('extra.jsonl').exists()).toBe(false);
  });
});
