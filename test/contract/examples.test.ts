/**
 * The descriptions' own examples: their requests are replayed through the emulator (with ids of
 * things that exist there) and must get the example's status with a body that matches the schema;
 * their responses are fed to the app's parsing code, which must read them right.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../dev/aoai-emulator/index.js';
import { deploymentView } from '../../src/orchestrators/activities/deployment-status.js';
import { fileStatusOf } from '../../src/orchestrators/activities/file-status.js';
import { jobProgress } from '../../src/orchestrators/activities/job-status.js';
import { deploymentOutcome, DEFAULT_WAIT_LIMITS, jobOutcome } from '../../src/orchestrators/wait-outcomes.js';
import { startTestEmulator, until } from '../integration/emulator/helpers.js';
import { LAB_TRAINING } from '../support/paths.js';
import { AOAI_SPEC, ARM_SPEC, Descriptions, readSpec } from './descriptions.js';

const d = new Descriptions();
const ARM_STABLE = path.posix.dirname(ARM_SPEC);
/** Five ARM examples referenced by 2025-06-01 live only in the neighbouring preview folder (SOURCES.md). */
const ARM_PREVIEW = ARM_STABLE.replace('stable/2025-06-01', 'preview/2025-04-01-preview');
const BASE = 'gpt-4o-mini-2024-07-18';

/** Examples of operations the app does not use and the emulator does not serve, and why. */
const NOT_EMULATED: Record<string, string> = {
  UploadFile_Start: 'large-file Uploads API: the app uploads with one multipart request',
  UploadFile_Part: 'large-file Uploads API',
  UploadFile_Complete: 'large-file Uploads API',
  UploadFile_Cancel: 'large-file Uploads API',
  Usages_List: 'quota usage listing: not called by the app',
  Accounts_ListModels: 'account model catalogue: the app uses /openai/models',
  Deployments_Update: 'PATCH of a deployment: the app never changes a deployment',
  Deployments_ListSkus: 'SKU listing of a deployment: not called by the app',
  Accounts_ListUsages: 'quota usage listing: not called by the app',
};

type Json = Record<string, any>;

interface Example {
  operationId: string;
  file: string;
  example: Json;
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const op of d.operations.filter((o) => o.spec === AOAI_SPEC || o.spec === ARM_SPEC)) {
    for (const ref of Object.values((op.definition['x-ms-examples'] ?? {}) as Record<string, { $ref: string }>)) {
      const file = path.posix.join(path.posix.dirname(op.spec), ref.$ref);
      let example: Json;
      try {
        example = readSpec(file);
      } catch {
        const fallback = file.replace(ARM_STABLE, ARM_PREVIEW);
        try {
          example = readSpec(fallback);
        } catch {
          continue; // referenced upstream, not copied (SOURCES.md lists what is here)
        }
      }
      out.push({ operationId: op.operationId, file, example });
    }
  }
  return out;
}

describe('the descriptions’ examples', () => {
  let emulator: RunningEmulator;
  let server: Server;
  const ids: Record<string, string> = {};

  async function send(operationId: string, example: Json, substitute: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const op = d.byId(operationId);
    const parameters = { ...example['parameters'] } as Json;
    let pathname = (op.spec === AOAI_SPEC ? '/openai' : '') + op.template;
    for (const name of op.pathParams) pathname = pathname.replace(`{${name}}`, encodeURIComponent(substitute[name] ?? String(parameters[name])));
    const url = new URL(pathname, emulator.url);
    url.searchParams.set('api-version', String(parameters['api-version']));
    const headers: Record<string, string> = op.spec === AOAI_SPEC ? { 'api-key': emulator.apiKey } : { authorization: 'Bearer example' };
    let body: string | FormData | undefined;
    const bodyParam = ((op.definition['parameters'] ?? []) as Json[]).find((p) => p['in'] === 'body');
    if (bodyParam && parameters[bodyParam['name']] !== undefined) {
      const text = JSON.stringify(parameters[bodyParam['name']]).replace(/"(curie|ada|file-181a1cbdcdcf4677ada87f63a0928099|https:\/\/www\.contoso\.com\/[^"]*)"/g, (_m, value: string) => JSON.stringify(substitute[value] ?? value));
      body = text;
      headers['content-type'] = 'application/json';
    }
    if (operationId === 'Files_Upload') {
      const form = new FormData();
      form.set('purpose', String(parameters['purpose']));
      form.set('file', new File([readFileSync(LAB_TRAINING)], 'puppy.jsonl'));
      body = form;
    }
    const response = await fetch(url, { method: op.method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // raw content
    }
    expect(d.checkResponse(op, response.status, parsed), `${operationId}: ${text.slice(0, 300)}`).toEqual([]);
    return { status: response.status, body: parsed };
  }

  const job = async (id: string) => (await (await fetch(`${emulator.url}/openai/fine_tuning/jobs/${id}?api-version=2025-04-01-preview`, { headers: { 'api-key': emulator.apiKey } })).json()) as Json;
  const jobIn = (id: string, status: string) => until(`${id} ${status}`, async () => ((await job(id)).status === status ? true : undefined), 20_000);

  beforeAll(async () => {
    emulator = await startTestEmulator({ jobSeconds: 3, seed: 5 });
    server = createServer((_req, res) => res.end(readFileSync(LAB_TRAINING)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server?.close();
    await emulator?.close();
  });

  it('every example of every operation is either replayed below or listed as not emulated, with a reason', () => {
    const replayed = new Set([
      'Files_Upload', 'Files_Import', 'Files_List', 'Files_Get', 'Files_GetContent', 'Files_Delete', 'FineTuning_Create', 'FineTuning_List', 'FineTuning_Get',
      'FineTuning_GetEvents', 'FineTuning_GetCheckpoints', 'FineTuning_Pause', 'FineTuning_Resume', 'FineTuning_Cancel', 'FineTuning_Delete', 'Models_List', 'Models_Get',
      'Deployments_Get', 'Deployments_List', 'Deployments_CreateOrUpdate', 'Deployments_Delete',
    ]);
    const all = examples().map((e) => e.operationId);
    expect(all.filter((id) => !replayed.has(id) && !(id in NOT_EMULATED))).toEqual([]);
  });

  it('replays the data-plane examples: each gets the example’s status and a body the schema accepts', async () => {
    const byOp = new Map(examples().map((e) => [`${e.operationId}:${path.posix.basename(e.file)}`, e.example]));
    const ex = (op: string, file: string): Json => {
      const found = byOp.get(`${op}:${file}`);
      if (!found) throw new Error(`example ${file} missing`);
      return found;
    };
    const expectStatus = async (op: string, file: string, substitute: Record<string, string> = {}) => {
      const example = ex(op, file);
      const answer = await send(op, example, substitute);
      expect(Object.keys(example['responses']), `${op} ${file}`).toContain(String(answer.status));
      return answer.body as Json;
    };

    const { port } = server.address() as AddressInfo;
    const uploaded = await expectStatus('Files_Upload', 'upload_file.json');
    await expectStatus('Files_Import', 'import_file.json', { 'https://www.contoso.com/trainingdata/puppy.jsonl': `http://127.0.0.1:${port}/puppy.jsonl` });
    await until('processed', async () => ((await expectStatus('Files_Get', 'get_file.json', { 'file-id': uploaded['id'] }))['status'] === 'processed' ? true : undefined));
    await expectStatus('Files_List', 'get_files.json');
    await expectStatus('Files_GetContent', 'get_file_content.json', { 'file-id': uploaded['id'] });
    const fileSub = { 'file-181a1cbdcdcf4677ada87f63a0928099': uploaded['id'], curie: BASE };
    const created = await expectStatus('FineTuning_Create', 'post_finetuning_job.json', fileSub);
    const second = await expectStatus('FineTuning_Create', 'post_finetuning_job.json', fileSub);
    await expectStatus('FineTuning_List', 'get_finetuning_jobs.json');
    await expectStatus('FineTuning_Cancel', 'cancel_finetuning_job.json', { 'fine-tuning-job-id': second['id'] });
    await expectStatus('FineTuning_Delete', 'delete_finetuning_job.json', { 'fine-tuning-job-id': second['id'] });
    await jobIn(created['id'], 'running');
    await expectStatus('FineTuning_Pause', 'pause_finetuning_job.json', { 'fine-tuning-job-id': created['id'] });
    await jobIn(created['id'], 'paused');
    await expectStatus('FineTuning_Resume', 'resume_finetuning_job.json', { 'fine-tuning-job-id': created['id'] });
    await jobIn(created['id'], 'succeeded');
    ids['fineTuned'] = (await job(created['id']))['fine_tuned_model'];
    await expectStatus('FineTuning_Get', 'get_finetuning_job.json', { 'fine-tuning-job-id': created['id'] });
    await expectStatus('FineTuning_GetEvents', 'get_finetuning_job_events.json', { 'fine-tuning-job-id': created['id'] });
    await expectStatus('FineTuning_GetCheckpoints', 'get_finetuning_job_checkpoints.json', { 'fine-tuning-job-id': created['id'] });
    await expectStatus('Models_List', 'get_models.json');
    await expectStatus('Models_Get', 'get_model_base.json', { 'model-id': BASE });
    await expectStatus('Models_Get', 'get_model_finetune.json', { 'model-id': ids['fineTuned'] as string });
    await expectStatus('Files_Delete', 'delete_file.json', { 'file-id': uploaded['id'] });
  });

  it('replays the ARM deployment examples (PUT, GET, LIST, DELETE)', async () => {
    const arm = (file: string, folder = ARM_PREVIEW) => readSpec(`${folder}/examples/${file}`);
    const model = { ada: BASE };
    const put = await send('Deployments_CreateOrUpdate', arm('PutDeployment.json'), model);
    expect(Object.keys(arm('PutDeployment.json')['responses'])).toContain(String(put.status));
    await until('Succeeded', async () => ((await send('Deployments_Get', arm('GetDeployment.json', ARM_STABLE), {})).body as Json)['properties']?.['provisioningState'] === 'Succeeded' ? true : undefined);
    const list = await send('Deployments_List', arm('ListDeployments.json'), {});
    expect(list.status).toBe(200);
    const removed = await send('Deployments_Delete', arm('DeleteDeployment.json'), {});
    expect(Object.keys(arm('DeleteDeployment.json')['responses'])).toContain(String(removed.status));
  });
});

describe('the app’s parsing code reads the examples’ responses', () => {
  const aoai = (name: string) => readSpec(`${path.posix.dirname(AOAI_SPEC)}/examples/${name}`)['responses'];

  it('job GET + events → the progress the pipeline acts on', () => {
    const job = aoai('get_finetuning_job.json')['200']['body'];
    const events = aoai('get_finetuning_job_events.json')['200']['body']['data'];
    const progress = jobProgress(job, events);
    expect(progress).toEqual({
      status: 'succeeded',
      fineTunedModel: 'curie.ft-72a2792ef7d24ba7b82c7fe4a37e379f',
      trainedTokens: 2342,
      resultFiles: ['file-181a1cbdcdcf4677ada87f63a0928099'],
    });
    expect(jobOutcome({ jobId: job.id, status: progress.status, waitedSeconds: 0 }, DEFAULT_WAIT_LIMITS)).toEqual({ kind: 'done' });
  });

  it('paused and cancelled job examples → paused and cancelled outcomes', () => {
    const paused = aoai('pause_finetuning_job.json')['200']['body'];
    expect(jobOutcome({ jobId: paused.id, status: jobProgress(paused, []).status, waitedSeconds: 0 }, DEFAULT_WAIT_LIMITS)).toEqual({ kind: 'paused' });
    const cancelled = aoai('cancel_finetuning_job.json')['200']['body'];
    expect(jobOutcome({ jobId: cancelled.id, status: cancelled.status, waitedSeconds: 0 }, DEFAULT_WAIT_LIMITS).kind).toBe('cancelled');
  });

  it('checkpoints example metrics events → the newest step', () => {
    const checkpoints = aoai('get_finetuning_job_checkpoints.json')['200']['body']['data'] as Json[];
    const asEvents = checkpoints.map((c) => ({ type: 'metrics', created_at: c['created_at'], data: c['metrics'] }));
    const newest = [...checkpoints].sort((a, b) => b['created_at'] - a['created_at'])[0]!;
    expect(jobProgress({ status: 'running' }, asEvents).step).toBe(newest['metrics']['step']);
  });

  it('file GET example → its status', () => {
    const file = aoai('get_file.json')['200']['body'];
    expect(fileStatusOf(file)).toEqual({ status: file.status, ...(file.status_details ? { statusDetails: file.status_details } : {}) });
  });

  it('deployment GET example → provisioning state and model, and the wait outcome', () => {
    const body = readSpec(`${ARM_STABLE}/examples/GetDeployment.json`)['responses']['200']['body'];
    const view = deploymentView(body);
    expect(view).toEqual({ provisioningState: body.properties.provisioningState, model: body.properties.model.name });
    expect(deploymentOutcome({ name: body.name, ...view, expectedModel: body.properties.model.name, waitedSeconds: 0 }, DEFAULT_WAIT_LIMITS)).toEqual({ kind: 'done' });
  });
});
