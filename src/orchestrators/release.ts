/**
 * The orchestration's steps after training: deploy the candidate to its OWN deployment (waiting
 * for quota if the resource is full), smoke-test it, optionally deploy the job's last checkpoints
 * (each to its own deployment), evaluate them all against the alias's champion, keep the run's
 * best contender and remove the others' deployments, and promote it (blue/green: the alias
 * switches, the old deployment stays for the grace period) or end `not_promoted`. Deterministic like the orchestrator that runs it: every effect is an
 * activity; the helpers come from fineTunePipeline (call, record, notify, cancellable wait).
 */
import type { Task } from 'durable-functions';
import { checkpointDeploymentName } from '../aliases/deployment-name.js';
import { chooseCheckpoints, type JobCheckpoint } from '../evaluation/checkpoints.js';
import { winnerScores, type EvaluationSummary } from '../evaluation/evaluation-result.js';
import { DEFAULT_PROMOTION } from '../evaluation/promotion.js';
import type { RunEventType, RunOptions, RunStatus } from '../runs/run-record.js';
import type { RunUpdate } from '../runs/run-store.js';
import { PermanentFailure } from './activity-result.js';
import { CHECK_CAPACITY, type Capacity, type CheckCapacityInput } from './activities/check-capacity.js';
import { DEPLOY_MODEL, type DeployModelInput } from './activities/deploy-model.js';
import { DEPLOYMENT_STATUS, type DeploymentStatus, type DeploymentStatusInput } from './activities/deployment-status.js';
import { EVALUATE_CANDIDATE, type EvaluateCandidateInput } from './activities/evaluate-candidate.js';
import { LIST_CHECKPOINTS, type ListCheckpointsInput } from './activities/list-checkpoints.js';
import type { PreparedEvaluation } from './activities/prepare-evaluation.js';
import { PROMOTE_ALIAS, type PromoteAliasInput, type PromotedAlias } from './activities/promote-alias.js';
import { RECORD_DEPLOYMENT } from './activities/record-deployment.js';
import { REMOVE_DEPLOYMENT, type RemoveDeploymentInput } from './activities/remove-deployment.js';
import { SMOKE_TEST, type SmokeTestInput, type SmokeTestResult } from './activities/smoke-test.js';
import type { DeploymentRecord } from '../runs/deployment-registry.js';
import type { WaitOutcome } from './wait-outcomes.js';

type Step<T> = Generator<Task, T, unknown>;

export interface ReleaseTools {
  now(): string;
  seconds(): number;
  /**
   * From the deployment PUT on, a cancel request is too late: the run completes and records it.
   * `false` takes it back when Azure refused the PUT (nothing is deploying, so a cancel works again).
   */
  markDeployRequested(requested?: boolean): void;
  noteLateCancel(): Step<void>;
  /** The pipeline's decision for one look at a deployment (wait-outcomes.ts, with its time limits). */
  deploymentOutcome(deployment: DeploymentStatus, name: string, expectedModel: string, since: number): WaitOutcome;
  call<T>(name: string, input: unknown): Step<T>;
  /** A status check that rides out a service outage (run.delayed), see outage.ts. */
  poll<T>(name: string, input: unknown, what: string): Step<T>;
  record(update: Omit<RunUpdate, 'at'>): Step<void>;
  notify(type: RunEventType, status: RunStatus, data: Record<string, unknown>): Step<void>;
  wait(seconds: number): Step<void>;
  show(change: { jobStatus?: string }): void;
}

export interface ReleaseInput {
  runId: string;
  /** The run's attempt (absent: the first); part of its deployments' names. */
  attempt?: number;
  dataset: string;
  alias: string;
  deploymentName: string;
  options: RunOptions;
  model: string;
  jobId: string;
  chatUrl: string;
  evaluation: PreparedEvaluation;
  exampleSnapshot: string;
  polling: { minSeconds: number; maxSeconds: number };
  /** Deletes the uploaded files once the model answers (before the evaluation, which needs no files). */
  cleanUp: () => Step<void>;
  /** Told the run's deployments a failure must remove (the candidate, checkpoints); with [] once their fate is settled. */
  onDeployed: (names: readonly string[]) => void;
}

export function* releaseCandidate(tools: ReleaseTools, input: ReleaseInput): Step<{ status: RunStatus }> {
  const { call, record, notify, wait, show, now } = tools;
  const target = input.options.deployment;
  const promotion = input.options.promotion ?? DEFAULT_PROMOTION;

  // Quota: one slot per candidate. `wait` waits (and says so once); `evict-lru` frees one.
  let notified = false;
  let pollerState: string | null = null;
  for (;;) {
    const capacity = yield* call<Capacity>(CHECK_CAPACITY, { deploymentName: input.deploymentName, mayEvict: true, at: now() } satisfies CheckCapacityInput);
    if (capacity.free) {
      try {
        tools.markDeployRequested();
        pollerState = yield* call<string | null>(DEPLOY_MODEL, { name: input.deploymentName, model: input.model, sku: target.sku, capacity: target.capacity } satisfies DeployModelInput);
        break;
      } catch (error) {
        // Counted free, refused by Azure (an eviction still deleting, a deployment made by hand): wait like a full quota.
        if (!(error instanceof PermanentFailure && error.code === 'InsufficientQuota')) throw error;
        tools.markDeployRequested(false);
      }
    }
    show({ jobStatus: `waiting for deployment quota (${capacity.used}/${capacity.limit} fine-tuned deployments)` });
    if (!notified) {
      notified = true;
      yield* notify('run.waiting_for_capacity', 'deploying', {
        deployment: input.deploymentName,
        model: input.model,
        used: capacity.used,
        limit: capacity.limit,
        policy: capacity.policy,
        message: `The model is trained (${input.model}) but the resource holds ${capacity.used} of ${capacity.limit} fine-tuned deployments; the run waits for a free slot (delete a deployment, or set DEPLOYMENT_QUOTA_POLICY=evict-lru).`,
      });
    }
    yield* wait(input.polling.maxSeconds);
  }
  // The run's deployments that a failure must remove until one is promoted or kept on purpose.
  const live: string[] = [input.deploymentName];
  input.onDeployed([...live]);
  function* recordDeployment(deploymentName: string, model: string): Step<void> {
    const at = now();
    yield* call<null>(RECORD_DEPLOYMENT, {
      deploymentName,
      dataset: input.dataset,
      alias: input.alias,
      model,
      runId: input.runId,
      baseModel: input.options.baseModel,
      sku: target.sku,
      capacity: target.capacity,
      createdAt: at,
      hosted: [{ from: at }],
      updatedAt: at,
    } satisfies DeploymentRecord);
  }
  /** Polls a deployment until it serves its model; 'fail' comes back as a PermanentFailure. */
  function* untilDeployed(name: string, model: string, poller: string | null): Step<void> {
    const since = tools.seconds();
    for (;;) {
      const deployment = yield* tools.poll<DeploymentStatus>(DEPLOYMENT_STATUS, { name, pollerState: poller } satisfies DeploymentStatusInput, `deployment ${name}`);
      show({ jobStatus: `deployment ${name} ${deployment.provisioningState}` });
      const outcome = tools.deploymentOutcome(deployment, name, model, since);
      if (outcome.kind === 'done') return;
      if (outcome.kind === 'fail') throw new PermanentFailure(outcome.code, outcome.message);
      yield* wait(input.polling.minSeconds);
    }
  }
  function* remove(name: string, reason: string): Step<void> {
    yield* call<null>(REMOVE_DEPLOYMENT, { name, reason, at: now() } satisfies RemoveDeploymentInput);
    live.splice(live.indexOf(name), 1);
    input.onDeployed([...live]);
  }
  yield* recordDeployment(input.deploymentName, input.model);
  yield* untilDeployed(input.deploymentName, input.model, pollerState);
  const smoke = yield* call<SmokeTestResult>(SMOKE_TEST, { deployment: input.deploymentName, exampleSnapshot: input.exampleSnapshot } satisfies SmokeTestInput);
  yield* input.cleanUp();

  // Checkpoints (option `promotion.checkpoints`): each to its own new deployment, by its
  // `ftchkpt-…` id. They are extras: with no free slot a checkpoint is skipped (it never waits
  // for quota or evicts anything), and one Azure refuses is skipped with the reason.
  const checkpoints: NonNullable<EvaluateCandidateInput['checkpoints']> = [];
  const skippedCheckpoints: Array<{ step: number; reason: string }> = [];
  if (promotion.checkpoints > 0) {
    let listed: JobCheckpoint[] = [];
    try {
      listed = yield* call<JobCheckpoint[]>(LIST_CHECKPOINTS, { jobId: input.jobId } satisfies ListCheckpointsInput);
    } catch (error) {
      // Extras: checkpoints the service will not list are skipped, the candidate still competes.
      if (!(error instanceof PermanentFailure)) throw error;
      skippedCheckpoints.push({ step: 0, reason: `the job's checkpoints could not be listed: ${error.code}: ${error.message}` });
    }
    const chosen = chooseCheckpoints(listed, promotion.checkpoints);
    const started: Array<{ checkpoint: JobCheckpoint; name: string; poller: string | null }> = [];
    for (const checkpoint of chosen) {
      const name = checkpointDeploymentName(input.alias, input.runId, checkpoint.step, input.options.deployment.name, input.attempt);
      const capacity = yield* call<Capacity>(CHECK_CAPACITY, { deploymentName: name, mayEvict: false, at: now() } satisfies CheckCapacityInput);
      if (!capacity.free) {
        skippedCheckpoints.push({ step: checkpoint.step, reason: `no free deployment slot (${capacity.used}/${capacity.limit})` });
        continue;
      }
      // Listed as live before the PUT: if the PUT lands but its answer is lost and the run fails,
      // the run's clean-up still deletes it (a delete of a deployment that is not there is a no-op).
      live.push(name);
      input.onDeployed([...live]);
      try {
        const poller = yield* call<string | null>(DEPLOY_MODEL, { name, model: checkpoint.id, sku: target.sku, capacity: target.capacity } satisfies DeployModelInput);
        yield* recordDeployment(name, checkpoint.id);
        started.push({ checkpoint, name, poller });
      } catch (error) {
        if (!(error instanceof PermanentFailure)) throw error;
        // Refused: nothing was created.
        live.splice(live.indexOf(name), 1);
        input.onDeployed([...live]);
        skippedCheckpoints.push({ step: checkpoint.step, reason: `${error.code}: ${error.message}` });
      }
    }
    for (const { checkpoint, name, poller } of started) {
      try {
        yield* untilDeployed(name, checkpoint.id, poller);
        checkpoints.push({ deployment: name, model: checkpoint.id, step: checkpoint.step, name: checkpoint.name });
      } catch (error) {
        if (!(error instanceof PermanentFailure)) throw error;
        skippedCheckpoints.push({ step: checkpoint.step, reason: `${error.code}: ${error.message}` });
        yield* remove(name, `checkpoint step ${checkpoint.step} did not deploy: ${error.message}`);
      }
    }
  }

  yield* tools.noteLateCancel();
  yield* record({ status: 'evaluating', deployment: { name: input.deploymentName, model: input.model, sku: target.sku, capacity: target.capacity, chatUrl: input.chatUrl, alias: input.alias } });
  const evaluation = yield* call<EvaluationSummary>(EVALUATE_CANDIDATE, {
    runId: input.runId,
    alias: input.alias,
    candidate: { deployment: input.deploymentName, model: input.model },
    ...(checkpoints.length > 0 ? { checkpoints } : {}),
    ...(skippedCheckpoints.length > 0 ? { skippedCheckpoints } : {}),
    evalSet: input.evaluation.evalSet,
    promotion,
    at: now(),
  } satisfies EvaluateCandidateInput);
  yield* record({ evaluation, artifacts: evaluation.artifacts });

  // The run's best contender goes on (the final model unless a checkpoint beat it); the others' deployments go.
  const winner = evaluation.winner;
  const chosenName = winner?.deployment ?? input.deploymentName;
  const chosenModel = winner?.model ?? input.model;
  const chosenRole = winner?.role ?? 'candidate';
  for (const name of [...live]) {
    if (name !== chosenName) yield* remove(name, `lost the run's own evaluation to ${chosenRole} (${chosenName})`);
  }
  const deployment = { name: chosenName, model: chosenModel, sku: target.sku, capacity: target.capacity, chatUrl: input.chatUrl, alias: input.alias };
  if (winner) yield* record({ deployment });
  const scores = {
    metric: evaluation.metric,
    candidate: winnerScores(evaluation) ?? null,
    champion: evaluation.aggregates.champion ?? null,
    ...(evaluation.aggregates.base ? { base: evaluation.aggregates.base } : {}),
    ...(winner ? { winner: chosenRole, contenders: Object.fromEntries(evaluation.contenders.filter((c) => c.role !== 'champion' && c.role !== 'base').map((c) => [c.role, evaluation.aggregates[c.role] ?? null])) } : {}),
    report: `${input.runId}/evaluation.md`,
  };
  const decision = evaluation.decision;

  if (decision.promote) {
    const promoted = yield* call<PromotedAlias>(PROMOTE_ALIAS, {
      alias: input.alias,
      target: {
        deploymentName: chosenName,
        model: chosenModel,
        runId: input.runId,
        baseModel: input.options.baseModel,
        sku: target.sku,
        scores: winnerScores(evaluation) ?? {},
      },
      reason: decision.reason,
      at: now(),
      ...(input.options.lifecycle ? { lifecycle: input.options.lifecycle } : {}),
    } satisfies PromoteAliasInput);
    input.onDeployed([]); // the alias serves it now: never removed by a later failure
    yield* record({
      status: 'succeeded',
      promotion: { alias: input.alias, promoted: true, mode: promotion.mode, reason: decision.reason, ...(promoted.previous ? { previousDeployment: promoted.previous } : {}), at: now() },
    });
    yield* notify('run.succeeded', 'succeeded', {
      deployment: chosenName,
      model: chosenModel,
      alias: input.alias,
      chatUrl: input.chatUrl,
      jobId: input.jobId,
      smokeTest: smoke,
      promoted: true,
      ...(promoted.previous ? { previousDeployment: promoted.previous, previousDeletedAfter: promoted.deleteAfter } : {}),
      scores,
    });
    return { status: 'succeeded' };
  }

  // From here on the deployment is either kept on purpose or removed below.
  input.onDeployed([]);
  if (promotion.mode === 'manual') {
    // Kept and waiting for a person: POST /api/aliases/{alias}/promote with this run id.
    yield* record({ status: 'succeeded', promotion: { alias: input.alias, promoted: false, recommended: !decision.promote && decision.recommended, mode: 'manual', reason: decision.reason, at: now() } });
    yield* notify('run.succeeded', 'succeeded', { deployment: chosenName, model: chosenModel, alias: input.alias, jobId: input.jobId, promoted: false, awaitingPromotion: true, reason: decision.reason, scores });
    return { status: 'succeeded' };
  }

  const keep = promotion.keepRejected;
  if (!keep) {
    yield* call<null>(REMOVE_DEPLOYMENT, { name: chosenName, reason: `not promoted: ${decision.reason}`, at: now() } satisfies RemoveDeploymentInput);
  }
  yield* record({
    status: 'not_promoted',
    deployment: { ...deployment, ...(keep ? {} : { deleted: true }) },
    promotion: { alias: input.alias, promoted: false, mode: 'auto', reason: decision.reason, at: now() },
  });
  yield* notify('run.not_promoted', 'not_promoted', {
    alias: input.alias,
    deployment: chosenName,
    deploymentKept: keep,
    model: chosenModel,
    jobId: input.jobId,
    reason: decision.reason,
    scores,
  });
  return { status: 'not_promoted' };
}
