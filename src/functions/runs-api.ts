/**
 * The run API. Run records hold no secrets (ids, statuses, findings, deployment names) but they
 * do name every dataset and model, so in Azure reads need a function key too unless
 * `RUNS_API_ANONYMOUS=true` opens them; cancelling changes state and always needs a key (locally
 * keys are off unless configured, like `func start`). Reports and training metrics are read like
 * run records; retry changes state and an example line shows training data, so both always need a key.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appConfig, setting } from '../config.js';
import type { StorageClients } from '../azure/storage.js';
import { CANCEL_EVENT, FINE_TUNE_PIPELINE } from '../orchestrators/fine-tune-pipeline.js';
import { pipelineInput } from '../orchestrators/pipeline-input.js';
import { lookupArtifact } from '../runs/artifacts.js';
import { findOrchestration } from '../runs/durable-status.js';
import { canRetry, nextAttempt } from '../runs/retry.js';
import { isFinal, type RunRecord } from '../runs/run-record.js';
import { InvalidContinuationToken, MAX_PAGE_SIZE, runBlobName, RunStore } from '../runs/run-store.js';
import { getServices } from '../services.js';
import { metricsFromEvents, parseMetricsCsv, type MetricRow } from '../runs/training-metrics.js';

/** Run ids are `<slug>-<8 hex>-<10 hex>` (and `<slug>-<10 hex>` before dataset keys had a name hash). */
const RUN_ID = /^[a-z0-9-]{1,80}$/;

function store(): RunStore {
  return getServices().store;
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

/** The run a `{runId}` route names, or the 400/404 answer to give instead. */
async function findRun(request: HttpRequest): Promise<{ response: HttpResponseInit } | { runId: string; run: RunRecord }> {
  const id = runIdOf(request);
  if ('problem' in id) return { response: id.problem };
  const run = await store().get(id.runId);
  if (!run) return { response: error(404, 'run_not_found', `no run '${id.runId}'`) };
  return { runId: id.runId, run };
}

/**
 * Starts a failed or cancelled run again from its snapshots, as the next attempt of the same run
 * id (see runs/retry.ts for why not a new id). 202 with the new attempt number; 409 when the run
 * cannot be retried (still running, succeeded, rejected).
 */
export async function retryRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const found = await findRun(request);
  if ('response' in found) return found.response;
  const { runId, run } = found;
  const check = canRetry(run);
  if (!check.ok) return error(409, 'run_not_retryable', check.message);
  const client = df.getClient(context);
  const status = await findOrchestration(client, runId);
  if (status && ['Running', 'Pending'].includes(String(status.runtimeStatus))) {
    return error(409, 'run_not_retryable', `run '${runId}' is still finishing its last attempt; retry when it has ended`);
  }
  let next: RunRecord | undefined;
  // Conditional on run.json's ETag: two retries at once cannot both start an attempt.
  await store().update(runId, (current) => {
    if (!canRetry(current).ok) throw new Error(`run '${runId}' changed to ${current.status} meanwhile`);
    next = nextAttempt(current, new Date().toISOString());
    return next;
  });
  if (!next) throw new Error('unreachable: update did not run');
  // Starting an orchestration with the id of a finished instance replaces that instance (Durable
  // Functions' default for completed, failed and terminated instances).
  await client.startNew(FINE_TUNE_PIPELINE, { instanceId: runId, input: pipelineInput(next, appConfig()) });
  context.log(`run ${runId}: attempt ${next.attempt} started on request.`);
  return { status: 202, jsonBody: { runId, attempt: next.attempt, status: next.status } };
}

/** A report, results.csv, the loss chart or the evaluation of a run, with its content type. */
export async function getArtifact(request: HttpRequest): Promise<HttpResponseInit> {
  const found = await findRun(request);
  if ('response' in found) return found.response;
  const { runId, run } = found;
  const artifact = lookupArtifact(request.params['name'] ?? '', run.artifacts);
  if (!artifact.ok) return error(artifact.status, 'artifact_not_found', artifact.message);
  const blob = getServices().storage.runs.getBlobClient(runBlobName(runId, artifact.name));
  const body = await blob.downloadToBuffer();
  return {
    status: 200,
    body,
    headers: {
      'content-type': artifact.contentType,
      'x-content-type-options': 'nosniff',
      // An SVG could carry script; ours does not, and this makes sure nothing in one ever runs.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'cache-control': 'no-cache',
    },
  };
}

/**
 * The fine-tuning job as Azure OpenAI reports it now: per-step metrics (from the job's events while
 * it runs, from results.csv once it has finished), its events and checkpoints. The console's chart
 * polls this; the app's identity reads the job, so the browser needs no Azure OpenAI access.
 */
export async function getTraining(request: HttpRequest): Promise<HttpResponseInit> {
  const found = await findRun(request);
  if ('response' in found) return found.response;
  const { runId, run } = found;
  if (!run.job?.id) return { status: 200, jsonBody: { runId, job: null, metrics: [], events: [], checkpoints: [] } };
  const { openai } = getServices();
  let metrics: MetricRow[] = [];
  if (run.artifacts.includes('results.csv')) {
    const csv = await getServices().storage.runs.getBlobClient(runBlobName(runId, 'results.csv')).downloadToBuffer();
    metrics = parseMetricsCsv(csv.toString('utf8'));
  }
  try {
    const events = [];
    // Newest first, up to a few pages: enough for a live chart; results.csv has every step later.
    for await (const event of openai.fineTuning.jobs.listEvents(run.job.id, { limit: 100 })) {
      events.push(event);
      if (events.length >= 500) break;
    }
    const checkpoints = [];
    for await (const checkpoint of openai.fineTuning.jobs.checkpoints.list(run.job.id, { limit: 10 })) checkpoints.push(checkpoint);
    if (metrics.length === 0) metrics = metricsFromEvents(events);
    return {
      status: 200,
      jsonBody: {
        runId,
        job: run.job,
        metrics,
        events: events.map((e) => ({ createdAt: new Date(e.created_at * 1000).toISOString(), level: e.level, type: e.type ?? 'message', message: e.message })),
        checkpoints: checkpoints.map((c) => ({
          id: c.id,
          createdAt: new Date(c.created_at * 1000).toISOString(),
          step: c.step_number,
          model: c.fine_tuned_model_checkpoint,
          metrics: c.metrics,
        })),
      },
    };
  } catch (cause) {
    // The job may be gone (files and jobs are deleted after a while); what was recorded still shows.
    return { status: 200, jsonBody: { runId, job: run.job, metrics, events: [], checkpoints: [], unavailable: (cause as Error).message } };
  }
}

/**
 * One line of a run's input snapshot, so a finding can show the offending example. The user's
 * data: function key in Azure, like every other write or data read. `?file=training|validation`.
 */
export async function getExample(request: HttpRequest): Promise<HttpResponseInit> {
  const found = await findRun(request);
  if ('response' in found) return found.response;
  const { runId, run } = found;
  const line = Number(request.params['line']);
  const role = request.query.get('file') ?? 'training';
  const input = role === 'training' ? run.inputs.training : role === 'validation' ? run.inputs.validation : undefined;
  if (!input) return error(404, 'file_not_found', `run '${runId}' has no ${role} file`);
  if (!Number.isInteger(line) || line < 1) return error(400, 'bad_line', 'the line number must be a whole number from 1');
  const text = await lineOf(getServices().storage.runs.getBlobClient(input.snapshot), line);
  if (text === undefined) return error(404, 'line_not_found', `${input.blob} has fewer than ${line} lines`);
  return { status: 200, jsonBody: { runId, file: role, blob: input.blob, line, text } };
}

/** Streams the snapshot until line `n` (1-based, by \n), keeping at most one line in memory. */
async function lineOf(blob: ReturnType<StorageClients['runs']['getBlobClient']>, n: number): Promise<string | undefined> {
  const response = await blob.download();
  let current = 1;
  let pending: Buffer[] = [];
  for await (const chunk of response.readableStreamBody ?? []) {
    let bytes = chunk as Buffer;
    for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10)) {
      if (current === n) return Buffer.concat([...pending, bytes.subarray(0, nl)]).toString('utf8').replace(/\r$/, '');
      pending = [];
      current++;
      bytes = bytes.subarray(nl + 1);
    }
    if (current === n) pending.push(bytes);
  }
  return current === n && pending.length > 0 ? Buffer.concat(pending).toString('utf8') : undefined;
}


/** Read when the app loads (an auth level is part of the registration), like DATASETS_CONTAINER. */
export function runsReadAuthLevel(env: Readonly<Record<string, string | undefined>> = process.env): 'anonymous' | 'function' {
  return ['true', '1'].includes((setting('RUNS_API_ANONYMOUS', env) ?? '').toLowerCase()) ? 'anonymous' : 'function';
}

const durableClient = df.input.durableClient();
const readAuth = runsReadAuthLevel();
app.http('listRuns', { route: 'runs', methods: ['GET'], authLevel: readAuth, handler: listRuns });
app.http('getRun', { route: 'runs/{runId}', methods: ['GET'], authLevel: readAuth, extraInputs: [durableClient], handler: getRun });
// Reports and metrics are read like run records; retry changes state and examples show training data.
app.http('getRunArtifact', { route: 'runs/{runId}/artifacts/{name}', methods: ['GET'], authLevel: readAuth, handler: getArtifact });
app.http('getRunTraining', { route: 'runs/{runId}/training', methods: ['GET'], authLevel: readAuth, handler: getTraining });
app.http('retryRun', { route: 'runs/{runId}/retry', methods: ['POST'], authLevel: 'function', extraInputs: [durableClient], handler: retryRun });
app.http('getRunExample', { route: 'runs/{runId}/examples/{line}', methods: ['GET'], authLevel: 'function', handler: getExample });
app.http('cancelRun', { route: 'runs/{runId}/cancel', methods: ['POST'], authLevel: 'function', extraInputs: [durableClient], handler: cancelRun });
