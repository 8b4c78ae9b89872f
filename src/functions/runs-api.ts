/**
 * The run API. Run records hold no secrets (ids, statuses, findings, deployment names) but they
 * do name every dataset and model, so in Azure reads need a function key too unless
 * `RUNS_API_ANONYMOUS=true` opens them; cancelling changes state and always needs a key (locally
 * keys are off unless configured, like `func start`).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appConfig, setting } from '../config.js';
import { createStorageClients } from '../azure/storage.js';
import { CANCEL_EVENT } from '../orchestrators/fine-tune-pipeline.js';
import { findOrchestration } from '../runs/durable-status.js';
import { isFinal } from '../runs/run-record.js';
import { InvalidContinuationToken, MAX_PAGE_SIZE, RunStore } from '../runs/run-store.js';

/** Run ids are `<slug>-<8 hex>-<10 hex>` (and `<slug>-<10 hex>` before dataset keys had a name hash). */
const RUN_ID = /^[a-z0-9-]{1,80}$/;

function store(): RunStore {
  return new RunStore(createStorageClients(appConfig()).runs);
}

function error(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}

/** The `{runId}` route value, or a 400 for something that cannot be a run id (`%ZZ`, `..`, upper case). */
function runIdOf(request: HttpRequest): { runId: string } | { problem: HttpResponseInit } {
  const runId = request.params['runId'] ?? '';
  if (RUN_ID.test(runId)) return { runId };
  return { problem: error(400, 'invalid_run_id', `'${runId.slice(0, 100)}' is not a run id (lower-case letters, digits and '-', at most 80)`) };
}

/** `GET /api/runs[?dataset=&limit=&continuationToken=]`: one page, newest first. */
export async function listRuns(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const dataset = request.query.get('dataset') ?? undefined;
  const limitText = request.query.get('limit');
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    return error(400, 'invalid_limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got '${limitText}'`);
  }
  const continuationToken = request.query.get('continuationToken') ?? undefined;
  try {
    const page = await store().list({ ...(dataset !== undefined ? { dataset } : {}), ...(limit !== undefined ? { limit } : {}), ...(continuationToken ? { continuationToken } : {}) });
    return { status: 200, jsonBody: page };
  } catch (e) {
    if (e instanceof InvalidContinuationToken) return error(400, 'invalid_continuation_token', `${e.message} (ask again without it to start from the newest run)`);
    context.error(`listRuns: ${(e as Error).message}`);
    throw e;
  }
}

export async function getRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = runIdOf(request);
  if ('problem' in id) return id.problem;
  const { runId } = id;
  const run = await store().get(runId);
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  const status = await findOrchestration(df.getClient(context), runId);
  const orchestration = status
    ? { runtimeStatus: status.runtimeStatus, customStatus: status.customStatus ?? null, lastUpdatedTime: status.lastUpdatedTime }
    : null;
  return { status: 200, jsonBody: { ...run, orchestration } };
}

export async function cancelRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = runIdOf(request);
  if ('problem' in id) return id.problem;
  const { runId } = id;
  const run = await store().get(runId);
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  const client = df.getClient(context);
  const status = await findOrchestration(client, runId);
  const running = status && ['Running', 'Pending'].includes(String(status.runtimeStatus));
  if (isFinal(run.status) || !running) return error(409, 'run_finished', `run '${runId}' is already ${run.status}`);
  await client.raiseEvent(runId, CANCEL_EVENT, { requestedAt: new Date().toISOString() });
  return { status: 202, jsonBody: { runId, status: run.status, cancel: 'requested' } };
}

/** Read when the app loads (an auth level is part of the registration), like DATASETS_CONTAINER. */
export function runsReadAuthLevel(env: Readonly<Record<string, string | undefined>> = process.env): 'anonymous' | 'function' {
  return ['true', '1'].includes((setting('RUNS_API_ANONYMOUS', env) ?? '').toLowerCase()) ? 'anonymous' : 'function';
}

const durableClient = df.input.durableClient();
const readAuth = runsReadAuthLevel();
app.http('listRuns', { route: 'runs', methods: ['GET'], authLevel: readAuth, handler: listRuns });
app.http('getRun', { route: 'runs/{runId}', methods: ['GET'], authLevel: readAuth, extraInputs: [durableClient], handler: getRun });
app.http('cancelRun', { route: 'runs/{runId}/cancel', methods: ['POST'], authLevel: 'function', extraInputs: [durableClient], handler: cancelRun });
