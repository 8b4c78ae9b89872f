/**
 * The run API. Reads are anonymous (run records hold no secrets: ids, statuses, findings,
 * deployment names); cancelling changes state, so it needs a function key in Azure (locally keys
 * are off unless configured, like `func start`).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appConfig } from '../config.js';
import { createStorageClients } from '../azure/storage.js';
import { CANCEL_EVENT } from '../orchestrators/fine-tune-pipeline.js';
import { findOrchestration } from '../runs/durable-status.js';
import { isFinal } from '../runs/run-record.js';
import { RunStore } from '../runs/run-store.js';

const RUN_ID = /^[a-z0-9-]{1,80}$/;

function store(): RunStore {
  return new RunStore(createStorageClients(appConfig()).runs);
}

function error(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}

export async function listRuns(request: HttpRequest): Promise<HttpResponseInit> {
  const dataset = request.query.get('dataset') ?? undefined;
  return { status: 200, jsonBody: { runs: await store().list(dataset !== undefined ? { dataset } : {}) } };
}

export async function getRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runId = request.params['runId'] ?? '';
  const run = RUN_ID.test(runId) ? await store().get(runId) : undefined;
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  const status = await findOrchestration(df.getClient(context), runId);
  const orchestration = status
    ? { runtimeStatus: status.runtimeStatus, customStatus: status.customStatus ?? null, lastUpdatedTime: status.lastUpdatedTime }
    : null;
  return { status: 200, jsonBody: { ...run, orchestration } };
}

export async function cancelRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const runId = request.params['runId'] ?? '';
  const run = RUN_ID.test(runId) ? await store().get(runId) : undefined;
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  const client = df.getClient(context);
  const status = await findOrchestration(client, runId);
  const running = status && ['Running', 'Pending'].includes(String(status.runtimeStatus));
  if (isFinal(run.status) || !running) return error(409, 'run_finished', `run '${runId}' is already ${run.status}`);
  await client.raiseEvent(runId, CANCEL_EVENT, { requestedAt: new Date().toISOString() });
  return { status: 202, jsonBody: { runId, status: run.status, cancel: 'requested' } };
}

const durableClient = df.input.durableClient();
app.http('listRuns', { route: 'runs', methods: ['GET'], authLevel: 'anonymous', handler: listRuns });
app.http('getRun', { route: 'runs/{runId}', methods: ['GET'], authLevel: 'anonymous', extraInputs: [durableClient], handler: getRun });
app.http('cancelRun', { route: 'runs/{runId}/cancel', methods: ['POST'], authLevel: 'function', extraInputs: [durableClient], handler: cancelRun });
