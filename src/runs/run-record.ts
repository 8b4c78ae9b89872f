/**
 * The run record (`runs/<runId>/run.json`): the single document that says what happened to one
 * dropped dataset. Written by the blob trigger and by orchestration activities (never by the
 * orchestrator itself), read by the HTTP API and by people.
 */
import type { TrainingCostEstimate } from '../costs/training-cost.js';
import type { EvaluationSummary } from '../evaluation/evaluation-result.js';
import type { PromotionOptions } from '../evaluation/promotion.js';
import type { FindingCode } from '../validation/findings.js';
import type { BudgetOptions, LifecycleOptions } from './release-options.js';

export const RUN_STATUSES = ['validating', 'rejected', 'uploading', 'training', 'paused', 'deploying', 'evaluating', 'succeeded', 'not_promoted', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** `not_promoted`: trained and evaluated, but the candidate did not beat the alias's champion. */
export const FINAL_STATUSES: readonly RunStatus[] = ['rejected', 'succeeded', 'not_promoted', 'failed', 'cancelled'];

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export const METHOD_TYPES = ['supervised', 'dpo', 'reinforcement'] as const;
export type MethodType = (typeof METHOD_TYPES)[number];

/**
 * A method's hyperparameters as the options file gave them (checked by run-options.ts); `"auto"`
 * means "let the service choose" and is never sent (the API description declares numbers).
 */
export type Hyperparameters = Record<string, number | string>;

/** The fine-tuning method, sent as `method: {type, <type>: {hyperparameters, …}}`. */
export interface RunMethod {
  type: MethodType;
  hyperparameters?: Hyperparameters;
  /** Reinforcement only: the grader object, passed through as given. */
  grader?: Record<string, unknown>;
}

/** The run's options, resolved: `<name>.json` over the app settings. */
export interface RunOptions {
  baseModel: string;
  suffix?: string;
  seed?: number;
  /** Absent: supervised with the service's defaults. */
  method?: RunMethod;
  trainingType?: string;
  /** `name` (when the options give one) prefixes the run's own deployment name; see aliases/deployment-name.ts. */
  deployment: { name: string; sku: string; capacity: number };
  /** The evaluation gate (always resolved: defaults apply). Optional only for run records written before it existed. */
  promotion?: PromotionOptions;
  budget?: BudgetOptions;
  lifecycle?: LifecycleOptions;
}

export interface InputFile {
  /** Blob name in the drop zone. */
  blob: string;
  /** Blob name of the snapshot under runs/<runId>/inputs/. */
  snapshot: string;
  bytes: number;
  sha256: string;
  /** ETag of the drop-zone blob that was validated: tells a redelivered event from a re-upload. */
  etag?: string;
}

export interface Cancellation {
  /** When the pipeline saw it. */
  at: string;
  /** The run's phase at that moment. */
  phase: RunStatus;
  /** `api`: POST /runs/{id}/cancel; `service`: the job was cancelled in the Azure OpenAI resource. */
  by: 'api' | 'service';
  /**
   * `cancelled`: the run stopped (the job was cancelled, or had already ended: see `jobStatus`).
   * `completed`: too late — the deployment had been requested, so the run went on to its end and
   * the deployment exists (delete it yourself if it is not wanted).
   */
  outcome: 'cancelled' | 'completed';
  /** The job's status after the cancel call, when there was a job. */
  jobStatus?: string;
  /** Why the job could not be cancelled, when the call failed (the run still ends). */
  problem?: string;
}

export interface RunError {
  code: string;
  message: string;
}

export interface RunRecord {
  runId: string;
  /** `<name>` of `<name>.jsonl`; may contain '/'. */
  dataset: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  /** When each phase started and ended (ISO timestamps). */
  phases: Partial<Record<RunStatus, { startedAt: string; endedAt?: string }>>;
  inputs: { training: InputFile; validation?: InputFile; options?: InputFile; eval?: InputFile; grader?: InputFile };
  options?: RunOptions;
  validation?: {
    valid: boolean;
    errorCount: number;
    warningCount: number;
    /** The first few errors, for notifications and the API; the full report is an artifact. */
    errors: Array<{ line: number | null; code: FindingCode | string; message: string; field?: string }>;
    trainingTokens: number;
    estimatedBilledTokens: number;
    /** Estimated training cost from the price table in the settings (nothing fetched at run time). */
    estimatedTrainingCost?: TrainingCostEstimate;
  };
  /** Azure OpenAI file ids. */
  files?: { training?: string; validation?: string; deleted?: boolean };
  job?: {
    id: string;
    status: string;
    fineTunedModel?: string;
    trainedTokens?: number;
    step?: number;
    totalSteps?: number;
    trainLoss?: number;
    estimatedFinish?: string;
  };
  deployment?: { name: string; model: string; sku: string; capacity: number; chatUrl: string; alias?: string; deleted?: boolean };
  /** The evaluation gate's aggregates (the full results are the `evaluation.json` artifact). */
  evaluation?: EvaluationSummary;
  /** What the gate decided for the alias. */
  promotion?: { alias: string; promoted: boolean; recommended?: boolean; mode: string; reason: string; previousDeployment?: string; at: string };
  /** Artifact blob names under runs/<runId>/. */
  artifacts: string[];
  /** A cancel request and what came of it (or the job cancelled in the service). */
  cancellation?: Cancellation;
  /**
   * The latest time the service could not be reached while the run watched a file, its job or its
   * deployment (orchestrators/outage.ts): when it started, in which phase, the last error, and
   * when the service answered again (absent while it lasts).
   */
  outage?: Outage;
  error?: RunError;
  /** 1 for the first attempt; a retry (POST /api/runs/{runId}/retry) starts the next one. */
  attempt?: number;
  /** Earlier attempts of this run, oldest first (see runs/retry.ts). */
  /**
   * Earlier attempts, oldest first. `fineTunedModel` is set when that attempt's job had succeeded:
   * the next attempt deploys it instead of training again (runs/retry.ts).
   */
  previousAttempts?: Array<{ attempt: number; status: RunStatus; startedAt: string; endedAt: string; jobId?: string; fineTunedModel?: string; error?: RunError }>;
  /** Notifications sent for this run (queue always; webhook when configured), oldest first. */
  notifications?: Array<{ id: string; type: string; at: string; webhook: 'delivered' | 'failed' | 'not configured' }>;
  /** Webhook deliveries that failed (a failing webhook never fails the run). */
  notificationFailures?: Array<{ event: string; at: string; error: string }>;
}

export interface Outage {
  since: string;
  phase: RunStatus;
  /** What was being checked, e.g. `fine-tuning job ftjob-…`. */
  checking: string;
  error: RunError;
  /** Failed checks in a row (after the quick retries of each). */
  failures: number;
  resolvedAt?: string;
}

export const RUN_EVENT_TYPES = [
  'run.rejected',
  'run.training',
  'run.paused',
  'run.delayed',
  'run.succeeded',
  'run.not_promoted',
  'run.waiting_for_capacity',
  'run.failed',
  'run.cancelled',
  'alias.promoted',
  'alias.rolled_back',
  'deployment.idle_warning',
  'deployment.deleted',
  'deployment.recreated',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** A notification: one per state change that matters, the same payload on the queue and the webhook. */
export interface RunEvent {
  /** Stable per (run, type): consumers dedupe on it (`<runId>:<type>`). */
  id: string;
  type: RunEventType;
  runId: string;
  dataset: string;
  status: RunStatus;
  occurredAt: string;
  /** Present from the second attempt on (a retried run). */
  attempt?: number;
  /** Type-specific details: findings for rejected; job id for training; deployment, model and chat URL for succeeded; error for failed. */
  data: Record<string, unknown>;
}
