/**
 * fineTunePipeline(runId): evaluation set and capacity → upload → wait for processing → create job
 * → monitor → results → release (release.ts: the run's own deployment, smoke test, evaluation
 * against the alias's champion, promotion or `not_promoted`) → notify.
 *
 * Orchestrator code replays, so it is deterministic: no I/O, clock from currentUtcDateTime, every
 * side effect in an activity called with retry options. Activities throw only transient failures
 * (retried here, with back-off); permanent ones come back as `{ ok: false }` and end the run at
 * once with the service's message. Whatever happens, the run ends in a final status and is notified.
 *
 * Every wait loop decides from wait-outcomes.ts, which has an exit for every status the API
 * descriptions list and an overall time bound. Its status checks ride out an outage of the service
 * (outage.ts): `run.delayed` is notified, the run keeps its status and polls on with durable
 * timers, and goes on with the same job when the service answers — it fails only after
 * OUTAGE_MAX_MINUTES. A paused job shows the run as `paused` (notified
 * `run.paused`). A cancel request in any phase ends the run `cancelled` — unless the deployment
 * was already requested, in which case the run completes (`cancellation.outcome: completed`).
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { candidateDeploymentName } from '../aliases/deployment-name.js';
import { DEFAULT_PROMOTION } from '../evaluation/promotion.js';
import { runEvent } from '../notify/events.js';
import { nextPollSeconds, type JobObservation, type PollBounds } from '../runs/poll-policy.js';
import type { Cancellation, RunEventType, RunOptions, RunStatus } from '../runs/run-record.js';
import type { RunUpdate } from '../runs/run-store.js';
import { failureOf, PermanentFailure, type ActivityResult } from './activity-result.js';
import { CANCEL_JOB } from './activities/cancel-job.js';
import { CREATE_JOB, type CreatedJob, type CreateJobInput } from './activities/create-job.js';
import { DELETE_FILES } from './activities/delete-files.js';
import { CHECK_CAPACITY, type Capacity, type CheckCapacityInput } from './activities/check-capacity.js';
import { FETCH_RESULTS, type FetchResultsInput } from './activities/fetch-results.js';
import { FILE_STATUS, type FileStatus } from './activities/file-status.js';
import { JOB_STATUS, type JobProgress, type JobStatusInput } from './activities/job-status.js';
import { NOTIFY } from './activities/notify.js';
import { PREPARE_EVALUATION, type PrepareEvaluationInput, type PreparedEvaluation } from './activities/prepare-evaluation.js';
import { REMOVE_DEPLOYMENT, type RemoveDeploymentInput } from './activities/remove-deployment.js';
import { RECORD_RUN, type RecordRunInput } from './activities/record-run.js';
import { UPLOAD_FILE, type UploadFileInput } from './activities/upload-file.js';
import { releaseCandidate } from './release.js';
import { afterPollFailure, DEFAULT_OUTAGE_LIMITS, delayedMessage, type OutageLimits, type OutageState } from './outage.js';
import { deploymentOutcome, DEFAULT_WAIT_LIMITS, fileOutcome, jobOutcome, type WaitLimits } from './wait-outcomes.js';

export const FINE_TUNE_PIPELINE = 'fineTunePipeline';
export const CANCEL_EVENT = 'cancel';

export interface PipelineInput {
  runId: string;
  dataset: string;
  options: RunOptions;
  /** The alias the candidate competes for (default: the dataset name). */
  alias?: string;
  /** Snapshot blob names in the runs container. */
  snapshots: { training: string; validation?: string; eval?: string };
  polling: PollBounds;
  deleteUploadedFiles: boolean;
  chatUrl: string;
  /** Which attempt of the run this is (absent: the first); see runs/retry.ts. */
  attempt?: number;
  /** Overall bounds of the wait loops (defaults: DEFAULT_WAIT_LIMITS). */
  limits?: Partial<WaitLimits>;
  /** How status checks ride out a service outage (absent in orchestrations started before it existed: the defaults). */
  outage?: OutageLimits;
  /**
   * A retry whose earlier attempt's job had succeeded: nothing is uploaded or trained; the run
   * reads that job again and goes on to deploy its model (runs/retry.ts).
   */
  trainedJob?: { jobId: string; fineTunedModel: string; fromAttempt: number };
}

export interface PipelineCustomStatus {
  phase: RunStatus;
  jobStatus?: string;
  step?: number;
  totalSteps?: number;
  trainLoss?: number;
  eta?: string;
  /** Job status checks so far. */
  polls: number;
}

/**
 * The slow retry of an activity that failed transiently (after the SDK's quick retries inside it):
 * 1 s, 2 s, 4 s … capped at 30 s, 8 attempts (~2 minutes of outage tolerated).
 */
function retryOptions(): df.RetryOptions {
  const options = new df.RetryOptions(1000, 8);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 30_000;
  return options;
}

/**
 * Status checks retry briefly (2 s, then 4 s): a check only reads, and a longer outage is waited
 * out by the poll's own outage loop (outage.ts) with a notification, not by retrying in silence.
 */
function pollRetryOptions(): df.RetryOptions {
  const options = new df.RetryOptions(2000, 3);
  options.backoffCoefficient = 2;
  return options;
}

/** The run stops as cancelled: on request (`api`), or because the job was cancelled in the service. */
class CancelRequested extends Error {
  constructor(readonly by: Cancellation['by'], message: string) {
    super(message);
  }
}

/** Failures after which a job that may still be training is cancelled, so nothing is spent on a run that ended. */
const STOP_JOB_CODES = new Set(['job_timeout', 'job_paused_too_long']);

type Step<T> = Generator<Task, T, unknown>;

export function* fineTunePipeline(context: OrchestrationContext): Step<{ status: RunStatus }> {
  const input = context.df.getInput<PipelineInput>();
  const retry = retryOptions();
  const pollRetry = pollRetryOptions();
  const outageLimits: OutageLimits = input.outage ?? DEFAULT_OUTAGE_LIMITS;
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const custom: PipelineCustomStatus = { phase: 'uploading', polls: 0 };
  const show = (change: Partial<PipelineCustomStatus>): void => {
    Object.assign(custom, change);
    context.df.setCustomStatus({ ...custom });
  };

  function* call<T>(name: string, activityInput: unknown): Step<T> {
    const result = (yield context.df.callActivityWithRetry(name, retry, activityInput)) as ActivityResult<T>;
    if (!result.ok) throw new PermanentFailure(result.error.code, result.error.message);
    return result.value;
  }
  function* record(update: Omit<RunUpdate, 'at'>): Step<void> {
    yield* call<null>(RECORD_RUN, { runId: input.runId, update: { ...update, at: now() } } satisfies RecordRunInput);
    if (update.status) show({ phase: update.status });
  }
  function* notify(type: RunEventType, status: RunStatus, data: Record<string, unknown>, idSuffix?: string): Step<void> {
    const event = runEvent({ runId: input.runId, dataset: input.dataset, status, attempt: input.attempt }, type, now(), data);
    yield* call<null>(NOTIFY, idSuffix ? { ...event, id: `${event.id}:${idSuffix}` } : event);
  }
  const limits: WaitLimits = { ...DEFAULT_WAIT_LIMITS, ...input.limits };
  const seconds = (): number => context.df.currentUtcDateTime.getTime() / 1000;
  /** Set once the deployment PUT was sent: from then on a cancel request is too late. */
  let deployRequested = false;
  /**
   * ONE waiter for the cancel event, made once and shared by every wait: a waiter made per wait
   * and left behind when its timer won would swallow a cancel raised while an activity runs (the
   * SDK hands an event to the newest open waiter of that name), and the request would be lost.
   */
  const cancelRequest = context.df.waitForExternalEvent(CANCEL_EVENT);
  let cancelSeen = false;
  /** A cancel that came once the deployment was requested: recorded, and the run goes on. */
  function* noteLateCancel(): Step<void> {
    if (cancelSeen || !cancelRequest.isCompleted) return;
    cancelSeen = true;
    yield* record({ cancellation: { at: now(), phase: custom.phase, by: 'api', outcome: 'completed' } });
  }
  /** A durable timer that a `cancel` event interrupts. */
  function* wait(delay: number): Step<void> {
    const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay * 1000));
    if (cancelSeen) {
      yield timer;
      return;
    }
    const winner = yield context.df.Task.any([timer, cancelRequest]);
    if (winner !== cancelRequest) return;
    timer.cancel();
    if (!deployRequested) throw new CancelRequested('api', 'cancelled on request');
    // Too late to stop: the model is being deployed. The run completes and says so.
    yield* noteLateCancel();
  }
  /** The current outage of the service, while status checks fail (outage.ts); outages so far. */
  let outage: OutageState | undefined;
  let outages = 0;
  /**
   * A status check (it only reads) that rides out an outage: a transient failure, once the quick
   * retries are spent, is waited out with durable timers and notified once (`run.delayed`); the
   * run keeps its status. A permanent failure or a cancel ends the wait as anywhere else.
   */
  function* poll<T>(name: string, activityInput: unknown, what: string): Step<T> {
    for (;;) {
      let result: ActivityResult<T> | undefined;
      let failure: unknown;
      try {
        result = (yield context.df.callActivityWithRetry(name, pollRetry, activityInput)) as ActivityResult<T>;
      } catch (error) {
        failure = error;
      }
      if (result) {
        if (!result.ok) throw new PermanentFailure(result.error.code, result.error.message);
        if (outage) {
          const ended = outage;
          outage = undefined;
          yield* record({ outage: outageRecord(ended, what, now()) });
        }
        return result.value;
      }
      const decision = afterPollFailure(outage, seconds(), failureOf(failure), what, outageLimits);
      if (decision.kind === 'fail') throw new PermanentFailure(decision.code, decision.message);
      outage = decision.state;
      if (decision.started) {
        outages += 1;
        const message = delayedMessage(what, decision.state.last, outageLimits);
        yield* record({ outage: outageRecord(decision.state, what) });
        yield* notify('run.delayed', custom.phase, { checking: what, error: decision.state.last, message, maxMinutes: outageLimits.maxSeconds / 60 }, outages > 1 ? String(outages) : undefined);
      }
      show({ jobStatus: `service unreachable (${decision.state.last.code}); checking ${what} again in ${decision.seconds} s` });
      yield* wait(decision.seconds);
    }
  }
  function outageRecord(state: OutageState, what: string, resolvedAt?: string): NonNullable<RunUpdate['outage']> {
    return {
      since: new Date(state.since * 1000).toISOString(),
      phase: custom.phase,
      checking: what,
      error: { code: state.last.code, message: state.last.message },
      failures: state.failures,
      ...(resolvedAt ? { resolvedAt } : {}),
    };
  }
  function* untilProcessed(fileId: string, role: string): Step<void> {
    const since = seconds();
    for (;;) {
      const file = yield* poll<FileStatus>(FILE_STATUS, fileId, `${role} file ${fileId}`);
      const outcome = fileOutcome(role, fileId, file.status, file.statusDetails, seconds() - since, limits);
      if (outcome.kind === 'done') return;
      if (outcome.kind === 'fail') throw new PermanentFailure(outcome.code, outcome.message);
      yield* wait(input.polling.minSeconds);
    }
  }

  const uploaded: string[] = [];
  let jobId: string | undefined;
  const alias = input.alias ?? input.dataset;
  const deploymentName = candidateDeploymentName(alias, input.runId, input.options.deployment.name, input.attempt);
  let candidateDeployments: readonly string[] = [];
  try {
    yield* record({ status: 'uploading' });
    // Before anything is spent: the evaluation set (a held-out slice is cut out of the upload) and deployment capacity.
    const prepared = yield* call<PreparedEvaluation>(PREPARE_EVALUATION, {
      runId: input.runId,
      snapshots: input.snapshots,
      maxExamples: (input.options.promotion ?? DEFAULT_PROMOTION).maxExamples,
    } satisfies PrepareEvaluationInput);
    if (prepared.artifacts.length > 0) yield* record({ artifacts: prepared.artifacts });
    const capacity = yield* call<Capacity>(CHECK_CAPACITY, { deploymentName, mayEvict: false, at: now() } satisfies CheckCapacityInput);
    if (!capacity.free) show({ jobStatus: `deployment quota full (${capacity.used}/${capacity.limit}); the run will wait for a slot after training` });

    let job: CreatedJob;
    if (input.trainedJob) {
      // Paid for already: the job is read once more below (it must still say succeeded) and its model deployed.
      job = { jobId: input.trainedJob.jobId, status: 'succeeded', reused: true };
      // The model is recorded at once, so a retry of this attempt still finds it (runs/retry.ts).
      yield* record({ status: 'training', job: { id: job.jobId, status: job.status, fineTunedModel: input.trainedJob.fineTunedModel } });
      yield* notify('run.training', 'training', { jobId: job.jobId, baseModel: input.options.baseModel, reusedFromAttempt: input.trainedJob.fromAttempt });
    } else {
      const trainingFileId = yield* call<string>(UPLOAD_FILE, { runId: input.runId, role: 'training', snapshot: prepared.trainingSnapshot } satisfies UploadFileInput);
      uploaded.push(trainingFileId);
      let validationFileId: string | undefined;
      if (input.snapshots.validation) {
        validationFileId = yield* call<string>(UPLOAD_FILE, { runId: input.runId, role: 'validation', snapshot: input.snapshots.validation } satisfies UploadFileInput);
        uploaded.push(validationFileId);
      }
      yield* record({ files: { training: trainingFileId, ...(validationFileId ? { validation: validationFileId } : {}) } });
      yield* untilProcessed(trainingFileId, 'training');
      if (validationFileId) yield* untilProcessed(validationFileId, 'validation');

      job = yield* call<CreatedJob>(CREATE_JOB, { trainingFileId, ...(validationFileId ? { validationFileId } : {}), options: input.options } satisfies CreateJobInput);
      yield* record({ status: 'training', job: { id: job.jobId, status: job.status } });
      yield* notify('run.training', 'training', { jobId: job.jobId, baseModel: input.options.baseModel });
    }
    jobId = job.jobId;

    // Monitor: adaptive durable-timer polling (see poll-policy.ts).
    let previous: JobObservation | undefined;
    let interval = input.polling.minSeconds;
    let progress: JobProgress;
    const jobSince = seconds();
    let pausedSince: number | undefined;
    for (;;) {
      progress = yield* poll<JobProgress>(JOB_STATUS, { runId: input.runId, jobId: job.jobId } satisfies JobStatusInput, `fine-tuning job ${job.jobId}`);
      const at = seconds();
      show({
        jobStatus: progress.status,
        polls: custom.polls + 1,
        ...(progress.step !== undefined ? { step: progress.step } : {}),
        ...(progress.totalSteps !== undefined ? { totalSteps: progress.totalSteps } : {}),
        ...(progress.trainLoss !== undefined ? { trainLoss: progress.trainLoss } : {}),
        ...(progress.estimatedFinish !== undefined ? { eta: new Date(progress.estimatedFinish * 1000).toISOString() } : {}),
      });
      const outcome = jobOutcome(
        {
          jobId: job.jobId,
          status: progress.status,
          waitedSeconds: at - jobSince,
          ...(progress.error ? { error: progress.error } : {}),
          ...(pausedSince !== undefined ? { pausedSeconds: at - pausedSince } : {}),
        },
        limits,
      );
      if (outcome.kind === 'done') break;
      if (outcome.kind === 'fail') throw new PermanentFailure(outcome.code, outcome.message);
      if (outcome.kind === 'cancelled') throw new CancelRequested('service', outcome.message);
      if (outcome.kind === 'paused' && pausedSince === undefined) {
        pausedSince = at;
        yield* record({ status: 'paused' });
        yield* notify('run.paused', 'paused', { jobId: job.jobId, message: `fine-tuning job ${job.jobId} is paused; resume it in Azure OpenAI, or cancel the run` });
      } else if (outcome.kind === 'wait' && pausedSince !== undefined) {
        pausedSince = undefined;
        yield* record({ status: 'training' });
      }
      const observation: JobObservation = {
        status: progress.status,
        at,
        ...(progress.step !== undefined ? { step: progress.step } : {}),
        ...(progress.totalSteps !== undefined ? { totalSteps: progress.totalSteps } : {}),
        ...(progress.estimatedFinish !== undefined ? { estimatedFinish: progress.estimatedFinish } : {}),
      };
      interval = nextPollSeconds(observation, previous, interval, input.polling);
      previous = observation;
      yield* wait(interval);
    }
    const model = progress.fineTunedModel;
    if (!model) throw new PermanentFailure('no_model', `fine-tuning job ${job.jobId} succeeded without a fine-tuned model name`);

    yield* record({
      status: 'deploying',
      job: { status: 'succeeded', fineTunedModel: model, ...(progress.trainedTokens !== undefined ? { trainedTokens: progress.trainedTokens } : {}) },
    });
    const resultFileId = progress.resultFiles[0];
    if (resultFileId) {
      const method = input.options.method?.type ?? 'supervised';
      const metric = method === 'reinforcement' ? 'mean reward' : method === 'dpo' ? 'DPO loss' : 'loss';
      const artifacts = yield* call<string[]>(FETCH_RESULTS, { runId: input.runId, resultFileId, title: `${input.dataset}: ${metric} per step (${model})`, method } satisfies FetchResultsInput);
      yield* record({ artifacts });
    }

    return yield* releaseCandidate(
      {
        now,
        call,
        poll,
        record,
        notify,
        wait,
        show,
        noteLateCancel,
        markDeployRequested: (requested = true) => (deployRequested = requested),
        deploymentOutcome: (deployment, name, expectedModel, since) =>
          deploymentOutcome(
            {
              name,
              provisioningState: deployment.provisioningState,
              expectedModel,
              waitedSeconds: seconds() - since,
              ...(deployment.model ? { model: deployment.model } : {}),
              ...(deployment.error ? { error: deployment.error } : {}),
            },
            limits,
          ),
        seconds,
      },
      {
        runId: input.runId,
        ...(input.attempt !== undefined ? { attempt: input.attempt } : {}),
        dataset: input.dataset,
        alias,
        deploymentName,
        options: input.options,
        model,
        jobId: job.jobId,
        chatUrl: input.chatUrl,
        evaluation: prepared,
        exampleSnapshot: prepared.evalSet.blob,
        polling: input.polling,
        cleanUp: function* () {
          // A retry that deployed an earlier attempt's model uploaded nothing (that attempt cleaned up its own).
          if (input.deleteUploadedFiles && uploaded.length > 0) {
            yield* call<null>(DELETE_FILES, uploaded);
            yield* record({ files: { deleted: true } });
            uploaded.length = 0;
          }
        },
        onDeployed: (names) => (candidateDeployments = names),
      },
    );
  } catch (error) {
    const cancel = error instanceof CancelRequested ? error : undefined;
    const cancelled = cancel !== undefined;
    const failure = failureOf(error);
    let cancellation: Cancellation | undefined = cancel ? { at: now(), phase: custom.phase, by: cancel.by, outcome: 'cancelled' } : undefined;
    const stopJob = jobId !== undefined && (cancel?.by === 'api' || (error instanceof PermanentFailure && STOP_JOB_CODES.has(error.code)));
    if (stopJob && jobId) {
      // Guarded: a job that cannot be cancelled (already ended, gone, service down) must not keep the run from its final status.
      try {
        const jobStatus = yield* call<string>(CANCEL_JOB, jobId);
        yield* record({ job: { status: jobStatus } });
        if (cancellation) cancellation = { ...cancellation, jobStatus };
      } catch (cancelError) {
        if (cancellation) cancellation = { ...cancellation, problem: (cancelError as Error).message ?? String(cancelError) };
      }
    }
    if (input.deleteUploadedFiles && uploaded.length > 0) {
      // Best effort: the run's outcome must be recorded even if clean-up fails.
      try {
        yield* call<null>(DELETE_FILES, uploaded);
      } catch {
        // Left-over files are harmless (and visible in the resource); the outcome is what matters.
      }
    }
    for (const name of candidateDeployments) {
      // A candidate (or checkpoint) that never reached the alias must not keep costing hosting hours.
      try {
        yield* call<null>(REMOVE_DEPLOYMENT, { name, reason: `run ${cancelled ? 'cancelled' : 'failed'}`, at: now() } satisfies RemoveDeploymentInput);
      } catch {
        // Recorded in the registry as live; the lifecycle timer's idle rules still see it.
      }
    }
    const status: RunStatus = cancelled ? 'cancelled' : 'failed';
    yield* record({ status, ...(cancelled ? {} : { error: failure }), ...(cancellation ? { cancellation } : {}) });
    yield* notify(cancelled ? 'run.cancelled' : 'run.failed', status, cancelled ? { jobId, cancellation } : { jobId, error: failure });
    return { status };
  }
}

df.app.orchestration(FINE_TUNE_PIPELINE, fineTunePipeline);
