/**
 * The emulator against the official descriptions: every operation the app uses (and the ones the
 * issue asks to emulate) is called, and each answer's status and body must match that operation's
 * response schema — success and error alike. Then Azure's documented behaviours that the app must
 * not be able to get away without: real api-versions only, no model swap on a deployment,
 * Accepted → Creating → Succeeded, pause/resume, checkpoints deployable by id, quotas, methods.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../dev/aoai-emulator/index.js';
import { LIMITS } from '../../dev/aoai-emulator/azure-facts.js';
import { LAB_TRAINING } from '../support/paths.js';
import { startTestEmulator, until } from '../integration/emulator/helpers.js';
import { ARM_TYPES, Descriptions } from './descriptions.js';

const VERSION = '2025-04-01-preview';
const ARM_VERSION = '2025-06-01';
const BASE = 'gpt-4o-mini-2024-07-18';
const ACCOUNT_PATH = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct';

const d = new Descriptions();
let emulator: RunningEmulator;
/** Operations seen answering, for the coverage check at the end. */
const seen = new Set<string>();

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** One request; its answer must match the description of the operation it addresses. */
async function call(method: string, path: string, init: { json?: unknown; form?: FormData; version?: string | null; headers?: Record<string, string>; unchecked?: boolean } = {}): Promise<Answer> {
  const arm = path.startsWith('/subscriptions/');
  const url = new URL(path, emulator.url);
  const version = init.version === undefined ? (arm ? ARM_VERSION : VERSION) : init.version;
  if (version !== null && !url.searchParams.has('api-version')) url.searchParams.set('api-version', version);
  const headers: Record<string, string> = arm ? { authorization: 'Bearer test' } : { 'api-key': emulator.apiKey };
  let body: string | FormData | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) body = init.form;
  const response = await fetch(url, { method, headers: { ...headers, ...init.headers }, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  const op = d.find(method, url.pathname);
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // file content
  }
  if (op && !init.unchecked) {
    seen.add(op.operationId);
    expect(d.checkResponse(op, response.status, parsed), `${method} ${url.pathname} → ${response.status} ${text.slice(0, 300)}`).toEqual([]);
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

function jsonlForm(name: string, content: string | Buffer, purpose = 'fine-tune'): FormData {
  const form = new FormData();
  form.set('purpose', purpose);
  form.set('file', new File([content], name));
  return form;
}

async function processedFile(content: string | Buffer = readFileSync(LAB_TRAINING)): Promise<string> {
  const created = await call('POST', '/openai/files', { form: jsonlForm('train.jsonl', content) });
  expect(created.status).toBe(201);
  await until('file processed', async () => ((await call('GET', `/openai/files/${created.body.id}`)).body.status === 'processed' ? true : undefined));
  return created.body.id as string;
}

async function jobUntil(id: string, statuses: string[]): Promise<any> {
  return until(`job ${id} ${statuses.join('/')}`, async () => {
    const job = (await call('GET', `/openai/fine_tuning/jobs/${id}`)).body;
    return statuses.includes(job.status) ? job : undefined;
  }, 20_000);
}

const supervised = (n_epochs = 1) => ({ type: 'supervised', supervised: { hyperparameters: { n_epochs } } });

describe('the emulator answers as the descriptions say', () => {
  let trainingId: string;
  let fineTuned: string;
  let succeededJob: string;
  let importServer: Server;

  beforeAll(async () => {
    emulator = await startTestEmulator({ jobSeconds: 2, seed: 3 });
    trainingId = await processedFile();
    importServer = createServer((_req, res) => res.end(readFileSync(LAB_TRAINING)));
    await new Promise<void>((resolve) => importServer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    importServer?.close();
    await emulator?.close();
  });

  it('files: upload, import, list, get, content, delete; errors in the documented envelope', async () => {
    const { port } = importServer.address() as AddressInfo;
    const imported = await call('POST', '/openai/files/import', { json: { purpose: 'fine-tune', filename: 'imported.jsonl', content_url: `http://127.0.0.1:${port}/train.jsonl` } });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ object: 'file', filename: 'imported.jsonl', status: 'pending' });
    const outside = await call('POST', '/openai/files/import', { json: { purpose: 'fine-tune', filename: 'x.jsonl', content_url: 'https://www.contoso.com/x.jsonl' } });
    expect(outside.status).toBe(400);
    expect(outside.body.error.param).toBe('content_url');
    expect((await call('GET', '/openai/files')).body.data.length).toBeGreaterThanOrEqual(2);
    expect((await call('GET', `/openai/files/${trainingId}/content`)).status).toBe(200);
    const deleted = await call('DELETE', `/openai/files/${imported.body.id}`);
    expect(deleted.body).toEqual({ object: 'file', id: imported.body.id, deleted: true });
    const missing = await call('GET', `/openai/files/${imported.body.id}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('notFound');
  });

  it('jobs: create with method, get, list, events, checkpoints; the answer carries method.<type>.hyperparameters', async () => {
    const created = await call('POST', '/openai/fine_tuning/jobs', { json: { model: BASE, training_file: trainingId, method: supervised(2), trainingType: 'developerTier' } });
    expect(created.status).toBe(201);
    expect(created.body.method).toEqual({ type: 'supervised', supervised: { hyperparameters: expect.objectContaining({ n_epochs: 2 }) } });
    expect(created.body.trainingType).toBe('developerTier');
    const done = await jobUntil(created.body.id, ['succeeded']);
    succeededJob = done.id;
    fineTuned = done.fine_tuned_model;
    expect((await call('GET', '/openai/fine_tuning/jobs')).body.data.map((j: any) => j.id)).toContain(done.id);
    const events = await call('GET', `/openai/fine_tuning/jobs/${done.id}/events`);
    expect(events.body.data.length).toBeGreaterThan(0);
    const checkpoints = await call('GET', `/openai/fine_tuning/jobs/${done.id}/checkpoints`);
    expect(checkpoints.body.data[0].id).toMatch(/^ftchkpt-[0-9a-f]{32}$/);
  });

  it('jobs: pause → pausing → paused, resume → resuming → running, then cancel; a finished job refuses pause/cancel with unexpectedEntityState, and can be deleted (204)', async () => {
    const created = await call('POST', '/openai/fine_tuning/jobs', { json: { model: BASE, training_file: trainingId, method: supervised(3) } });
    await jobUntil(created.body.id, ['running']);
    const pausing = await call('POST', `/openai/fine_tuning/jobs/${created.body.id}/pause`);
    expect(pausing.body.status).toBe('pausing');
    await jobUntil(created.body.id, ['paused']);
    const resuming = await call('POST', `/openai/fine_tuning/jobs/${created.body.id}/resume`);
    expect(resuming.body.status).toBe('resuming');
    await jobUntil(created.body.id, ['running', 'succeeded']);
    const cancelled = await call('POST', `/openai/fine_tuning/jobs/${created.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    for (const action of ['pause', 'cancel', 'resume']) {
      const refused = await call('POST', `/openai/fine_tuning/jobs/${succeededJob}/${action}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('unexpectedEntityState');
    }
    expect((await call('DELETE', `/openai/fine_tuning/jobs/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/openai/fine_tuning/jobs/${created.body.id}`)).status).toBe(404);
  });

  it('jobs: requests that break the description or Azure’s rules get 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ model: BASE, training_file: trainingId, hyperparameters: { n_epochs: 'auto' } }, 'hyperparameters.n_epochs'],
      [{ model: BASE, training_file: trainingId, method: { type: 'supervised', supervised: { hyperparameters: { batch_size: 1.5 } } } }, 'method.supervised.hyperparameters.batch_size'],
      [{ model: BASE, training_file: trainingId, method: { type: 'dpo', dpo: { hyperparameters: { beta: 0 } } } }, 'method.dpo.hyperparameters.beta'],
      [{ model: BASE, training_file: trainingId, trainingType: 'Developer' }, 'trainingType'],
      [{ model: 'o4-mini-2025-04-16', training_file: trainingId, method: supervised() }, 'method.type'],
      [{ model: 'o4-mini-2025-04-16', training_file: trainingId, method: { type: 'reinforcement' } }, 'method.reinforcement.grader'],
      [{ model: BASE, training_file: trainingId, seed: 'x' }, 'seed'],
      [{ model: BASE }, 'training_file'],
    ];
    for (const [body, field] of cases) {
      const answer = await call('POST', '/openai/fine_tuning/jobs', { json: body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'invalidPayload', param: field });
    }
  });

  it('models: the fine-tunable base models with capabilities and deprecation dates, and the fine-tuned ones', async () => {
    const list = await call('GET', '/openai/models');
    const base = list.body.data.find((m: any) => m.id === BASE);
    expect(base).toMatchObject({ capabilities: { fine_tune: true }, deprecation: { fine_tune: expect.any(Number), inference: expect.any(Number) } });
    expect(list.body.data.map((m: any) => m.id)).toContain(fineTuned);
    expect((await call('GET', `/openai/models/${fineTuned}`)).body.model).toBe(BASE);
  });

  it('serves only real api-versions: 2099-01-01 is refused on both planes', async () => {
    // Answered by Azure's front end before any operation runs, in the shape public issue threads
    // quote (code BadRequest, outside the operation's ErrorCode list): not checked against the operation.
    const data = await call('GET', '/openai/files', { version: '2099-01-01', unchecked: true });
    expect(data.status).toBe(400);
    expect(data.body.error.message).toMatch(/^API version not supported/);
    const arm = await call('GET', `${ACCOUNT_PATH}/deployments`, { version: '2099-01-01' });
    expect(arm.status).toBe(400);
    expect((await call('GET', '/openai/files', { version: '2024-10-21' })).status).toBe(200);
  });

  it('ARM: PUT answers Accepted, then Creating, then Succeeded; the operation status matches OperationStatusResult', async () => {
    const body = { sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name: fineTuned, version: '1' } } };
    const put = await call('PUT', `${ACCOUNT_PATH}/deployments/tuned`, { json: body });
    expect(put.status).toBe(201);
    expect(put.body.properties.provisioningState).toBe('Accepted');
    const states = new Set<string>();
    await until('Succeeded', async () => {
      const state = (await call('GET', `${ACCOUNT_PATH}/deployments/tuned`)).body.properties.provisioningState;
      states.add(state);
      return state === 'Succeeded' ? true : undefined;
    });
    expect([...states].every((s) => ['Accepted', 'Creating', 'Succeeded'].includes(s))).toBe(true);
    const operationUrl = new URL(put.headers.get('azure-asyncoperation') as string);
    const operation = await call('GET', operationUrl.pathname + operationUrl.search);
    const validate = d.definition(ARM_TYPES, 'OperationStatusResult');
    expect(validate(operation.body), JSON.stringify(validate.errors)).toBe(true);
    expect(operation.body.status).toBe('Succeeded');
    expect((await call('GET', `${ACCOUNT_PATH}/deployments`)).body.value.map((x: any) => x.name)).toContain('tuned');
  });

  it('ARM: a PUT that changes the model of an existing deployment is refused with CannotChangeDeploymentModel', async () => {
    const swap = await call('PUT', `${ACCOUNT_PATH}/deployments/tuned`, { json: { sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name: BASE, version: '1' } } } });
    expect(swap.status).toBe(400);
    expect(swap.body.error).toEqual({ code: 'CannotChangeDeploymentModel', message: 'The model of deployment cannot be changed.' });
  });

  it('ARM: a checkpoint deploys by its ftchkpt id; faults end Failed, Canceled or Disabled; DELETE answers 202 then 204', async () => {
    const checkpoint = (await call('GET', `/openai/fine_tuning/jobs/${succeededJob}/checkpoints`)).body.data.at(-1).id as string;
    const body = (name: string) => ({ sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name, version: '1' } } });
    expect((await call('PUT', `${ACCOUNT_PATH}/deployments/ckpt`, { json: body(checkpoint) })).status).toBe(201);
    for (const end of ['Failed', 'Canceled', 'Disabled']) {
      await call('PATCH', '/__emulator/config', { json: { failNextDeployment: { code: 'X', message: `ends ${end}`, provisioningState: end } }, version: null });
      await call('PUT', `${ACCOUNT_PATH}/deployments/fault-${end}`, { json: body(fineTuned) });
      await until(end, async () => ((await call('GET', `${ACCOUNT_PATH}/deployments/fault-${end}`)).body.properties.provisioningState === end ? true : undefined));
    }
    const removed = await call('DELETE', `${ACCOUNT_PATH}/deployments/ckpt`);
    expect(removed.status).toBe(202);
    await until('gone', async () => ((await call('GET', `${ACCOUNT_PATH}/deployments/ckpt`)).status === 404 ? true : undefined));
    expect((await call('DELETE', `${ACCOUNT_PATH}/deployments/ckpt`)).status).toBe(204);
  });

  it(`quotas: at most ${LIMITS.maxQueuedJobs} queued jobs and ${LIMITS.maxFiles} files, answered quotaExceeded`, async () => {
    // A long job time keeps the queue full while it is counted.
    await call('PATCH', '/__emulator/config', { json: { jobSeconds: 600 }, version: null });
    for (let i = 0; ; i++) {
      const answer = await call('POST', '/openai/fine_tuning/jobs', { json: { model: BASE, training_file: trainingId, method: supervised() } });
      if (answer.status === 400) {
        expect(answer.body.error.code).toBe('quotaExceeded');
        const pending = (await call('GET', '/openai/fine_tuning/jobs?limit=100')).body.data.filter((j: any) => j.status === 'pending');
        expect(pending).toHaveLength(LIMITS.maxQueuedJobs);
        break;
      }
      expect(i).toBeLessThan(LIMITS.maxQueuedJobs + LIMITS.maxRunningJobs + 1);
    }
    const files = (await call('GET', '/openai/files')).body.data.filter((f: any) => f.purpose !== 'fine-tune-results').length;
    for (let i = files; i < LIMITS.maxFiles; i++) expect((await call('POST', '/openai/files', { form: jsonlForm(`f${i}.jsonl`, '{}') })).status).toBe(201);
    const over = await call('POST', '/openai/files', { form: jsonlForm('one-too-many.jsonl', '{}') });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('quotaExceeded');
  });

  it('covered every operation the app and the issue name', () => {
    const expected = [
      'Files_Upload', 'Files_Import', 'Files_List', 'Files_Get', 'Files_GetContent', 'Files_Delete',
      'FineTuning_Create', 'FineTuning_Get', 'FineTuning_List', 'FineTuning_Cancel', 'FineTuning_GetEvents', 'FineTuning_GetCheckpoints',
      'FineTuning_Pause', 'FineTuning_Resume', 'FineTuning_Delete', 'Models_List', 'Models_Get',
      'Deployments_CreateOrUpdate', 'Deployments_Get', 'Deployments_List', 'Deployments_Delete',
    ];
    expect(expected.filter((id) => !seen.has(id))).toEqual([]);
  });
});
