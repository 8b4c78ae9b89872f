/**
 * Fine-tuning jobs: creation with the checks Azure makes, the pending → running → succeeded
 * timeline over `jobSeconds` (one job trains at a time per resource; the rest wait `pending`),
 * metrics events, checkpoints for the last epochs, a results.csv result file, cancel, lists.
 */
import { MODEL_CATALOG, validateDataset, type ValidationReport } from '../../src/validation/index.js';
import { ApiError, invalidPayload, notFound } from './errors.js';
import { addGeneratedFile, byteSource } from './files.js';
import { json, jsonBody, paginate, type RequestContext, type Reply } from './http.js';
import { deriveSeed } from './rng.js';
import {
  unixSeconds,
  type EmulatorState,
  type Hyperparameters,
  type JobEvent,
  type MetricPoint,
  type StoredFile,
  type StoredJob,
  type TrainingPair,
} from './state.js';
import { learningCurve, resultsCsv } from './training-curve.js';

/** Share of `jobSeconds` a job spends queued before it may start; the rest is training. */
const QUEUE_SHARE = 0.2;
/** Metrics events per job at most; results.csv still has every step. */
const MAX_METRIC_EVENTS = 100;
/** Azure keeps checkpoints of the last three epochs. */
const CHECKPOINT_EPOCHS = 3;
const MIN_TRAINING_EXAMPLES = 10;
const SUFFIX_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
const BASE_MODEL_IDS = new Set(MODEL_CATALOG.map((m) => m.id));

function queueMs(state: EmulatorState): number {
  return state.config.jobSeconds * 1000 * QUEUE_SHARE;
}

function runMs(state: EmulatorState): number {
  return state.config.jobSeconds * 1000 * (1 - QUEUE_SHARE);
}

export function fineTunedModelName(job: Pick<StoredJob, 'baseModel' | 'hex' | 'suffix'>): string {
  return `${job.baseModel}.ft-${job.hex}${job.suffix ? `-${job.suffix}` : ''}`;
}

function addEvent(state: EmulatorState, job: StoredJob, at: number, message: string, extra: Partial<JobEvent> = {}): void {
  job.events.push({ id: `ftevent-${state.ids.hex(32)}`, createdAt: at, level: 'info', type: 'message', message, ...extra });
}

// ---------------------------------------------------------------------------------------------
// Timeline

/** Replays every job transition due by `now`, in time order. */
export function advanceJobs(state: EmulatorState, now: number): void {
  for (;;) {
    const running = [...state.jobs.values()].find((j) => j.status === 'running');
    if (running) {
      const endsAt = running.endsAt ?? now;
      reportSteps(state, running, Math.min(now, endsAt));
      if (endsAt > now) return;
      finish(state, running, endsAt);
      continue;
    }
    const next = [...state.jobs.values()].find((j) => j.status === 'pending');
    if (!next) return;
    const startAt = Math.max(next.createdAt + queueMs(state), state.trainingFreeAt);
    if (startAt > now) return;
    start(state, next, startAt);
  }
}

function start(state: EmulatorState, job: StoredJob, at: number): void {
  job.status = 'running';
  job.startedAt = at;
  job.endsAt = at + runMs(state) * (job.failWith ? 0.5 : 1);
  addEvent(state, job, at, 'Job started.');
}

function stepTime(state: EmulatorState, job: StoredJob, step: number): number {
  return (job.startedAt ?? 0) + (runMs(state) * step) / job.curve.length;
}

function reportSteps(state: EmulatorState, job: StoredJob, until: number): void {
  const total = job.curve.length;
  const stride = Math.max(1, Math.ceil(total / MAX_METRIC_EVENTS));
  const checkpointFrom = Math.max(1, job.hyperparameters.n_epochs - CHECKPOINT_EPOCHS + 1);
  while (job.reportedSteps < total) {
    const point = job.curve[job.reportedSteps] as MetricPoint;
    const at = stepTime(state, job, point.step);
    if (at > until) return;
    job.reportedSteps++;
    if (point.step % stride === 0 || point.step === total) {
      const validation = point.valid_loss === undefined ? '' : `, validation loss=${point.valid_loss}`;
      addEvent(state, job, at, `Step ${point.step}/${total}: training loss=${point.train_loss}${validation}`, {
        type: 'metrics',
        data: { ...point, total_steps: total },
      });
    }
    const epoch = point.step / job.stepsPerEpoch;
    if (Number.isInteger(epoch) && epoch >= checkpointFrom) {
      job.checkpoints.push({ id: `ftckpt-${state.ids.hex(24)}`, createdAt: at, stepNumber: point.step, metrics: point });
    }
  }
}

function finish(state: EmulatorState, job: StoredJob, at: number): void {
  state.trainingFreeAt = at;
  job.finishedAt = at;
  job.endsAt = null;
  if (job.failWith) {
    job.status = 'failed';
    job.error = { code: job.failWith.code, message: job.failWith.message, param: null };
    addEvent(state, job, at, `Job failed: ${job.failWith.message}`, { level: 'error' });
    return;
  }
  const results = addGeneratedFile(state, 'results.csv', 'fine-tune-results', Buffer.from(resultsCsv(job.curve)), at);
  job.resultFiles = [results.id];
  job.trainedTokens = job.validation.estimate.billedTokens;
  job.fineTunedModel = fineTunedModelName(job);
  job.status = 'succeeded';
  state.models.set(job.fineTunedModel, { name: job.fineTunedModel, baseModel: job.baseModel, jobId: job.id, pairs: job.pairs });
  addEvent(state, job, at, `Completed results file: ${results.id}`);
  addEvent(state, job, at, `Training tokens billed: ${job.trainedTokens}`);
  addEvent(state, job, at, 'Job succeeded.');
}

// ---------------------------------------------------------------------------------------------
// Representation

function estimatedFinish(state: EmulatorState, job: StoredJob): number | null {
  if (job.status === 'running') return job.endsAt === null ? null : unixSeconds(job.endsAt);
  if (job.status !== 'pending') return null;
  const running = [...state.jobs.values()].find((j) => j.status === 'running');
  const startAt = Math.max(job.createdAt + queueMs(state), running?.endsAt ?? state.trainingFreeAt);
  return unixSeconds(startAt + runMs(state));
}

export function jobObject(state: EmulatorState, job: StoredJob): Record<string, unknown> {
  return {
    object: 'fine_tuning.job',
    id: job.id,
    created_at: unixSeconds(job.createdAt),
    status: job.status,
    model: job.model,
    fine_tuned_model: job.fineTunedModel,
    training_file: job.trainingFile,
    validation_file: job.validationFile,
    result_files: job.resultFiles,
    finished_at: job.finishedAt === null ? null : unixSeconds(job.finishedAt),
    trained_tokens: job.status === 'succeeded' ? job.trainedTokens : null,
    error: job.error,
    estimated_finish: estimatedFinish(state, job),
    hyperparameters: job.hyperparameters,
    method: { type: 'supervised', supervised: { hyperparameters: job.hyperparameters } },
    suffix: job.suffix,
    seed: job.seed,
    integrations: [],
    organisation_id: null,
    ...(job.trainingType === null ? {} : { trainingType: job.trainingType }),
  };
}

function eventObject(event: JobEvent): Record<string, unknown> {
  return {
    object: 'fine_tuning.job.event',
    id: event.id,
    created_at: unixSeconds(event.createdAt),
    level: event.level,
    message: event.message,
    type: event.type,
    ...(event.data ? { data: event.data } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Creation

interface ResolvedModel {
  model: string;
  baseModel: string;
  parentPairs: TrainingPair[];
}

function resolveModel(state: EmulatorState, value: unknown): ResolvedModel {
  if (typeof value !== 'string' || value === '') throw invalidPayload("The 'model' field is required.", 'model');
  if (BASE_MODEL_IDS.has(value)) return { model: value, baseModel: value, parentPairs: [] };
  const fineTuned = state.models.get(value);
  if (fineTuned) return { model: value, baseModel: fineTuned.baseModel, parentPairs: fineTuned.pairs };
  throw invalidPayload(
    `The specified base model does not support fine-tuning. ('model' was '${value}'; fine-tunable models: ` +
      `${[...BASE_MODEL_IDS].join(', ')}, or a fine-tuned model of this resource.)`,
    'model',
  );
}

function usableFile(state: EmulatorState, value: unknown, field: 'training_file' | 'validation_file'): StoredFile {
  if (typeof value !== 'string' || value === '') throw invalidPayload(`The '${field}' field must be a file id.`, field);
  const file = state.files.get(value);
  if (!file) throw invalidPayload(`The file '${value}' given as '${field}' does not exist.`, field);
  if (file.purpose !== 'fine-tune') {
    throw invalidPayload(`The file '${value}' given as '${field}' has purpose '${file.purpose}'; expected 'fine-tune'.`, field);
  }
  if (file.status === 'pending') {
    throw invalidPayload(`The file '${value}' given as '${field}' is not processed yet (status 'pending'); wait until its status is 'processed'.`, field);
  }
  if (file.status === 'error') {
    throw invalidPayload(`The file '${value}' given as '${field}' failed processing and cannot be used: ${file.outcome ?? 'unknown error'}`, field);
  }
  return file;
}

function hyperparameter(value: unknown, field: string, integer: boolean, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === 'auto') return undefined;
  if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'a whole number' : 'a number';
    throw invalidPayload(`Invalid value ${JSON.stringify(value)} for '${field}': expected 'auto' or ${kind} from ${min} to ${max}.`, field);
  }
  return value;
}

function requestedHyperparameters(body: Record<string, unknown>): Record<string, unknown> {
  const method = body['method'];
  if (method !== undefined && method !== null) {
    if (typeof method !== 'object' || Array.isArray(method)) throw invalidPayload("'method' must be an object.", 'method');
    const { type, supervised } = method as Record<string, unknown>;
    if (type !== undefined && type !== 'supervised') {
      throw invalidPayload(`Unsupported 'method.type' '${String(type)}': the emulator trains only 'supervised' jobs.`, 'method.type');
    }
    const nested = (supervised as Record<string, unknown> | undefined)?.['hyperparameters'];
    if (nested && typeof nested === 'object') return nested as Record<string, unknown>;
  }
  const direct = body['hyperparameters'];
  if (direct === undefined || direct === null) return {};
  if (typeof direct !== 'object' || Array.isArray(direct)) throw invalidPayload("'hyperparameters' must be an object.", 'hyperparameters');
  return direct as Record<string, unknown>;
}

/** The user message → assistant reply pairs a fine-tuned model "learns" from its training file. */
export function trainingPairs(content: Buffer): TrainingPair[] {
  const pairs: TrainingPair[] = [];
  for (const line of content.toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let messages: unknown;
    try {
      messages = (JSON.parse(line) as { messages?: unknown }).messages;
    } catch {
      continue;
    }
    if (!Array.isArray(messages)) continue;
    let user: string | null = null;
    for (const message of messages as { role?: unknown; content?: unknown; weight?: unknown }[]) {
      const text = contentText(message?.content);
      if (message?.role === 'user' && text !== null) user = text;
      if (message?.role === 'assistant' && text !== null && user !== null && message.weight !== 0) pairs.push({ user, assistant: text });
    }
  }
  return pairs;
}

/** Message content as text: a string, or the text parts of a content-part list. */
export function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts = content
      .map((part: unknown) => (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text' ? (part as { text?: unknown }).text : null))
      .filter((t): t is string => typeof t === 'string');
    return parts.length > 0 ? parts.join('\n') : null;
  }
  return null;
}

export async function createJob(ctx: RequestContext): Promise<Reply> {
  const { state, now } = ctx;
  const body = jsonBody(ctx);
  const { model, baseModel, parentPairs } = resolveModel(state, body['model']);
  if (body['training_file'] === undefined) throw invalidPayload("The 'training_file' field is required.", 'training_file');
  const training = usableFile(state, body['training_file'], 'training_file');
  const validation = body['validation_file'] == null ? null : usableFile(state, body['validation_file'], 'validation_file');

  const requested = requestedHyperparameters(body);
  const epochs = hyperparameter(requested['n_epochs'], 'hyperparameters.n_epochs', true, 1, 50);
  const batchSize = hyperparameter(requested['batch_size'], 'hyperparameters.batch_size', true, 1, 256);
  const learningRate = hyperparameter(requested['learning_rate_multiplier'], 'hyperparameters.learning_rate_multiplier', false, 0.0001, 10);

  const suffix = body['suffix'];
  if (suffix !== undefined && suffix !== null && (typeof suffix !== 'string' || !SUFFIX_PATTERN.test(suffix))) {
    throw invalidPayload("Invalid 'suffix': up to 40 characters from a-z, A-Z, 0-9, '-' and '_'.", 'suffix');
  }
  const seed = body['seed'];
  if (seed !== undefined && seed !== null && !(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 31 - 1)) {
    throw invalidPayload(`Invalid 'seed' ${JSON.stringify(seed)}: expected a whole number from 0 to 2147483647.`, 'seed');
  }
  const trainingType = body['trainingType'];
  if (trainingType !== undefined && trainingType !== null && typeof trainingType !== 'number' && typeof trainingType !== 'string') {
    throw invalidPayload("Invalid 'trainingType': expected a number or a string.", 'trainingType');
  }

  const report: ValidationReport = await validateDataset(
    { source: byteSource(training.content), path: training.filename },
    validation ? { source: byteSource(validation.content), path: validation.filename } : undefined,
    { model: baseModel, ...(epochs ? { epochs } : {}) },
  );
  const examples = report.files[0]?.examples ?? 0;
  if (examples < MIN_TRAINING_EXAMPLES) {
    throw invalidPayload(
      `The training file '${training.id}' has ${examples} examples; fine-tuning requires at least ${MIN_TRAINING_EXAMPLES}.`,
      'training_file',
    );
  }

  const hyperparameters: Hyperparameters = {
    n_epochs: report.estimate.epochs,
    batch_size: batchSize ?? Math.max(1, Math.min(256, Math.round(examples * 0.002))),
    learning_rate_multiplier: learningRate ?? 1,
  };
  const stepsPerEpoch = Math.ceil(examples / hyperparameters.batch_size);
  const jobSeed = typeof seed === 'number' ? seed : state.nextJobSeed();
  const hex = state.ids.hex(32);
  const job: StoredJob = {
    id: `ftjob-${hex}`,
    hex,
    createdAt: now,
    model,
    baseModel,
    trainingFile: training.id,
    validationFile: validation?.id ?? null,
    suffix: typeof suffix === 'string' ? suffix : null,
    seed: jobSeed,
    hyperparameters,
    trainingType: (trainingType as number | string | undefined) ?? null,
    status: 'pending',
    startedAt: null,
    endsAt: null,
    finishedAt: null,
    failWith: state.takeFault('failNextJob'),
    error: null,
    events: [],
    checkpoints: [],
    curve: learningCurve(stepsPerEpoch * hyperparameters.n_epochs, deriveSeed(jobSeed, 'curve'), validation !== null),
    stepsPerEpoch,
    reportedSteps: 0,
    trainedTokens: 0,
    pairs: [...parentPairs, ...trainingPairs(training.content)],
    fineTunedModel: null,
    resultFiles: [],
    validation: report,
  };
  state.jobs.set(job.id, job);
  addEvent(state, job, now, 'Job enqueued. Waiting for jobs ahead to complete.');
  advanceJobs(state, now);
  return json(201, jobObject(state, job), { location: `${ctx.origin}${ctx.url.pathname}/${job.id}` });
}

// ---------------------------------------------------------------------------------------------
// Reads and cancel

function getJob(ctx: RequestContext): StoredJob {
  const id = ctx.params['jobId'] ?? '';
  const job = ctx.state.jobs.get(id);
  if (!job) throw notFound(`Fine-tuning job with id '${id}' could not be found.`);
  return job;
}

export function retrieveJob(ctx: RequestContext): Reply {
  return json(200, jobObject(ctx.state, getJob(ctx)));
}

export function listJobs(ctx: RequestContext): Reply {
  const jobs = [...ctx.state.jobs.values()].reverse().map((job) => jobObject(ctx.state, job) as { id: string });
  return json(200, { object: 'list', ...paginate(jobs, ctx.url.searchParams) });
}

export function listEvents(ctx: RequestContext): Reply {
  const events = getJob(ctx).events.map(eventObject).reverse() as { id: string }[];
  return json(200, { object: 'list', ...paginate(events, ctx.url.searchParams) });
}

export function listCheckpoints(ctx: RequestContext): Reply {
  const job = getJob(ctx);
  const name = fineTunedModelName(job);
  const checkpoints = job.checkpoints
    .map((c) => ({
      object: 'fine_tuning.job.checkpoint',
      id: c.id,
      created_at: unixSeconds(c.createdAt),
      fine_tuned_model_checkpoint: `${name}:ckpt-step-${c.stepNumber}`,
      step_number: c.stepNumber,
      metrics: c.metrics,
      fine_tuning_job_id: job.id,
    }))
    .reverse();
  return json(200, { object: 'list', ...paginate(checkpoints, ctx.url.searchParams, 10) });
}

export function cancelJob(ctx: RequestContext): Reply {
  const { state, now } = ctx;
  const job = getJob(ctx);
  if (job.status !== 'pending' && job.status !== 'running') {
    throw new ApiError(409, {
      code: 'unexpectedEntityState',
      message: `The fine-tuning job '${job.id}' cannot be cancelled because it is already ${job.status}.`,
    });
  }
  if (job.status === 'running') state.trainingFreeAt = now;
  job.status = 'cancelled';
  job.endsAt = null;
  job.finishedAt = now;
  addEvent(state, job, now, 'Job cancelled.');
  advanceJobs(state, now);
  return json(200, jobObject(state, job));
}
