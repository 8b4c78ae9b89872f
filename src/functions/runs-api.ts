/**
 * The run API. Reads of what the pipeline wrote are anonymous (run records, reports and metrics
 * hold no secrets: ids, statuses, findings, deployment names); anything that changes state
 * (cancel, retry) or shows the user's training data (an example line) needs a function key in
 * Azure (locally keys are off unless configured, like `func start`).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appConfig } from '../config.js';
import { createStorageClients } from '../azure/storage.js';
import { CANCEL_EVENT } from '../orchestrators/fine-tune-pipeline.js';
import { createOpenAIClient } from '../azure/openai-client.js';
import { FINE_TUNE_PIPELINE } from '../orchestrators/fine-tune-pipeline.js';
import { pipelineInput } from '../orchestrators/pipeline-input.js';
import { lookupArtifact } from '../runs/artifacts.js';
import { findOrchestration } from '../runs/durable-status.js';
import { canRetry, nextAttempt } from '../runs/retry.js';
import { isFinal, type RunRecord } from '../runs/run-record.js';
import { runBlobName, RunStore } from '../runs/run-store.js';
import { metricsFromEvents, parseMetricsCsv, type MetricRow } from '../runs/training-metrics.js';

const RUN_ID = /^[a-z0-9-]{1,80}$/;

function store(): RunStore {
  return new RunStore(createStorageClients(appConfig()).runs);
}

function error(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}

async function findRun(request: HttpRequest): Promise<{ runId: string; run?: RunRecord }> {
  const runId = request.params['runId'] ?? '';
  return { runId, ...(RUN_ID.test(runId) ? { run: await store().get(runId) } : {}) };
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

/**
 * Starts a failed or cancelled run again from its snapshots, as the next attempt of the same run
 * id (see runs/retry.ts for why not a new id). 202 with the new attempt number; 409 when the run
 * cannot be retried (still running, succeeded, rejected).
 */
export async function retryRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { runId, run } = await findRun(request);
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
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
  const { runId, run } = await findRun(request);
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  const found = lookupArtifact(request.params['name'] ?? '', run.artifacts);
  if (!found.ok) return error(found.status, 'artifact_not_found', found.message);
  const blob = createStorageClients(appConfig()).runs.getBlobClient(runBlobName(runId, found.name));
  const body = await blob.downloadToBuffer();
  return {
    status: 200,
    body,
    headers: {
      'content-type': found.contentType,
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
  const { runId, run } = await findRun(request);
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  if (!run.job?.id) return { status: 200, jsonBody: { runId, job: null, metrics: [], events: [], checkpoints: [] } };
  const config = appConfig();
  const openai = (openaiClient ??= createOpenAIClient(config));
  let metrics: MetricRow[] = [];
  if (run.artifacts.includes('results.csv')) {
    const csv = await createStorageClients(config).runs.getBlobClient(runBlobName(runId, 'results.csv')).downloadToBuffer();
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
  const { runId, run } = await findRun(request);
  if (!run) return error(404, 'run_not_found', `no run '${runId}'`);
  const line = Number(request.params['line']);
  const role = request.query.get('file') ?? 'training';
  const input = role === 'training' ? run.inputs.training : role === 'validation' ? run.inputs.validation : undefined;
  if (!input) return error(404, 'file_not_found', `run '${runId}' has no ${role} file`);
  if (!Number.isInteger(line) || line < 1) return error(400, 'bad_line', 'the line number must be a whole number from 1');
  const text = await lineOf(createStorageClients(appConfig()).runs.getBlobClient(input.snapshot), line);
  if (text === undefined) return error(404, 'line_not_found', `${input.blob} has fewer than ${line} lines`);
  return { status: 200, jsonBody: { runId, file: role, blob: input.blob, line, text } };
}

/** Streams the snapshot until line `n` (1-based, by \n), keeping at most one line in memory. */
async function lineOf(blob: ReturnType<ReturnType<typeof createStorageClients>['runs']['getBlobClient']>, n: number): Promise<string | undefined> {
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

let openaiClient: ReturnType<typeof createOpenAIClient> | undefined;

const durableClient = df.input.durableClient();
app.http('listRuns', { route: 'runs', methods: ['GET'], authLevel: 'anonymous', handler: listRuns });
app.http('getRun', { route: 'runs/{runId}', methods: ['GET'], authLevel: 'anonymous', extraInputs: [durableClient], handler: getRun });
app.http('retryRun', { route: 'runs/{runId}/retry', methods: ['POST'], authLevel: 'function', extraInputs: [durableClient], handler: retryRun });
app.http('getRunArtifact', { route: 'runs/{runId}/artifacts/{name}', methods: ['GET'], authLevel: 'anonymous', handler: getArtifact });
app.http('getRunTraining', { route: 'runs/{runId}/training', methods: ['GET'], authLevel: 'anonymous', handler: getTraining });
app.http('getRunExample', { route: 'runs/{runId}/examples/{line}', methods: ['GET'], authLevel: 'function', handler: getExample });
app.http('cancelRun', { route: 'runs/{runId}/cancel', methods: ['POST'], authLevel: 'function', extraInputs: [durableClient], handler: cancelRun });
