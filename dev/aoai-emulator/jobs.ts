/**
 * Fine-tuning jobs: creation with the checks Azure makes (the request against the description
 * [spec-aoai FineTuningJobCreation], `method` and its hyperparameters, `trainingType`, the model's
 * methods, quotas), the pending → running → succeeded timeline over `jobSeconds` (at most
 * LIMITS.maxRunningJobs train at once, the rest wait `pending`), pause/resume (pausing → paused →
 * resuming → running), metrics events, `ftchkpt-…` checkpoints for the last epochs, a results.csv
 * result file, cancel, delete, lists. Facts and their sources: azure-facts.ts.
 */
import { findFineTunable, LIMITS, TRAINING_TYPES, type MethodType } from './azure-facts.js';
import { ApiError, invalidPayload, notFound } from './errors.js';
import { addGeneratedFile } from './files.js';
import { json, jsonBody, paginate, type RequestContext, type Reply } from './http.js';
import { deriveSeed } from './rng.js';
import {
  unixSeconds,
  type EmulatorState,
  type Hyperparameters,
  type JobEvent,
  type JobStatus,
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
/** "at least 10 examples" (learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning, Prepare your data). */
const MIN_TRAINING_EXAMPLES = 10;
const SUFFIX_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
/** Jobs that hold a training slot. (Whether a paused job holds one is not documented; here it does not.) */
const ACTIVE: readonly JobStatus[] = ['running', 'pausing', 'resuming'];
const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

function queueMs(state: EmulatorState): number {
  return state.config.jobSeconds * 1000 * QUEUE_SHARE;
}

function runMs(state: EmulatorState): number {
  return state.config.jobSeconds * 1000 * (1 - QUEUE_SHARE);
}

/** How long pausing and resuming take: short, but long enough to be observed by a poll. */
function transitionMs(state: EmulatorState): number {
  return Math.min(1000, state.config.jobSeconds * 50);
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
    let next: { at: number; apply: () => void } | null = null;
    const consider = (at: number, apply: () => void): void => {
      if (at <= now && (next === null || at < next.at)) next = { at, apply };
    };
    const jobs = [...state.jobs.values()];
    for (const job of jobs) {
      const { endsAt, transitionAt } = job;
      if (job.status === 'running' && endsAt !== null) consider(endsAt, () => finish(state, job, endsAt));
      if ((job.status === 'pausing' || job.status === 'resuming') && transitionAt !== null) consider(transitionAt, () => completeTransition(state, job, transitionAt));
    }
    const pending = jobs.filter((j) => j.status === 'pending').sort((a, b) => a.createdAt - b.createdAt)[0];
    if (pending && jobs.filter((j) => ACTIVE.includes(j.status)).length < LIMITS.maxRunningJobs) {
      const at = Math.max(pending.createdAt + queueMs(state), state.jobClock);
      consider(at, () => start(state, pending, at));
    }
    const due = next as { at: number; apply: () => void } | null;
    if (!due) break;
    state.jobClock = Math.max(state.jobClock, due.at);
    due.apply();
  }
  for (const job of state.jobs.values()) if (job.status === 'running') reportSteps(state, job, now);
  state.jobClock = Math.max(state.jobClock, now);
}

function start(state: EmulatorState, job: StoredJob, at: number): void {
  job.status = 'running';
  job.startedAt = at;
  job.endsAt = at + runMs(state) * (job.failWith ? 0.5 : 1);
  addEvent(state, job, at, 'Job started.');
}

function completeTransition(state: EmulatorState, job: StoredJob, at: number): void {
  job.transitionAt = null;
  if (job.status === 'pausing') {
    job.status = 'paused';
    addEvent(state, job, at, 'Job paused.');
    return;
  }
  // Resumed: training continues where it stopped; the paused time moves the rest of the timeline.
  const shift = at - (job.pausedAt ?? at);
  job.pausedAt = null;
  job.status = 'running';
  if (job.startedAt !== null) job.startedAt += shift;
  if (job.endsAt !== null) job.endsAt += shift;
  addEvent(state, job, at, 'Job resumed.');
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
      const id = `ftchkpt-${state.ids.hex(32)}`;
      job.checkpoints.push({ id, createdAt: at, stepNumber: point.step, metrics: point });
      // A checkpoint is deployable by its id, like a model [ft-howto "Deploy a checkpoint"].
      state.models.set(id, { name: id, baseModel: job.baseModel, jobId: job.id, pairs: job.pairs, checkpointId: id });
    }
  }
}

function finish(state: EmulatorState, job: StoredJob, at: number): void {
  reportSteps(state, job, at);
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
  job.trainedTokens = job.billedTokens;
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
  const ends = [...state.jobs.values()].filter((j) => ACTIVE.includes(j.status) && j.endsAt !== null).map((j) => j.endsAt as number);
  const slotFree = ends.length < LIMITS.maxRunningJobs ? state.jobClock : Math.min(...ends);
  return unixSeconds(Math.max(job.createdAt + queueMs(state), slotFree) + runMs(state));
}

/** Drops null and undefined members: the description declares these fields as plain strings/integers, and its examples omit them when unset. */
function present(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined));
}

export function jobObject(state: EmulatorState, job: StoredJob): Record<string, unknown> {
  const { n_epochs, batch_size, learning_rate_multiplier } = job.hyperparameters;
  return present({
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
    error: job.error ? present(job.error) : null,
    estimated_finish: estimatedFinish(state, job),
    // The deprecated top-level field still carries the common three, as the description declares.
    hyperparameters: { n_epochs, batch_size, learning_rate_multiplier },
    method: { type: job.method, [job.method]: { hyperparameters: job.hyperparameters } },
    suffix: job.suffix,
    seed: job.seed,
    integrations: [],
    trainingType: job.trainingType,
  });
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
  methods: readonly MethodType[];
  parentPairs: TrainingPair[];
}

function resolveModel(state: EmulatorState, value: unknown): ResolvedModel {
  if (typeof value !== 'string' || value === '') throw invalidPayload("The 'model' field is required and must be a non-empty string.", 'model');
  // Fine-tuning takes the versioned model id only (an alias such as 'gpt-4o-mini' is a deployment name, not a fine-tunable model).
  const base = findFineTunable(value);
  if (base && base.id === value) return { model: value, baseModel: base.id, methods: base.methods, parentPairs: [] };
  const fineTuned = state.models.get(value);
  const parent = fineTuned ? findFineTunable(fineTuned.baseModel) : undefined;
  if (fineTuned && parent) return { model: value, baseModel: fineTuned.baseModel, methods: parent.methods, parentPairs: fineTuned.pairs };
  throw invalidPayload(`The specified base model does not support fine-tuning. ('model' was '${value}'.)`, 'model');
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

type Range = { kind: 'integer' | 'number'; min: number; max: number; exclusiveMin?: boolean } | { kind: 'enum'; values: readonly string[] };

/**
 * Hyperparameters per method. Types from [spec-aoai FineTuningHyperParameters, DpoHyperparamsRequest]
 * (integers and numbers: the description has no "auto"); ranges and the reinforcement set from
 * OpenAI's fine-tuning API reference, which Azure's v1 surface follows.
 */
const HYPERPARAMETERS: Record<MethodType, Record<string, Range>> = {
  supervised: {
    n_epochs: { kind: 'integer', min: 1, max: 50 },
    batch_size: { kind: 'integer', min: 1, max: 256 },
    learning_rate_multiplier: { kind: 'number', min: 0, max: 10, exclusiveMin: true },
  },
  dpo: {
    n_epochs: { kind: 'integer', min: 1, max: 50 },
    batch_size: { kind: 'integer', min: 1, max: 256 },
    learning_rate_multiplier: { kind: 'number', min: 0, max: 10, exclusiveMin: true },
    beta: { kind: 'number', min: 0, max: 2, exclusiveMin: true },
    l2_multiplier: { kind: 'number', min: 0, max: 10 },
  },
  reinforcement: {
    n_epochs: { kind: 'integer', min: 1, max: 50 },
    batch_size: { kind: 'integer', min: 1, max: 256 },
    learning_rate_multiplier: { kind: 'number', min: 0, max: 10, exclusiveMin: true },
    eval_interval: { kind: 'integer', min: 1, max: 1000 },
    eval_samples: { kind: 'integer', min: 1, max: 1000 },
    compute_multiplier: { kind: 'number', min: 0, max: 10, exclusiveMin: true },
    reasoning_effort: { kind: 'enum', values: ['low', 'medium', 'high'] },
  },
};

function checkHyperparameters(method: MethodType, value: unknown, path: string): Record<string, number | string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidPayload(`'${path}' must be an object.`, path);
  const out: Record<string, number | string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const range = HYPERPARAMETERS[method][key];
    const field = `${path}.${key}`;
    // Unknown keys are ignored, as the description's schemas do not forbid extra members.
    if (!range || v === undefined || v === null) continue;
    if (range.kind === 'enum') {
      if (typeof v !== 'string' || !range.values.includes(v)) throw invalidPayload(`Invalid value ${JSON.stringify(v)} for '${field}': expected one of ${range.values.join(', ')}.`, field);
      out[key] = v;
      continue;
    }
    const ok = typeof v === 'number' && Number.isFinite(v) && (range.kind === 'number' || Number.isInteger(v)) && (range.exclusiveMin ? v > range.min : v >= range.min) && v <= range.max;
    if (!ok) {
      const kind = range.kind === 'integer' ? 'an integer' : 'a number';
      throw invalidPayload(`Invalid value ${JSON.stringify(v)} for '${field}': expected ${kind} ${range.exclusiveMin ? 'greater than' : 'from'} ${range.min} ${range.exclusiveMin ? 'and at most' : 'to'} ${range.max}.`, field);
    }
    out[key] = v as number;
  }
  return out;
}

interface RequestedMethod {
  type: MethodType;
  hyperparameters: Record<string, number | string>;
}

/** `method` [spec-aoai FineTuneMethodRequest], or the deprecated top-level `hyperparameters` (supervised). */
function requestedMethod(body: Record<string, unknown>): RequestedMethod {
  const method = body['method'];
  if (method === undefined || method === null) {
    return { type: 'supervised', hyperparameters: checkHyperparameters('supervised', body['hyperparameters'], 'hyperparameters') };
  }
  if (typeof method !== 'object' || Array.isArray(method)) throw invalidPayload("'method' must be an object.", 'method');
  const { type } = method as Record<string, unknown>;
  if (type !== 'supervised' && type !== 'dpo' && type !== 'reinforcement') {
    throw invalidPayload(`Invalid value ${JSON.stringify(type)} for 'method.type': expected supervised, dpo or reinforcement.`, 'method.type');
  }
  const config = (method as Record<string, unknown>)[type];
  if (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config))) throw invalidPayload(`'method.${type}' must be an object.`, `method.${type}`);
  const section = (config ?? {}) as Record<string, unknown>;
  if (type === 'reinforcement' && (typeof section['grader'] !== 'object' || section['grader'] === null)) {
    throw invalidPayload("Reinforcement fine-tuning needs a grader: 'method.reinforcement.grader' is required.", 'method.reinforcement.grader');
  }
  return { type, hyperparameters: checkHyperparameters(type, section['hyperparameters'], `method.${type}.hyperparameters`) };
}

/** OpenAI's documented "auto" epochs: 3, raised for small sets to reach 100 examples seen, lowered for large ones (cookbook: chat fine-tuning data prep). */
function defaultEpochs(examples: number): number {
  if (examples * 3 < 100) return Math.min(25, Math.ceil(100 / examples));
  if (examples * 3 > 25_000) return Math.max(1, Math.floor(25_000 / examples));
  return 3;
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidPayload(`Invalid '${field}': expected a string.`, field);
  return value;
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
  const { model, baseModel, methods, parentPairs } = resolveModel(state, body['model']);
  if (body['training_file'] === undefined) throw invalidPayload("The 'training_file' field is required.", 'training_file');
  const training = usableFile(state, body['training_file'], 'training_file');
  const validation = body['validation_file'] == null ? null : usableFile(state, body['validation_file'], 'validation_file');
  const method = requestedMethod(body);
  if (!methods.includes(method.type)) {
    throw invalidPayload(`The model '${model}' does not support ${method.type} fine-tuning (it supports: ${methods.join(', ')}).`, 'method.type');
  }
  const suffix = optionalString(body, 'suffix');
  if (suffix !== null && !SUFFIX_PATTERN.test(suffix)) throw invalidPayload("Invalid 'suffix': up to 40 characters from a-z, A-Z, 0-9, '-' and '_'.", 'suffix');
  const seed = body['seed'];
  if (seed !== undefined && seed !== null && !(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 31 - 1)) {
    throw invalidPayload(`Invalid 'seed' ${JSON.stringify(seed)}: expected an int32 from 0 to 2147483647.`, 'seed');
  }
  const trainingType = optionalString(body, 'trainingType');
  if (trainingType !== null && !TRAINING_TYPES.includes(trainingType)) {
    throw invalidPayload(`Invalid value '${trainingType}' for 'trainingType': expected one of ${TRAINING_TYPES.join(', ')}.`, 'trainingType');
  }

  const check = training.check;
  const examples = check?.examples ?? 0;
  const wanted = method.type === 'dpo' ? 'preference' : 'chat';
  if (check && check.format !== wanted) {
    throw invalidPayload(`The training file '${training.id}' is not in the ${wanted} format that ${method.type} fine-tuning needs.`, 'training_file');
  }
  if (method.type === 'supervised' && (check?.withoutAssistant ?? 0) > 0) {
    throw invalidPayload(`The training file '${training.id}' has ${check?.withoutAssistant} examples without an assistant message; supervised fine-tuning learns from them.`, 'training_file');
  }
  if (examples < MIN_TRAINING_EXAMPLES) {
    throw invalidPayload(`The training file '${training.id}' has ${examples} examples; fine-tuning requires at least ${MIN_TRAINING_EXAMPLES}.`, 'training_file');
  }
  const queued = [...state.jobs.values()].filter((j) => j.status === 'pending').length;
  if (queued >= LIMITS.maxQueuedJobs) {
    throw new ApiError(400, { code: 'quotaExceeded', message: `The resource already has ${queued} queued fine-tuning jobs; at most ${LIMITS.maxQueuedJobs} may wait.` });
  }

  const requested = method.hyperparameters;
  const epochs = typeof requested['n_epochs'] === 'number' ? requested['n_epochs'] : defaultEpochs(examples);
  const hyperparameters: Hyperparameters = {
    ...requested,
    n_epochs: epochs,
    batch_size: typeof requested['batch_size'] === 'number' ? requested['batch_size'] : Math.max(1, Math.min(256, Math.round(examples * 0.002))),
    learning_rate_multiplier: typeof requested['learning_rate_multiplier'] === 'number' ? requested['learning_rate_multiplier'] : 1,
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
    suffix,
    seed: jobSeed,
    hyperparameters,
    method: method.type,
    trainingType,
    status: 'pending',
    transitionAt: null,
    pausedAt: null,
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
    billedTokens: (check?.approxTokens ?? 0) * hyperparameters.n_epochs,
  };
  state.jobs.set(job.id, job);
  addEvent(state, job, now, 'Job enqueued. Waiting for jobs ahead to complete.');
  advanceJobs(state, now);
  return json(201, jobObject(state, job), { location: `${ctx.origin}${ctx.url.pathname}/${job.id}` });
}

// ---------------------------------------------------------------------------------------------
// Reads, cancel, pause, resume, delete

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

/**
 * Newest first, as OpenAI documents for `GET /fine_tuning/jobs/{id}/events`. Azure's order is not
 * stated in the description; the app sorts by `created_at` itself and must not rely on this.
 */
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

/**
 * `unexpectedEntityState` [spec-aoai ErrorCode: "The operation cannot be executed in the current
 * resource's state"]. The HTTP status Azure pairs it with for a finished job is not documented;
 * 409 is what the emulator has always answered, and the app tolerates any 4xx here (it re-reads the job).
 */
function wrongState(job: StoredJob, action: string): ApiError {
  return new ApiError(409, { code: 'unexpectedEntityState', message: `The fine-tuning job '${job.id}' cannot be ${action} because it is ${job.status}.` });
}

export function cancelJob(ctx: RequestContext): Reply {
  const { state, now } = ctx;
  const job = getJob(ctx);
  if (TERMINAL.includes(job.status)) throw wrongState(job, 'cancelled');
  if (job.status === 'running') reportSteps(state, job, now);
  job.status = 'cancelled';
  job.endsAt = null;
  job.transitionAt = null;
  job.finishedAt = now;
  addEvent(state, job, now, 'Job cancelled.');
  advanceJobs(state, now);
  return json(200, jobObject(state, job));
}

/** [spec-aoai FineTuning_Pause]: a running job goes pausing → paused; anything else is refused. */
export function pauseJob(ctx: RequestContext): Reply {
  const { state, now } = ctx;
  const job = getJob(ctx);
  if (job.status !== 'running') throw wrongState(job, 'paused');
  reportSteps(state, job, now);
  job.status = 'pausing';
  job.pausedAt = now;
  job.transitionAt = now + transitionMs(state);
  addEvent(state, job, now, 'Job pausing.');
  return json(200, jobObject(state, job));
}

/** [spec-aoai FineTuning_Resume]: a paused job goes resuming → running. */
export function resumeJob(ctx: RequestContext): Reply {
  const { state, now } = ctx;
  const job = getJob(ctx);
  if (job.status !== 'paused') throw wrongState(job, 'resumed');
  job.status = 'resuming';
  job.transitionAt = now + transitionMs(state);
  addEvent(state, job, now, 'Job resuming.');
  return json(200, jobObject(state, job));
}

/** [spec-aoai FineTuning_Delete] answers 204 (example delete_finetuning_job.json). Only a finished job can be deleted (not documented; cancel first). */
export function deleteJob(ctx: RequestContext): Reply {
  const job = getJob(ctx);
  if (!TERMINAL.includes(job.status)) throw wrongState(job, 'deleted');
  ctx.state.jobs.delete(job.id);
  return { status: 204 };
}
